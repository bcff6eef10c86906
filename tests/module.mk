# tests/: one CUnit runner for every suite, plus the layering check.
TEST_SRCS += $(wildcard tests/*.c)
TEST_TARGETS += $(B)/tests/run-tests
TEST_RUNS += $(B)/tests/run-tests "tests/layers.sh $(B)" tests/layers-selftest.sh "tests/pinned.sh $(TRAPLAB)"

# The lab suite also needs the lab engine, which is not in the core library.
TEST_LINK_OBJS = $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS) $(LAB_SRCS))

$(B)/tests/run-tests: $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS) $(LAB_SRCS)) $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(TEST_LINK_OBJS) $(B)/libtraplab.a $(CUNIT_LIBS) $(LUA_LIBS) $(CURSES_LIBS) $(LDLIBS)
