#!/bin/sh
# test-lang.sh -- `traplab --lang es|en` and LC_ALL/LC_MESSAGES/LANG: every
# translated command's Spanish output from an installed copy (every --help,
# --list-cpus and --cpu errors, vm and run statistics and traces, compare and its plot, lab list/show/check/grade,
# the terminal UI, usage errors), the
# English one unchanged by the language machinery (and by a Spanish
# environment with --lang en), and the table itself: every TR()/W() text of
# the sources has its Spanish with the same printf conversions, in the
# glossary's terms (docs/glossary.md).
#
# usage: dist/test-lang.sh   (uses the build of $TRAPLAB_MODE, default release)
cd "$(dirname "$0")/.." || exit 2
NAME=lang
. dist/testlib.sh
has() { case $1 in *"$2"*) return 0 ;; esac; return 1; }

# ---- the table -------------------------------------------------------------------------
python3 - "$src" <<'EOF' || fails=$((fails + 1))
import glob, re, sys
src = sys.argv[1]
lit = r'"(?:[^"\\]|\\.)*"'
def text(chunk):
    return ''.join(p[1:-1] for p in re.findall(lit, chunk))
table = open(src + '/cli/lang_es.c', encoding='utf-8').read()
start = table.index('cli_msgs_es[] = {'); mid = table.index('cli_lines_es[] = {')
def pairs(body):
    body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
    return [(text(a), text(b)) for a, b in
            re.findall(r'\{\s*((?:' + lit + r'\s*)+),\s*((?:' + lit + r'\s*)+)\}', body)]
msgs, lines = pairs(table[start:mid]), pairs(table[mid:])
bad = []
seen = set()
for en, es in msgs:
    if en in seen: bad.append('twice in the table: ' + en)
    seen.add(en)
conv = re.compile(r'%[-+ #0-9.*]*(?:ll|l|z|h)?[a-zA-Z%]')
for en, es in msgs:
    if conv.findall(en) != conv.findall(es):
        bad.append('conversions differ: %r -> %r' % (en, es))
for en, es in lines:
    if en.count('%s') != es.count('%s'):
        bad.append('holes differ: %r -> %r' % (en, es))
used = set()
for f in sorted(glob.glob(src + '/cli/*.c')) + [src + '/lab/report.c']:
    for m in re.finditer(r'\b(?:TR|W|N_)\(\s*((?:' + lit + r'\s*)+)\)', open(f, encoding='utf-8').read()):
        used.add(text(m.group(1)))
for m in sorted(used - seen):
    bad.append('no Spanish for TR(%r)' % m)
# The glossary's one term for each idea, and tú.
forbid = [r'\bcoste\b', r'sobrecoste', r'máquina desnuda', r'\bpedido', r'punto de parada',
          r'memoria física invitada', r'\b(pulse|escriba|termine|use|elija|mire|pruebe)\b']
for en, es in msgs + lines:
    for f in forbid:
        if re.search(f, es): bad.append('not the glossary\'s term (%s): %r' % (f, es))
for b in bad: print('lang: ' + b)
print('lang: %d texts and %d composed lines in Spanish, %d TR() in the sources' % (len(msgs), len(lines), len(used)))
sys.exit(1 if bad else 0)
EOF

# ---- an installed copy, run from elsewhere --------------------------------------------------
install_copy
mkdir -p "$tmp/home/empty"
cd "$tmp/home" || exit 2
unset LANGUAGE
C="env -u LC_ALL -u LC_MESSAGES -u LANG"

# --help: every command's in Spanish, the English unchanged.  The English helps are pinned by
# their hash (a change to one updates HELP_SHA256 here and its Spanish in cli/lang_es.c).
HELP_SHA256=117f90e9c3c369cb7bdc6b56b2152b67c3a9e94cd989d9ba759b098994983643
helps="-:run:asm:disasm:vm:compare:isa:tui:lab:lab list:lab show:lab check:lab grade:lab merge:lab run"
all_en=
IFS=:
for c in $helps; do
    unset IFS
    [ "$c" = - ] && c=
    en=$($C "$bin" $c --help 2>&1) || fail "traplab $c --help failed"
    all_en="$all_en$en
