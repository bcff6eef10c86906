# lab/: the Lua lab engine, its sandbox and the class grader. The only place with Lua.
LAB_SRCS += lab/sandbox.c lab/lab.c lab/api.c lab/api_machine.c lab/api_vmm.c lab/api_guest.c lab/report.c lab/grader.c \
            $(B)/gen/lab_prelude.c

.DEFAULT_GOAL := all   # this file defines a rule before the Makefile's all:

# The framework is Lua; it is compiled in as a C string so the binary needs no data files.
$(B)/gen/lab_prelude.c: lab/prelude.lua lab/embed.awk
	@mkdir -p $(dir $@)
	awk -f lab/embed.awk $< > $@

