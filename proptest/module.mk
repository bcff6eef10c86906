# proptest/: property tests of the hypervisor over random guests (docs/fuzzing.md).
#
#   make proptest N=100000 SEED=1     build/proptest -n N --seed SEED (one core; nice it)
#
# `make test` runs a fixed-seed sample of it (tests/test_proptest.c).
PROPTEST_SRCS := proptest/gen.c proptest/run.c
PROPTEST_OBJS = $(patsubst %.c,$(B)/obj/%.o,$(PROPTEST_SRCS))
TEST_SRCS += $(PROPTEST_SRCS)
TEST_TARGETS += $(B)/proptest
N ?= 1000
SEED ?= 1

$(B)/proptest: $(B)/obj/proptest/main.o $(patsubst %.c,$(B)/obj/%.o,$(PROPTEST_SRCS)) $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

proptest: $(B)/proptest
	$(B)/proptest -n $(N) --seed $(SEED) $(PROPTEST_FLAGS)

.PHONY: proptest
