/*
 * test_lab.c -- the lab engine: the sandbox holds against every escape we
 * could think of, runaway and memory-hungry code is stopped with a message,
 * the question/check/hint framework grades as a student would expect, a
 * class of a hundred generated submissions gets the right scores, the
 * Lua machine API works, and each shipped lab's reference solution scores
 * full marks while its starter does not.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <lauxlib.h>

#include "lab/api.h"
#include "lab/lab.h"
#include "lab/sandbox.h"
#include "tests/tests.h"

/* Runs code as a lab script would run (with the traplab API); returns the
 * error message (malloc'd) or NULL on success. */
static char *run_lab_code(lab_sandbox *sb, const char *code)
{
    return test_lua_error(sb, code, "=test");
}

static lab_sandbox *new_sandbox(uint64_t insns, size_t mem)
{
    lab_limits lim = { .max_instructions = insns, .max_memory = mem };
    lab_sandbox *sb = lab_sandbox_new(&lim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
    lua_pushcfunction(lab_sandbox_lua(sb), lab_api_open);
    CU_ASSERT_EQUAL_FATAL(lab_sandbox_pcall(sb, 0, 0), LUA_OK);
    return sb;
}

static void expect_error(lab_sandbox *sb, const char *code, const char *fragment)
{
    char *msg = run_lab_code(sb, code);
    CU_ASSERT_PTR_NOT_NULL(msg);
    if (msg && !strstr(msg, fragment)) {
        fprintf(stderr, "\n  code: %s\n  error: %s\n  wanted: %s\n", code, msg, fragment);
        CU_FAIL("error message does not say why");
    }
    free(msg);
}

static void expect_ok(lab_sandbox *sb, const char *code)
{
    char *msg = run_lab_code(sb, code);
    if (msg)
        fprintf(stderr, "\n  code: %s\n  error: %s\n", code, msg);
    CU_ASSERT_PTR_NULL(msg);
    free(msg);
}

/* ---- the sandbox --------------------------------------------------------------- */
static void test_escapes_blocked(void)
{
    lab_sandbox *sb = new_sandbox(0, 0);
    expect_error(sb, "os.execute('touch /tmp/traplab-pwned')", "global 'os'");
    expect_error(sb, "io.open('/etc/passwd')", "global 'io'");
    expect_error(sb, "require('os')", "global 'require'");
    expect_error(sb, "dofile('/etc/passwd')", "global 'dofile'");
    expect_error(sb, "loadfile('/etc/passwd')", "global 'loadfile'");
    expect_error(sb, "debug.getregistry()", "global 'debug'");
    expect_error(sb, "package.loadlib('libc.so.6', 'system')", "global 'package'");
    expect_error(sb, "string.dump(print)", "field 'dump'");
    expect_error(sb, "local f = function() end; local s = ('').dump(f)", "field 'dump'");
    /* A binary chunk, even one built by hand, is refused by load. */
    expect_error(sb, "local f, e = load('\\27Lua\\x54\\0'); error(e)", "attempt to load a binary chunk");
    expect_error(sb, "local f, e = load('\\27Lua', 'x', 'b'); error(e)", "attempt to load a binary chunk");
    expect_error(sb, "collectgarbage('stop')", "not allowed");
    expect_error(sb, "collectgarbage('generational')", "not allowed");
    expect_ok(sb, "assert(collectgarbage('count') > 0); collectgarbage()");
    /* The string metatable is hidden: no patching string methods for everyone. */
    expect_ok(sb, "assert(getmetatable('') == 'protected')");
    expect_error(sb, "getmetatable('').__index.rep = nil", "attempt to index");
    /* API objects' metatables are protected too. */
    expect_ok(sb, "local m = traplab.machine{}; assert(getmetatable(m) == 'protected')");
    expect_error(sb, "setmetatable(traplab.machine{}, {})", "table expected");
    expect_error(sb, "local m = traplab.machine{}; m:close(); m:run()", "closed machine");
    expect_error(sb, "traplab.machine{}.run(42)", "traplab.Machine expected");
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat("/tmp/traplab-pwned", &st), 0);
    lab_sandbox_free(sb);
}

static void test_runaway_and_bombs(void)
{
    lab_sandbox *sb = new_sandbox(1000000, 8u << 20);
    expect_error(sb, "while true do end", "instruction limit exceeded");
    /* Catching the error does not buy more time. */
    expect_error(sb, "while true do pcall(function() while true do end end) end", "instruction limit exceeded");
    expect_error(sb, "local t = {} for i = 1, 1e9 do t[i] = i end", "memory limit exceeded");
    expect_error(sb, "local s = ('x'):rep(100 * 1024 * 1024)", "memory limit exceeded");
    expect_error(sb, "local s = 'x' while true do s = s .. s end", "memory limit exceeded");
    /* Machines hold host memory outside the Lua heap: that has a cap too. */
    expect_error(sb, "local ms = {} for i = 1, 1000 do ms[i] = traplab.machine{memory = 16 * 1024 * 1024} end",
                 "too many machines");
    /* And after all that, the state still works. */
    expect_ok(sb, "local t = {} for i = 1, 1000 do t[i] = i end assert(#t == 1000)");
    lab_sandbox_free(sb);
}