"
    [ "$($C "$bin" --lang en $c --help 2>&1)" = "$en" ] || fail "traplab --lang en $c --help differs from the default"
    [ "$($C LANG=es_ES.UTF-8 "$bin" --lang en $c --help 2>&1)" = "$en" ] || fail "LANG=es --lang en $c --help is not the English"
    [ "$($C LC_ALL=C "$bin" $c --help 2>&1)" = "$en" ] || fail "LC_ALL=C traplab $c --help is not the English"
    printf '%s' "$en" | LC_ALL=C grep -q '[^ -~	]' && fail "the English traplab $c --help has a non-ASCII character"
    es=$($C "$bin" --lang es $c --help 2>&1) || fail "traplab --lang es $c --help failed"
    [ "$($C LANG=es_ES.UTF-8 "$bin" $c --help 2>&1)" = "$es" ] || fail "LANG=es_ES.UTF-8 traplab $c --help is not the Spanish"
    [ "$es" != "$en" ] || fail "traplab --lang es $c --help is the English"
    case $es in "uso: traplab"*) ;; *) fail "traplab --lang es $c --help does not begin with 'uso: traplab': $(printf '%s' "$es" | head -1)" ;; esac
    # No English sentence left: its words, once the names that stay English are taken out
    # (the options, the glossary's "(trap and emulate)", the --cpu profile named default).
    left=$(printf '%s\n' "$es" | sed "s/--[a-z-]*//g; s/(trap and emulate)//; s/ o default / o /; s/'help'//" |
        grep -wiE 'the|and|with|when|of|is|are|for|from|this|every|each|usage|options|help|default|runs|prints|exit status' | head -2)
    [ -z "$left" ] || fail "traplab --lang es $c --help has English left: $left"
    # The same options, so a reader can follow either.
    [ "$(printf '%s' "$en" | grep -o -- '--[a-z][a-z-]*' | sort -u)" = "$(printf '%s' "$es" | grep -o -- '--[a-z][a-z-]*' | sort -u)" ] ||
        fail "traplab --lang es $c --help names other options than the English"
    IFS=:
done
unset IFS
sum=$(printf '%s' "$all_en" | sha256sum | cut -d' ' -f1)
[ "$sum" = "$HELP_SHA256" ] || fail "the English --help texts changed (sha256 $sum): update HELP_SHA256 and cli/lang_es.c"
out=$($C "$bin" --help)
has "$out" "compare  native against every design (full, bt, hw, hw-shadow, para)" || fail "traplab --help's compare line: $out"
out=$($C "$bin" --lang es --help)
has "$out" "la ayuda de cada orden está en inglés" && fail "traplab --lang es --help still says the helps are English"

# --cpu: the profiles' descriptions and a bad name.
en=$($C "$bin" vm --list-cpus 2>&1) || fail "vm --list-cpus failed: $en"
es=$($C "$bin" --lang es vm --list-cpus 2>&1) || fail "--lang es vm --list-cpus failed: $es"
[ "$(printf '%s\n' "$en" | wc -l)" -ge 4 ] && [ "$(printf '%s\n' "$es" | wc -l)" = "$(printf '%s\n' "$en" | wc -l)" ] ||
    fail "--list-cpus: $(printf '%s\n' "$es" | wc -l) Spanish lines for $(printf '%s\n' "$en" | wc -l) English"
