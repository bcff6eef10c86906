-- answers.lua -- reference answers for student "reference" (see student.txt):
-- that seed's list is iret, xori, sidt, syscall, popf, smsw, out, halt, pushf,
-- lhu, and its program writes "ok" 6 times.  (The list is drawn from the ISA
-- table: when instructions are added, the reference student's list changes.)
return {
  trace = false,
  privileged = { "iret", "out", "halt" },           -- smsw, pushf, popf, sidt no longer trap
  control = { "iret", "popf", "out", "halt" },      -- the status, a device, the machine
  behaviour = { "smsw", "pushf", "popf", "sidt" },  -- popf is in both
  innocuous = { "xori", "syscall", "lhu" },         -- syscall traps, by design, in every ring
  n_sensitive = 15,
  n_untrapped = 4,                       -- pushf, popf, smsw, sidt
  -- smsw once at boot; per write one pushf and one popf (the first pushf faults
  -- once on its stack page, a hidden fault, and is retried: still one violation).
  violations = 1 + 2 * 6,
  lost_ie = 6,                                      -- every IRQ_RESTORE's popf
  theorem1 = "b",
  theorem3 = { "pushf", "smsw", "sidt" },           -- popf in ring 3 only changes user flags
}
