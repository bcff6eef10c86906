# asm/: the assembler (Flex + Bison), the disassembler and the image format. Depends on isa/.
CORE_SRCS += asm/asm.c asm/diag.c asm/expr.c asm/insn.c asm/source.c asm/directive.c asm/disasm.c asm/load.c

# This file defines rules before the top Makefile does; keep "make" meaning "make all".
.DEFAULT_GOAL := all
CORE_GEN_SRCS += $(B)/gen/asm/parser.c $(B)/gen/asm/lexer.c

$(B)/gen/asm/parser.c $(B)/gen/asm/parser.h: asm/parser.y
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=$(B)/gen/asm/parser.h -o $(B)/gen/asm/parser.c $<

$(B)/gen/asm/lexer.c: asm/lexer.l $(B)/gen/asm/parser.h
	@mkdir -p $(dir $@)
	flex -o $@ $<

# The generated header must exist before anything that includes it compiles.
$(B)/obj/asm/expr.o $(B)/obj/$(B)/gen/asm/lexer.o: $(B)/gen/asm/parser.h
