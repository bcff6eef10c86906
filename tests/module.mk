# tests/: one CUnit runner for every suite, plus the layering check.
TEST_SRCS += tests/main.c tests/test_isa.c tests/test_machine.c tests/test_run.c
TEST_TARGETS += $(B)/tests/run-tests
TEST_RUNS += $(B)/tests/run-tests tests/layers.sh

$(B)/tests/run-tests: $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS)) $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS)) $(B)/libtraplab.a $(CUNIT_LIBS) $(LDLIBS)
