-- answers.lua -- reference answers for student "reference" (see student.txt):
-- that seed's list is bne, ei, smsw, pushf, popf, lh, out, sidt, in, blt, and
-- its program writes "ok" 6 times.
return {
  trace = false,
  privileged = { "ei", "out", "in" },               -- smsw, pushf, popf, sidt no longer trap
  control = { "ei", "popf", "out" },                -- they change IE, the status, a device
  behaviour = { "smsw", "pushf", "popf", "sidt", "in" },   -- popf is in both
  innocuous = { "bne", "lh", "blt" },
  n_sensitive = 14,
  n_untrapped = 4,                       -- pushf, popf, smsw, sidt
  -- smsw once at boot; per write one pushf and one popf; and the first pushf twice
  -- (its stack page was not yet in the shadow page table: the fill retries it).
  violations = 1 + 1 + 2 * 6,
  lost_ie = 6,                                      -- every IRQ_RESTORE's popf
  theorem1 = "b",
  theorem3 = { "pushf", "smsw", "sidt" },           -- popf in ring 3 only changes user flags
}
