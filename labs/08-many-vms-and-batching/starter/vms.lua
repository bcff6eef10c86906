-- vms.lua -- the VMs the grader runs for you: programs (sys, io or mm, one per VM) and the
-- slice in cycles.  Try them first with
--   traplab vm --guest kernel --program sys,sys --vms 2 --slice 100000 --stats
return {
  programs = { "sys", "sys" },
  slice = 100000,
}
