-- answers.lua -- reference answers for student "reference" (see student.txt): 2 VMs of mm,
-- slice 80000 (and 20000), batch 4.
return {
  -- traplab vm --guest kernel --program mm,mm --vms 2 --slice 80000 --stats (total)
  switches = 204,
  -- the same with --slice 20000
  switches_quarter = 774,
  -- 18902374 - 17201494: about 570 more switches at vm_switch = 3000 cycles each
  extra_cycles = 1700880,
  -- VM 0: 8603747 cycles, VM 1: 8597747
  fairness = 8603747 / 8597747,
  -- traplab compare --workloads io,mm --host type1 --batch 4
  io_full = 554, io_para = 76, mm_full = 1933, mm_para = 767,
  mm_native = 233995,
  mm_overhead = 1633.5,
  -- batch 1: 624811 native, +1225.7%; batch 4: 233995 native, +1633.5%
  why_rises = "b",
}
