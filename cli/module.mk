# cli/: the traplab command, git-style subcommands over every layer.
CLI_SRCS += $(wildcard cli/*.c)
RUN_COMMAND ?= ./$(TRAPLAB) run --trace --stats samples/ring3-trap.s

# --version and the generated editor files name the ISA table they come from.
$(B)/gen/cli/isa_hash.h: isa/isa.def
	@mkdir -p $(dir $@)
	printf '#define TRAPLAB_ISA_HASH "%s"\n' "$$(sha256sum isa/isa.def | cut -c1-12)" > $@
$(B)/obj/cli/main.o $(B)/obj/cli/editors.o: $(B)/gen/cli/isa_hash.h
