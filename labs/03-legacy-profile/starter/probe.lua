-- probe.lua -- your probe of every instruction in ring 1 on the legacy profile.
--
-- The lab calls this function once for each instruction of the ISA (traplab's
-- whole table, so instructions added later are probed too) and compares what
-- it returns with what the machine does.  Return true when the instruction
-- traps as PRIVILEGED (cause ILLEGAL_PRIV) in ring 1, false otherwise.
--
--   lab.run(line_or_word, ring)  runs one instruction on a fresh legacy machine
--                                in that ring: a line of assembly ("smsw a0") or an
--                                instruction word (an integer); returns the trap's
--                                cause ("ILLEGAL_PRIV", "SYSCALL", ...), false if it
--                                did not trap, or nil and the assembler's message
--   lab.insn(mnemonic)           { mnemonic, opcode, syntax }: syntax says its operands
--                                ("rd, rs1, rs2"); word = opcode << 26 has them all zero

return function(lab, mnemonic)
  -- TODO: this runs the bare mnemonic, which does not assemble when the
  -- instruction has operands, and counts every trap as privileged.
  local cause = lab.run(mnemonic, 1)
  return cause ~= false and cause ~= nil
end
