-- answers.lua -- reference answers for student "reference" (see student.txt):
-- that seed's guest folds 9 words.
return {
  trace = false,
  -- the hidden page fault that fills the shadow page table for the code page;
  -- mfcr status, mtcr tvb, mtcr scratch; 2 per word; mfcr after the loop;
  -- 8 hex digits and a newline; halt.
  exits = 1 + 3 + 2 * 9 + 1 + 9 + 1,
  first_exit = "mfcr",
  why_ring1 = "b",
  vstatus = "b",
}
