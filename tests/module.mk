# tests/: one CUnit runner for every suite, plus the layering check.
TEST_SRCS += $(wildcard tests/*.c)
TEST_TARGETS += $(B)/tests/run-tests
TEST_RUNS += $(B)/tests/run-tests "tests/layers.sh $(B)" tests/layers-selftest.sh "tests/pinned.sh $(TRAPLAB)"
# Three passes over the pinned matrix: in the release build only (the
# sanitizers look for memory errors, which the other suites cover).
ifneq ($(MODE),check)
TEST_RUNS += "tests/determinism.sh $(TRAPLAB)"
endif

# The lab suite also needs the lab engine, which is not in the core library.
TEST_LINK_OBJS = $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS) $(LAB_SRCS))

$(B)/tests/run-tests: $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS) $(LAB_SRCS)) $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(TEST_LINK_OBJS) $(B)/libtraplab.a $(CUNIT_LIBS) $(LUA_LIBS) $(CURSES_LIBS) $(LDLIBS)
