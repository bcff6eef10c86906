-- answers.lua -- your answers to lab 01's questions.  Run
--   traplab lab show 01-rings --student YOUR_ID
-- to see your own program and numbers, then fill these in and check with
--   traplab lab check 01-rings --student YOUR_ID
return {
  ring3_traps = { },        -- mnemonics that trap in ring 3, e.g. { "mfcr", "out" }
  ring0_traps = { },        -- mnemonics that trap in ring 0
  cause = nil,              -- "a", "b", "c" or "d"
  legacy = nil,             -- "a" or "b"
  cycles = nil,             -- a number
  kernel_ring = nil,        -- a number or a word
}
