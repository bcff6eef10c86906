-- answers.lua -- your answers to lab 06.  Your costs, to add to every command:
--   traplab lab show 06-type1-vs-type2 --student YOUR_ID
-- then check with
--   traplab lab check 06-type1-vs-type2 --submission YOUR_FOLDER
return {
  -- cycles of the first exit of each kind in the trace of sys, on Type-1 ...
  t1_mtcr = nil, t1_out = nil, t1_syscall = nil, t1_fault = nil,
  -- ... and on Type-2 (--host type2-user)
  t2_mtcr = nil, t2_out = nil, t2_syscall = nil, t2_fault = nil,
  routed_mtcr = nil, routed_out = nil,   -- the same two kinds on the default --host type2
  worst_kind = nil,    -- "mtcr", "out", "syscall" or "fault"
  ratio_sys = nil,     -- Type-2 cycles / Type-1 cycles, sys
  ratio_cpu = nil,     -- the same for cpu with -D ITERS=200000
  -- A first guess, before measuring: every exit costs about four times more on Type-2
  -- (docs/costs.md), so a whole workload should too.  Measure it.
  why_shrinks = nil,   -- "a", "b" or "c"
  bg_growth = nil,     -- percent, e.g. 5.2
}
