/*
 * lang_es.c -- the Spanish of the traplab command, in the terms of
 * docs/glossary.md (núcleo, trampa, salida de la VM, hiperllamada, tabla de
 * páginas sombra, sobrecosto, práctica; tú).  Keyed by the English text as
 * the sources write it; a printf format keeps its conversions in the same
 * order (dist/test-lang.sh checks both, and that every TR() has its entry).
 * Column labels keep the English column they are padded to.
 */
#include "cli/lang.h"

const cli_msg cli_msgs_es[] = {
    /* main.c: usage and the errors every command shares */
    { "usage: traplab [--version] [--help] [--lang es|en] <command> [<args>]\n\ncommands:\n",
      "uso: traplab [--version] [--help] [--lang es|en] <orden> [<argumentos>]\n\nórdenes:\n" },
    { "\n'traplab <command> --help' explains one command.\n"
      "--lang es|en: the language of what traplab writes (default: from LC_ALL,\n"
      "LC_MESSAGES or LANG; English when none says es).\n",
      "\n'traplab <orden> --help' explica una orden.\n"
      "--lang es|en: el idioma de lo que escribe traplab (por omisión: el de LC_ALL,\n"
      "LC_MESSAGES o LANG; inglés si ninguna dice es).\n" },
    { "run a program on the bare machine", "ejecuta un programa en la máquina sin hipervisor" },
    { "assemble a source file into an image", "ensambla un fuente en una imagen" },
    { "disassemble an image", "desensambla una imagen" },
    { "run guest kernels in VMs under the trap-and-emulate hypervisor",
      "ejecuta núcleos invitados en VMs bajo el hipervisor de atrapar y emular" },
    { "native against every design (full, bt, hw, hw-shadow, para), Type-1 and Type-2",
      "nativo frente a cada diseño (full, bt, hw, hw-shadow, para), tipo 1 y tipo 2" },
    { "print the ISA reference or the Popek-Goldberg verdict",
      "imprime la referencia de la ISA o el veredicto de Popek y Goldberg" },
    { "step through a program and its traps in a terminal UI",
      "recorre un programa y sus trampas paso a paso en una interfaz de terminal" },
    { "list, check and grade the Lua labs", "lista, comprueba y califica las prácticas en Lua" },
    { "traplab %s: out of memory\n", "traplab %s: memoria agotada\n" },
    { "--save-at needs N and FILE: --save-at N FILE", "--save-at necesita N y FICHERO: --save-at N FICHERO" },
    { "\nTry 'traplab %s --help'.\n", "\nPrueba 'traplab %s --help'.\n" },
    { "option '%s' needs an argument", "la opción '%s' necesita un argumento" },
    { "unknown option '%s'", "opción desconocida '%s'" },
    { "-D %s: '%.*s' is not a valid symbol name", "-D %s: '%.*s' no es un nombre de símbolo válido" },
    { "-D %s: the value must be a 32-bit number", "-D %s: el valor debe ser un número de 32 bits" },
    { "empty %s name in '%s'", "nombre de %s vacío en '%s'" },
    { "%s '%s' given twice in '%s'", "%s '%s' dado dos veces en '%s'" },
    { "at most %zu %ss", "como mucho %zu nombres de %s" },
    { "traplab: unknown language '%s' (es or en)\n", "traplab: idioma desconocido '%s' (es o en)\n" },
    { "traplab: '%s' is not a traplab command.\n", "traplab: '%s' no es una orden de traplab.\n" },
    { "unknown language '%s' (es or en)", "idioma desconocido '%s' (es o en)" },
    { "workload", "carga" },
    { "design", "diseño" },
    { "host", "anfitrión" },

    /* run: the trace, the statistics, how the run ended */
    { "trap #%-3llu %-15s pc=0x%08x insn=0x%08x %-22s ring %u -> %u  cycle=%llu%s\n",
      "trampa #%-3llu %-15s pc=0x%08x insn=0x%08x %-22s anillo %u -> %u  ciclo=%llu%s\n" },
    { "read", "lectura" },
    { "write", "escritura" },
    { "exec", "ejecución" },
    { "instructions  %llu\ncycles        %llu\nidle cycles   %llu\n"
      "tlb           %llu hits, %llu misses, %llu flushes\ntraps         %llu\n",
      "instrucciones    %llu\nciclos           %llu\nciclos ociosos   %llu\n"
      "tlb              %llu aciertos, %llu fallos, %llu vaciados\ntrampas          %llu\n" },
    { "--max-steps needs a number, not '%s'", "--max-steps necesita un número, no '%s'" },
    { "unknown profile '%s' (strict or legacy)", "perfil desconocido '%s' (strict o legacy)" },
    { "--trace takes traps (the default) or insn, not '%s'",
      "--trace admite traps (por omisión) o insn, no '%s'" },
    { "--save-at needs a number of instructions, not '%s'",
      "--save-at necesita un número de instrucciones, no '%s'" },
    { "too many -I and -D options", "demasiadas opciones -I y -D" },
    { "give either --json or --csv, not both", "da --json o --csv, no las dos" },
    { "give either IMAGE or --restore FILE, not both", "da IMAGEN o --restore FICHERO, no los dos" },
    { "a snapshot keeps its own profile and program: --profile, -I and -D do not apply to --restore",
      "una instantánea guarda su propio perfil y programa: --profile, -I y -D no se aplican a --restore" },
    { "no image given", "no se dio ninguna imagen" },
    { "unexpected argument '%s'", "argumento inesperado '%s'" },
    { "traplab run: out of memory\n", "traplab run: memoria agotada\n" },
    { "traplab run: --save-at %llu: the snapshot is already at instruction %llu\n",
      "traplab run: --save-at %llu: la instantánea ya está en la instrucción %llu\n" },
    { "traplab run: snapshot at instruction %llu saved to %s\n",
      "traplab run: instantánea de la instrucción %llu guardada en %s\n" },
    { "traplab run: the run stopped (%s) at instruction %llu, before --save-at %llu: no snapshot written\n",
      "traplab run: la ejecución se detuvo (%s) en la instrucción %llu, antes de --save-at %llu: "
      "no se escribió la instantánea\n" },
    { "traplab run: step limit of %llu reached at pc 0x%08x\n",
      "traplab run: se alcanzó el límite de %llu pasos en pc 0x%08x\n" },
    { "traplab run: fatal: %s\n", "traplab run: error fatal: %s\n" },
    { "traplab run: stopped (%s) at pc 0x%08x\n", "traplab run: detenido (%s) en pc 0x%08x\n" },

    /* vm: the trace */
    { "vm%d exit   %-14s pc=0x%08x %-22s ring %u->%u (virtual %u->%u) %-*s %6llu cyc  %s\n",
      "vm%d salida %-14s pc=0x%08x %-22s anillo %u->%u (virtual %u->%u) %-*s %6llu cic  %s\n" },
    { "vm%d   step %-*s %6llu cyc  %s\n", "vm%d   paso %-*s %6llu cic  %s\n" },
    { "vm%d %-*s pc=0x%08x %-22s %6llu cyc  %s\n", "vm%d %-*s pc=0x%08x %-22s %6llu cic  %s\n" },
    { "hardware", "hardware" },
    { "emulation", "emulación" },
    { "reflection", "reflejo" },
    { "shadow", "sombra" },
    { "hypercall", "hiperllamada" },
    { "scheduler", "planificador" },
    { "translation", "traducción" },
    { "exit", "salida" },
    { "step", "paso" },
    { "inject", "inyecta" },
    { "switch", "cambio" },
    { "violation", "violación" },
    { "stop", "fin" },
    { "running", "en marcha" },
    { "halted", "detenida" },
    { "failed", "fallida" },

    /* vm: the statistics */
    { "  guest instructions  %llu\n", "  instr. del invitado %llu\n" },
    { "  cycles              %llu (guest %llu, vmm %llu, host %llu), idle %llu\n",
      "  ciclos              %llu (invitado %llu, vmm %llu, anfitrión %llu), ociosos %llu\n" },
    { "  overhead            %+.1f%% against %llu cycles native\n",
      "  sobrecosto          %+.1f%% frente a %llu ciclos nativos\n" },
    { "  exits               %llu\n", "  salidas             %llu\n" },
    { "  emulated            %llu\n", "  emuladas            %llu\n" },
    { "  reflected           %llu\n  injected            %llu\n",
      "  reflejadas          %llu\n  inyectadas          %llu\n" },
    { "  shadow              %llu fills (hidden faults), %llu syncs, %llu flushes\n",
      "  sombra              %llu rellenos (fallos ocultos), %llu sincronizaciones, %llu vaciados\n" },
    { "  VM exits by reason  (guest mode: --design hw, hw-shadow)\n",
      "  salidas de la VM por motivo  (modo invitado: --design hw, hw-shadow)\n" },
    { "  nested              %llu second-stage fills (nested faults)\n",
      "  anidadas            %llu rellenos de la segunda etapa (fallos anidados)\n" },
    { "  kernel-resident     %llu exits handled by the host kernel's monitor, no world switch\n",
      "  en el núcleo        %llu salidas atendidas por el monitor del núcleo anfitrión, sin cambio de mundo\n" },
    { "  hypercalls          %llu (with the direct system calls, %llu exits replaced), %llu failed\n",
      "  hiperllamadas       %llu (con las llamadas al sistema directas, %llu salidas evitadas), "
      "%llu fallidas\n" },
    { "    %-16s %llu, replacing %llu\n", "    %-16s %llu, en lugar de %llu\n" },
    { "    %-16s %llu (no such hypercall: ENOSYS)\n", "    %-16s %llu (no existe esa hiperllamada: ENOSYS)\n" },
    { "  direct syscalls     %llu (through the guest's gate, no exit; each replaces one)\n",
      "  syscalls directas   %llu (por la puerta del invitado, sin salida; cada una evita una)\n" },
    { "  host                %llu world switches, %llu system calls\n",
      "  anfitrión           %llu cambios de mundo, %llu llamadas al sistema\n" },
    { "  vm switches         %llu\n", "  cambios de VM       %llu\n" },
    { "  blocked accesses    %llu (outside the partition)\n",
      "  accesos bloqueados  %llu (fuera de la partición)\n" },
    { "  EQUIVALENCE VIOLATIONS %llu (legacy profile: sensitive instructions that did not trap)\n",
      "  VIOLACIONES DE LA EQUIVALENCIA %llu (perfil legacy: instrucciones sensibles que no "
      "generaron trampa)\n" },
    { "    popf lost IE     %llu (the guest's interrupt-enable change was dropped)\n",
      "    popf perdió IE   %llu (se perdió el cambio de interrupciones del invitado)\n" },
    { "  translation         %llu blocks (%llu instructions) translated, cache %llu hits, %llu misses, "
      "%llu invalidated\n",
      "  traducción          %llu bloques (%llu instrucciones) traducidos, caché %llu aciertos, "
      "%llu fallos, %llu invalidados\n" },
    { "    replaced         %llu callouts (%llu of them adaptive stores), %llu inline; "
      "%llu stores retranslated\n",
      "    sustituidas      %llu llamadas al VMM (%llu de ellas escrituras adaptativas), %llu en línea; "
      "%llu escrituras retraducidas\n" },
    { "native\n  instructions        %llu\n  cycles              %llu\n",
      "nativo\n  instrucciones       %llu\n  ciclos              %llu\n" },
    { " on ", " sobre " },
    { "%s on %s", "%s sobre %s" },
    { "total (%u VM%s, %s, %s%s)", "total (%u VM%s, %s, %s%s)" },
    { ", paravirtualized", ", paravirtualizada" },
    { ", binary translation", ", traducción binaria" },
    { "  machine cycles      %llu\n", "  ciclos de la máquina %llu\n" },
    { "  TLB misses          %llu, %llu of them in guest mode (two-stage walks, %llu table reads in all)\n",
      "  fallos de TLB       %llu, %llu de ellos en modo invitado (recorridos de dos etapas, %llu "
      "lecturas de tablas en total)\n" },
    { "note: on the legacy profile pure trap-and-emulate is not enough: %llu sensitive instruction "
      "ran without trapping and saw or changed the real state",
      "nota: en el perfil legacy no basta con atrapar y emular: %llu instrucción sensible se ejecutó "
      "sin generar trampa y vio o cambió el estado real" },
    { "note: on the legacy profile pure trap-and-emulate is not enough: %llu sensitive instructions "
      "ran without trapping and saw or changed the real state",
      "nota: en el perfil legacy no basta con atrapar y emular: %llu instrucciones sensibles se "
      "ejecutaron sin generar trampa y vieron o cambiaron el estado real" },
    { "; %llu popf%s lost the guest's interrupt-enable change",
      "; %llu popf%s perdieron el cambio de interrupciones del invitado" },
    { " (Popek and Goldberg's equivalence is violated).\n",
      " (se viola la equivalencia de Popek y Goldberg).\n" },

    /* vm: errors and verdicts */
    { "traplab vm: fatal: %s\n", "traplab vm: error fatal: %s\n" },
    { "at most %d --guest kernels", "como mucho %d núcleos --guest" },
    { "--guest takes one kernel, not a list ('%s'): give one --guest per kernel (VM i runs guest i), "
      "e.g. --guest kernel --guest rogue.s --vms 2, or one VM's own with --vm 1:guest=rogue.s",
      "--guest admite un núcleo, no una lista ('%s'): da un --guest por núcleo (la VM i ejecuta el "
      "invitado i), p. ej. --guest kernel --guest rogue.s --vms 2, o el de una VM con --vm 1:guest=rogue.s" },
    { "--vm needs N:guest=KERNEL with N from 0 to %d, not '%s'",
      "--vm necesita N:guest=NÚCLEO con N de 0 a %d, no '%s'" },
    { "unknown host '%s' (type1, type2 or type2-user)",
      "anfitrión desconocido '%s' (type1, type2 o type2-user)" },
    { "--slice needs a number of cycles >= 100, not '%s'",
      "--slice necesita un número de ciclos >= 100, no '%s'" },
    { "--mem needs a multiple of 4096 from %u to %u, not '%s'",
      "--mem necesita un múltiplo de 4096 de %u a %u, no '%s'" },
    { "--design: %s", "--design: %s" },
    { "%s and --design %s contradict each other", "%s y --design %s se contradicen" },
    { "--show-block needs an address (e.g. 0x1000), not '%s'",
      "--show-block necesita una dirección (p. ej. 0x1000), no '%s'" },
    { "%s needs the hypervisor; it cannot run with --native",
      "%s necesita el hipervisor; no puede ir con --native" },
    { "--native runs one guest on the bare machine: --%s needs the hypervisor",
      "--native ejecuta un invitado en la máquina sin hipervisor: --%s necesita el hipervisor" },
    { "--show-block shows a translated block: it needs --design bt",
      "--show-block muestra un bloque traducido: necesita --design bt" },
    { "--native and --no-native contradict each other", "--native y --no-native se contradicen" },
    { "--restore goes on from the snapshot's own VMs: --guest, --program, --vms, --host, --para, "
      "--native and -D do not apply",
      "--restore sigue con las VMs de la instantánea: --guest, --program, --vms, --host, --para, "
      "--native y -D no se aplican" },
    { "no guest kernel given (--guest kernel)", "no se dio ningún núcleo invitado (--guest kernel)" },
    { "no workload given (--program cpu, sys, io, mm or a file)",
      "no se dio ninguna carga (--program cpu, sys, io, mm o un fichero)" },
    { "choose one of --json and --csv", "elige --json o --csv" },
    { "--csv and --plot are for VMs: not with --native (use traplab run --csv)",
      "--csv y --plot son para VMs: no con --native (usa traplab run --csv)" },
    { "--vm %u:guest=%s: there are only %u VM%s (numbered from 0; --vms N gives more)",
      "--vm %u:guest=%s: solo hay %u VM%s (numeradas desde 0; --vms N da más)" },
    { "--native runs one guest on the bare machine: give one --guest",
      "--native ejecuta un invitado en la máquina sin hipervisor: da un solo --guest" },
    { "%s needs the kernel's source (.s): '%s' is an image, already assembled",
      "%s necesita el fuente del núcleo (.s): '%s' es una imagen, ya ensamblada" },
    { "-D needs the workload's source (.s): '%s' is an image, already assembled",
      "-D necesita el fuente de la carga (.s): '%s' es una imagen, ya ensamblada" },
    { "%zu workloads for %u VM%s: give at most one per VM (--vms)",
      "%zu cargas para %u VM%s: da como mucho una por VM (--vms)" },
    { "traplab vm: %s: the native run failed: %s\n", "traplab vm: %s: falló la ejecución nativa: %s\n" },
    { "traplab vm: %s: the native run did not halt (%s), so equivalence is not checked\n",
      "traplab vm: %s: la ejecución nativa no terminó (%s), así que no se comprueba la equivalencia\n" },
    { "traplab vm: --save-at %llu: the snapshot is already at instruction %llu\n",
      "traplab vm: --save-at %llu: la instantánea ya está en la instrucción %llu\n" },
    { "traplab vm: snapshot at instruction %llu saved to %s\n",
      "traplab vm: instantánea de la instrucción %llu guardada en %s\n" },
    { "traplab vm: the run stopped (%s) at instruction %llu, before --save-at %llu: no snapshot written\n",
      "traplab vm: la ejecución se detuvo (%s) en la instrucción %llu, antes de --save-at %llu: "
      "no se escribió la instantánea\n" },
    { "traplab vm: VM %u failed and was stopped: %s\n", "traplab vm: la VM %u falló y se detuvo: %s\n" },
    { "traplab vm: vm%u: OUTPUT DIFFERS FROM NATIVE (Popek and Goldberg's equivalence is violated)%s\n",
      "traplab vm: vm%u: LA SALIDA DIFIERE DE LA NATIVA (se viola la equivalencia de Popek y Goldberg)%s\n" },
    { "; expected on the legacy profile, where sensitive instructions do not trap",
      "; esperable en el perfil legacy, donde las instrucciones sensibles no generan trampa" },
    { "traplab vm: stopped after %llu instructions (--max-steps, counting every VM)\n",
      "traplab vm: detenido tras %llu instrucciones (--max-steps, contando todas las VMs)\n" },
    { "traplab vm: machine stopped: %s\n", "traplab vm: la máquina se detuvo: %s\n" },
    { "traplab vm: --show-block: VM 0's kernel cannot fetch code at 0x%08x\n",
      "traplab vm: --show-block: el núcleo de la VM 0 no puede leer código en 0x%08x\n" },

    /* compare */
    { "cycles", "ciclos" },
    { "overhead", "sobrecosto" },
    { "exits", "salidas" },
    { "exits/1k", "salidas/1k" },
    { "top exit causes", "causas de salida principales" },
    { "native", "nativo" },
    { "  [OUTPUT DIFFERS FROM NATIVE]", "  [LA SALIDA DIFIERE DE LA NATIVA]" },
    { "(%u VMs per run; native is %u runs one after the other)\n",
      "(%u VMs por ejecución; nativo son %u ejecuciones una tras otra)\n" },
    { "\ncycles, against the slowest configuration of each workload\n",
      "\nciclos, frente a la configuración más lenta de cada carga\n" },
    { " native\n", " nativo\n" },
    { "--host takes type1, type2 or both, not '%s'", "--host admite type1, type2 o both, no '%s'" },
    { "unknown host '%s' (type1 or type2)", "anfitrión desconocido '%s' (type1 o type2)" },
    { "host %s given twice in '%s'", "anfitrión %s dado dos veces en '%s'" },
    { "--designs takes a list of designs, not '%s'", "--designs admite una lista de diseños, no '%s'" },
    { "--designs: %s", "--designs: %s" },
    { "--batch needs 1, 2, 4 or 8, not '%s'", "--batch necesita 1, 2, 4 u 8, no '%s'" },
    { "traplab compare: %s: the native run failed: %s\n",
      "traplab compare: %s: falló la ejecución nativa: %s\n" },
    { "traplab compare: %s, %s, %s: the run did not end with the native output\n",
      "traplab compare: %s, %s, %s: la ejecución no terminó con la salida nativa\n" },

    /* lab: the command */
    { "traplab lab %s: %s is %s, not a file: a lab folder needs a lab.lua script\n",
      "traplab lab %s: %s es %s, no un fichero: la carpeta de una práctica necesita un lab.lua\n" },
    { "traplab lab %s: no labs folder (use --labs DIR or set TRAPLAB_LABS or TRAPLAB_HOME)\n",
      "traplab lab %s: no hay carpeta de prácticas (usa --labs DIR o define TRAPLAB_LABS o TRAPLAB_HOME)\n" },
    { "traplab lab %s: %s lab '%s' in %s (see 'traplab lab list')\n",
      "traplab lab %s: %s práctica '%s' en %s (mira 'traplab lab list')\n" },
    { "more than one", "más de una" },
    { "no", "ninguna" },
    { "--seed wants a number, not '%s'", "--seed necesita un número, no '%s'" },
    { "--jobs wants 1..256, not '%s'", "--jobs necesita 1..256, no '%s'" },
    { "--timeout wants seconds 1..3600, not '%s'", "--timeout necesita segundos 1..3600, no '%s'" },
    { "--shard wants K/N with 1 <= K <= N, not '%s'", "--shard necesita K/N con 1 <= K <= N, no '%s'" },
    { "traplab lab list: no labs folder (use --labs DIR or set TRAPLAB_LABS or TRAPLAB_HOME)\n",
      "traplab lab list: no hay carpeta de prácticas (usa --labs DIR o define TRAPLAB_LABS o TRAPLAB_HOME)\n" },
    { "traplab lab list: out of memory\n", "traplab lab list: memoria agotada\n" },
    { "%-*s %s%*s %3d min  %g points\n", "%-*s %s%*s %3d min  %g puntos\n" },
    { "%-*s (broken: %s)\n", "%-*s (rota: %s)\n" },
    { "expected one LAB", "se esperaba una PRÁCTICA" },
    { "traplab lab show: out of memory\n", "traplab lab show: memoria agotada\n" },
    { "# %s (%s, about %d minutes; student %s, seed %llu)\n\n",
      "# %s (%s, unos %d minutos; estudiante %s, semilla %llu)\n\n" },
    { "Task %zu. %s\n", "Tarea %zu. %s\n" },
    { "[%s] %s (%g points): %s\n", "[%s] %s (%g puntos): %s\n" },
    { "question", "pregunta" },
    { "check", "comprobación" },
    { "traplab lab check: %s: no such folder\n", "traplab lab check: %s: no existe esa carpeta\n" },
    { "traplab lab check: the lab is broken:\n%s\n", "traplab lab check: la práctica está rota:\n%s\n" },
    { "--submissions DIR is required (or --submission DIR for one)",
      "hace falta --submissions DIR (o --submission DIR para una entrega)" },
    { "give --submissions DIR (a class) or --submission DIR (one), not both",
      "da --submissions DIR (una clase) o --submission DIR (una entrega), no los dos" },
    { "--gradescope grades one submission: use --submission DIR",
      "--gradescope califica una entrega: usa --submission DIR" },
    { "--shard splits a class: use --submissions DIR", "--shard reparte una clase: usa --submissions DIR" },
    { "--assignment '%s': Canvas's grade-book import takes a column whose name contains '%s' for one of "
      "its totals and drops it; give another name",
      "--assignment '%s': la importación de calificaciones de Canvas toma una columna cuyo nombre contiene "
      "'%s' por uno de sus totales y la descarta; da otro nombre" },
    { "traplab lab grade: %s: no such folder\n", "traplab lab grade: %s: no existe esa carpeta\n" },
    { "traplab lab grade: out of memory\n", "traplab lab grade: memoria agotada\n" },
    { "traplab lab grade: the lab is broken:\n%s\n", "traplab lab grade: la práctica está rota:\n%s\n" },
    { "  ZERO: %s", "  CERO: %s" },
    { "Graded %zu submissions in %.2f s (%.1f per second, %u jobs); mean %.0f%%, %zu zeroed\n",
      "Calificadas %zu entregas en %.2f s (%.1f por segundo, %u procesos); media %.0f%%, %zu con cero\n" },
    { "expected one or more CSV files", "se esperaban uno o más ficheros CSV" },
    { "traplab lab merge: %s:%u: line too long\n", "traplab lab merge: %s:%u: línea demasiado larga\n" },
    { "traplab lab merge: %s:1: not a 'traplab lab grade --csv' file (the header should be %s)\n",
      "traplab lab merge: %s:1: no es un fichero de 'traplab lab grade --csv' (la cabecera debería ser %s)\n" },
    { "traplab lab merge: %s:%u: not a row of 'traplab lab grade --csv'\n",
      "traplab lab merge: %s:%u: no es una fila de 'traplab lab grade --csv'\n" },
    { "traplab lab merge: out of memory\n", "traplab lab merge: memoria agotada\n" },
    { "traplab lab merge: %s:%u: lab '%s', but %s has lab '%s'\n",
      "traplab lab merge: %s:%u: práctica '%s', pero %s tiene la práctica '%s'\n" },
    { "traplab lab merge: %s: empty file\n", "traplab lab merge: %s: fichero vacío\n" },
    { "traplab lab merge: student '%s' is in %s and in %s\n",
      "traplab lab merge: el estudiante '%s' está en %s y en %s\n" },
    { "traplab lab merge: %zu students from %d files\n",
      "traplab lab merge: %zu estudiantes de %d ficheros\n" },
    { "traplab lab run: lab %s has no scenario to open\n",
      "traplab lab run: la práctica %s no tiene escenario que abrir\n" },
    { "traplab lab run: out of memory\n", "traplab lab run: memoria agotada\n" },
    { "traplab lab run: cannot make a temporary folder: %s\n",
      "traplab lab run: no se puede crear una carpeta temporal: %s\n" },
    { "traplab lab run: cannot write a VM's guest kernel: %s\n",
      "traplab lab run: no se puede escribir el núcleo invitado de una VM: %s\n" },
    { "traplab lab run: could not start 'traplab tui' (is the terminal UI built in?)\n",
      "traplab lab run: no se pudo arrancar 'traplab tui' (¿está compilada la interfaz de terminal?)\n" },
    { "unknown subcommand '%s'", "suborden desconocida '%s'" },

    /* asm, disasm, isa, tui, the guests, --plot */
    { "%d error; no image written\n", "%d error; no se escribió ninguna imagen\n" },
    { "%d errors; no image written\n", "%d errores; no se escribió ninguna imagen\n" },
    { "--color takes always, never or auto, not '%s'", "--color admite always, never o auto, no '%s'" },
    { "--guest takes one kernel, not a list ('%s'): give one --guest per kernel (VM i runs guest i), "
      "e.g. --guest kernel --guest rogue.s, or one VM's own with --vm 1:guest=rogue.s",
      "--guest admite un núcleo, no una lista ('%s'): da un --guest por núcleo (la VM i ejecuta el "
      "invitado i), p. ej. --guest kernel --guest rogue.s, o el de una VM con --vm 1:guest=rogue.s" },
    { "--mem needs a multiple of 4096 from 4096 to %u, not '%s'",
      "--mem necesita un múltiplo de 4096 de 4096 a %u, no '%s'" },
    { "--plot writes FILE.svg or FILE.png, not '%s'", "--plot escribe FICHERO.svg o FICHERO.png, no '%s'" },
    { "--program needs at least one workload", "--program necesita al menos una carga" },
    { "--vm %u:guest=%s: there are only %u VMs (numbered from 0; --vms N gives more)",
      "--vm %u:guest=%s: solo hay %u VMs (numeradas desde 0; --vms N da más)" },
    { "--vm N:guest=KERNEL gives one VM its own kernel: the others need --guest KERNEL too",
      "--vm N:guest=NÚCLEO da a una VM su propio núcleo: las demás también necesitan --guest NÚCLEO" },
    { "--vms needs a number from 1 to %d, not '%s'", "--vms necesita un número de 1 a %d, no '%s'" },
    { "--vms needs a number from 1 to 16, not '%s'", "--vms necesita un número de 1 a 16, no '%s'" },
    { "at most %d workloads", "como mucho %d cargas" },
    { "give either --check or --editor, not both", "da --check o --editor, no los dos" },
    { "give either PROGRAM or --guest/--program, not both", "da PROGRAMA o --guest/--program, no los dos" },
    { "give exactly one image file", "da exactamente un fichero de imagen" },
    { "the hypervisor needs both --guest KERNEL and --program WORKLOAD",
      "el hipervisor necesita --guest NÚCLEO y --program CARGA" },
    { "too many -D options", "demasiadas opciones -D" },
    { "unknown editor '%s' (vim, vim-ftdetect, emacs or textmate)",
      "editor desconocido '%s' (vim, vim-ftdetect, emacs o textmate)" },
    { "no source file given", "no se dio ningún fuente" },
    { "give exactly one source file", "da exactamente un fuente" },
    { "missing PROGRAM", "falta PROGRAMA" },
    { "one PROGRAM only", "un solo PROGRAMA" },
    { "program", "programa" },
    { "kernel", "núcleo" },
    { "traplab %s: too many -D options\n", "traplab %s: demasiadas opciones -D\n" },
    { "traplab %s: no guest %s '%s' (looked for guest/%s.s here, in $TRAPLAB_GUEST_DIR, $TRAPLAB_HOME "
      "or where traplab is installed)\n",
      "traplab %s: no hay %s invitado '%s' (se buscó guest/%s.s aquí, en $TRAPLAB_GUEST_DIR, en "
      "$TRAPLAB_HOME y donde está instalado traplab)\n" },
    { "traplab tui: cannot create the machine (out of memory?)\n",
      "traplab tui: no se puede crear la máquina (¿memoria agotada?)\n" },
    { "traplab tui: out of memory\n", "traplab tui: memoria agotada\n" },
    { "traplab tui: standard input and output must be a terminal (use 'traplab run' or 'traplab vm' "
      "for a batch run)\n",
      "traplab tui: la entrada y la salida estándar deben ser un terminal (usa 'traplab run' o "
      "'traplab vm' para una ejecución por lotes)\n" },
    { "traplab tui: the terminal (TERM=%s) cannot move the cursor; run it in a terminal emulator "
      "such as xterm\n",
      "traplab tui: el terminal (TERM=%s) no puede mover el cursor; ejecútalo en un emulador de "
      "terminal como xterm\n" },
    { "traplab tui: this traplab is built without the hypervisor\n",
      "traplab tui: este traplab está compilado sin el hipervisor\n" },
    { "overhead against native (%)", "sobrecosto frente a nativo (%)" },
    { "VM exits per 1,000 guest instructions", "salidas de la VM por cada 1.000 instrucciones del invitado" },
    { "traplab %s: --plot needs gnuplot, and '%s' could not be run (%s); install the gnuplot-nox "
      "package (scripts/install-deps.sh does)\n",
      "traplab %s: --plot necesita gnuplot, y no se pudo ejecutar '%s' (%s); instala el paquete "
      "gnuplot-nox (scripts/install-deps.sh lo hace)\n" },
    { "traplab %s: --plot: cannot make a temporary folder: %s\n",
      "traplab %s: --plot: no se puede crear una carpeta temporal: %s\n" },
    { "traplab %s: --plot: cannot write in %s: %s\n", "traplab %s: --plot: no se puede escribir en %s: %s\n" },
    { "traplab %s: --plot: gnuplot failed (see its message above)\n",
      "traplab %s: --plot: gnuplot falló (mira su mensaje arriba)\n" },
    { "traplab %s: --plot: gnuplot wrote nothing to %s\n", "traplab %s: --plot: gnuplot no escribió nada en %s\n" },
    { "traplab %s: --plot: nothing to plot\n", "traplab %s: --plot: no hay nada que dibujar\n" },

    /* --help: every command's help (the English is the source's, byte for byte) */
    { "usage: traplab run IMAGE|SOURCE.s [options]\n"
      "       traplab run --restore FILE [options]\n\n"
      "Runs IMAGE (a .tlo image, or a .s source assembled first) on the bare machine:\n"
      "ring 0, paging and interrupts off, pc at the image's entry point.  The guest's\n"
      "console output goes to stdout as it happens.\n\n"
      "  --max-steps N     stop after N instructions (default %llu; 0 = no limit)\n"
      "  --profile NAME    strict (default) or legacy (pushf, popf, smsw, sidt run\n"
      "                    unprivileged, like x86)\n"
      "  --trace           one line per trap or interrupt on stderr\n"
      "  --trace=insn      also one line per instruction, with the registers it wrote\n"
      "  --save-at N FILE  after N instructions, save a snapshot of the machine to FILE\n"
      "                    (the run goes on)\n"
      "  --restore FILE    go on from a snapshot (instead of IMAGE): its console output\n"
      "                    so far is printed first, so the output is the whole run's\n"
      "  --stats           instructions, cycles, TLB and traps by cause on stderr\n"
      "  --json            after the run, print the result, stats and console output\n"
      "                    as one JSON object on stdout (console output is then not\n"
      "                    echoed)\n"
      "  --csv             the same numbers as a CSV header and one row on stdout\n"
      "                    (console output is then not echoed)\n"
      "  --input TEXT      queue TEXT as console input\n"
      "  -I DIR            for a source: search DIR for .include files\n"
      "  -D NAME[=VALUE]   for a source: define NAME (as traplab asm -D)\n"
      "  -h, --help        this help\n\n"
      "Exit status: 0 when the program halts, 1 on a fatal fault, the step limit or a\n"
      "bad image, 2 on a usage error.\n",
      "uso: traplab run IMAGEN|FUENTE.s [opciones]\n"
      "     traplab run --restore FICHERO [opciones]\n\n"
      "Ejecuta IMAGEN (una imagen .tlo, o un fuente .s que antes se ensambla) en la máquina\n"
      "sin hipervisor: anillo 0, paginación e interrupciones desactivadas, pc en el punto de\n"
      "entrada de la imagen.  La salida de la consola del invitado va a stdout según se\n"
      "produce.\n\n"
      "  --max-steps N     se detiene tras N instrucciones (por omisión %llu; 0 = sin límite)\n"
      "  --profile NOMBRE  strict (por omisión) o legacy (pushf, popf, smsw, sidt se ejecutan\n"
      "                    sin privilegio, como en x86)\n"
      "  --trace           una línea por trampa o interrupción en stderr\n"
      "  --trace=insn      además una línea por instrucción, con los registros que escribió\n"
      "  --save-at N FICHERO  tras N instrucciones, guarda una instantánea de la máquina en\n"
      "                    FICHERO (la ejecución sigue)\n"
      "  --restore FICHERO sigue desde una instantánea (en lugar de IMAGEN): primero se imprime\n"
      "                    su salida de consola hasta ese punto, así que la salida es la de\n"
      "                    toda la ejecución\n"
      "  --stats           instrucciones, ciclos, TLB y trampas por causa en stderr\n"
      "  --json            tras la ejecución, imprime el resultado, las estadísticas y la\n"
      "                    salida de la consola como un objeto JSON en stdout (entonces la\n"
      "                    salida de la consola no se repite)\n"
      "  --csv             los mismos números como una cabecera CSV y una fila en stdout\n"
      "                    (entonces la salida de la consola no se repite)\n"
      "  --input TEXTO     pone TEXTO en cola como entrada de la consola\n"
      "  -I DIR            para un fuente: busca en DIR los ficheros de .include\n"
      "  -D NOMBRE[=VALOR] para un fuente: define NOMBRE (como traplab asm -D)\n"
      "  -h, --help        esta ayuda\n\n"
      "Estado de salida: 0 cuando el programa termina (halt), 1 ante un fallo fatal, el límite\n"
      "de pasos o una imagen incorrecta, 2 ante un error de uso.\n" },
    { "usage: traplab asm FILE.s [-o FILE.tlo] [-l FILE.lst] [-I DIR]... [-D NAME[=VALUE]]...\n"
      "\n"
      "Assembles FILE.s into an image (default: FILE.tlo beside the source).\n"
      "\n"
      "  -o, --output FILE    write the image to FILE\n"
      "  -l, --listing FILE   write a listing (address, encoding, source line); '-' = stdout\n"
      "  -I, --include DIR    search DIR for .include files (after the including file's folder)\n"
      "  -D, --define N[=V]   define symbol N as V (default 1), visible to .ifdef and expressions\n"
      "      --color[=WHEN]   colour diagnostics: always, never, auto (a terminal, and\n"
      "                       NO_COLOR unset; default: never)\n"
      "  -h, --help           show this help\n"
      "\n"
      "Exit status: 0 assembled, 1 errors in the source, 2 usage error.\n"
      "The language is described in docs/asm.md.\n",
      "uso: traplab asm FICHERO.s [-o FICHERO.tlo] [-l FICHERO.lst] [-I DIR]...\n"
      "                          [-D NOMBRE[=VALOR]]...\n\n"
      "Ensambla FICHERO.s en una imagen (por omisión: FICHERO.tlo junto al fuente).\n\n"
      "  -o, --output FICHERO   escribe la imagen en FICHERO\n"
      "  -l, --listing FICHERO  escribe un listado (dirección, codificación, línea del fuente);\n"
      "                         '-' = stdout\n"
      "  -I, --include DIR      busca en DIR los ficheros de .include (tras la carpeta del\n"
      "                         fichero que los incluye)\n"
      "  -D, --define N[=V]     define el símbolo N como V (por omisión 1), visible para .ifdef\n"
      "                         y las expresiones\n"
      "      --color[=CUÁNDO]   colorea los diagnósticos: always, never, auto (un terminal, y\n"
      "                         NO_COLOR sin definir; por omisión: never)\n"
      "  -h, --help             muestra esta ayuda\n\n"
      "Estado de salida: 0 si se ensambló, 1 si hay errores en el fuente, 2 ante un error de\n"
      "uso. El lenguaje se describe en docs/asm.md.\n" },
    { "usage: traplab disasm FILE.tlo\n"
      "\n"
      "Prints every segment of the image as assembly: symbol labels, instructions with\n"
      "branch targets named after symbols (main+0x8), and comments with the address,\n"
      "the encoding and the source file:line. The output reassembles with 'traplab asm'.\n"
      "\n"
      "  -h, --help   show this help\n",
      "uso: traplab disasm FICHERO.tlo\n\n"
      "Imprime cada segmento de la imagen como ensamblador: etiquetas de los símbolos,\n"
      "instrucciones con los destinos de salto nombrados por símbolos (main+0x8), y\n"
      "comentarios con la dirección, la codificación y el fichero:línea del fuente. La salida\n"
      "se vuelve a ensamblar con 'traplab asm'.\n\n"
      "  -h, --help   muestra esta ayuda\n" },
    { "usage: traplab vm --guest KERNEL --program WORKLOAD[,WORKLOAD...] [options]\n\n"
      "Runs the guest kernel KERNEL with the user program WORKLOAD in each VM under the\n"
      "trap-and-emulate hypervisor: the kernel runs deprivileged in ring 1, every\n"
      "privileged instruction traps and is emulated, user traps are reflected into the\n"
      "guest kernel, memory is virtualized with shadow page tables.  KERNEL and WORKLOAD\n"
      "are short names (kernel; cpu, sys, io, mm: guest/NAME.s) or paths to .s / .tlo\n"
      "files.  With several workloads, VM i runs workload i modulo their number.\n\n"
      "  --vms N           number of VMs, 1 to %d (default 1)\n"
      "  --guest KERNEL    again for another kernel: VM i runs guest i modulo their number\n"
      "  --vm N:guest=K    VM N (from 0) runs kernel K (a rogue kernel beside good ones)\n"
      "  -I DIR            search DIR for the guests' .include files (layout.s)\n"
      "  --save-at N FILE  after N instructions (of the real machine), save a snapshot of\n"
      "                    the VMM and its VMs to FILE; the run goes on\n"
      "  --restore FILE    go on from a snapshot (instead of --guest and --program; no\n"
      "                    native comparison: the snapshot holds no sources)\n"
      "  --host TYPE       type1 (default: the VMM handles every exit), type2 (hosted:\n"
      "                    a kernel-resident monitor handles CPU and MMU exits, device\n"
      "                    I/O and host interrupts go to a user-mode VMM process) or\n"
      "                    type2-user (every exit goes to the user-mode VMM process)\n"
      "  --profile NAME    strict (default) or legacy (pushf, popf, smsw, sidt do not\n"
      "                    trap: the VMM counts the equivalence violations)\n"
      "  --slice CYCLES    time slice of a VM on the real timer (default %u)\n"
      "  --mem BYTES       guest-physical memory per VM (default %u)\n"
      "  --cost NAME=VAL   set a cost parameter in cycles (repeatable; see\n"
      "                    --list-costs and docs/costs.md)\n"
      "  --list-costs      print every cost parameter with its value and meaning\n"
      "  --cpu NAME        VM exit and entry costs of one VT-x generation: p4, core2,\n"
      "                    sandybridge or default (a later --cost overrides them)\n"
      "  --list-cpus       print the --cpu profiles and the costs each one sets\n"
      "  --design NAME     full (default: trap-and-emulate, shadow page tables), para or\n"
      "                    bt (binary translation of the guest kernel's code; docs/vmm.md)\n"
      "                    or hw (hardware-assisted: guest mode, nested paging; docs/vmm.md)\n"
      "                    or hw-shadow (guest mode without nested paging: shadow page\n"
      "                    tables, as the first VT-x processors; docs/vmm.md)\n"
      "  --show-block ADDR with --design bt: after the run, VM 0's kernel block at ADDR as\n"
      "                    the translator makes it, beside the original (on stderr)\n"
      "  --exit-on LIST    hw: also exit on these privileged instructions or trap causes\n"
      "                    (mfcr,mtcr,iret,ei,di,tlbflush,pushf,popf,smsw,sidt,syscall,\n"
      "                    page_fault,...); in, out, halt, wfi and the timer always exit\n"
      "  --para            the same as --design para: the kernel is assembled with -D\n"
      "                    PARAVIRT (hypercalls instead of trapping instructions,\n"
      "                    docs/hypercalls.md); the native reference still runs the\n"
      "                    unmodified kernel\n"
      "  -D NAME[=VALUE]   define a symbol when assembling .s guests (e.g. BATCH=4)\n"
      "  --max-steps N     stop after N real instructions, counting every VM (default\n"
      "                    %llu per VM; 0 = no limit)\n"
      "  --no-native       do not run the guest natively (no overhead, no equivalence\n"
      "                    check)\n"
      "  --native          run the guest on the bare machine instead (no VMM), with the\n"
      "                    same loader: the reference for equivalence (one workload;\n"
      "                    --vms, --host and --design are usage errors)\n"
      "  --trace           one line per exit, step, injection and VM switch on stderr\n"
      "  --stats           per-VM and total statistics on stderr\n"
      "  --json            print the results as one JSON object on stdout\n"
      "  --csv             one CSV line per VM and one for the total on stdout\n"
      "  --plot FILE       draw each VM's overhead and exits per 1000 instructions into\n"
      "                    FILE.svg or FILE.png (with gnuplot; docs/json.md)\n"
      "  -h, --help        this help\n\n"
      "Each VM's console output is compared with the same workload run natively; a\n"
      "difference is reported (OUTPUT DIFFERS FROM NATIVE: Popek and Goldberg's\n"
      "equivalence is violated).\n\n"
      "Exit status: 0 when every VM halted with the native output, 1 when a VM failed,\n"
      "the step limit was reached, an output differed from native on the strict\n"
      "profile (on legacy the difference is the lesson: reported, exit 0) or the input\n"
      "is bad, 2 on a usage error.\n",
      "uso: traplab vm --guest NÚCLEO --program CARGA[,CARGA...] [opciones]\n\n"
      "Ejecuta el núcleo invitado NÚCLEO con el programa de usuario CARGA en cada VM bajo el\n"
      "hipervisor de atrapar y emular (trap and emulate): el núcleo se ejecuta sin privilegios\n"
      "en el anillo 1, toda instrucción privilegiada genera una trampa y se emula, las trampas\n"
      "de usuario se reflejan en el núcleo invitado y la memoria se virtualiza con tablas de\n"
      "páginas sombra.  NÚCLEO y CARGA son nombres cortos (kernel; cpu, sys, io, mm:\n"
      "guest/NOMBRE.s) o rutas de ficheros .s / .tlo.  Con varias cargas, la VM i ejecuta la\n"
      "carga i módulo su número.\n\n"
      "  --vms N           número de VMs, de 1 a %d (por omisión 1)\n"
      "  --guest NÚCLEO    otra vez para otro núcleo: la VM i ejecuta el invitado i módulo su\n"
      "                    número\n"
      "  --vm N:guest=K    la VM N (desde 0) ejecuta el núcleo K (un núcleo malicioso junto a\n"
      "                    otros correctos)\n"
      "  -I DIR            busca en DIR los ficheros de .include de los invitados (layout.s)\n"
      "  --save-at N FICHERO  tras N instrucciones (de la máquina real), guarda una instantánea\n"
      "                    del VMM y sus VMs en FICHERO; la ejecución sigue\n"
      "  --restore FICHERO sigue desde una instantánea (en lugar de --guest y --program; sin\n"
      "                    comparación nativa: la instantánea no guarda los fuentes)\n"
      "  --host TIPO       type1 (por omisión: el VMM atiende cada salida), type2 (alojado: un\n"
      "                    monitor en el núcleo atiende las salidas de CPU y MMU, la E/S de\n"
      "                    dispositivos y las interrupciones del anfitrión van a un proceso VMM\n"
      "                    en modo usuario) o type2-user (toda salida va al proceso VMM en modo\n"
      "                    usuario)\n"
      "  --profile NOMBRE  strict (por omisión) o legacy (pushf, popf, smsw, sidt no generan\n"
      "                    trampa: el VMM cuenta las violaciones de la equivalencia)\n"
      "  --slice CICLOS    porción de tiempo de una VM en el temporizador real (por omisión %u)\n"
      "  --mem BYTES       memoria física del invitado por VM (por omisión %u)\n"
      "  --cost NOMBRE=VAL fija un parámetro de costo en ciclos (repetible; mira --list-costs y\n"
      "                    docs/costs.md)\n"
      "  --list-costs      imprime cada parámetro de costo con su valor y su significado\n"
      "  --cpu NOMBRE      costos de salida y entrada de la VM de una generación de VT-x: p4,\n"
      "                    core2, sandybridge o default (un --cost posterior los sustituye)\n"
      "  --list-cpus       imprime los perfiles de --cpu y los costos que fija cada uno\n"
      "  --design NOMBRE   full (por omisión: atrapar y emular, tablas de páginas sombra), para\n"
      "                    o bt (traducción binaria del código del núcleo invitado;\n"
      "                    docs/vmm.md) o hw (asistido por hardware: modo invitado, paginación\n"
      "                    anidada; docs/vmm.md) o hw-shadow (modo invitado sin paginación\n"
      "                    anidada: tablas de páginas sombra, como los primeros procesadores\n"
      "                    con VT-x; docs/vmm.md)\n"
      "  --show-block DIRECCIÓN\n"
      "                    con --design bt: tras la ejecución, el bloque del núcleo de la VM 0\n"
      "                    en DIRECCIÓN tal como lo genera el traductor, junto al original (en\n"
      "                    stderr)\n"
      "  --exit-on LISTA   hw: sale también con estas instrucciones privilegiadas o causas de\n"
      "                    trampa (mfcr,mtcr,iret,ei,di,tlbflush,pushf,popf,smsw,sidt,syscall,\n"
      "                    page_fault,...); in, out, halt, wfi y el temporizador siempre salen\n"
      "  --para            lo mismo que --design para: el núcleo se ensambla con -D PARAVIRT\n"
      "                    (hiperllamadas en lugar de instrucciones que generan trampa,\n"
      "                    docs/hypercalls.md); la referencia nativa sigue ejecutando el núcleo\n"
      "                    sin modificar\n"
      "  -D NOMBRE[=VALOR] define un símbolo al ensamblar los invitados .s (p. ej. BATCH=4)\n"
      "  --max-steps N     se detiene tras N instrucciones reales, contando todas las VMs (por\n"
      "                    omisión %llu por VM; 0 = sin límite)\n"
      "  --no-native       no ejecuta el invitado de forma nativa (sin sobrecosto ni\n"
      "                    comprobación de la equivalencia)\n"
      "  --native          ejecuta en cambio el invitado en la máquina sin hipervisor (sin\n"
      "                    VMM), con el mismo cargador: la referencia de la equivalencia (una\n"
      "                    carga; --vms, --host y --design son errores de uso)\n"
      "  --trace           una línea por salida, paso, inyección y cambio de VM en stderr\n"
      "  --stats           estadísticas por VM y totales en stderr\n"
      "  --json            imprime los resultados como un objeto JSON en stdout\n"
      "  --csv             una línea CSV por VM y una para el total en stdout\n"
      "  --plot FICHERO    dibuja el sobrecosto y las salidas por cada 1000 instrucciones de\n"
      "                    cada VM en FICHERO.svg o FICHERO.png (con gnuplot; docs/json.md)\n"
      "  -h, --help        esta ayuda\n\n"
      "La salida de la consola de cada VM se compara con la de la misma carga ejecutada de\n"
      "forma nativa; una diferencia se informa (LA SALIDA DIFIERE DE LA NATIVA: se viola la\n"
      "equivalencia de Popek y Goldberg).\n\n"
      "Estado de salida: 0 cuando todas las VMs terminaron con la salida nativa, 1 cuando una\n"
      "VM falló, se alcanzó el límite de pasos, una salida difirió de la nativa en el perfil\n"
      "strict (en legacy la diferencia es la lección: se informa, y sale con 0) o la entrada\n"
      "es incorrecta, 2 ante un error de uso.\n" },
    { "usage: traplab compare [options]\n\n"
      "Runs each workload natively, under full virtualization (the unmodified guest\n"
      "kernel, trap-and-emulate), under binary translation (the unmodified kernel's code\n"
      "translated, bt), under hardware-assisted virtualization (the unmodified kernel in\n"
      "guest mode, nested paging, hw; without nested paging, as the first VT-x, hw-shadow)\n"
      "and under paravirtualization (the same kernel\n"
      "assembled with -D PARAVIRT: hypercalls), on a Type-1 and a Type-2 host, and prints\n"
      "simulated\n"
      "cycles, the overhead against native, exits per 1000 guest instructions, the top\n"
      "exit causes and a bar chart.  Deterministic: simulated time only.\n\n"
      "  --workloads LIST  comma-separated: cpu, sys, io, mm (default all four), mix (a\n"
      "                    compiler-like mix of computation and kernel work) or .s files\n"
      "  --host LIST       type1,type2 (default both); also type2-user (every exit to\n"
      "                    the user-mode VMM process)\n"
      "  --designs LIST    which designs, in this order: full, bt, hw, para (the default)\n"
      "                    or hw-shadow (hw without nested paging); native always runs\n"
      "  --exit-on LIST    the hw design's extra exit controls (traplab vm --help)\n"
      "  --vms N           run N copies of each workload side by side (default 1); the\n"
      "                    overhead is against N native runs\n"
      "  --batch N         sectors (io) and pages (mm) per system call: 1, 2, 4 or 8\n"
      "                    (default 1); batching cuts exits, most of all paravirtualized\n"
      "  --cost NAME=VAL   set a cost parameter (repeatable; --list-costs names them)\n"
      "  --list-costs      print every cost parameter with its value and meaning\n"
      "  --cpu NAME        VM exit and entry costs of one VT-x generation: p4, core2,\n"
      "                    sandybridge or default (a later --cost overrides them)\n"
      "  --list-cpus       print the --cpu profiles and the costs each one sets\n"
      "  -D NAME[=VALUE]   define a symbol for every guest (defaults: %s for all,\n"
      "                    %s for cpu; a -D of the same name wins)\n"
      "  --json            one JSON object with every row on stdout\n"
      "  --csv             one CSV line per row on stdout\n"
      "  --plot FILE       also draw the overhead and exits per 1000 instructions of\n"
      "                    every workload, design and host into FILE.svg or FILE.png\n"
      "                    (with gnuplot; docs/compare.md)\n"
      "  -h, --help        this help\n\n"
      "Exit status: 0 when every run halted with the native output, 1 otherwise, 2 on a\n"
      "usage error.\n",
      "uso: traplab compare [opciones]\n\n"
      "Ejecuta cada carga de forma nativa, con virtualización completa (el núcleo invitado sin\n"
      "modificar, atrapar y emular), con traducción binaria (el código del núcleo sin\n"
      "modificar, traducido: bt), con virtualización asistida por hardware (el núcleo sin\n"
      "modificar en modo invitado, con paginación anidada: hw; sin paginación anidada, como la\n"
      "primera VT-x: hw-shadow) y con paravirtualización (el mismo núcleo ensamblado con -D\n"
      "PARAVIRT: hiperllamadas), sobre un anfitrión de tipo 1 y uno de tipo 2, e imprime los\n"
      "ciclos simulados, el sobrecosto frente a nativo, las salidas por cada 1000\n"
      "instrucciones del invitado, las causas de salida principales y un gráfico de barras.\n"
      "Determinista: solo tiempo simulado.\n\n"
      "  --workloads LISTA separadas por comas: cpu, sys, io, mm (por omisión las cuatro), mix\n"
      "                    (una mezcla de cálculo y trabajo del núcleo, como la de un\n"
      "                    compilador) o ficheros .s\n"
      "  --host LISTA      type1,type2 (por omisión los dos); también type2-user (toda salida\n"
      "                    va al proceso VMM en modo usuario)\n"
      "  --designs LISTA   qué diseños, en este orden: full, bt, hw, para (por omisión) o\n"
      "                    hw-shadow (hw sin paginación anidada); nativo se ejecuta siempre\n"
      "  --exit-on LISTA   los controles de salida adicionales del diseño hw (traplab vm\n"
      "                    --help)\n"
      "  --vms N           ejecuta N copias de cada carga a la vez (por omisión 1); el\n"
      "                    sobrecosto es frente a N ejecuciones nativas\n"
      "  --batch N         sectores (io) y páginas (mm) por llamada al sistema: 1, 2, 4 u 8\n"
      "                    (por omisión 1); la agrupación (batching) reduce las salidas, sobre\n"
      "                    todo paravirtualizada\n"
      "  --cost NOMBRE=VAL fija un parámetro de costo (repetible; --list-costs los nombra)\n"
      "  --list-costs      imprime cada parámetro de costo con su valor y su significado\n"
      "  --cpu NOMBRE      costos de salida y entrada de la VM de una generación de VT-x: p4,\n"
      "                    core2, sandybridge o default (un --cost posterior los sustituye)\n"
      "  --list-cpus       imprime los perfiles de --cpu y los costos que fija cada uno\n"
      "  -D NOMBRE[=VALOR] define un símbolo para cada invitado (por omisión: %s para todos, %s\n"
      "                    para cpu; gana un -D del mismo nombre)\n"
      "  --json            un objeto JSON con todas las filas en stdout\n"
      "  --csv             una línea CSV por fila en stdout\n"
      "  --plot FICHERO    dibuja además el sobrecosto y las salidas por cada 1000\n"
      "                    instrucciones de cada carga, diseño y anfitrión en FICHERO.svg o\n"
      "                    FICHERO.png (con gnuplot; docs/compare.md)\n"
      "  -h, --help        esta ayuda\n\n"
      "Estado de salida: 0 cuando todas las ejecuciones terminaron con la salida nativa, 1 si\n"
      "no, 2 ante un error de uso.\n" },
    { "usage: traplab isa [--check] [--profile strict|legacy] [--editor KIND]\n\n"
      "Without options, prints the ISA reference as Markdown (docs/isa.md is this output).\n\n"
      "  --check            print Popek and Goldberg's verdict for the profile: which\n"
      "                     instructions are sensitive, which privileged, and the\n"
      "                     sensitive ones that are not; exit 0 when virtualizable, 1 not\n"
      "  --profile NAME     strict (default: every sensitive instruction traps) or\n"
      "                     legacy (x86-like flaws: pushf, popf, smsw, sidt do not)\n"
      "  --editor KIND      print syntax highlighting for the assembly language, made\n"
      "                     from this table: vim (syntax/traplab.vim), vim-ftdetect\n"
      "                     (ftdetect/traplab.vim), emacs (traplab-mode.el) or textmate\n"
      "                     (a TextMate / VS Code grammar, traplab.tmLanguage.json)\n"
      "  -h, --help         this help\n",
      "uso: traplab isa [--check] [--profile strict|legacy] [--editor TIPO]\n\n"
      "Sin opciones, imprime la referencia de la ISA en Markdown (docs/isa.md es esta salida).\n\n"
      "  --check            imprime el veredicto de Popek y Goldberg para el perfil: qué\n"
      "                     instrucciones son sensibles, cuáles privilegiadas, y las sensibles\n"
      "                     que no lo son; sale con 0 si es virtualizable, con 1 si no\n"
      "  --profile NOMBRE   strict (por omisión: toda instrucción sensible genera trampa) o\n"
      "                     legacy (defectos al estilo de x86: pushf, popf, smsw, sidt no la\n"
      "                     generan)\n"
      "  --editor TIPO      imprime el resaltado de sintaxis del lenguaje ensamblador, hecho a\n"
      "                     partir de esta tabla: vim (syntax/traplab.vim), vim-ftdetect\n"
      "                     (ftdetect/traplab.vim), emacs (traplab-mode.el) o textmate (una\n"
      "                     gramática de TextMate / VS Code, traplab.tmLanguage.json)\n"
      "  -h, --help         esta ayuda\n" },
    { "usage: traplab tui PROGRAM.s|IMAGE [options]\n"
      "       traplab tui --guest KERNEL --program WORKLOAD[,WORKLOAD...] [--vms N]\n"
      "                   [--host type1|type2|type2-user] [--design NAME] [options]\n"
      "\n"
      "Step through a program and its traps in a terminal UI: registers, code\n"
      "with source lines, memory, the trap log with an explanation of each trap,\n"
      "statistics.  Keys: s step, n next, t run to the next trap (or violation),\n"
      "c continue, b breakpoint, r step back, R back to the previous trap, v next VM,\n"
      "g go to (symbol, sym+N, address), Tab focus, m memory view, e the whole\n"
      "explanation, L language, T tasks, : command line (break, watch, set, examine,\n"
      "info, delete, source, save; 'help' lists them), C reverse continue, w save\n"
      "a snapshot, ? help, q quit.\n"
      "\n"
      "The second form runs the guest kernel with the workloads in VMs under the\n"
      "trap-and-emulate hypervisor and logs every VM exit (KERNEL and WORKLOAD as\n"
      "for 'traplab vm': short names such as kernel, cpu, io, or paths).\n"
      "\n"
      "options:\n"
      "  --guest KERNEL            the guest kernel (hypervisor mode); give it again for\n"
      "                            another kernel: VM i runs guest i modulo their number\n"
      "  --vm N:guest=KERNEL       VM N (from 0) runs its own kernel (a rogue one beside good ones)\n"
      "  --program W[,W...]        the workloads; VM i runs workload i modulo their number\n"
      "  --vms N                   number of VMs (default: one per workload)\n"
      "  --host type1|type2        hosting model (default type1)\n"
      "  --design NAME             full (default), para, bt, hw or hw-shadow: the design\n"
      "  --cpu NAME                p4, core2, sandybridge: VM exit and entry costs of\n"
      "                            that VT-x generation (docs/costs.md)\n"
      "  --para                    the same as --design para: paravirtualized guests\n"
      "                            (assembled with PARAVIRT defined)\n"
      "  --profile strict|legacy   ISA profile (default strict)\n"
      "  --lang es|en              language of the explanations (default: from LANG)\n"
      "  --tasks FILE              a Tasks pane with FILE (UTF-8 text; a first line '# Title'\n"
      "                            is its title); T shows or hides it ('traplab lab run')\n"
      "  --mem BYTES               physical memory (default 16 MiB)\n"
      "  -x, --source FILE         run FILE's debugger commands as the UI opens (break, watch, ...)\n"
      "  --ascii                   ASCII line drawing\n"
      "  --mono                    no colour (NO_COLOR does the same)\n"
      "  -h, --help                this help\n",
      "uso: traplab tui PROGRAMA.s|IMAGEN [opciones]\n"
      "     traplab tui --guest NÚCLEO --program CARGA[,CARGA...] [--vms N]\n"
      "                 [--host type1|type2|type2-user] [--design NOMBRE] [opciones]\n\n"
      "Recorre paso a paso un programa y sus trampas en una interfaz de terminal: registros,\n"
      "código con las líneas del fuente, memoria, el registro de trampas con una explicación\n"
      "de cada una, estadísticas.  Teclas: s paso, n siguiente, t ejecuta hasta la próxima\n"
      "trampa (o violación), c continúa, b punto de interrupción, r paso atrás, R vuelve a la\n"
      "trampa anterior, v siguiente VM, g ir a (símbolo, símbolo+N, dirección), Tab foco, m\n"
      "vista de memoria, e la explicación entera, L idioma, T tareas, : línea de órdenes\n"
      "(break, watch, set, examine, info, delete, source, save; 'help' las lista), C continúa\n"
      "hacia atrás, w guarda una instantánea, ? ayuda, q salir.\n\n"
      "La segunda forma ejecuta el núcleo invitado con las cargas en VMs bajo el hipervisor de\n"
      "atrapar y emular y registra cada salida de la VM (NÚCLEO y CARGA como en 'traplab vm':\n"
      "nombres cortos como kernel, cpu, io, o rutas).\n\n"
      "opciones:\n"
      "  --guest NÚCLEO            el núcleo invitado (modo hipervisor); dalo otra vez para\n"
      "                            otro núcleo: la VM i ejecuta el invitado i módulo su número\n"
      "  --vm N:guest=NÚCLEO       la VM N (desde 0) ejecuta su propio núcleo (uno malicioso\n"
      "                            junto a otros correctos)\n"
      "  --program C[,C...]        las cargas; la VM i ejecuta la carga i módulo su número\n"
      "  --vms N                   número de VMs (por omisión: una por carga)\n"
      "  --host type1|type2        modelo de anfitrión (por omisión type1)\n"
      "  --design NOMBRE           full (por omisión), para, bt, hw o hw-shadow: el diseño\n"
      "  --cpu NOMBRE              p4, core2, sandybridge: costos de salida y entrada de la VM\n"
      "                            de esa generación de VT-x (docs/costs.md)\n"
      "  --para                    lo mismo que --design para: invitados paravirtualizados\n"
      "                            (ensamblados con PARAVIRT definido)\n"
      "  --profile strict|legacy   perfil de la ISA (por omisión strict)\n"
      "  --lang es|en              idioma de las explicaciones (por omisión: el de LANG)\n"
      "  --tasks FICHERO           un panel de Tareas con FICHERO (texto UTF-8; una primera\n"
      "                            línea '# Título' es su título); T lo muestra u oculta\n"
      "                            ('traplab lab run')\n"
      "  --mem BYTES               memoria física (por omisión 16 MiB)\n"
      "  -x, --source FICHERO      ejecuta las órdenes del depurador de FICHERO al abrirse la\n"
      "                            interfaz (break, watch, ...)\n"
      "  --ascii                   líneas dibujadas con ASCII\n"
      "  --mono                    sin color (NO_COLOR hace lo mismo)\n"
      "  -h, --help                esta ayuda\n" },
    { "usage: traplab lab list [--labs DIR] [--json | --csv FILE]\n\n"
      "Lists the labs with their titles, estimated times and points; --json as a JSON\n"
      "array, --csv FILE ('-' for stdout) as lab,title,minutes,points,status rows.\n",
      "uso: traplab lab list [--labs DIR] [--json | --csv FICHERO]\n\n"
      "Lista las prácticas con sus títulos, tiempos estimados y puntos; --json como un array\n"
      "JSON, --csv FICHERO ('-' para stdout) como filas lab,title,minutes,points,status.\n" },
    { "usage: traplab lab show LAB [--seed N | --student ID] [--submission DIR] [--key]\n\n"
      "Prints the lab's tasks and questions with your own numbers (they depend on the seed,\n"
      "which comes from --seed, --student, student.txt in the submission, or its folder name).\n"
      "--key (for instructors) prints instead the expected answers of the questions, as an\n"
      "answers file, computed by the lab for that seed (e.g. to refresh solution/answers.lua).\n",
      "uso: traplab lab show PRÁCTICA [--seed N | --student ID] [--submission DIR] [--key]\n\n"
      "Imprime las tareas y preguntas de la práctica con tus propios números (dependen de la\n"
      "semilla, que sale de --seed, de --student, del student.txt de la entrega o del nombre\n"
      "de su carpeta).  --key (para el profesorado) imprime en cambio las respuestas esperadas\n"
      "de las preguntas, como un fichero de respuestas, calculadas por la práctica para esa\n"
      "semilla (p. ej. para actualizar solution/answers.lua).\n" },
    { "usage: traplab lab check LAB [--submission DIR] [--seed N | --student ID] [--json]\n"
      "                           [--csv FILE] [--no-record] [--labs DIR]\n\n"
      "Grades one submission (default: the current folder): each question and check with\n"
      "PASS or FAIL, its points and, for a failure, the next hint (one more unlocks after each\n"
      "failed attempt; attempts are kept per student in $XDG_DATA_HOME/traplab/attempts,\n"
      "else ~/.local/share/traplab/attempts, so a fresh copy of the starter does not reset\n"
      "them; --no-record counts nothing).  --json prints it as one JSON object, --csv FILE\n"
      "('-' for stdout) as the row 'lab grade --csv' writes.  Exit status 0 only at full marks.\n",
      "uso: traplab lab check PRÁCTICA [--submission DIR] [--seed N | --student ID] [--json]\n"
      "                                [--csv FICHERO] [--no-record] [--labs DIR]\n\n"
      "Califica una entrega (por omisión: la carpeta actual): cada pregunta y comprobación con\n"
      "BIEN o MAL, sus puntos y, para un fallo, la pista siguiente (se desbloquea una más tras\n"
      "cada intento fallido; los intentos se guardan por estudiante en\n"
      "$XDG_DATA_HOME/traplab/attempts, si no en ~/.local/share/traplab/attempts, así que una\n"
      "copia nueva del material de partida no los reinicia; --no-record no cuenta nada).\n"
      "--json lo imprime como un objeto JSON, --csv FICHERO ('-' para stdout) como la fila que\n"
      "escribe 'lab grade --csv'.  Estado de salida 0 solo con la nota máxima.\n" },
    { "usage: traplab lab grade LAB --submissions DIR [--jobs N] [--csv FILE] [--junit FILE]\n"
      "                           [--canvas FILE] [--moodle FILE] [--assignment NAME]\n"
      "                           [--shard K/N] [--json] [--timeout S] [--labs DIR]\n"
      "       traplab lab grade LAB --submission DIR [--student ID] [--gradescope FILE]\n"
      "                           [--junit FILE] [--csv FILE]\n\n"
      "Grades every folder in DIR (one per student, named by student id), each in its own\n"
      "process under CPU, memory and wall-clock limits, N at a time (default: every core).\n"
      "A submission that crashes, hangs or breaks the sandbox scores zero with a reason.\n"
      "--csv writes one row per student: student,lab,seed,points,max,percent,status,reason\n"
      "(docs/grading.md).  --canvas and --moodle write the files Canvas's and Moodle's\n"
      "grade-book imports take (the student id as SIS Login ID, or as Username and ID\n"
      "number), with one grade column named NAME (default 'traplab LAB'; for an existing\n"
      "Canvas assignment, its exported name, 'Lab 01 (12345)').  --junit writes JUnit XML, one\n"
      "testsuite per student; --json prints a JSON array of 'lab check --json' objects\n"
      "instead of the table.  --shard K/N grades only the K-th of every N submissions (in\n"
      "name order), for spreading a class over N machines; 'traplab lab merge' joins the CSVs.\n"
      "The second form grades one submission in the same sandbox; --gradescope writes\n"
      "Gradescope's autograder results.json (the seed comes from --student, student.txt or\n"
      "the folder's name).\n",
      "uso: traplab lab grade PRÁCTICA --submissions DIR [--jobs N] [--csv FICHERO]\n"
      "                                [--junit FICHERO] [--canvas FICHERO] [--moodle FICHERO]\n"
      "                                [--assignment NOMBRE] [--shard K/N] [--json]\n"
      "                                [--timeout S] [--labs DIR]\n"
      "     traplab lab grade PRÁCTICA --submission DIR [--student ID] [--gradescope FICHERO]\n"
      "                                [--junit FICHERO] [--csv FICHERO]\n\n"
      "Califica cada carpeta de DIR (una por estudiante, con el id del estudiante como\n"
      "nombre), cada una en su propio proceso con límites de CPU, memoria y tiempo real, N a\n"
      "la vez (por omisión: tantas como núcleos de CPU).  Una entrega que falla, se cuelga o\n"
      "rompe el aislamiento (sandbox) obtiene un cero con un motivo.  --csv escribe una fila\n"
      "por estudiante: student,lab,seed,points,max,percent,status,reason (docs/grading.md).\n"
      "--canvas y --moodle escriben los ficheros que importan los libros de calificaciones de\n"
      "Canvas y de Moodle (el id del estudiante como SIS Login ID, o como Username e ID\n"
      "number), con una columna de nota llamada NOMBRE (por omisión 'traplab PRÁCTICA'; para\n"
      "una tarea que ya existe en Canvas, su nombre exportado, 'Lab 01 (12345)').  --junit\n"
      "escribe JUnit XML, un testsuite por estudiante; --json imprime un array JSON de objetos\n"
      "de 'lab check --json' en lugar de la tabla.  --shard K/N califica solo la K-ésima de\n"
      "cada N entregas (por orden de nombre), para repartir una clase entre N máquinas;\n"
      "'traplab lab merge' une los CSV.  La segunda forma califica una entrega en el mismo\n"
      "aislamiento; --gradescope escribe el results.json del autograder de Gradescope (la\n"
      "semilla sale de --student, del student.txt o del nombre de la carpeta).\n" },
    { "usage: traplab lab merge FILE.csv... [-o OUT.csv]\n\n"
      "Joins the CSVs of 'traplab lab grade --csv' (for instance one per machine, from\n"
      "--shard K/N) into one, sorted by student, on stdout or in OUT.csv.  Every file must\n"
      "have the same header and the same lab; a student graded twice is an error.\n",
      "uso: traplab lab merge FICHERO.csv... [-o SALIDA.csv]\n\n"
      "Une los CSV de 'traplab lab grade --csv' (por ejemplo uno por máquina, de --shard K/N)\n"
      "en uno, ordenado por estudiante, en stdout o en SALIDA.csv.  Todos los ficheros deben\n"
      "tener la misma cabecera y la misma práctica; un estudiante calificado dos veces es un\n"
      "error.\n" },
    { "usage: traplab lab run LAB [--submission DIR] [--seed N | --student ID] [--lang es|en]\n"
      "                         [--labs DIR]\n\n"
      "Opens the lab's scenario (built from your submission, else the starter) in the terminal\n"
      "UI ('traplab tui') with the lab's tasks, questions and handout tasks in a Tasks pane\n"
      "(T shows or hides it; Tab, then the arrows, scroll it), in the language of --lang\n"
      "(default: from LANG).  Step through it, then 'traplab lab check'.\n",
      "uso: traplab lab run PRÁCTICA [--submission DIR] [--seed N | --student ID] [--lang es|en]\n"
      "                              [--labs DIR]\n\n"
      "Abre el escenario de la práctica (construido a partir de tu entrega, si no del material\n"
      "de partida) en la interfaz de terminal ('traplab tui') con las tareas y preguntas de la\n"
      "práctica y las tareas del enunciado en un panel de Tareas (T lo muestra u oculta; Tab,\n"
      "y luego las flechas, lo desplazan), en el idioma de --lang (por omisión: el de LANG).\n"
      "Recórrelo paso a paso y después usa 'traplab lab check'.\n" },
    { "usage: traplab lab <subcommand> [<args>]\n\n",
      "uso: traplab lab <suborden> [<argumentos>]\n\n" },

    /* lab: the subcommands' summaries (lab --help) */
    { "list the labs with titles and estimated times", "lista las prácticas con sus títulos y tiempos estimados" },
    { "print a lab's tasks and questions with your numbers",
      "imprime las tareas y preguntas de una práctica con tus números" },
    { "grade one submission, with hints", "califica una entrega, con pistas" },
    { "grade a class in parallel into a CSV (or JUnit, or Gradescope's JSON)",
      "califica una clase en paralelo en un CSV (o JUnit, o el JSON de Gradescope)" },
    { "join the CSVs of several 'lab grade' runs (one per machine)",
      "une los CSV de varias ejecuciones de 'lab grade' (una por máquina)" },
    { "open the lab's scenario in the terminal UI", "abre el escenario de la práctica en la interfaz de terminal" },
    { "\nLabs live in ./labs, or --labs DIR, or $TRAPLAB_LABS. 'traplab lab <subcommand> --help'.\n",
      "\nLas prácticas están en ./labs, o en --labs DIR, o en $TRAPLAB_LABS. 'traplab lab <suborden> --help'.\n" },

    /* --list-cpus: the VMM's description of each --cpu profile (vmm/cpus.c) */
    { "traplab's round numbers (docs/costs.md)", "los números redondos de traplab (docs/costs.md)" },
    { "Pentium 4 with the first VT-x (Adams and Agesen 2006): a #PF exit 1,931, a VM entry 2,409",
      "Pentium 4 con la primera VT-x (Adams y Agesen 2006): una salida por #PF 1.931, una entrada en la VM 2.409" },
    { "Core 2 (Penryn): an estimate, the p4 round trip less 50%",
      "Core 2 (Penryn): una estimación, el viaje de ida y vuelta del p4 menos un 50%" },
    { "Sandy Bridge: an estimate, about 1,125 cycles a round trip",
      "Sandy Bridge: una estimación, unos 1.125 ciclos por viaje de ida y vuelta" },

    /* lab/report.c: the report a student reads */
    { "Lab %s: %s", "Práctica %s: %s" },
    { " (student %s, seed %llu)\n", " (estudiante %s, semilla %llu)\n" },
    { " (seed %llu)\n", " (semilla %llu)\n" },
    { "  ZERO  the submission cannot be graded:\n", "  CERO  la entrega no se puede calificar:\n" },
    { "PASS", "BIEN" },
    { "FAIL", "MAL " },
    { "        hint %zu/%zu: ", "        pista %zu/%zu: " },
    { "Total: %g/%g (%d%%)\n", "Total: %g/%g (%d%%)\n" },
    { "\nHint %zu: %s", "\nPista %zu: %s" },
    { "%s (%s), seed %llu%s%s", "%s (%s), semilla %llu%s%s" },
    { ": ZERO: ", ": CERO: " },
    { "the submission scores zero", "la entrega tiene un cero" },
    { "1 item failed on the memory limit: %s", "1 apartado falló por el límite de memoria: %s" },
    { "all %zu failed items hit the memory limit: %s",
      "los %zu apartados fallidos llegaron al límite de memoria: %s" },
};
const size_t cli_nmsgs_es = sizeof cli_msgs_es / sizeof cli_msgs_es[0];

