-- answers.lua -- your answers to lab 05.  See your numbers with
--   traplab lab show 05-paravirtualization --student YOUR_ID
return {
  trace = false,        -- true: `traplab lab check` prints your kernel's exits by cause
  exits_full = nil,     -- a number: exits of the unmodified kernel, fully virtualized
  out_exits = nil,      -- a number: how many of them are `out`
  modified = nil,       -- "a", "b" or "c"
  no_violation = nil,   -- "a", "b" or "c"
}
