-- answers.lua -- reference answers for student "reference" (see student.txt):
-- that seed's program writes "batch batch\n" (12 bytes) 11 times.
-- Measured with starter/writes.s set to those numbers:
--   traplab vm --guest kernel --program writes.s --stats
return {
  trace = false,
  exits_full = 399,
  out_exits = 253,      -- 11 * 12 bytes of the writes, plus the kernel's own messages
  modified = "b",
  no_violation = "b",
}