/*
 * Lines composed in English below the command: the VMM's account of each
 * event (vmm/), a VM's or the machine's failure, the lab engine's verdicts
 * (lab/, lab/prelude.lua).  Tried in order, the first match wins: a longer
 * pattern goes before a shorter one it contains.
 */
const cli_msg cli_lines_es[] = {
    /* vmm/exit.c */
    { "%s [user-mode VMM process]", "%s [proceso VMM en modo usuario]" },
    { "%s [kernel-resident monitor, no world switch]", "%s [monitor en el núcleo, sin cambio de mundo]" },
    /* The VMM cuts its line at 143 bytes: the longest hw line loses the end of its note. */
    { "%s [kernel-resident monitor, no world sw", "%s [monitor en el núcleo, sin cambio de mundo]" },
    { "direct system call: the gate enters the guest kernel, no exit",
      "llamada al sistema directa: la puerta entra en el núcleo invitado, sin salida" },
    { "world switch: VMM driver hands the exit to the host kernel",
      "cambio de mundo: el controlador del VMM pasa la salida al núcleo anfitrión" },
    { "host kernel switches to the VMM user process",
      "el núcleo anfitrión cambia al proceso de usuario del VMM" },
    { "VMM process returns to the host kernel (ioctl)",
      "el proceso del VMM vuelve al núcleo anfitrión (ioctl)" },
    { "world switch back: the VMM driver resumes the guest",
      "cambio de mundo de vuelta: el controlador del VMM reanuda el invitado" },
    { "emulate %s into a guest page table, sync the shadow",
      "emular %s sobre una tabla de páginas del invitado, sincronizar la sombra" },
    { "emulate %s into a page of translated code (write-protected), drop what it overwrote",
      "emular %s sobre una página de código traducido (protegida contra escritura), descartar lo que sobrescribió" },
    { "emulate %s", "emular %s" },   /* after the longer "emulate %s into ..." */
    { "reflect %s into the guest kernel", "reflejar %s en el núcleo invitado" },
    { "hidden fault: fill the shadow page table for %s",
      "fallo oculto: rellenar la tabla de páginas sombra para %s" },
    { "hypercall %s (unknown)", "hiperllamada %s (desconocida)" },
    { "hypercall %s (%s)", "hiperllamada %s (%s)" },
    { "real timer: slice and virtual timer check",
      "temporizador real: porción de tiempo y comprobación del temporizador virtual" },
    { "unhandled trap %s at pc %s (the guest's tvb is 0)",
      "trampa %s sin atender en pc %s (el tvb del invitado es 0)" },
    { "double fault: the guest cannot fetch its trap vector at %s",
      "doble fallo: el invitado no puede leer su vector de trampas en %s" },
    /* vmm/hw.c */
    { "%s exit: emulate %s", "salida %s: emular %s" },
    { "%s exit: reflect into the guest kernel", "salida %s: reflejar en el núcleo invitado" },
    { "NESTED_FAULT exit: map guest-physical %s in the second stage",
      "salida NESTED_FAULT: mapear la memoria física del invitado %s en la segunda etapa" },
    { "HYPERCALL exit: hypercall %s (unknown)", "salida HYPERCALL: hiperllamada %s (desconocida)" },
    { "HYPERCALL exit: hypercall %s (%s)", "salida HYPERCALL: hiperllamada %s (%s)" },
    { "INTR_WINDOW exit: the guest turned interrupts on, deliver the pending one",
      "salida INTR_WINDOW: el invitado activó las interrupciones, entregar la pendiente" },
    { "INTERRUPT exit: real timer, slice and virtual timer check",
      "salida INTERRUPT: temporizador real, porción de tiempo y comprobación del temporizador virtual" },
    { "the guest cannot take its %s trap at pc %s (triple fault: tvb %s)",
      "el invitado no puede recibir su trampa %s en pc %s (triple fallo: tvb %s)" },
    { "page fault at %s outside guest mode (VMM bug)",
      "fallo de página en %s fuera del modo invitado (error del VMM)" },
    { "nested fault on a mapped page %s (VMM bug)", "fallo anidado en una página mapeada %s (error del VMM)" },
    { "vmenter refused the VM control block at %s (VMM bug)",
      "vmenter rechazó el bloque de control de la VM en %s (error del VMM)" },
    { "privileged-instruction trap at pc %s outside guest mode (VMM bug)",
      "trampa de instrucción privilegiada en pc %s fuera del modo invitado (error del VMM)" },
    /* vmm/bt.c */
    { "translate the block at %s: 1 instruction, %s replaced",
      "traducir el bloque en %s: 1 instrucción, %s sustituidas" },
    { "translate the block at %s: %s instructions, %s replaced",
      "traducir el bloque en %s: %s instrucciones, %s sustituidas" },
    { "sensitive %s at %s replaced by %s", "%s sensible en %s sustituida por %s" },
    { "inline code on the virtual CPU", "código en línea sobre la CPU virtual" },
    { "a callout into the VMM", "una llamada al VMM" },
    { "a callout that does the store and syncs the shadow (adaptive)",
      "una llamada que hace la escritura y sincroniza la sombra (adaptativa)" },
    { "guest wrote its code at %s: drop the translation of the block at %s",
      "el invitado escribió su código en %s: descartar la traducción del bloque en %s" },
    { "callout (adaptive): store %s against the virtual CPU, no trap",
      "llamada al VMM (adaptativa): escribir %s sobre la CPU virtual, sin trampa" },
    { "inline: emulate %s against the virtual CPU, no trap",
      "en línea: emular %s sobre la CPU virtual, sin trampa" },
    { "callout: emulate %s against the virtual CPU, no trap",
      "llamada al VMM: emular %s sobre la CPU virtual, sin trampa" },
    /* vmm/sched.c */
    { "start VM %s", "arrancar la VM %s" },
    { "switch from VM %s to VM %s", "cambiar de la VM %s a la VM %s" },
    { "inject a virtual timer interrupt", "inyectar una interrupción del temporizador virtual" },
    { "host runs its own processes (background share)",
      "el anfitrión ejecuta sus propios procesos (su parte de fondo)" },
    /* vmm/shadow.c, emulate.c */
    { "shadow pool full: start over", "reserva de sombras llena: empezar de nuevo" },
    { "guest turned paging on", "el invitado activó la paginación" },
    { "guest turned paging off", "el invitado desactivó la paginación" },
    { "guest switched address space (ptb)", "el invitado cambió de espacio de direcciones (ptb)" },
    { "sync: guest level-1 table written, shadow dropped",
      "sincronizar: se escribió una tabla de nivel 1 del invitado, se descarta la sombra" },
    { "sync: guest page-table entry written, shadow entry dropped",
      "sincronizar: se escribió una entrada de la tabla de páginas del invitado, se descarta la "
      "entrada sombra" },
    { "hidden page fault: fill a shadow entry", "fallo de página oculto: rellenar una entrada sombra" },
    { "unsupported write into a page table by '%s' at pc %s",
      "escritura no admitida en una tabla de páginas por '%s' en pc %s" },
    { "shadow page table out of step at %s (VMM bug)",
      "tabla de páginas sombra desfasada en %s (error del VMM)" },
    { "wfi at pc %s: the timer is stopped and no device interrupt is enabled, so nothing can wake the VM",
      "wfi en pc %s: el temporizador está parado y no hay ninguna interrupción de dispositivo "
      "activada, así que nada puede despertar la VM" },
    /* vmm/hcall.c, vdev.c */
    { "host write() of the buffer to the terminal", "write() del anfitrión del búfer al terminal" },
    { "host preadv()/pwritev() of the batch on the VM's disk image",
      "preadv()/pwritev() del anfitrión del lote sobre la imagen de disco de la VM" },
    { "host pread() on the VM's disk image", "pread() del anfitrión sobre la imagen de disco de la VM" },
    { "host pwrite() on the VM's disk image", "pwrite() del anfitrión sobre la imagen de disco de la VM" },
    { "host write() of one character to the terminal", "write() del anfitrión de un carácter al terminal" },
    /* vmm/legacy.c */
    { "pushf saves the real status (ring 1, real IE), not the virtual one",
      "pushf guarda el estado real (anillo 1, IE real), no el virtual" },
    { "smsw reads the real status: the guest kernel sees it runs in ring 1",
      "smsw lee el estado real: el núcleo invitado ve que se ejecuta en el anillo 1" },
    { "sidt reads the real trap vector base, not the guest's",
      "sidt lee la base real del vector de trampas, no la del invitado" },
    { "popf in ring 1 silently drops its ring change",
      "popf en el anillo 1 descarta sin avisar su cambio de anillo" },
    { "popf in ring 1 silently drops the guest's IE change (wanted interrupts on, they stay off)",
      "popf en el anillo 1 descarta sin avisar el cambio de IE del invitado (quería las interrupciones "
      "activadas, siguen desactivadas)" },
    { "popf in ring 1 silently drops the guest's IE change (wanted interrupts off, they stay on)",
      "popf en el anillo 1 descarta sin avisar el cambio de IE del invitado (quería las interrupciones "
      "desactivadas, siguen activadas)" },
    { "halted", "detenida" },
    /* vmm/cpus.c: a bad --cpu */
    { "unknown cpu '%s' (%s)", "cpu desconocida '%s' (%s)" },
    /* vmm/guest.c, hw.c, design.c: a bad --cost, --exit-on or --design */
    { "cost %s needs a whole number from 0 to %s (percent), not '%s'",
      "el costo %s necesita un número entero de 0 a %s (un porcentaje), no '%s'" },
    { "cost %s needs a whole number from 0 to %s, not '%s'",
      "el costo %s necesita un número entero de 0 a %s, no '%s'" },
    { "bad cost '%s': NAME=VALUE", "costo incorrecto '%s': NOMBRE=VALOR" },
    { "unknown cost '%s' (--list-costs shows the names)", "costo desconocido '%s' (--list-costs muestra los nombres)" },
    { "--exit-on: the list is too long", "--exit-on: la lista es demasiado larga" },
    { "--exit-on: an empty name in '%s'", "--exit-on: un nombre vacío en '%s'" },
    { "--exit-on: '%s' is neither a privileged instruction (mfcr, mtcr, iret, ei, di, tlbflush, pushf, popf, "
      "smsw, sidt, ...) nor a trap cause (syscall, page_fault, breakpoint, ...)",
      "--exit-on: '%s' no es una instrucción privilegiada (mfcr, mtcr, iret, ei, di, tlbflush, pushf, popf, "
      "smsw, sidt, ...) ni una causa de trampa (syscall, page_fault, breakpoint, ...)" },
    { "unknown design '%s' (%s)", "diseño desconocido '%s' (%s)" },
    { "design '%s' (%s) is not built into this traplab yet", "el diseño '%s' (%s) aún no está en este traplab" },
    /* machine/ (a fatal stop) */
    { "unhandled trap %s at pc %s (tvb is 0)", "trampa %s sin atender en pc %s (tvb es 0)" },
    { "double fault: cannot fetch the trap vector at %s (%s)",
      "doble fallo: no se puede leer el vector de trampas en %s (%s)" },
    { "wfi at pc %s: waiting for console input, but none is queued and the timer is stopped",
      "wfi en pc %s: espera entrada de la consola, pero no hay ninguna y el temporizador está parado" },
    { "wfi at pc %s: the timer is stopped and no device interrupt is enabled, so nothing can wake "
      "the machine",
      "wfi en pc %s: el temporizador está parado y no hay ninguna interrupción de dispositivo "
      "activada, así que nada puede despertar la máquina" },
    { "memory limit exceeded", "límite de memoria superado" },
    { "traplab.native: machine memory limit exceeded", "traplab.native: límite de memoria de la máquina superado" },
    /* lab/ and lab/prelude.lua: verdicts on an item or a submission */
    { "wrong answer", "respuesta incorrecta" },
    { "check failed", "la comprobación falló" },
    { "not graded", "sin calificar" },
    { "no answer given (add %s = ... to the answers file)",
      "no has dado respuesta (añade %s = ... al fichero de respuestas)" },
    { "the answer must be a number", "la respuesta debe ser un número" },
    { "the answer must be a list", "la respuesta debe ser una lista" },
    { "the answer must be a list of words or numbers", "la respuesta debe ser una lista de palabras o números" },
    { "the answer must be a word or a number", "la respuesta debe ser una palabra o un número" },
    { "internal error grading this item", "error interno al calificar este apartado" },
    { "time limit exceeded (%s s of wall-clock time for this item): an endless loop?",
      "límite de tiempo superado (%s s de tiempo real para este apartado): ¿un bucle infinito?" },
    { "CPU time limit exceeded (%s s for this item): an endless loop?",
      "límite de tiempo de CPU superado (%s s para este apartado): ¿un bucle infinito?" },
    { "grading this item crashed (signal %s)", "la calificación de este apartado falló (señal %s)" },
    { "grading this item failed (exit status %s)",
      "la calificación de este apartado falló (estado de salida %s)" },
    { "wall-clock limit exceeded (%s ms): the submission hangs",
      "límite de tiempo real superado (%s ms): la entrega se cuelga" },
    { "CPU time limit exceeded (%s s): the submission hangs",
      "límite de tiempo de CPU superado (%s s): la entrega se cuelga" },
    { "grading crashed (signal %s)", "la calificación falló (señal %s)" },
    { "grading failed (exit status %s)", "la calificación falló (estado de salida %s)" },
    { "could not start a grading process", "no se pudo arrancar un proceso de calificación" },
};
const size_t cli_nlines_es = sizeof cli_lines_es / sizeof cli_lines_es[0];
