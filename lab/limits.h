/*
 * limits.h -- what one lab run may spend (instructions, memory, CPU), without
 * Lua: the lab engine's callers (the traplab command) include this through
 * lab.h and never see a Lua header.
 */
#ifndef TRAPLAB_LAB_LIMITS_H
#define TRAPLAB_LAB_LIMITS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t max_instructions;   /* per lab_sandbox_pcall; 0 = default */
    size_t max_memory;           /* bytes the Lua heap may hold; 0 = default */
    unsigned item_cpu_seconds;   /* > 0: grade each item in a child under this CPU limit */
} lab_limits;

#define LAB_DEFAULT_INSTRUCTIONS 20000000ull
#define LAB_DEFAULT_MEMORY       (64u << 20)
#define LAB_MAX_FILE             (1u << 20)   /* largest file the API will read */
#define LAB_MAX_ROOTS            4
#define LAB_MAX_EXTERNAL         ((size_t)256 << 20)   /* machines and snapshots */

#endif
