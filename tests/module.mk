# tests/: one CUnit runner (tests/main.c) over every area's suite.
TEST_SRCS += tests/main.c $(wildcard tests/test_*.c)
TEST_BIN := $(B)/traplab-tests
TEST_TARGETS += $(TEST_BIN)
TEST_RUNS += ./$(TEST_BIN)

$(TEST_BIN): $(patsubst %.c,$(B)/obj/%.o,$(TEST_SRCS)) $(patsubst %.c,$(B)/obj/%.o,$(LAB_SRCS)) $(B)/libtraplab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LUA_LIBS) $(CUNIT_LIBS) $(LDLIBS)
