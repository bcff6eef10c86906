-- emulate.lua -- reference emulation of `mfcr rd, cr`: the guest reads its
-- virtual control register (never the real one, which would show ring 1),
-- and resumes after the instruction.
return function(vm, insn)
  vm:set_reg(insn.rd, vm:vcr(insn.rs1))
  vm:set_pc(insn.pc + 4)
end
