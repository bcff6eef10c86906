# isa/: the instruction table and everything generated from it. Depends on nothing.
CORE_SRCS += isa/isa.c
