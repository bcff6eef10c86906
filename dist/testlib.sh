# testlib.sh -- what the dist/ tests that run an installed copy share; sourced
# with NAME set (the prefix of their messages), from the project root:
#   NAME=lang; . dist/testlib.sh
# gives src (the project root), tmp (removed on exit), fail MSG (counts
# fails) and install_copy, which runs 'make install' into $tmp/root with
# PREFIX=/usr (the build of $TRAPLAB_MODE, default release) and sets bin.
set -u
src=$PWD
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "$NAME: $*"; fails=$((fails + 1)); }
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -s MODE="${TRAPLAB_MODE:-release}" "$@"; }
install_copy() {
    mk install DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/log" 2>&1 ||
        { cat "$tmp/log"; echo "$NAME: make install failed"; exit 1; }
    bin=$tmp/root/usr/bin/traplab
    [ -x "$bin" ] || { echo "$NAME: no executable $bin"; exit 1; }
}
