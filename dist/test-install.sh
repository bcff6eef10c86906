#!/bin/sh
# test-install.sh -- 'make install' into a temporary DESTDIR, then the
# installed binary run from another folder finds its labs and guests in
# PREFIX/share/traplab (lab list, vm, compare, lab check), TRAPLAB_HOME
# overrides that, the man pages render with man -l (man traplab in Spanish
# for a Spanish LANG), and 'make uninstall'
# leaves no file behind.
#
# usage: dist/test-install.sh   (uses the build of $TRAPLAB_MODE, default release)
cd "$(dirname "$0")/.." || exit 2
NAME=install
. dist/testlib.sh
install_copy
for f in usr/bin/traplab usr/share/traplab/labs/01-rings/lab.lua usr/share/traplab/guest/kernel.s \
         usr/share/traplab/samples/hello.s usr/share/man/man1/traplab.1 usr/share/man/man5/traplab-asm.5 \
         usr/share/man/man7/traplab-labs.7 usr/share/man/es/man1/traplab.1 usr/share/bash-completion/completions/traplab \
         usr/share/zsh/vendor-completions/_traplab usr/share/vim/vimfiles/syntax/traplab.vim \
         usr/share/vim/vimfiles/ftdetect/traplab.vim usr/share/emacs/site-lisp/traplab-mode.el \
         usr/share/traplab/editors/vscode/package.json usr/share/traplab/editors/vscode/syntaxes/traplab.tmLanguage.json \
         usr/share/doc/traplab/README.md usr/share/doc/traplab/asm.md; do
    [ -f "$tmp/root/$f" ] || fail "make install did not install /$f"
done
[ -x "$bin" ] || { echo "install: no executable $bin"; exit 1; }
if find "$tmp/root" -name '*.tlo' -o -name '.traplab-attempts' | grep -q .; then
    fail "make install copied build leftovers: $(find "$tmp/root" -name '*.tlo' -o -name '.traplab-attempts')"
fi

# From a folder that has no labs/ and no guest/, as a student's home would be.
mkdir -p "$tmp/home/sub"
cd "$tmp/home" || exit 2
out=$("$bin" lab list 2>&1) || fail "installed lab list failed: $out"
case $out in *01-rings*02-trap-and-emulate*) ;; *) fail "installed lab list: $out" ;; esac
out=$("$bin" vm --guest kernel --program cpu -D ITERS=2000 2>&1) || fail "installed vm failed: $out"
case $out in *OUTPUT\ DIFFERS*) fail "installed vm: $out" ;; esac
out=$("$bin" compare --workloads sys,io --host type1 -D ITERS=2000 --csv 2>&1) || fail "installed compare failed: $out"
[ "$(printf '%s\n' "$out" | grep -c 'sys\|io')" -ge 2 ] || fail "installed compare printed: $out"
cp -r "$src/labs/01-rings/solution" "$tmp/home/sub/alice"
out=$("$bin" lab check 01 --submission "$tmp/home/sub/alice" --no-record 2>&1) || fail "installed lab check of the solution failed: $out"
out=$("$bin" run "$tmp/root/usr/share/traplab/samples/hello.s" 2>&1) || fail "installed run of samples/hello.s: $out"

# TRAPLAB_HOME wins over the installed data.
mkdir -p "$tmp/myhome/labs"
cp -r "$src/labs/01-rings" "$tmp/myhome/labs/99-mine"
out=$(TRAPLAB_HOME=$tmp/myhome "$bin" lab list 2>&1)
case $out in *99-mine*) case $out in *02-trap*) fail "TRAPLAB_HOME did not override: $out" ;; esac ;;
             *) fail "TRAPLAB_HOME lab list: $out" ;; esac
out=$(TRAPLAB_HOME=$tmp/myhome "$bin" vm --guest kernel --program cpu 2>&1); st=$?
[ $st -eq 1 ] && case $out in *TRAPLAB_HOME*) true ;; *) false ;; esac || fail "TRAPLAB_HOME without guest/: exit $st, $out"

for p in "$tmp"/root/usr/share/man/man*/* "$tmp"/root/usr/share/man/*/man*/*; do
    w=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
    [ -z "$w" ] || fail "installed $p renders with warnings: $w"
done
# man(1) picks the Spanish traplab(1) for a Spanish locale, the English one otherwise.
if command -v man >/dev/null 2>&1; then
    # -L es stands for a Spanish LANG (containers have no es_* locale to set); man-db looks
    # in MANPATH's es/ only for MANPATH, not for -M.
    es=$(env -u LC_ALL -u LANGUAGE MANPATH="$tmp/root/usr/share/man" MANWIDTH=80 man -L es traplab 2>/dev/null | grep -c '^NOMBRE')
    en=$(env -u LC_ALL -u LANGUAGE MANPATH="$tmp/root/usr/share/man" MANWIDTH=80 man -L C traplab 2>/dev/null | grep -c '^NAME')
    [ "$es" = 1 ] && [ "$en" = 1 ] || fail "man traplab: the Spanish page for -L es ($es), the English for LANG=C ($en)"
fi

cd "$src" || exit 2
mk uninstall DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make uninstall failed"; }
left=$(find "$tmp/root" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"

[ $fails -eq 0 ] || { echo "install: $fails problems"; exit 1; }
echo "install: make install into a DESTDIR works from another folder (lab list, vm, compare, lab check, run); TRAPLAB_HOME overrides; uninstall removes every file"
