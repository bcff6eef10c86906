# tests/: one CUnit runner for every suite, plus the layering check.
TEST_SRCS += $(wildcard tests/*.c)
TEST_TARGETS += $(B)/tests/run-tests
TEST_RUNS += $(B)/tests/run-tests tests/layers.sh

$(B)/tests/run-tests: $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS)) $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS)) $(B)/libtraplab.a $(CUNIT_LIBS) $(LUA_LIBS) $(CURSES_LIBS) $(LDLIBS)
