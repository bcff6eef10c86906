#!/bin/sh
# layers-selftest.sh -- tests/layers.sh must fail on each planted violation:
# a relative include in machine/, an include in a Bison file of asm/, Lua in
# tui/, and, in the built objects, a core object calling tui_ and Lua names
# that no include line shows.  A clean planted tree must pass.
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # name want-status grep-pattern
    out=$(sh "$here/layers.sh" --root "$tmp" "$tmp/build" 2>&1); st=$?
    if [ "$st" -ne "$2" ] || ! printf '%s\n' "$out" | grep -qE "$3"; then
        echo "layers-selftest: FAIL: $1 (status $st, want $2; output:)"; printf '%s\n' "$out" | sed 's/^/  /'
        fail=1
    fi
}
mkdir -p "$tmp/machine" "$tmp/asm" "$tmp/tui" "$tmp/build/obj/machine"

# A clean tree: a core object that only calls libc.
printf 'int ok(void) { return 0; }\n' > "$tmp/machine/ok.c"
printf 'int ok(void);\nint ok2(void) { return ok(); }\n' > "$tmp/clean.c"
cc -c -o "$tmp/build/obj/machine/ok.o" "$tmp/machine/ok.c" || exit 2
ar rcs "$tmp/build/libtraplab.a" "$tmp/build/obj/machine/ok.o"
expect "clean tree passes" 0 '^layers: ok$'

printf '#include "../vmm/vmm.h"\n' > "$tmp/machine/bad.h"
expect "relative include in machine/" 1 'machine/ must not include.*|machine/bad.h:1:'
rm "$tmp/machine/bad.h"

printf '%%{\n#include "machine/machine.h"\n%%}\n%%%%\n' > "$tmp/asm/parser.y"
expect "include in a .y file of asm/" 1 'asm/parser.y:2:'
rm "$tmp/asm/parser.y"

printf '#include <lauxlib.h>\n' > "$tmp/tui/view.c"
expect "Lua in tui/" 1 'tui/ must not include'
rm "$tmp/tui/view.c"

# Symbols: declared by hand, so no include line shows them.
printf 'void tui_draw(void); void *luaL_newstate(void);\nvoid sneaky(void) { tui_draw(); luaL_newstate(); }\n' > "$tmp/sneaky.c"
cc -c -o "$tmp/build/obj/machine/sneaky.o" "$tmp/sneaky.c" || exit 2
ar rcs "$tmp/build/libtraplab.a" "$tmp/build/obj/machine/sneaky.o"
expect "core object calling tui_ and Lua" 1 'core library.*higher layer'
expect "names the symbols" 1 '^  tui_draw$'
expect "names the Lua symbol" 1 '^  luaL_newstate$'

[ $fail -eq 0 ] && echo "layers-selftest: every planted violation caught"
exit $fail
