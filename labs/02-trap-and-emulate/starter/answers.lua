-- answers.lua -- your answers to lab 02.  See your numbers with
--   traplab lab show 02-trap-and-emulate --student YOUR_ID
return {
  trace = false,       -- true: `traplab lab check` lists every VM exit
  exits = nil,         -- a number
  first_exit = nil,    -- a mnemonic
  why_ring1 = nil,     -- "a", "b" or "c"
  vstatus = nil,       -- "a", "b" or "c"
}
