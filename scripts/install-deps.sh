#!/bin/sh
# Installs the Debian packages traplab needs to build, test and run.
# Idempotent: installs only what is missing. Uses apt-get directly as root,
# through sudo otherwise, and explains what to do on a system without apt.
set -eu

PACKAGES="build-essential pkg-config bison flex libncurses-dev liblua5.4-dev libcunit1-dev tmux"
# gnuplot-nox draws compare/vm --plot (SVG, PNG); man-db and groff-base render and check the man
# pages; python3-jsonschema checks the --json output against docs/schema/ in make test.
PACKAGES="$PACKAGES gnuplot-nox man-db groff-base python3-jsonschema"
# GNU parallel runs the tested example of grading a class on many machines (docs/grading.md).
PACKAGES="$PACKAGES parallel"
# qemu-user's qemu-riscv64 is what `make bench` compares the engine with (bench/bench_cpu.c).
PACKAGES="$PACKAGES qemu-user"
# zsh loads the installed completion in dist/test-completion-zsh.sh.
PACKAGES="$PACKAGES zsh"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    [ "${1:-}" = "-q" ] || echo "install-deps: all packages present"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: apt-get not found; please install these packages by hand:$missing" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
