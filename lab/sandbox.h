/*
 * sandbox.h -- a Lua 5.4 state that untrusted lab scripts and students'
 * code can run in: only the safe libraries, no binary chunks, a budget of
 * Lua instructions, a memory cap, and files only inside named folders.
 */
#ifndef TRAPLAB_LAB_SANDBOX_H
#define TRAPLAB_LAB_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "lab/limits.h"

typedef struct lab_sandbox lab_sandbox;

/* NULL when even a small state cannot be allocated. */
lab_sandbox *lab_sandbox_new(const lab_limits *lim);
void lab_sandbox_free(lab_sandbox *sb);
lua_State *lab_sandbox_lua(lab_sandbox *sb);
/* The sandbox that owns L (every state made here carries a pointer back). */
lab_sandbox *lab_sandbox_from(lua_State *L);

/* Lets the file API reach dir (and what is below it) under the given name. */
bool lab_sandbox_add_root(lab_sandbox *sb, const char *name, const char *dir);
/* The real path of a root, or NULL. */
const char *lab_sandbox_root(const lab_sandbox *sb, const char *name);
/*
 * Resolves rel inside root `name` to a real path in out.  Refuses absolute
 * paths, `..`, and anything (a symlink) whose real path leaves the root.
 * Returns false with a message in err.
 */
bool lab_sandbox_resolve(const lab_sandbox *sb, const char *name, const char *rel,
                         char *out, size_t outlen, char *err, size_t errlen);
/* Reads a resolved file (at most LAB_MAX_FILE); malloc'd, NUL-terminated. */
char *lab_sandbox_read(const lab_sandbox *sb, const char *name, const char *rel,
                       size_t *len, char *err, size_t errlen);

/*
 * lua_pcall with a traceback handler and a fresh instruction budget.
 * On error the message (with file:line) is on the stack, as lua_pcall
 * leaves it; runaway loops and memory bombs come back as such messages.
 */
int lab_sandbox_pcall(lab_sandbox *sb, int nargs, int nresults);
/* Starts a new instruction budget (the grader gives each check its own). */
void lab_sandbox_reset_budget(lab_sandbox *sb);
/* Loads text (never bytecode) as a chunk named `name`, with env when env_idx != 0. */
int lab_sandbox_load(lab_sandbox *sb, const char *text, size_t len, const char *name, int env_idx);
/* Bytes the Lua heap holds now. */
size_t lab_sandbox_memory(const lab_sandbox *sb);

/* Pushes a text-only load whose chunks default to the env at env_idx. */
void lab_sandbox_push_load(lua_State *L, int env_idx);
/*
 * Host memory that API objects (machines, snapshots) hold outside the Lua
 * heap counts against a second cap; false when it would be exceeded.
 */
bool lab_sandbox_charge(lab_sandbox *sb, size_t bytes);
void lab_sandbox_uncharge(lab_sandbox *sb, size_t bytes);
/*
 * A message handler for lua_pcall: a string message passes unchanged; any
 * other error object becomes "file:line: error() was given a table value,
 * not a message", from the nearest Lua frame.
 */
int lab_error_where(lua_State *L);
/* lua_pcall(L, nargs, nresults, that handler). */
int lab_pcall_where(lua_State *L, int nargs, int nresults);
/* Protects a metatable (pushed by luaL_newmetatable) from getmetatable tricks. */
void lab_protect_metatable(lua_State *L, int idx);

#endif