static void test_files_confined(void)
{
    char *lab = test_tmpdir("lab"), *outside = test_tmpdir("lab");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lab);
    CU_ASSERT_PTR_NOT_NULL_FATAL(outside);
    test_write_file(lab, "ok.txt", "inside");
    test_write_file(outside, "secret.txt", "secret");
    char link[PATH_MAX], target[PATH_MAX], sub[PATH_MAX];
    snprintf(link, sizeof link, "%s/escape", lab);
    snprintf(target, sizeof target, "%s/secret.txt", outside);
    CU_ASSERT_EQUAL(symlink(target, link), 0);
    snprintf(link, sizeof link, "%s/escdir", lab);
    CU_ASSERT_EQUAL(symlink(outside, link), 0);
    snprintf(sub, sizeof sub, "%s/d", lab);
    mkdir(sub, 0755);
    test_write_file(sub, "inner.txt", "inner");

    lab_sandbox *sb = new_sandbox(0, 0);
    CU_ASSERT_TRUE(lab_sandbox_add_root(sb, "lab", lab));
    char err[512];
    size_t len;
    char *s = lab_sandbox_read(sb, "lab", "ok.txt", &len, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s) CU_ASSERT_STRING_EQUAL(s, "inside");
    free(s);
    s = lab_sandbox_read(sb, "lab", "d/inner.txt", &len, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    free(s);
    static const struct { const char *rel, *why; } bad[] = {
        { "../secret.txt", "'..'" }, { "d/../../x", "'..'" }, { "/etc/passwd", "relative" },
        { "escape", "outside" }, { "escdir/secret.txt", "outside" }, { "", "relative" },
        { "missing.txt", "No such file" }, { "d", "not a regular file" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        s = lab_sandbox_read(sb, "lab", bad[i].rel, &len, err, sizeof err);
        CU_ASSERT_PTR_NULL(s);
        if (!strstr(err, bad[i].why))
            fprintf(stderr, "\n  %s: '%s' lacks '%s'\n", bad[i].rel, err, bad[i].why);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
        free(s);
    }
    CU_ASSERT_PTR_NULL(lab_sandbox_read(sb, "submission", "ok.txt", &len, err, sizeof err));
    lab_sandbox_free(sb);
    test_rm_rf(lab);
    test_rm_rf(outside);
    free(lab);
    free(outside);
}

/* ---- machines from Lua ------------------------------------------------------------- */
static void test_machine_api(void)
{
    lab_sandbox *sb = new_sandbox(0, 0);
    expect_ok(sb,
        "local m = traplab.machine{ memory = 65536 }\n"
        "assert(m:assemble([[\n"
        "        .org 0x1000\n"
        "_start: li a0, 6\n"
        "        li a1, 7\n"
        "        mul a0, a0, a1\n"
        "        halt\n"
        "]], 'six.s'))\n"
        "assert(m:pc() == 0x1000 and m:symbol('_start') == 0x1000)\n"
        "local snap = m:snapshot()\n"
        "assert(m:run(100) == 'halt')\n"
        "assert(m:reg('a0') == 42 and m:reg(1) == 42 and m:ring() == 0)\n"
        "local s = m:stats()\n"
        "assert(s.instret == 4, s.instret)\n"
        "local cycles = s.cycles\n"
        "m:restore(snap)\n"
        "assert(m:reg('a0') == 0 and m:pc() == 0x1000)\n"
        "assert(m:run(100) == 'halt' and m:stats().cycles == cycles and m:reg('a0') == 42)\n"
        "m:write_word(0x2000, 0xdeadbeef)\n"
        "assert(m:read_word(0x2000) == 0xdeadbeef and m:read(0x2000, 1) == '\\xef')\n"
        "assert(traplab.insn('halt').privileged and not traplab.insn('add').privileged)\n"
        "assert(traplab.insn('smsw', 'legacy').privileged == false)\n"
        "assert(traplab.disassemble(m:read_word(0x1000)) == 'addi r1, r0, 6', traplab.disassemble(m:read_word(0x1000)))\n");
    /* Assembly errors come back as diagnostics, not as a Lua error. */
    expect_ok(sb,
        "local m = traplab.machine{}\n"
        "local ok, diag = m:assemble('  bogus r1\\n', 'bad.s')\n"
        "assert(ok == nil and diag:find('bad.s:1:3: error', 1, true), diag)\n");
    /* Several files assembled as one: each error names its own file and line. */
    expect_ok(sb,
        "local m = traplab.machine{}\n"
        "local ok, diag = m:assemble{ { 'kernel.s', '_start: nop\\n nop\\n' }, { 'user.s', 'main:\\n nop\\n  bogus r1\\n' } }\n"
        "assert(ok == nil and diag:find('^user.s:3:3: error'), diag)\n"
        "ok, diag = m:assemble{ { 'kernel.s', '_start: b main\\n  frob\\n' }, { 'user.s', 'main: halt' } }\n"
        "assert(ok == nil and diag:find('^kernel.s:2:3: error'), diag)\n"
        "assert(m:assemble{ { 'kernel.s', '_start: b main' }, { 'user.s', 'main: halt\\n' } })\n"
        "assert(m:run(10) == 'halt')\n");
    expect_error(sb, "traplab.machine{}:assemble{ 'x' }", "{name, source} pair");
    /* The assembler cannot be used to read files around the sandbox. */
    expect_ok(sb,
        "local m = traplab.machine{}\n"
        "local ok, diag = m:assemble('.include \"/etc/passwd\"\\n', 'evil.s')\n"
        "assert(ok == nil and diag:find('not available here', 1, true) and not diag:find('root:'), diag)\n");
    /* A guest that never stops is stopped by the instruction limit. */
    expect_ok(sb,
        "local m = traplab.machine{}\n"
        "assert(m:assemble('_start: b _start\\n'))\n"
        "assert(m:run(5000) == 'limit' and m:stats().instret == 5000)\n");
    /* Trap and emulate in Lua: a ring-3 program's mfcr and halt are emulated. */
    expect_ok(sb,
        "local m = traplab.machine{}\n"
        "assert(m:assemble('_start: mfcr a1, scratch\\n addi a1, a1, 1\\n halt\\n'))\n"
        "m:set_ring(3)\n"
        "local seen = {}\n"
        "m:on_trap(function(t, mm)\n"
        "  seen[#seen + 1] = t.mnemonic\n"
        "  if t.cause ~= 'ILLEGAL_PRIV' then return false end\n"
        "  if t.mnemonic == 'mfcr' then mm:set_reg(t.rd, 41); mm:set_pc(t.pc + 4); return true end\n"
        "  if t.mnemonic == 'halt' then mm:request_stop(); return true end\n"
        "end)\n"
        "assert(m:run(100) == 'requested')\n"
        "assert(m:reg('a1') == 42 and m:ring() == 3)\n"
        "assert(#seen == 2 and seen[1] == 'mfcr' and seen[2] == 'halt')\n");
    /* Errors and runaway loops inside a hook come out of m:run as Lua errors. */
    expect_error(sb,
        "local m = traplab.machine{}\n"
        "assert(m:assemble('_start: halt\\n'))\n"
        "m:set_ring(3)\n"
        "m:on_trap(function() error('boom') end)\n"
        "m:run(10)\n", "test:4: boom");
    expect_error(sb,
        "local m = traplab.machine{}\n"
        "assert(m:assemble('_start: halt\\n'))\n"
        "m:set_ring(3)\n"
        "m:on_trap(function() while true do end end)\n"
        "m:run(10)\n", "instruction limit exceeded");
    expect_error(sb,
        "local m = traplab.machine{}\n"
        "assert(m:assemble('_start: halt\\n'))\n"
        "m:set_ring(3)\n"
        "m:on_trap(function(t, mm) mm:close() end)\n"
        "m:run(10)\n", "from inside its own trap hook");
    /* After halt, step and run stay there instead of running on into zeroed memory. */
    expect_ok(sb,
        "local m = traplab.machine{}\n"
        "assert(m:assemble('_start: li a0, 1\\n halt\\n'))\n"
        "assert(m:run(100) == 'halt')\n"
        "local n = m:stats().instret\n"
        "assert(m:step() == 'halt' and m:run(100) == 'halt' and m:stats().instret == n)\n");
    expect_error(sb, "traplab.machine{ costs = { trap_entry = -5 } }",
                 "cost trap_entry must be a whole number of cycles 0..4294967295, not -5");
    expect_error(sb, "traplab.machine{ costs = { trap_entry = 2.5 } }", "not 2.5");
    expect_error(sb, "traplab.machine{ costs = { warp = 1 } }", "unknown cost 'warp'");
    expect_error(sb, "traplab.machine{ memory = 12345 }", "multiple of 4096");
    expect_error(sb, "traplab.machine{ profile = 'x86' }", "profile must be");
    expect_error(sb, "local m = traplab.machine{}; m:reg('r99')", "unknown register");
    expect_error(sb, "local m = traplab.machine{}; m:read_word(0x7fffffff)", "outside memory");
    lab_sandbox_free(sb);
}

/* A different guest kernel per VM (issue 16): from Lua with h:load, and in a lab's
 * hypervisor scenario (what `lab run` opens) with vm_guests. */
static void test_guest_per_vm(void)
{
    lab_sandbox *sb = new_sandbox(0, 0);
    expect_ok(sb,
        "local h = traplab.hypervisor{ vms = 3 }\n"
        "local good = '_start: li a0, 103\\n out a0, 0x10\\n halt\\n'\n"
        "local rogue = '_start: li a0, 114\\n out a0, 0x10\\n li a1, 0xf00000\\n sw a0, 0(a1)\\n halt\\n'\n"
        "assert(h:load(0, good)); assert(h:load(1, rogue)); assert(h:load(2, good))\n"
        "h:run(100000)\n"
        "assert(h:console(0) == 'g' and h:console(1) == 'r' and h:console(2) == 'g', h:console(1))\n"
        "assert(h:state(0) == 'halted' and h:state(2) == 'halted')\n"
        "assert(h:state(1) == 'failed', h:state(1))\n");
    lab_sandbox_free(sb);

    char *tmp = test_tmpdir("lab"), err[1024];
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    test_write_file(tmp, "lab.lua",
        "local lab = traplab.lab{ title = 'rogue', tasks = { 'Watch VM 1.' },\n"
        "  scenario = function(ctx, p) return { guest = '_start: halt\\n', program = 'halt\\n', vms = 3,\n"
        "    vm_guests = { [1] = '_start: nop\\n halt\\n' }, vm_guest_names = { [1] = 'rogue.s' } } end }\n"
        "return lab\n");
    lab_request rq = { .lab_dir = tmp, .want_scenario = true };
    lab_report r;
    CU_ASSERT_TRUE_FATAL(lab_describe(&rq, &r, err, sizeof err));
    CU_ASSERT_EQUAL(r.scenario_vms, 3);
    CU_ASSERT_PTR_NULL(r.scenario_vm_guest[0]);
    CU_ASSERT_PTR_NULL(r.scenario_vm_guest[2]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.scenario_vm_guest[1]);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario_vm_guest[1], "nop"));
    CU_ASSERT_STRING_EQUAL(r.scenario_vm_guest_name[1], "rogue.s");
    lab_report_free(&r);
    /* A VM that does not exist is the lab's error, said plainly. */
    test_write_file(tmp, "lab.lua",
        "return traplab.lab{ title = 'x', scenario = function() return { guest = 'halt\\n',\n"
        "  program = 'halt\\n', vms = 2, vm_guests = { [2] = 'halt\\n' } } end }\n");
    CU_ASSERT_FALSE(lab_describe(&rq, &r, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "vm_guests[2]: no such VM (VMs are numbered from 0 to 1)"));
    lab_report_free(&r);
    /* A scenario names its design and profile; a wrong one is said plainly. */
    test_write_file(tmp, "lab.lua",
        "return traplab.lab{ title = 'x', scenario = function() return { guest = 'halt\\n',\n"
        "  program = 'halt\\n', design = 'bt', profile = 'legacy' } end }\n");
    CU_ASSERT_TRUE_FATAL(lab_describe(&rq, &r, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(r.scenario_design, "bt");
    CU_ASSERT_STRING_EQUAL(r.scenario_profile, "legacy");
    lab_report_free(&r);
    test_write_file(tmp, "lab.lua",
        "return traplab.lab{ title = 'x', scenario = function() return { guest = 'halt\\n',\n"
        "  program = 'halt\\n', design = 'magic' } end }\n");
    CU_ASSERT_FALSE(lab_describe(&rq, &r, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "scenario: design must be one of "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not magic"));
    lab_report_free(&r);
    test_write_file(tmp, "lab.lua",
        "return traplab.lab{ title = 'x', scenario = function() return { guest = 'halt\\n',\n"
        "  program = 'halt\\n', profile = 'ancient' } end }\n");
    CU_ASSERT_FALSE(lab_describe(&rq, &r, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "scenario: profile must be 'strict' or 'legacy', not ancient"));
    lab_report_free(&r);
    /* traplab.inline puts the includes a scenario names inside it; one it does not name stays. */
    test_write_file(tmp, "lab.lua",
        "return traplab.lab{ title = 'x', scenario = function() return {\n"
        "  guest = traplab.inline('a\\n  .include \"b.s\"  ; the b part\\nc\\n',\n"
        "                         { ['b.s'] = 'b1\\n.include \"d.s\"\\n', ['d.s'] = 'd' }),\n"
        "  program = traplab.inline('.include \"x.s\"', {}) } end }\n");
    CU_ASSERT_TRUE_FATAL(lab_describe(&rq, &r, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(r.scenario, "a\nb1\nd\n\nc\n");
    CU_ASSERT_STRING_EQUAL(r.scenario_program, ".include \"x.s\"");
    lab_report_free(&r);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CU_ASSERT_EQUAL(system(cmd), 0);
    free(tmp);
}

/* ---- hypervisors from Lua -------------------------------------------------------------- */
static void test_hypervisor_api(void)
{
    lab_sandbox *sb = new_sandbox(0, 0);
    /* A guest kernel in VM 1: the student's mfcr emulation runs, the VMM does the rest. */
    expect_ok(sb,
        "local h = traplab.hypervisor{ vms = 1, hosting = 'type1' }\n"
        "assert(h:load(0, '_start: mfcr a1, status\\n mtcr scratch, a1\\n li a2, 107\\n out a2, 0x10\\n halt\\n'))\n"
        "local kinds, emulated = {}, {}\n"
        "h:on_exit(function(e) if e.kind == 'exit' then kinds[#kinds + 1] = e.mnemonic or e.cause end end)\n"
        "h:emulate('mfcr', function(hh, vm, insn)\n"
        "  emulated[#emulated + 1] = insn.text\n"
        "  hh:set_reg(vm, insn.rd, hh:vcr(vm, insn.rs1) + 40)\n"
        "  return 'next'\n"
        "end)\n"
        "local snap = h:snapshot()\n"
        "assert(h:run(10000) == 'halt')\n"
        "assert(h:console(0) == 'k' and h:state(0) == 'halted')\n"
        "assert(h:reg(0, 'a1') == 40 and h:vcr(0, 'scratch') == 40)\n"
        "assert(#emulated == 1 and emulated[1] == 'mfcr r2, status', emulated[1])\n"
        "assert(kinds[#kinds] == 'halt' and kinds[#kinds - 1] == 'out')\n"
        "local s = h:stats()\n"
        "assert(s.exits == #kinds and s.emulated_by_insn.mtcr == 1 and s.exits_by_cause.ILLEGAL_PRIV == 4)\n"
        "local cycles = s.cycles\n"
        "h:restore(snap)\n"
        "assert(h:run(10000) == 'halt' and h:stats().cycles == cycles and h:console(0) == 'k')\n"
        "assert(getmetatable(h) == 'protected')\n"
        "h:close()\n");
    /* Without a Lua emulation the built-in one gives the virtual status: ring 0. */
    expect_ok(sb,
        "local h = traplab.hypervisor{}\n"
        "assert(h:load(0, '_start: li a1, 99\\n mfcr a1, status\\n halt\\n'))\n"
        "assert(h:run(10000) == 'halt' and h:reg(0, 'a1') & 3 == 0)\n");
    expect_error(sb,
        "local h = traplab.hypervisor{}\n"
        "assert(h:load(0, '_start: mfcr a1, status\\n halt\\n'))\n"
        "h:emulate('mfcr', function() error('student bug') end)\n"
        "h:run(10000)\n", "test:3: student bug");
    expect_error(sb,
        "local h = traplab.hypervisor{}\n"
        "assert(h:load(0, '_start: mfcr a1, status\\n halt\\n'))\n"
        "h:emulate('mfcr', function(hh) hh:close() end)\n"
        "h:run(10000)\n", "from inside its own hooks");
    /* Hypercalls handled in Lua; an unhandled number still gets ENOSYS from the VMM. */
    expect_ok(sb,
        "local h = traplab.hypervisor{}\n"
        "assert(h:load(0, '_start: li a0, 20\\n li a1, 21\\n hcall\\n mtcr scratch, a0\\n"
        " li a0, 29\\n hcall\\n mtcr epc, a0\\n halt\\n'))\n"
        "local seen\n"
        "h:hypercall(20, function(hh, vm, a1) seen = vm; return a1 * 2 end)\n"
        "assert(h:run(10000) == 'halt')\n"
        "assert(seen == 0 and h:vcr(0, 'scratch') == 42 and h:vcr(0, 'epc') == 0xffffffff)\n"
        "assert(h:stats().hypercalls == 2)\n");
    expect_error(sb, "traplab.hypervisor{}:hypercall(32, print)", "0..31");
    /* mode = 'para' assembles the guest with PARAVIRT defined, as traplab vm --para does. */
    expect_ok(sb,
        "local src = '.ifdef PARAVIRT\\n_start: li a0, 20\\n hcall\\n halt\\n.else\\n_start: halt\\n.endif\\n'\n"
        "for _, mode in ipairs{ 'full', 'para' } do\n"
        "  local h = traplab.hypervisor{ mode = mode, hosting = 'type2' }\n"
        "  assert(h:load(0, src) and h:run(100000) == 'halt')\n"
        "  assert(h:stats().hypercalls == (mode == 'para' and 1 or 0), mode)\n"
        "  assert(tostring(h):find(mode, 1, true))\n"
        "end\n");
    expect_error(sb, "traplab.hypervisor{ mode = 'binary-translation' }", "mode must be");
    expect_error(sb, "local h = traplab.hypervisor{}; h:close(); h:run()", "closed hypervisor");
    expect_error(sb, "traplab.hypervisor{ hosting = 'type3' }", "hosting must be");
    expect_error(sb, "traplab.hypervisor{ costs = { warp_drive = 1 } }", "unknown cost");
    expect_error(sb, "local h = traplab.hypervisor{}; h:console(1)", "no such VM (they are numbered from 0)");
    expect_error(sb, "traplab.hypervisor{ costs = { exit_dispatch = -5 } }",
                 "cost exit_dispatch must be a whole number 0..4294967295, not -5");
    expect_error(sb, "traplab.hypervisor{ costs = { exit_dispatch = 1.5 } }", "not 1.5");
    expect_error(sb, "local h = traplab.hypervisor{}; h:emulate('add', print)",
                 "only instructions that trap can be emulated, and 'add' is not privileged");
    /* As many VMs as the CLI allows, numbered from 0 like the TUI's vm0..vm15. */
    expect_ok(sb, "local h = traplab.hypervisor{ vms = traplab.MAX_VMS }\n"
                  "assert(traplab.MAX_VMS == 16)\n"
                  "local seen\n"
                  "h:on_exit(function(e) seen = seen or e.vm end)\n"
                  "for i = 0, traplab.MAX_VMS - 1 do assert(h:load(i, '_start: mfcr a1, status\\n halt\\n')) end\n"
                  "h:run(100000)\n"
                  "assert(seen == 0, tostring(seen))\n"
                  "h:close()\n");
    expect_error(sb, "traplab.hypervisor{ vms = 17 }", "vms must be 1..16");
    expect_error(sb, "local h = traplab.hypervisor{}; h:emulate('frob', print)", "unknown instruction");
    expect_ok(sb,
        "local h = traplab.hypervisor{}\n"
        "local ok, diag = h:load(0, '.include \"/etc/passwd\"\\n')\n"
        "assert(not ok and diag:find('not available here', 1, true))\n");
    lab_sandbox_free(sb);
}

/* ---- the framework ------------------------------------------------------------------ */
static const char *test_lab_lua =
    "local lab = traplab.lab{ title = 'Test lab', minutes = 5,\n"
    "  params = function(rng) return { n = rng:int(10, 99) } end,\n"
    "  tasks = { 'Double {n}.' } }\n"
    "lab:question{ id = 'q1', kind = 'number', text = 'What is {n} * 2?', points = 2,\n"
    "  answer = function(p) return p.n * 2 end, hints = { 'Double it.', 'Add {n} to itself.' } }\n"
    "lab:question{ id = 'q2', kind = 'choice', text = 'Most privileged ring?', points = 1,\n"
    "  choices = { a = 'ring 0', b = 'ring 3' }, answer = 'a' }\n"
    "lab:question{ id = 'q3', kind = 'set', text = 'Which trap in ring 3?', points = 1, answer = { 'mfcr', 'halt' } }\n"
    "lab:question{ id = 'q4', kind = 'text', text = 'Who traps?', points = 1, answer = { 'the kernel', 'kernel' } }\n"
    "lab:question{ id = 'q5', kind = 'number', text = 'pi?', points = 1, answer = 3.14159, tolerance = 0.01 }\n"
    "lab:check{ id = 'c1', title = 'sq(n) is n*n', points = 4, hints = { 'square it' },\n"
    "  run = function(ctx, p) local m = ctx.submission:lua('code.lua')\n"
    "    if type(m) ~= 'table' or type(m.sq) ~= 'function' then return false, 'code.lua must return { sq = ... }' end\n"
    "    return m.sq(p.n) == p.n * p.n, 'sq(n) is wrong' end }\n"
    "return lab\n";

/* The answers file of a student whose seed gives n; `good` gets everything right. */
static void write_submission(const char *dir, int n, bool good)
{
    char a[512];
    snprintf(a, sizeof a,
             "return { q1 = %d, q2 = '%s', q3 = { 'HALT', 'mfcr' }, q4 = '  The   Kernel ', q5 = '%s' }\n",
             good ? n * 2 : n * 2 + 1, good ? "A" : "b", good ? "3.14" : "3.2");
    test_write_file(dir, "answers.lua", a);
    test_write_file(dir, "code.lua", good ? "return { sq = function(x) return x * x end }\n"
                                     : "return { sq = function(x) return x + x end }\n");
}

static int seed_n(const char *labdir, uint64_t seed)
{
    lab_request rq = { .lab_dir = labdir, .seed = seed };
    lab_report d;
    char err[1024];
    CU_ASSERT_TRUE(lab_describe(&rq, &d, err, sizeof err));
    int n = 0;
    if (d.nitems > 0)
        sscanf(d.items[0].title, "What is %d", &n);
    lab_report_free(&d);
    return n;
}

static void test_framework_grades(void)
{
    char *lab = test_tmpdir("lab"), *sub = test_tmpdir("lab");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lab);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
    test_write_file(lab, "lab.lua", test_lab_lua);
    /* Same seed, same lab; another student, (almost surely) other numbers. */
    int n = seed_n(lab, 7);
    CU_ASSERT(n >= 10 && n <= 99);
    CU_ASSERT_EQUAL(seed_n(lab, 7), n);
    int differ = 0;
    for (uint64_t s = 1; s <= 5; s++)
        differ += seed_n(lab, lab_seed_from_student("alice") + s) != n;
    CU_ASSERT(differ > 0);
    CU_ASSERT_EQUAL(lab_seed_from_student("alice"), lab_seed_from_student("alice"));
    CU_ASSERT_NOT_EQUAL(lab_seed_from_student("alice"), lab_seed_from_student("bob"));

    char err[1024];
    lab_report r;
    lab_request rq = { .lab_dir = lab, .submission_dir = sub, .seed = 7 };
    write_submission(sub, n, true);
    CU_ASSERT_TRUE(lab_grade(&rq, &r, err, sizeof err));
    CU_ASSERT_PTR_NULL(r.fatal);
    CU_ASSERT_EQUAL(r.nitems, 6);
    CU_ASSERT_DOUBLE_EQUAL(r.total, 10, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.max, 10, 1e-9);
    lab_report_free(&r);

    write_submission(sub, n, false);
    CU_ASSERT_TRUE(lab_grade(&rq, &r, err, sizeof err));
    CU_ASSERT_DOUBLE_EQUAL(r.total, 2, 1e-9);   /* only the set and text questions */
    CU_ASSERT_STRING_EQUAL(r.items[0].message, "wrong answer");
    CU_ASSERT_EQUAL(r.items[0].nhints, 2);
    CU_ASSERT_STRING_EQUAL(r.items[5].message, "sq(n) is wrong");
    /* Hints render with the student's numbers. */
    char want[64];
    snprintf(want, sizeof want, "Add %d to itself.", n);
    CU_ASSERT_STRING_EQUAL(r.items[0].hints[1], want);
    /* The text report: one hint at a time, as attempts accumulate. */
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    lab_write_text(f, &r);
    r.items[0].attempts = 2;
    lab_write_text(f, &r);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "hint 1/2: Double it."));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Total: 2/10 (20%)"));
    free(buf);
    /* A report survives the trip from a grading child to its parent. */
    size_t len;
    char *ser = lab_report_serialize(&r, &len);
    lab_report back;
    CU_ASSERT_TRUE(lab_report_deserialize(ser, len, &back));
    CU_ASSERT_EQUAL(back.nitems, r.nitems);
    CU_ASSERT_STRING_EQUAL(back.items[5].message, "sq(n) is wrong");
    CU_ASSERT_DOUBLE_EQUAL(back.total, r.total, 1e-9);
    lab_report_free(&back);
    CU_ASSERT_FALSE(lab_report_deserialize(ser, len - 3, &back));   /* truncated: refused */
    free(ser);
    lab_report_free(&r);

    /* Students' own escape attempts: each zeroes the submission with the reason. */
    static const struct { const char *code, *why; } tricks[] = {
        { "return load('return os')().execute('id')", "tried to use 'os'" },
        { "setmetatable(_ENV, nil) return os", "protected metatable" },
        { "local mt = getmetatable(_ENV) return mt.__index", "must return a table" },   /* mt is a string */
        { "return string.dump(print)", "field 'dump'" },
        { "return load(string.char(27) .. 'Lua')()", "attempt to call a nil value" },
        { "return coroutine.wrap(print)", "tried to use 'coroutine'" },
        { "local ok = pcall(function() return debug.getinfo(1) end) return {}", "tried to use 'debug'" },
        { "getmetatable('').__index.upper = nil", "attempt to index a nil value (field '__index')" },
        { "return _G.io", "tried to use 'io'" },
    };
    for (size_t i = 0; i < sizeof tricks / sizeof tricks[0]; i++) {
        test_write_file(sub, "answers.lua", tricks[i].code);
        CU_ASSERT_TRUE(lab_grade(&rq, &r, err, sizeof err));
        bool ok = r.fatal && strstr(r.fatal, tricks[i].why) && r.total == 0;
        if (!ok)
            fprintf(stderr, "\n  %s -> %s\n", tricks[i].code, r.fatal ? r.fatal : "(graded)");
        CU_ASSERT_TRUE(ok);
        lab_report_free(&r);
    }
    /* And the lab is unharmed for the next student: string methods still work. */
    write_submission(sub, n, true);
    CU_ASSERT_TRUE(lab_grade(&rq, &r, err, sizeof err));
    CU_ASSERT_DOUBLE_EQUAL(r.total, 10, 1e-9);
    lab_report_free(&r);

    /* A broken lab is the instructor's error, reported with file and line. */
    test_write_file(lab, "lab.lua", "local lab = traplab.lab{ title = 'x' }\nlab:question{ id = 'q', points = 0, answer = 1 }\nreturn lab\n");
    CU_ASSERT_FALSE(lab_grade(&rq, &r, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "lab.lua:2:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "points must be > 0"));
    lab_report_free(&r);
    test_rm_rf(lab);
    test_rm_rf(sub);
    free(lab);
    free(sub);
}

/* ---- a class of a hundred --------------------------------------------------------------- */
enum { GOOD, WRONG, ERRORS, LUA_HANG, C_HANG, CHEAT, BOMB, NKINDS };

static int kind_of(int i)
{
    static const int mix[20] = { GOOD, GOOD, WRONG, GOOD, ERRORS, GOOD, WRONG, LUA_HANG, GOOD, CHEAT,
                                 GOOD, WRONG, GOOD, BOMB, GOOD, WRONG, ERRORS, GOOD, C_HANG, GOOD };
    return mix[i % 20];
}

static void test_class_of_hundred(void)
{
    char *lab = test_tmpdir("lab"), *class = test_tmpdir("lab");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lab);
    CU_ASSERT_PTR_NOT_NULL_FATAL(class);
    test_write_file(lab, "lab.lua", test_lab_lua);
    enum { N = 100 };
    lab_request rq[N];
    lab_report reps[N];
    char dirs[N][PATH_MAX], names[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "student%03d", i);
        snprintf(dirs[i], sizeof dirs[i], "%s/%s", class, names[i]);
        mkdir(dirs[i], 0755);
        uint64_t seed = lab_seed_from_student(names[i]);
        rq[i] = (lab_request){ .lab_dir = lab, .submission_dir = dirs[i], .seed = seed,
                               .student = names[i], .limits = { 2000000, 16u << 20 } };
        int n = seed_n(lab, seed);
        switch (kind_of(i)) {
        case GOOD: write_submission(dirs[i], n, true); break;
        case WRONG: write_submission(dirs[i], n, false); break;
        case ERRORS: test_write_file(dirs[i], "answers.lua", "local t = nil\nreturn t.x\n"); break;
        case LUA_HANG: test_write_file(dirs[i], "answers.lua", "while true do end\n"); break;
        case C_HANG:   /* backtracking inside one C call: only the CPU limit stops it */
            test_write_file(dirs[i], "answers.lua",
                       "local s = string.rep('a', 40)\nreturn { q1 = s:match(string.rep('a?', 40) .. s) }\n");
            break;
        case CHEAT: test_write_file(dirs[i], "answers.lua", "os.execute('id')\nreturn {}\n"); break;
        case BOMB: test_write_file(dirs[i], "answers.lua", "local t = {}\nfor i = 1, 1e9 do t[i] = {} end\n"); break;
        }
    }
    lab_jail jail = { .cpu_seconds = 1, .wall_ms = 3000, .memory_bytes = (size_t)1 << 30 };
    char err[1024];
    CU_ASSERT_TRUE_FATAL(lab_grade_many(rq, N, 2, &jail, reps, err, sizeof err));
    static const struct { double total; const char *why; } want[NKINDS] = {
        [GOOD] = { 10, NULL }, [WRONG] = { 2, NULL },
        [ERRORS] = { 0, "answers.lua:2: attempt to index a nil value" },
        [LUA_HANG] = { 0, "instruction limit exceeded" },
        [C_HANG] = { 0, "the submission hangs" },   /* CPU or wall clock, by load */
        [CHEAT] = { 0, "sandbox violation: tried to use 'os'" },
        [BOMB] = { 0, "memory limit exceeded" },
    };
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        int k = kind_of(i);
        const lab_report *r = &reps[i];
        bool ok = r->total == want[k].total && r->max == 10 && !strcmp(r->student, names[i]) &&
                  (want[k].why ? r->fatal && strstr(r->fatal, want[k].why) : !r->fatal);
        if (!ok && wrong++ < 5)
            fprintf(stderr, "\n  %s (kind %d): %g/%g, %s\n", names[i], k, r->total, r->max,
                    r->fatal ? r->fatal : "(no reason)");
        CU_ASSERT_TRUE(ok);
    }
    /* The CSV has a header and one row per student. */
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    lab_write_csv_header(f);
    for (int i = 0; i < N; i++)
        lab_write_csv_row(f, &reps[i]);
    fclose(f);
    int rows = 0;
    for (char *p = buf; (p = strchr(p, '\n')); p++)
        rows++;
    CU_ASSERT_EQUAL(rows, N + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"student000\",\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, ",10,10,100,graded,\"\"\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, ",0,10,0,zero,\"sandbox violation: tried to use 'os'\"\n"));
    free(buf);
    for (int i = 0; i < N; i++)
        lab_report_free(&reps[i]);
    test_rm_rf(lab);
    test_rm_rf(class);
    free(lab);
    free(class);
}

