-- probe.lua -- reference probe: run the instruction word with every operand
-- zero (r0, control register 0, port 0) in ring 1, and count only a trap for
-- privilege.  syscall, brk and hcall trap in every ring, by design: innocuous.
return function(lab, mnemonic)
  local word = lab.insn(mnemonic).opcode << 26
  return lab.run(word, 1) == "ILLEGAL_PRIV"
end