left=$(printf '%s\n%s\n' "$en" "$es" | awk '{ d = $0; sub(/^ *[^ ]+ +vm_exit +[0-9]+ +vm_enter +[0-9]+  /, "", d) }
    NR <= n { e[d] = 1; next } d in e' n="$(printf '%s\n' "$en" | wc -l)")
[ -z "$left" ] || fail "--lang es vm --list-cpus left a description in English: $left"
has "$es" "los números redondos de traplab" || fail "--lang es vm --list-cpus: $es"
[ "$($C "$bin" --lang es compare --list-cpus 2>&1)" = "$es" ] || fail "compare --list-cpus in Spanish differs from vm's"
for c in vm compare "tui --guest kernel --program cpu"; do
    out=$($C "$bin" --lang es $c --cpu pentium 2>&1); st=$?
    [ $st -eq 2 ] && has "$out" "--cpu: cpu desconocida 'pentium' (default, p4" && has "$out" "Prueba 'traplab ${c%% *} --help'" ||
        fail "traplab --lang es $c --cpu pentium: exit $st, $out"
    out=$($C "$bin" $c --cpu pentium 2>&1)
    has "$out" "--cpu: unknown cpu 'pentium' (default, p4" || fail "traplab $c --cpu pentium in English: $out"
done

# The language: --lang before the command, else LC_ALL > LC_MESSAGES > LANG, else English.
vm="vm --guest kernel --program sys --stats -D ITERS=200"
en=$($C "$bin" $vm 2>&1) || fail "vm failed: $en"
has "$en" "guest instructions" || fail "vm --stats with no language set is not English: $en"
es=$($C "$bin" --lang es $vm 2>&1) || fail "--lang es vm failed: $es"
for w in "instr. del invitado" "salidas" "emuladas" "sombra" "cambios de VM" "ciclos de la máquina"; do
    has "$es" "$w" || fail "traplab --lang es vm --stats lacks '$w': $es"
done
has "$es" "guest instructions" && fail "traplab --lang es vm --stats still says 'guest instructions'"
[ "$($C "$bin" --lang=es $vm 2>&1)" = "$es" ] || fail "--lang=es and --lang es differ"
[ "$($C LANG=es_ES.UTF-8 "$bin" $vm 2>&1)" = "$es" ] || fail "LANG=es_ES.UTF-8 is not Spanish"
[ "$($C LANG=es_ES.UTF-8 LC_MESSAGES=en_US.UTF-8 "$bin" $vm 2>&1)" = "$en" ] || fail "LC_MESSAGES=en does not win over LANG=es"
[ "$($C LANG=en_US.UTF-8 LC_ALL=es_AR.UTF-8 "$bin" $vm 2>&1)" = "$es" ] || fail "LC_ALL=es does not win over LANG=en"
[ "$($C LANG=es_ES.UTF-8 "$bin" --lang en $vm 2>&1)" = "$en" ] || fail "--lang en does not win over LANG=es"
[ "$($C LANG=C "$bin" $vm 2>&1)" = "$en" ] || fail "LANG=C is not English"
"$bin" --lang fr $vm >/dev/null 2>"$tmp/err"; st=$?
[ $st -eq 2 ] && has "$(cat "$tmp/err")" "unknown language 'fr'" || fail "--lang fr: exit $st, $(cat "$tmp/err")"

# The trace: every event's text is translated, under every design, host and profile; the
# English trace is the same with or without the language machinery asked for English.
for d in full para bt hw; do
    for h in type1 type2 type2-user; do
        for p in strict legacy; do
            args="vm --guest kernel --guest rogue --program mix,io --vms 3 --design $d --host $h --profile $p --trace -D ITERS=300"
            [ $p = legacy ] && [ $d != full ] && continue
            $C "$bin" $args >/dev/null 2>"$tmp/en"
            $C "$bin" --lang en $args >/dev/null 2>"$tmp/en2"
            cmp -s "$tmp/en" "$tmp/en2" || fail "$args: --lang en changed the English trace"
            $C "$bin" --lang es $args >/dev/null 2>"$tmp/es"
            [ "$(grep -c ' cyc  ' "$tmp/en")" -gt 50 ] || fail "$args: no trace: $(head -3 "$tmp/en")"
            grep -c . "$tmp/en" >"$tmp/n1"; grep -c . "$tmp/es" >"$tmp/n2"
            cmp -s "$tmp/n1" "$tmp/n2" || fail "$args: the Spanish trace has another number of lines"
            # The text after the cycles column, English against Spanish, line by line.
            sed -n 's/.* cyc  //p' "$tmp/en" >"$tmp/enw"
            sed -n 's/.* cic  //p' "$tmp/es" >"$tmp/esw"
            left=$(paste -d '\n' "$tmp/enw" "$tmp/esw" | awk 'NR % 2 { e = $0; next } e == $0 && e ~ /[a-z][a-z]/' | sort -u | head -3)
            [ -z "$left" ] || fail "$args: trace text left in English: $left"
            grep -q ' exit \| step ' "$tmp/es" && fail "$args: Spanish trace lines still say exit/step"
            left=$(grep '^traplab vm: ' "$tmp/es" | grep -v 'falló y se detuvo: [a-záéíóúñ]\|no terminó (trampa\|LA SALIDA DIFIERE' | head -2)
            [ -z "$left" ] || fail "$args: a verdict left in English: $left"
        done
    done
done
out=$($C "$bin" --lang es vm --guest kernel --program sys --trace -D ITERS=50 2>&1 >/dev/null | head -40)
for w in "salida ILLEGAL_PRIV" "anillo 1->1" "emulación" "emular mtcr"; do
    has "$out" "$w" || fail "the Spanish vm --trace lacks '$w': $out"
done

# run: the bare machine's trace and statistics.
out=$($C "$bin" --lang es run "$tmp/root/usr/share/traplab/samples/ring3-trap.s" --trace --stats 2>&1 >/dev/null)
for w in "trampa #1" "anillo 3 -> 0" "ciclos ociosos" "aciertos"; do
    has "$out" "$w" || fail "traplab --lang es run --trace --stats lacks '$w': $out"
done
en=$($C "$bin" run "$tmp/root/usr/share/traplab/samples/ring3-trap.s" --trace --stats 2>&1 >/dev/null)
has "$en" "idle cycles" && has "$en" "trap #1" || fail "run --trace --stats in English: $en"

# compare: the table's header and the chart.
out=$($C "$bin" --lang es compare --workloads sys --host type1 --designs full -D ITERS=200 2>&1)
for w in "carga" "diseño" "sobrecosto" "nativo" "frente a la configuración más lenta"; do
    has "$out" "$w" || fail "traplab --lang es compare lacks '$w': $out"
done
head=$(printf '%s\n' "$out" | head -1)
case $head in "carga    diseño  anfitrión "*) ;; *) fail "the Spanish compare header is not aligned: '$head'" ;; esac