/* ---- the shipped labs ------------------------------------------------------------------- */
static void grade_shipped(const char *lab, const char *sub, lab_report *r)
{
    char labdir[PATH_MAX], subdir[PATH_MAX], err[2048];
    snprintf(labdir, sizeof labdir, "labs/%s", lab);
    snprintf(subdir, sizeof subdir, "labs/%s/%s", lab, sub);
    /* The seed of student "reference", as `lab check` derives it from student.txt. */
    lab_request rq = { .lab_dir = labdir, .submission_dir = subdir,
                       .seed = lab_seed_from_student("reference"), .student = "reference" };
    bool ok = lab_grade(&rq, r, err, sizeof err);
    if (!ok)
        fprintf(stderr, "\n  %s: %s\n", labdir, err);
    CU_ASSERT_TRUE_FATAL(ok);
    if (r->fatal)
        fprintf(stderr, "\n  %s/%s: %s\n", lab, sub, r->fatal);
}

static void test_shipped_labs(void)
{
    static const char *const labs[] = { "01-rings", "02-trap-and-emulate" };
    for (size_t i = 0; i < sizeof labs / sizeof labs[0]; i++) {
        lab_report r;
        grade_shipped(labs[i], "solution", &r);
        CU_ASSERT_PTR_NULL(r.fatal);
        CU_ASSERT_DOUBLE_EQUAL(r.max, 30, 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(r.total, r.max, 1e-9);
        for (size_t k = 0; k < r.nitems; k++)
            if (!r.items[k].passed)
                fprintf(stderr, "\n  %s solution fails %s: %s\n", labs[i], r.items[k].id, r.items[k].message);
        lab_report_free(&r);
        grade_shipped(labs[i], "starter", &r);
        CU_ASSERT_PTR_NULL(r.fatal);
        CU_ASSERT(r.total < r.max);
        lab_report_free(&r);
    }
    /* The starter of lab 01 fails the ring-3 check the way the handout says. */
    lab_report r;
    grade_shipped("01-rings", "starter", &r);
    for (size_t k = 0; k < r.nitems; k++)
        if (!strcmp(r.items[k].id, "ring3"))
            CU_ASSERT_STRING_EQUAL(r.items[k].message, "1 privileged instruction(s) trapped in ring 3");
    lab_report_free(&r);
    /* `lab run` opens each lab's scenario: the student's program, else the starter. */
    static const struct { const char *lab, *sub, *name, *has; } scen[] = {
        { "01-rings", "labs/01-rings/solution", "lab01-kernel-user.s", "li      a0, SYS_EXIT" },
        { "01-rings", NULL, "lab01-kernel-user.s", "out     a1, 0x10" },
        { "02-trap-and-emulate", NULL, "lab02-guest-kernel.s", ".equ N, 9" },
    };
    for (size_t i = 0; i < sizeof scen / sizeof scen[0]; i++) {
        char labdir[PATH_MAX], err[1024];
        snprintf(labdir, sizeof labdir, "labs/%s", scen[i].lab);
        lab_request rq = { .lab_dir = labdir, .submission_dir = scen[i].sub, .want_scenario = true,
                           .seed = lab_seed_from_student("reference") };
        CU_ASSERT_TRUE_FATAL(lab_describe(&rq, &r, err, sizeof err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(r.scenario);
        CU_ASSERT_STRING_EQUAL(r.scenario_name, scen[i].name);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario, scen[i].has));
        lab_report_free(&r);
    }
    /* Lab 02's starter boots (mfcr is skipped) but cannot produce the checksum. */
    grade_shipped("02-trap-and-emulate", "starter", &r);
    CU_ASSERT_DOUBLE_EQUAL(r.total, 8, 1e-9);
    lab_report_free(&r);
}

/* Grades the lab 02 solution with emulate.lua (or lab 01's with user.s) replaced by text. */
static void grade_variant(const char *lab, const char *file, const char *text, lab_report *r)
{
    char *tmp = test_tmpdir("lab"), cmd[PATH_MAX * 2], labdir[PATH_MAX], err[2048];
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    snprintf(cmd, sizeof cmd, "cp labs/%s/solution/* %s/", lab, tmp);
    CU_ASSERT_EQUAL(system(cmd), 0);
    test_write_file(tmp, file, text);
    snprintf(labdir, sizeof labdir, "labs/%s", lab);
    lab_request rq = { .lab_dir = labdir, .submission_dir = tmp, .seed = lab_seed_from_student("reference") };
    CU_ASSERT_TRUE_FATAL(lab_grade(&rq, r, err, sizeof err));
    test_rm_rf(tmp);
    free(tmp);
}

static const lab_item *item(const lab_report *r, const char *id)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (!strcmp(r->items[i].id, id))
            return &r->items[i];
    CU_FAIL("no such item");
    return &r->items[0];
}

