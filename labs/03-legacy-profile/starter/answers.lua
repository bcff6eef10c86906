-- answers.lua -- your answers to lab 03.  See your instructions and numbers with
--   traplab lab show 03-legacy-profile --student YOUR_ID
-- Sets are lists of mnemonics, e.g. { "mfcr", "popf" } (or {} when empty).
return {
  trace = false,                -- true: `traplab lab check` lists every violation
  privileged = nil,             -- which of your instructions trap in ring 1 (legacy)
  control = nil,                -- control-sensitive ones
  behaviour = nil,              -- behaviour-sensitive ones
  innocuous = nil,              -- innocuous ones
  n_sensitive = nil,        -- a number: sensitive instructions in the whole ISA
  n_untrapped = nil, -- a number: sensitive ones that do not trap on legacy
  violations = nil,             -- a number: EQUIVALENCE VIOLATIONS of your guest
  lost_ie = nil,                -- a number: popfs that lost the IE change
  theorem1 = nil,               -- "a", "b" or "c"
  theorem3 = nil,               -- a set of mnemonics
}
