-- answers.lua -- your answers to lab 04.  See your numbers with
--   traplab lab show 04-shadow-paging-and-isolation --student YOUR_ID
return {
  fills = nil,        -- a number: shadow fills of mm with your ROUNDS
  flushes = nil,      -- a number: shadow flushes of that run
  why_flush = nil,    -- "a", "b" or "c"
  isolation = nil,    -- "a", "b" or "c"
  preempt = nil,      -- "a", "b" or "c"
}
