#!/bin/sh
# layers.sh -- fails when a lower layer includes a higher one (see the
# layering rule: isa, image <- machine <- vmm; isa, image <- asm; tui and lab on top).
cd "$(dirname "$0")/.." || exit 2
bad=0
check() { # dir pattern what
    [ -d "$1" ] || return 0
    hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($2)" "$1"/*.[ch] 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layers: $1/ must not include $3:"; echo "$hits"; bad=1
    fi
}
check isa 'image/|machine/|vmm/|asm/|tui/|lab/|cli/|tests/|curses|ncurses|lua|lauxlib|lualib' "anything of ours or curses/Lua"
check util 'isa/|image/|machine/|vmm/|asm/|tui/|lab/|cli/|tests/|curses|ncurses|lua|lauxlib|lualib' "anything of ours or curses/Lua"
check image 'isa/|machine/|vmm/|asm/|tui/|lab/|cli/|tests/|curses|ncurses|lua|lauxlib|lualib' "anything of ours or curses/Lua"
check machine 'vmm/|asm/|tui/|lab/|cli/|curses|ncurses|lua|lauxlib|lualib' "vmm/ asm/ tui/ lab/ cli/ curses or Lua"
check vmm 'asm/|tui/|lab/|cli/|curses|ncurses|lua|lauxlib|lualib' "asm/ tui/ lab/ cli/ curses or Lua"
check asm 'machine/|vmm/|tui/|lab/|cli/|curses|ncurses|lua|lauxlib|lualib' "machine/ vmm/ tui/ lab/ cli/ curses or Lua"
[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