static void test_student_errors(void)
{
    lab_report r;
    /* Lab 01: an error on line 3 of user.s is reported there, not in the kernel+user source. */
    grade_variant("01-rings", "user.s", "main:\n        nop\n        bogus r1, r2\n", &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "assembles")->message, "user.s:3:9: error: unknown mnemonic 'bogus'"));
    CU_ASSERT_FALSE(item(&r, "assembles")->passed);
    lab_report_free(&r);
    /* Lab 02: a bad value is blamed on emulate.lua's line; it loads, so `loads` passes. */
    grade_variant("02-trap-and-emulate", "emulate.lua",
                  "return function(vm, insn)\n  vm:set_reg(insn.rd, 'x')\nend\n", &r);
    CU_ASSERT_TRUE(item(&r, "loads")->passed);
    CU_ASSERT_STRING_EQUAL(item(&r, "boots")->message,
                           "emulate.lua:2: vm:set_reg: the value must be an integer, not a string");
    CU_ASSERT_DOUBLE_EQUAL(r.total, 14, 1e-9);
    lab_report_free(&r);
    /* A loop in the emulation: the limit names emulate.lua's line, not the lab's. */
    grade_variant("02-trap-and-emulate", "emulate.lua",
                  "return function(vm, insn)\n  local n = 0\n  while true do n = n + 1 end\nend\n", &r);
    CU_ASSERT_TRUE(item(&r, "loads")->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "checksum")->message, "emulate.lua:3: instruction limit exceeded"));
    lab_report_free(&r);
    /* A guest sent off into the void: the VM failed, said once and plainly. */
    grade_variant("02-trap-and-emulate", "emulate.lua",
                  "return function(vm, insn) vm:set_pc(0x900000) end\n", &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "checksum")->message, "the guest never reached its halt: the VM failed ("));
    lab_report_free(&r);
    /* error() with a table still says where. */
    grade_variant("02-trap-and-emulate", "emulate.lua",
                  "return function(vm, insn)\n  error({ code = 1 })\nend\n", &r);
    CU_ASSERT_STRING_EQUAL(item(&r, "boots")->message, "emulate.lua:2: error() was given a table value, not a message");
    lab_report_free(&r);
    /* A symlink out of the folder is refused, and the report says so (not "missing"). */
    char *tmp = test_tmpdir("lab"), path[PATH_MAX], err[2048];
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    snprintf(path, sizeof path, "%s/user.s", tmp);
    CU_ASSERT_EQUAL(symlink("/etc/hostname", path), 0);
    lab_request rq = { .lab_dir = "labs/01-rings", .submission_dir = tmp, .seed = 1 };
    CU_ASSERT_TRUE_FATAL(lab_grade(&rq, &r, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(item(&r, "assembles")->message,
                           "user.s was refused: 'user.s' leads outside the submission folder "
                           "(a symbolic link out of it is refused)");
    lab_report_free(&r);
    snprintf(path, sizeof path, "%s/answers.lua", tmp);
    CU_ASSERT_EQUAL(symlink("/etc/hostname", path), 0);
    CU_ASSERT_TRUE_FATAL(lab_grade(&rq, &r, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.fatal);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.fatal, "answers.lua was refused: 'answers.lua' leads outside"));
    lab_report_free(&r);
    test_rm_rf(tmp);
    free(tmp);
    /* Under the jail a slow check fails alone (its own time limit); the rest still grade. */
    {
        char *d = test_tmpdir("lab"), cmd[PATH_MAX * 2], e[2048];
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        snprintf(cmd, sizeof cmd, "cp labs/02-trap-and-emulate/solution/* %s/", d);
        CU_ASSERT_EQUAL(system(cmd), 0);
        /* A pattern that backtracks for hours inside one C call: no instruction budget sees it. */
        test_write_file(d, "emulate.lua", "return function(vm, insn)\n  local s = string.rep('a', 40)\n"
                                     "  s:match(string.rep('a?', 40) .. s)\nend\n");
        lab_request q = { .lab_dir = "labs/02-trap-and-emulate", .submission_dir = d,
                          .seed = lab_seed_from_student("reference") };
        lab_jail jail;
        lab_default_jail(&jail);
        CU_ASSERT_TRUE_FATAL(lab_grade_many(&q, 1, 1, &jail, &r, e, sizeof e));
        CU_ASSERT_PTR_NULL(r.fatal);
        CU_ASSERT_DOUBLE_EQUAL(r.total, 14, 1e-9);
        CU_ASSERT_TRUE(item(&r, "loads")->passed);
        CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "boots")->message, "limit exceeded"));
        CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "checksum")->message, "for this item"));
        lab_report_free(&r);
        test_rm_rf(d);
        free(d);
    }
    /* Allocation counts toward the budget: a loop of string.rep fails its check, not the lab. */
    grade_variant("02-trap-and-emulate", "emulate.lua",
                  "return function(vm, insn)\n  for i = 1, 1e6 do local s = string.rep('y', 1000) end\nend\n", &r);
    CU_ASSERT_PTR_NULL(r.fatal);
    CU_ASSERT_TRUE(item(&r, "loads")->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "boots")->message, "emulate.lua:2: instruction limit exceeded"));
    lab_report_free(&r);
    /* Not a function at all: `loads` fails, and says why. */
    grade_variant("02-trap-and-emulate", "emulate.lua", "return 42\n", &r);
    CU_ASSERT_FALSE(item(&r, "loads")->passed);
    CU_ASSERT_STRING_EQUAL(item(&r, "loads")->message, "emulate.lua must return a function(vm, insn)");
    lab_report_free(&r);
}

