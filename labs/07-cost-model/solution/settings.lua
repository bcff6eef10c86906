-- settings.lua -- reference settings for student "reference": only host costs change.
return {
  -- mm: para on Type-2 wins once a world switch costs less than about 1,012 cycles
  para_type2_wins = { host_world_switch = 500 },
  -- sys: para on Type-2 takes ~4,000 exits against ~28,000; a world switch of 20,000 cycles
  -- makes each of them dear enough to lose
  full_type1_wins = { host_world_switch = 20000 },
  -- found by bisection with traplab vm ... --cost host_world_switch=N
  break_even = 1012,
}
