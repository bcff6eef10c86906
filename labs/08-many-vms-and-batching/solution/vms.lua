-- vms.lua -- four VMs, each workload at least once, a slice short enough for many switches.
return {
  programs = { "sys", "io", "mm", "mm" },
  slice = 20000,
}