/* ---- the command line ---------------------------------------------------------------------- */
/* Runs "traplab lab ARGS" from the repository root; stdout and stderr in out. */
static int lab_cmd(const char *args, char *out, size_t n)
{
    char cmd[2048];
    if (snprintf(cmd, sizeof cmd, "lab %s 2>&1", args) >= (int)sizeof cmd) {
        CU_FAIL("command too long");
        return -1;
    }
    return test_traplab(cmd, out, n);
}

static void copy_files(const char *from, const char *to)
{
    char cmd[PATH_MAX * 2 + 32];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s'/* '%s'/", to, from, to);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* snprintf into an array, failing the test (not warning) when it does not fit. */
#define FMT(buf, ...) \
    do { if (snprintf(buf, sizeof buf, __VA_ARGS__) >= (int)sizeof buf) CU_FAIL("path too long"); } while (0)

/* lab grade's CSV says why a submission whose checks all failed on the
 * memory limit scored what it did (the reason was empty). */
static void test_csv_memory_reason(void)
{
    char *tmp = test_tmpdir("lab"), dir[PATH_MAX], args[PATH_MAX * 2], out[8192];
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    FMT(dir, "%s/labs/09-mem", tmp);
    FMT(args, "mkdir -p %s %s/class/ann", dir, tmp);
    CU_ASSERT_EQUAL(system(args), 0);
    test_write_file(dir, "lab.lua",
        "local lab = traplab.lab{ title = 'mem' }\n"
        "for _, id in ipairs{ 'a', 'b' } do\n"
        "  lab:check{ id = id, points = 1, title = id, run = function(ctx)\n"
        "    local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1 << 24) .. i end return true end }\n"
        "end\n"
        "return lab\n");
    FMT(dir, "%s/class/ann", tmp);
    test_write_file(dir, "answers.lua", "return {}\n");
    FMT(args, "grade 09-mem --labs %s/labs --submissions %s/class --csv %s/g.csv --jobs 1", tmp, tmp, tmp);
    CU_ASSERT_EQUAL(lab_cmd(args, out, sizeof out), 0);
    FMT(args, "%s/g.csv", tmp);
    FILE *f = fopen(args, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t len = fread(out, 1, sizeof out - 1, f);
    out[len] = '\0';
    fclose(f);
    if (!strstr(out, "all 2 failed items hit the memory limit: "))
        fprintf(stderr, "\n  csv: %s\n", out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, ",0,2,0,graded,\"all 2 failed items hit the memory limit: "));
    test_rm_rf(tmp);
    free(tmp);
}

static void test_command_line(void)
{
    static char out[65536];
    char args[1024];
    CU_ASSERT_EQUAL(lab_cmd("list --labs labs", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "01-rings"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "02-trap-and-emulate"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "60 min  30 points"));

    CU_ASSERT_EQUAL(lab_cmd("check 01 --labs labs --submission labs/01-rings/solution --no-record", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Total: 30/30 (100%)"));
    /* Long question texts are word-wrapped under their column, not cut. */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "  PASS  legacy       In the legacy profile `smsw` runs in ring 3 without        3/3\n"
                                       "                     trapping, yet it reveals the ring. Can a classic\n"));
    CU_ASSERT_EQUAL(lab_cmd("check 01-rings --labs labs --submission labs/01-rings/solution --no-record --json", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"percent\": 100}"));
    CU_ASSERT_EQUAL(lab_cmd("show 01 --labs labs --student reference", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "prints exactly: hi guest"));

    /* lab run prints the tasks and hands the scenario to `traplab tui`, which refuses
     * a pipe for a terminal: the plumbing is tested here, the screen by tui-e2e.sh. */
    CU_ASSERT_EQUAL(lab_cmd("run 01 --labs labs --submission labs/01-rings/solution", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Task 4. Fix user.s so that it runs in ring 3 and prints exactly: hi guest"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Opening lab01-kernel-user.s on the bare machine in the terminal UI"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "When you are done: traplab lab check 01-rings"));
    /* Lab 02's scenario is the guest kernel in a VM under the Type-1 hypervisor. */
    CU_ASSERT_EQUAL(lab_cmd("run 02 --labs labs --student reference", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Opening lab02-guest-kernel.s in 1 VM under the type1 hypervisor in the terminal UI"));
    /* In Spanish: the handout's title, the words around it, where the student id came from. */
    CU_ASSERT_EQUAL(lab_cmd("run 02 --labs labs --lang es --submission labs/02-trap-and-emulate/solution", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "# Práctica 02 — Atrapar y emular bajo un hipervisor de tipo 1 (estudiante "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "(El id de estudiante viene de labs/02-trap-and-emulate/solution/student.txt; "
                                       "--student ID elige otro.)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Abriendo lab02-guest-kernel.s en 1 VM bajo el hipervisor type1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Cuando termines: traplab lab check 02-trap-and-emulate"));
    CU_ASSERT_PTR_NULL(strstr(out, "Opening"));
    CU_ASSERT_EQUAL(lab_cmd("run 01 --labs labs --lang es", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "(El id de estudiante es el nombre de la carpeta, "));
    CU_ASSERT_EQUAL(lab_cmd("run 01 --labs labs --lang fr", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown language 'fr'"));

    /* Usage errors exit 2; a missing lab or folder exits 1. */
    CU_ASSERT_EQUAL(lab_cmd("check", out, sizeof out), 2);
    CU_ASSERT_EQUAL(lab_cmd("frobnicate", out, sizeof out), 2);
    CU_ASSERT_EQUAL(lab_cmd("grade 01 --labs labs", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--submissions DIR is required"));
    CU_ASSERT_EQUAL(lab_cmd("grade 01 --labs labs --submissions /tmp --jobs 0", out, sizeof out), 2);
    CU_ASSERT_EQUAL(lab_cmd("check 01 --labs labs --seed banana", out, sizeof out), 2);
    CU_ASSERT_EQUAL(lab_cmd("check 99-nope --labs labs", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "no lab '99-nope'"));
    CU_ASSERT_EQUAL(lab_cmd("check 01 --labs labs --submission /nonexistent", out, sizeof out), 1);

    /* Hints unlock one failed attempt at a time.  The attempts are the
     * student's, in the user's data folder: a fresh copy of the starter does
     * not reset them, and nothing is written into the submission. */
    char *tmp = test_tmpdir("lab");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    char sub[PATH_MAX], data[PATH_MAX];
    FMT(data, "%s/data", tmp);
    setenv("XDG_DATA_HOME", data, 1);
    FMT(sub, "%s/me", tmp);
    copy_files("labs/01-rings/starter", sub);
    FMT(args, "check 01 --labs labs --submission %s --student me", sub);
    CU_ASSERT_EQUAL(lab_cmd(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "hint 1/2: Every `out`"));
    FMT(args, "rm -rf '%s' && mkdir -p '%s' && cp labs/01-rings/starter/* '%s'/", sub, sub, sub);
    CU_ASSERT_EQUAL(system(args), 0);
    FMT(args, "check 01 --labs labs --submission %s --student me", sub);
    CU_ASSERT_EQUAL(lab_cmd(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "hint 2/2: print: li a0, 1"));
    FMT(args, "%s/me/.traplab-attempts", tmp);
    CU_ASSERT_EQUAL(access(args, F_OK), -1);
    FMT(args, "%s/traplab/attempts/me", data);
    CU_ASSERT_EQUAL(access(args, R_OK), 0);
    /* another student starts at the first hint */
    FMT(args, "check 01 --labs labs --submission %s --student you", sub);
    CU_ASSERT_EQUAL(lab_cmd(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "hint 1/2: Every `out`"));

    /* A class: the reference student, a starter, a cheat and a hang, into a CSV. */
    char class[PATH_MAX], csv[PATH_MAX];
    FMT(class, "%s/class", tmp);
    FMT(sub, "%s/reference", class);
    copy_files("labs/01-rings/solution", sub);
    FMT(sub, "%s/bob", class);
    copy_files("labs/01-rings/starter", sub);
    FMT(sub, "%s/mallory", class);
    mkdir(sub, 0755);
    test_write_file(sub, "answers.lua", "return { cause = io.open('/etc/passwd'):read('a') }\n");
    FMT(sub, "%s/zed", class);
    mkdir(sub, 0755);
    test_write_file(sub, "answers.lua", "local s = string.rep('a', 40)\nreturn { cause = s:match(string.rep('a?', 40) .. s) }\n");
    FMT(csv, "%s/grades.csv", tmp);
    FMT(args, "grade 01 --labs labs --submissions %s --csv %s --jobs 2 --timeout 1", class, csv);
    CU_ASSERT_EQUAL(lab_cmd(args, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Graded 4 submissions"));
    /* grading counts no attempts */
    FMT(args, "%s/traplab/attempts/bob", data);
    CU_ASSERT_EQUAL(access(args, F_OK), -1);
    /* Without --jobs, grade uses every core. */
    char jobs[64];
    FMT(jobs, "%ld jobs)", sysconf(_SC_NPROCESSORS_ONLN));
    FMT(args, "grade 01 --labs labs --submissions %s --timeout 1", class);
    CU_ASSERT_EQUAL(lab_cmd(args, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, jobs));
    FILE *f = fopen(csv, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t len = fread(out, 1, sizeof out - 1, f);
    out[len] = '\0';
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "student,lab,seed,points,max,percent,status,reason\n\"bob\",\"01-rings\","));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, ",0,30,0,zero,\"sandbox violation: tried to use 'io'\"\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"reference\",\"01-rings\",\"11131508712565881466\",30,30,100,graded,\"\"\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "the submission hangs"));
    unsetenv("XDG_DATA_HOME");
    test_rm_rf(tmp);
    free(tmp);
}

void test_lab_register(void)
{
    CU_pSuite s = CU_add_suite("lab", NULL, NULL);
    CU_add_test(s, "sandbox escapes are blocked", test_escapes_blocked);
    CU_add_test(s, "runaway loops and memory bombs are stopped", test_runaway_and_bombs);
    CU_add_test(s, "files stay inside the lab's folders", test_files_confined);
    CU_add_test(s, "machines from Lua: assemble, run, snapshot, trap hooks", test_machine_api);
    CU_add_test(s, "hypervisors from Lua: load, exits, Lua emulation, stats", test_hypervisor_api);
    CU_add_test(s, "a different guest kernel per VM, from Lua and in a scenario", test_guest_per_vm);
    CU_add_test(s, "questions, checks, hints and seeds", test_framework_grades);
    CU_add_test(s, "a class of 100 submissions grades right", test_class_of_hundred);
    CU_add_test(s, "each lab's solution scores full marks, its starter does not", test_shipped_labs);
    CU_add_test(s, "students' errors point at their own file and line", test_student_errors);
    CU_add_test(s, "traplab lab list, show, check and grade", test_command_line);
    CU_add_test(s, "lab grade's CSV reason when every check hit the memory limit", test_csv_memory_reason);
}
