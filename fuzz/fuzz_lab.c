/*
 * fuzz_lab.c -- libFuzzer harness: the Lua lab API, driven by random call
 * sequences through the sandbox, as a lab script or a student's file would.
 *
 * The input is read as a program: each byte picks the next call (a method
 * of a machine or a hypervisor, an ISA query, a constructor, a hook that
 * itself calls the API, a snapshot taken from one object and restored into
 * another, a garbage collection) and its arguments (nil, booleans, edge
 * integers, NaN and infinities, strings, register and instruction names,
 * assembly sources, tables, functions, the objects themselves).  The bytes
 * become Lua source, which runs in a fresh sandbox with a small instruction
 * budget; every call is wrapped in pcall, so a run goes on after errors.
 *
 * Oracles: no sanitizer report (use after free, leaks, overflows); the
 * sandbox returns, with a string message when it fails; the Lua heap stays
 * under its cap; closing the sandbox frees every object.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/api.h"
#include "lab/sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 48
#define MEMORY    (8u << 20)
#define BUDGET    200000u

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_lab: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

typedef struct {
    const uint8_t *p;
    size_t n;
} reader;

static unsigned byte(reader *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static uint32_t word(reader *r)
{
    uint32_t w = 0;
    for (int i = 0; i < 4; i++)
        w = w << 8 | byte(r);
    return w;
}

typedef struct {
    char *buf;
    size_t len, cap;
} text;

static void put(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b)
            abort();
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
}

static void putf(text *t, const char *fmt, long long v)
{
    char b[64];
    snprintf(b, sizeof b, fmt, v);
    put(t, b);
}

static const char *const machine_methods[] = {
    "assemble", "load", "symbol", "run", "step", "on_trap", "stop_on_trap", "breakpoint",
    "last_trap", "reset", "request_stop", "reg", "set_reg", "cr", "set_cr", "pc", "set_pc",
    "ring", "set_ring", "read_word", "write_word", "read", "write", "console", "input",
    "port_in", "port_out", "add_cycles", "stats", "snapshot", "restore", "close",
};
static const char *const vmm_methods[] = {
    "load", "run", "step", "stop", "on_exit", "emulate", "hypercall", "reg", "set_reg", "pc",
    "set_pc", "vcr", "set_vcr", "read", "console", "state", "stats", "snapshot", "restore", "close",
};
static const char *const names[] = {
    "a0", "sp", "r15", "k0", "r16", "status", "tvb", "ptb", "epc", "timecmp", "cycle", "mfcr",
    "mtcr", "iret", "halt", "add", "hcall", "out", "in", "popf", "nosuch", "strict", "legacy",
    "type1", "type2", "full", "para", "next", "jump", "_start", "", "PAGE_FAULT",
    "kernel", "sys", "io", "kernel.s", "layout.s", "arch.s", "../x", "nosuch.s", "a b",
};
#define N(a) (sizeof a / sizeof a[0])

/* Assembly sources: programs for machines, kernels and programs for VMs, bad ones. */
static const char *const sources[] = {
    "\"        .org 0x1000\\n_start: li a0, 65\\n        out a0, 0x10\\n        halt\\n\"",
    "\"        .org 0x1000\\n_start: j _start\\n\"",
    "\"        .org 0x1000\\n_start: la s0, h\\n        mtcr tvb, s0\\n        syscall\\n"
    "        mfcr a0, cause\\n        li s1, 0x0b\\n        mtcr estatus, s1\\n        la s1, u\\n"
    "        mtcr epc, s1\\n        iret\\nu:      halt\\nh:      mfcr a1, epc\\n        addi a1, a1, 4\\n"
    "        mtcr epc, a1\\n        iret\\n\"",
    "\"        .org 0x1000\\n_start: la s0, h\\n        mtcr tvb, s0\\n        mfcr a0, status\\n"
    "        li a0, 1\\n        li a1, 0x2000\\n        li a2, 3\\n        hcall\\n        ei\\n"
    "        wfi\\n        out a0, 0x10\\n        halt\\nh:      iret\\n        .org 0x2000\\n"
    "        .ascii \\\"hi\\\\n\\\"\\n\"",
    "\"        .org 0x400000\\n_start: li a0, 7\\n        syscall\\n        halt\\n\"",
    "\"bogus r1\\n\"",
    "\".include \\\"x.s\\\"\\n\"",
    "\"\"",
    "{ {\"k.s\", \"        .org 0x1000\\n_start: call f\\n        halt\\n\"}, {\"f.s\", \"f: ret\\n\"} }",
    "{ {\"k.s\"}, 3 }",
    "string.rep(\"        nop\\n\", 2000) .. \"        halt\\n\"",
};

static void value(text *t, reader *r, int depth);

/* A call: on M, H, a snapshot or traplab itself, wrapped in pcall. */
static void call(text *t, reader *r, int depth)
{
    unsigned k = byte(r) % 16;
    if (k < 6) {
        const char *m = machine_methods[byte(r) % N(machine_methods)];
        put(t, "pcall(C, M, \"");
        put(t, m);
        put(t, "\"");
    } else if (k < 11) {
        const char *m = vmm_methods[byte(r) % N(vmm_methods)];
        put(t, "pcall(C, H, \"");
        put(t, m);
        put(t, "\"");
    } else if (k == 11) {
        static const char *const q[] = { "insn", "disassemble", "cause_name", "guest", "native" };
        put(t, "pcall(traplab.");
        put(t, q[byte(r) % 5]);
    } else if (k == 12) {
        put(t, "pcall(function(...) M = traplab.machine(...) return M end");
    } else if (k == 13) {
        put(t, "pcall(function(...) H = traplab.hypervisor(...) return H end");
    } else if (k == 14) {
        put(t, "pcall(collectgarbage, \"collect\"");
    } else {
        put(t, "pcall(function() V[1] = M:snapshot() return H:restore(V[1]) end");
    }
    unsigned nargs = byte(r) % 4;
    for (unsigned i = 0; i < nargs; i++) {
        put(t, ", ");
        value(t, r, depth + 1);
    }
    put(t, ")");
}

