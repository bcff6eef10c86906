# asm/: the assembler (Flex + Bison), the disassembler and the image format. Depends on isa/.
CORE_SRCS += asm/image.c
