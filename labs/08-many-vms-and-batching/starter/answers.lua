-- answers.lua -- your answers to lab 08.  Your numbers (VMs, slices, batch size):
--   traplab lab show 08-many-vms-and-batching --student YOUR_ID
return {
  switches = nil,          -- VM switches in all, your slice
  switches_quarter = nil,  -- the same, a quarter of your slice
  extra_cycles = nil,      -- total cycles (quarter slice) - total cycles (your slice)
  fairness = nil,          -- largest VM cycles / smallest VM cycles
  -- traplab compare --workloads io,mm --host type1 --batch YOUR_BATCH: the exits column
  io_full = nil, io_para = nil, mm_full = nil, mm_para = nil,
  mm_native = nil,         -- native cycles of mm at your batch size
  mm_overhead = nil,       -- percent, e.g. 1225.7
  why_rises = nil,         -- "a", "b" or "c"
}
