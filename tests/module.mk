# tests/: one CUnit runner (tests/main.c) over every area's suite.
TEST_SRCS += $(wildcard tests/*.c)
TEST_BIN := $(B)/traplab-tests
TEST_TARGETS += $(TEST_BIN)
TEST_RUNS += $(TEST_BIN)

# The lab suite needs the lab engine, which lives outside the core library.
$(TEST_BIN): $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/*.c)) $(patsubst %.c,$(B)/obj/%.o,$(LAB_SRCS)) $(B)/libtraplab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CUNIT_LIBS) $(LUA_LIBS) $(CURSES_LIBS) $(LDLIBS)
