-- answers.lua -- the reference answers for student "reference" (see student.txt):
-- each student's program and numbers differ, so these fit only that seed.
return {
  ring3_traps = { "syscall", "sidt", "in", "smsw" },   -- the privileged ones, and syscall
  ring0_traps = { "syscall" },                         -- only the deliberate trap
  cause = "b",                                         -- ILLEGAL_PRIV
  legacy = "b",                                        -- smsw is sensitive but does not trap
  cycles = 46 + 5 * (1 + 1000 + 30),
  kernel_ring = 0,
}
