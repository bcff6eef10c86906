-- settings.lua -- host costs for lab 07.  Only host_world_switch, host_ctx_switch,
-- host_syscall and host_bg_share may change; everything else stays as your flags say.
return {
  para_type2_wins = { },   -- mm: paravirtualized on Type-2 must beat full virtualization on Type-1
  full_type1_wins = { },   -- sys: full virtualization on Type-1 must beat paravirtualized on Type-2
  break_even = nil,        -- mm: the largest host_world_switch at which para on Type-2 still wins
  -- When traplab has --design hw (traplab vm --help lists the designs), also:
  -- software_wins = { workload = "io", costs = { } },  -- software beats hardware assist
  -- hw_wins = { workload = "sys", costs = { } },       -- hardware assist beats software
}