# The plot's axis titles, and the errors of the other commands.
if command -v gnuplot >/dev/null 2>&1; then
    $C "$bin" --lang es compare --workloads sys --host type1 --designs full -D ITERS=100 --plot "$tmp/p.svg" >/dev/null 2>&1 ||
        fail "compare --plot in Spanish failed"
    grep -q "sobrecosto frente a nativo" "$tmp/p.svg" && grep -q "salidas de la VM por cada 1.000 instrucciones" "$tmp/p.svg" ||
        fail "the Spanish plot lacks its axis titles"
fi
out=$($C "$bin" --lang es vm --guest nothing --program cpu 2>&1)
has "$out" "no hay núcleo invitado 'nothing'" || fail "traplab --lang es vm --guest nothing: $out"
printf 'foo\n' >"$tmp/bad.s"
out=$($C "$bin" --lang es asm "$tmp/bad.s" 2>&1)
has "$out" "1 error; no se escribió ninguna imagen" || fail "traplab --lang es asm of a bad file: $out"
out=$($C "$bin" --lang es tui </dev/null 2>&1)
has "$out" "falta PROGRAMA" || fail "traplab --lang es tui without a terminal: $out"

# lab list and show, the framing of the lab's own words.
out=$($C "$bin" --lang es lab list 2>&1)
has "$out" "01-rings" && has "$out" "puntos" || fail "traplab --lang es lab list: $out"
out=$($C "$bin" --lang es lab show 01 --student ana 2>&1)
has "$out" "unos " && has "$out" "estudiante ana, semilla" && has "$out" "Tarea 1." && has "$out" "[pregunta]" ||
    fail "traplab --lang es lab show: $out"

# The terminal UI follows the global --lang too (in a private tmux server).
if command -v tmux >/dev/null 2>&1; then
    TM="tmux -L traplab-lang-$$ -f /dev/null"
    $TM new-session -d -x 100 -y 30 "env -u LC_ALL -u LC_MESSAGES -u LANG $bin --lang es tui $tmp/root/usr/share/traplab/samples/hello.s" 2>/dev/null
    i=0 screen=
    while [ $i -lt 50 ]; do
        screen=$($TM capture-pane -p 2>/dev/null)
        has "$screen" "Registros" && break
        sleep 0.1; i=$((i + 1))
    done
    has "$screen" "Registros" || fail "traplab --lang es tui did not show Spanish panes: $screen"
    $TM send-keys q 2>/dev/null
    $TM kill-server >/dev/null 2>&1
fi

# lab check and grade: our framing in Spanish, the lab's own words as the lab wrote them.
out=$($C "$bin" --lang es lab check 01 --submission "$tmp/home/empty" --student ana --no-record 2>&1)
for w in "Práctica 01-rings" "(estudiante ana, semilla" "MAL " "pista 1/" "no has dado respuesta" "Total: 0/"; do
    has "$out" "$w" || fail "traplab --lang es lab check lacks '$w': $out"
