/*
 * bench_asm.c -- assembler speed: generates a 100,000-line source (labels,
 * instructions, pseudo-instructions, data, forward references) and prints
 * lines per second.  Wall-clock time is fine here: it measures the tool,
 * never a simulated result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asm/asm.h"

#define LINES 100000

int main(void)
{
    size_t cap = (size_t)LINES * 48, n = 0;
    char *src = malloc(cap);
    if (!src)
        return 1;
    n += (size_t)snprintf(src + n, cap - n, "        .equ CONSOLE, 0x10\n_start:\n");
    for (int i = 0; n + 64 < cap && i < LINES - 2; i++) {
        switch (i % 8) {
        case 0: n += (size_t)snprintf(src + n, cap - n, "l%d:     addi a0, a0, %d ; count\n", i, i % 1000); break;
        case 1: n += (size_t)snprintf(src + n, cap - n, "        add s0, s1, s2\n"); break;
        case 2: n += (size_t)snprintf(src + n, cap - n, "        li a1, 0x%x\n", i * 4099); break;
        case 3: n += (size_t)snprintf(src + n, cap - n, "        lw a2, %d(sp)\n", (i % 64) * 4); break;
        case 4: n += (size_t)snprintf(src + n, cap - n, "        bne a0, a1, l%d\n", i + 4); break;
        case 5: n += (size_t)snprintf(src + n, cap - n, "        out a0, CONSOLE\n"); break;
        case 6: n += (size_t)snprintf(src + n, cap - n, "        la s3, l%d\n", i - 6); break;
        case 7: n += (size_t)snprintf(src + n, cap - n, "        .word l%d + 4, 0x%x\n", i - 7, i); break;
        }
    }
    /* the last branches point just past the loop */
    n += (size_t)snprintf(src + n, cap - n, "l%d:     halt\n", LINES);
    struct timespec t0, t1;
    image img;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int errors = asm_assemble_string("bench.s", src, NULL, &img);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    size_t bytes = 0;
    for (size_t i = 0; i < img.nsegs; i++)
        bytes += img.segs[i].size;
    printf("asm: %d lines, %zu bytes in %.3f s = %.0f lines/s%s\n", LINES, bytes, secs, LINES / secs,
           errors ? " (WITH ERRORS)" : "");
    image_free(&img);
    free(src);
    return errors ? 1 : 0;
}
