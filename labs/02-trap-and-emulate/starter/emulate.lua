-- emulate.lua -- your emulation of the privileged instruction `mfcr rd, cr`.
--
-- The hypervisor calls this function at every VM exit caused by mfcr, after
-- the guest kernel (running deprivileged in ring 1) tried to execute it.
--   insn.rd    the destination register number      insn.rs1  the control register number
--   insn.pc    the address of the mfcr              insn.text the instruction as text
--   vm:reg(n), vm:set_reg(n, v)     the guest's general registers
--   vm:vcr(n), vm:set_vcr(n, v)     the guest's VIRTUAL control registers
--   vm:pc(), vm:set_pc(v)           the guest's program counter
-- When this function returns, the guest resumes at vm:pc().

return function(vm, insn)
  -- TODO: this only skips the instruction; the guest never gets a value.
  vm:set_pc(insn.pc + 4)
end
