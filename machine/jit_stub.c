/*
 * jit_stub.c -- the translator's interface on hosts without one (anything
 * but x86-64): nothing is ever translated, so the interpreter runs it all.
 * machine/module.mk picks this file or jit_x86_64.c for the host.
 */
#include "machine/internal.h"

bool jit_supported(void) { return false; }

bool jit_compile(machine *m, code_page *pg, unsigned idx)
{
    (void)m; (void)pg; (void)idx;
    return false;
}

uint32_t jit_run(machine *m, code_page *pg, unsigned idx, jit_ctx *ctx)
{
    (void)m; (void)pg; (void)ctx;
    return idx;         /* (never called: no slot is ever KIND_JIT) */
}

void jit_invalidate(machine *m, code_page *pg) { (void)m; (void)pg; }
void jit_free(machine *m) { (void)m; }
