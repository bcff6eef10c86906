-- answers.lua -- reference answers for student "reference" (see student.txt), measured with
-- that student's flags (traplab lab show 06 --student reference) as the handout says.
return {
  -- traplab vm --guest kernel --program sys --trace --host type1 FLAGS: the first exit of each kind
  t1_mtcr = 2260, t1_out = 2240, t1_syscall = 2490, t1_fault = 2450,
  -- the same with --host type2-user
  t2_mtcr = 8340, t2_out = 9790, t2_syscall = 8570, t2_fault = 8530,
  -- out pays a host write() on top of the world and process switches: 9790 - 2240 = 7550
  worst_kind = "out",
  -- --host type2 (routed): mtcr stays in the kernel-resident monitor (the Type-1 price), out goes
  -- to the user-mode VMM process (the type2-user price)
  routed_mtcr = 2260, routed_out = 9790,
  -- --stats, the cycles line: 236508633 / 65136203 and 5398289 / 4044459
  ratio_sys = 3.631,
  ratio_cpu = 1.335,
  why_shrinks = "b",
  -- cpu on Type-2, host_bg_share=8 against 0: 5836319 / 5398289 - 1
  bg_growth = 8.11,
}
