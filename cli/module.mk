# cli/: the traplab command, git-style subcommands over every layer.
CLI_SRCS += $(wildcard cli/*.c)
RUN_COMMAND ?= ./$(TRAPLAB) run --trace --stats samples/ring3-trap.s