done
has "$out" "Which instructions trap" || fail "lab check --lang es translated the lab's own question: $out"
has "$out" "FAIL" && fail "lab check --lang es still says FAIL"
[ "$($C "$bin" lab check 01 --submission "$tmp/home/empty" --student ana --no-record --lang es 2>&1)" = "$out" ] ||
    fail "lab check --lang es (after the subcommand) differs from traplab --lang es lab check"
mkdir -p "$tmp/class/bob"
cp -r "$src/labs/01-rings/solution/." "$tmp/class/bob/"
out=$($C "$bin" --lang es lab grade 01 --submissions "$tmp/class" --jobs 1 --gradescope /dev/null 2>&1); st=$?
[ $st -eq 2 ] && has "$out" "--gradescope califica una entrega" && has "$out" "Prueba 'traplab lab grade --help'" ||
    fail "a Spanish usage error of lab grade: exit $st, $out"
out=$($C "$bin" --lang es lab grade 01 --submissions "$tmp/class" --jobs 1 --csv "$tmp/g.csv" 2>&1) ||
    fail "lab grade --lang es failed: $out"
has "$out" "Calificadas 1 entregas" || fail "traplab --lang es lab grade: $out"
head -1 "$tmp/g.csv" | grep -q '^student,lab,seed,points,max,percent,status,reason$' ||
    fail "lab grade --lang es changed the CSV's columns: $(head -1 "$tmp/g.csv")"
out=$($C "$bin" --lang es lab check 01 --submission "$tmp/class/bob" --no-record 2>&1) || fail "the solution fails in Spanish: $out"
has "$out" "BIEN" || fail "lab check --lang es of the solution: $out"

# Usage errors.
out=$($C "$bin" --lang es vm --bogus 2>&1); st=$?
[ $st -eq 2 ] && has "$out" "opción desconocida '--bogus'" && has "$out" "Prueba 'traplab vm --help'" ||
    fail "traplab --lang es vm --bogus: exit $st, $out"
# The option errors the VMM composes (--cost, --exit-on, --design), in Spanish and, whole, in English.
for a in "vm --cost nothing=1|costo desconocido 'nothing' (--list-costs muestra los nombres)" \
         "vm --cost exit_dispatch|costo incorrecto 'exit_dispatch': NOMBRE=VALOR" \
         "vm --cost exit_dispatch=x|el costo exit_dispatch necesita un número entero de 0 a " \
         "vm --cost host_bg_share=99|de 0 a 90 (un porcentaje), no '99'" \
         "vm --exit-on mfcr,,x|--exit-on: un nombre vacío en 'mfcr,,x'" \
         "vm --exit-on bogus|ni una causa de trampa (syscall, page_fault, breakpoint, ...)" \
         "vm --design bogus|--design: diseño desconocido 'bogus' (full, " \
         "compare --designs full,bogus|--designs: diseño desconocido 'bogus' (full, " \
         "tui --design bogus|--design: diseño desconocido 'bogus' (full, "; do
    out=$($C "$bin" --lang es ${a%%|*} 2>&1); st=$?
    [ $st -eq 2 ] && has "$out" "${a#*|}" || fail "traplab --lang es ${a%%|*}: exit $st, $out"
done
out=$($C "$bin" vm --exit-on bogus 2>&1)
has "$out" "nor a trap cause (syscall, page_fault, breakpoint, ...)" || fail "vm --exit-on bogus: the English is cut: $out"
out=$($C "$bin" --lang es nothing 2>&1)
has "$out" "no es una orden de traplab" && has "$out" "órdenes:" || fail "traplab --lang es nothing: $out"
out=$($C "$bin" --lang es run 2>&1)
has "$out" "no se dio ninguna imagen" || fail "traplab --lang es run: $out"

[ $fails -eq 0 ] || { echo "lang: $fails problems"; exit 1; }
echo "lang: --lang es|en and LC_ALL/LC_MESSAGES/LANG for every --help, --list-cpus and --cpu, vm, run, compare, --plot, lab list/show/check/grade, tui and usage errors, from an installed copy; the English trace and helps unchanged"
