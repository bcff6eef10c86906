-- answers.lua -- your answers to lab 07.  Your costs and workload:
--   traplab lab show 07-cost-model --student YOUR_ID
return {
  native = nil,        -- cycles natively (vm --stats: "against N cycles native")
  exit_cycles = nil,   -- the sum of the cycles of every exit (--trace)
  predicted = nil,     -- native + exit_cycles
  measured = nil,      -- the cycles line of --stats
  why_gap = nil,       -- "a" or "b"
  sw_or_hw_io = nil,   -- only when traplab has --design hw: "a" or "b"
}