static void value(text *t, reader *r, int depth)
{
    static const long long ints[] = { 0, 1, -1, 2, 3, 15, 16, 65, 4096, 65536, 1000, 100000,
                                      0x1000, 0x400000, 0x7fffffff, 0x80000000ll, 0xffffffffll,
                                      0x100000000ll, 100000001 };
    unsigned k = byte(r) % 18;
    switch (k) {
    case 0: put(t, "nil"); break;
    case 1: put(t, byte(r) & 1 ? "true" : "false"); break;
    case 2: case 3: putf(t, "%lld", ints[byte(r) % N(ints)]); break;
    case 4: putf(t, "%lld", (long long)(int32_t)word(r)); break;
    case 5: {
        static const char *const f[] = { "0.5", "1e300", "-0.0", "(0/0)", "(1/0)", "(-1/0)",
                                         "math.mininteger", "math.maxinteger", "3.0" };
        put(t, f[byte(r) % N(f)]);
        break;
    }
    case 6: {                                           /* a short string of any bytes */
        unsigned n = byte(r) % 12;
        put(t, "\"");
        for (unsigned i = 0; i < n; i++)
            putf(t, "\\%03lld", (long long)byte(r));
        put(t, "\"");
        break;
    }
    case 7: case 8:
        put(t, "\"");
        put(t, names[byte(r) % N(names)]);
        put(t, "\"");
        break;
    case 9: put(t, sources[byte(r) % N(sources)]); break;
    case 10: putf(t, "V[%lld]", 1 + byte(r) % 4); break;
    case 11: {
        static const char *const tb[] = {
            "{}", "{1, 2, 3}", "{ memory = 65536 }", "{ memory = 4097 }", "{ memory = 65536, profile = \"legacy\" }",
            "{ vms = 2, slice = 1000 }", "{ vms = 17 }", "{ vms = 1, mode = \"para\", hosting = \"type2\" }",
            "{ costs = { trap_entry = -1 } }", "{ costs = { nosuch = 1 } }", "{ memory = 65536, costs = { trap_entry = 7 } }",
            "setmetatable({}, { __index = function() error(\"boom\") end })",
            "{ kernel = traplab.guest(\"kernel\"), program = traplab.guest(\"sys\", { ITERS = 3 }), max = 20000 }",
            "{ kernel = \"        .org 0x1000\\n_start: halt\\n\", max = 100 }",
            "{ kernel = 7, program = {}, profile = \"legacy\", files = { [\"arch.s\"] = \"x\" } }",
            "{ PARAVIRT = true, BATCH = 4 }", "{ BATCH = \"x\", [1] = 2 }",
        };
        put(t, tb[byte(r) % N(tb)]);
        break;
    }
    case 12: case 13:
        if (depth < 2) {                                /* a hook that calls the API itself */
            put(t, "function(...) ");
            call(t, r, depth + 1);
            static const char *const ret[] = { "return true", "return false", "return nil",
                                               "return \"next\"", "return \"jump\"", "return 7",
                                               "return {}", "error(\"in hook\")", "return ...",
                                               "while true do end" };
            put(t, " ");
            put(t, ret[byte(r) % N(ret)]);
            put(t, " end");
        } else {
            put(t, "print");
        }
        break;
    case 14: put(t, "M"); break;
    case 15: put(t, "H"); break;
    case 16: put(t, "V[1]"); break;
    default: put(t, "traplab"); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = { data, size };
    text t = { 0 };
    /* C(o, name, ...) calls a method by name on whatever o is */
    put(&t, "local function C(o, n, ...) return o[n](o, ...) end\n"
            "V = {}\n"
            "M = traplab.machine{ memory = 65536 }\n"
            "H = traplab.hypervisor{ vms = 2, slice = 1000 }\n");
    for (unsigned step = 0; step < MAX_STEPS && r.n; step++) {
        unsigned slot = 1 + byte(&r) % 4;
        putf(&t, "V[%lld] = select(2, ", slot);
        call(&t, &r, 0);
        put(&t, ")\n");
    }

    lab_limits lim = { .max_instructions = BUDGET, .max_memory = MEMORY };
    lab_sandbox *sb = lab_sandbox_new(&lim);
    if (!sb)
        fail("cannot create a sandbox", NULL);
    lua_State *L = lab_sandbox_lua(sb);
    lua_pushcfunction(L, lab_api_open);
    if (lab_sandbox_pcall(sb, 0, 0) != LUA_OK)
        fail("the API does not open", lua_tostring(L, -1));
    lab_sandbox_reset_budget(sb);
    int st = lab_sandbox_load(sb, t.buf, t.len, "=fuzz", 0);
    if (st != LUA_OK) {
        fprintf(stderr, "%s\n", t.buf);
        fail("the generated script does not load", lua_tostring(L, -1));
    }
    st = lab_sandbox_pcall(sb, 0, 0);
    if (st != LUA_OK && !lua_isstring(L, -1))
        fail("an error without a message", NULL);
    if (lab_sandbox_memory(sb) > MEMORY)
        fail("the Lua heap is over its cap", NULL);
    lab_sandbox_free(sb);
    free(t.buf);
    return 0;
}
