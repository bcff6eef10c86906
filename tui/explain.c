/*
 * explain.c -- why a trap happened and what was done about it, in English
 * and Spanish, tied to the course notes (course/virtualizacion.md).
 *
 * Table-driven: one entry per trap cause (why) and one per handler kind
 * (what happened), by designated initializer.  The texts are templates;
 * expand() fills in the instruction, rings, access and address:
 *   %i instruction text   %r ring before   %t ring after   %a access
 *   %x address            %p pc            %c cycles       %v VM number
 *   %A access with its article ("An instruction fetch", "Una lectura")
 *   %V virtual ring before   %w the VMM's own summary of the event
 */
#include "tui/explain.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *text[TUI_LANG_COUNT];
} tui_bilingual;

/* ---- why: one entry per cause ----------------------------------------------- */

static const tui_bilingual why_by_cause[ISA_NUM_CAUSES] = {
    [CAUSE_SYSCALL] = {{
        "syscall in ring %r: a system call is a trap on purpose, the door from user code "
        "into the kernel (ring 0).",
        "syscall en el anillo %r: una llamada al sistema es una trampa a propósito, la puerta "
        "del código de usuario hacia el núcleo (anillo 0).",
    }},
    [CAUSE_ILLEGAL_PRIV] = {{
        "'%i' is privileged and the CPU was in ring %r: only ring 0 may run it, so the CPU "
        "trapped instead of running it.",
        "'%i' es privilegiada y la CPU estaba en el anillo %r: solo el anillo 0 puede "
        "ejecutarla, así que la CPU generó una trampa en vez de ejecutarla.",
    }},
    [CAUSE_ILLEGAL_INSN] = {{
        "The word at %p is not an instruction of the ISA (%i).",
        "La palabra en %p no es una instrucción de la ISA (%i).",
    }},
    [CAUSE_PAGE_FAULT] = {{
        "%A of virtual address %x found no valid page-table mapping allowing it from "
        "ring %r: a page fault.",
        "%A de la dirección virtual %x no encontró en la tabla de páginas una traducción "
        "válida que la permita desde el anillo %r: un fallo de página.",
    }},
    [CAUSE_MISALIGNED] = {{
        "%A of %x is not aligned to its size.",
        "%A de %x no está alineada a su tamaño.",
    }},
    [CAUSE_BUS_ERROR] = {{
        "%A of physical address %x falls outside memory.",
        "%A de la dirección física %x cae fuera de la memoria.",
    }},
    [CAUSE_DIVIDE_BY_ZERO] = {{
        "'%i' divided by zero.",
        "'%i' dividió por cero.",
    }},
    [CAUSE_BREAKPOINT] = {{
        "The program executed brk: a breakpoint trap on purpose, for a debugger.",
        "El programa ejecutó brk: una trampa de punto de interrupción, a propósito, para un depurador.",
    }},
    [CAUSE_HYPERCALL] = {{
        "The guest executed hcall in ring %r: a hypercall, a direct request to the hypervisor, "
        "as a system call is a request to the kernel.",
        "El invitado ejecutó hcall en el anillo %r: una hiperllamada, una petición directa al "
        "hipervisor, como una llamada al sistema lo es al núcleo.",
    }},
    [CAUSE_TIMER] = {{
        "The interval timer fired: an interrupt between two instructions, at %p. "
        "It is how the kernel (or the hypervisor) takes the CPU back.",
        "El temporizador interrumpió entre dos instrucciones, en %p. Así el núcleo "
        "(o el hipervisor) recupera la CPU.",
    }},
    [CAUSE_DEVICE] = {{
        "A device raised an interrupt (line %x).",
        "Un dispositivo generó una interrupción (línea %x).",
    }},
};

/* ---- why, for the VMM's events that are not exits ------------------------------- */

static const tui_bilingual why_by_kind[TUI_EV_COUNT] = {
    [TUI_EV_STEP] = {{
        "One step of handling VM %v's exit: %w.",
        "Un paso del manejo de la salida de la VM %v: %w.",
    }},
    [TUI_EV_INJECT] = {{
        "VM %v's kernel had a virtual interrupt pending and enabled: the VMM delivered it "
        "through the guest's own trap vector (%w).",
        "El núcleo de la VM %v tenía una interrupción virtual pendiente y habilitada: el VMM "
        "la entregó por el vector de trampas del propio invitado (%w).",
    }},
    [TUI_EV_SWITCH] = {{
        "The VMM switched the real CPU to VM %v (%w): it saved one virtual CPU and loaded "
        "another, with its shadow page table and devices.",
        "El VMM pasó la CPU real a la VM %v (%w): guardó una CPU virtual y cargó otra, con su "
        "tabla de páginas sombra y sus dispositivos.",
    }},
    [TUI_EV_VIOLATION] = {{
        "'%i' is sensitive but not privileged in this profile: it ran in ring %r without "
        "trapping, so the VMM never saw it and the guest observed the real machine (%w). "
        "Popek and Goldberg: such an ISA cannot be virtualized by trap and emulate alone.",
        "'%i' es sensible pero no privilegiada en este perfil: se ejecutó en el anillo %r sin "
        "generar trampa, así que el VMM nunca la vio y el invitado observó la máquina real "
        "(%w). Popek y Goldberg: una ISA así no se puede virtualizar solo con atrapar y emular.",
    }},
    [TUI_EV_VM_STOP] = {{
        "VM %v stopped: %w.",
        "La VM %v se detuvo: %w.",
    }},
};

/*
 * Binary translation (--design bt): its steps are told by what the VMM
 * says, "translate the block ...", "sensitive X at Y replaced by ...",
 * "callout: ...", "inline: ...", "guest wrote its code ...".  The notes'
 * words: "la instruccion se emula o se traduce".
 */
static const struct { const char *prefix; tui_bilingual text; } bt_steps[] = {
    { "translate the block", {{
        "Binary translation: before this block of VM %v's kernel code ran, the VMM's translator "
        "scanned it (%w), copied its innocuous instructions unchanged and replaced each sensitive "
        "one. The translation is kept in a cache, so the block is translated only once.",
        "Traducción binaria: antes de que este bloque de código del núcleo de la VM %v se "
        "ejecutara, el traductor del VMM lo recorrió (%w), copió sin cambios sus instrucciones "
        "inocuas y reemplazó cada instrucción sensible. La traducción queda en una caché, así que "
        "el bloque se traduce una sola vez.",
    }}},
    { "sensitive ", {{
        "The translator found a sensitive instruction and did not copy it: %w. It will never "
        "reach the real CPU, so it cannot reveal or change the real machine even where it would "
        "not trap (the legacy profile's popf, pushf, smsw, sidt).",
        "El traductor encontró una instrucción sensible y no la copió: %w. Nunca llegará a la "
        "CPU real, así que no puede mostrar ni cambiar la máquina real aunque no genere trampa "
        "(popf, pushf, smsw y sidt del perfil legacy).",
    }}},
    { "callout", {{
        "Translated code called the VMM instead of the sensitive instruction (%w): the VMM ran "
        "its effect on the VM's virtual CPU. A call, not a trap: %c cycles instead of a whole "
        "exit and re-entry.",
        "El código traducido llamó al VMM en lugar de ejecutar la instrucción sensible (%w): el "
        "VMM aplicó su efecto a la CPU virtual de la VM. Una llamada, no una trampa: %c ciclos en "
        "lugar de una salida y una reentrada completas.",
    }}},
    { "inline", {{
        "The translation replaced the sensitive instruction by a few inline instructions that "
        "read or write the VM's virtual CPU (%w): %c cycles, no trap and no call.",
        "La traducción reemplazó la instrucción sensible por unas pocas instrucciones en línea que "
        "leen o escriben la CPU virtual de la VM (%w): %c ciclos, sin trampa y sin llamada.",
    }}},
    { "guest wrote its code", {{
        "The guest wrote over code the VMM had translated (%w): the old translation would be "
        "stale, so it was dropped; the block is translated again the next time it runs.",
        "El invitado escribió sobre código que el VMM había traducido (%w): la traducción vieja "
        "quedaría desactualizada, así que se descartó; el bloque se vuelve a traducir la próxima "
        "vez que se ejecute.",
    }}},
};

static const char *bt_text(const tui_event *e, tui_lang lang)
{
    if (e->kind != TUI_EV_STEP)
        return NULL;
    for (size_t i = 0; i < sizeof bt_steps / sizeof bt_steps[0]; i++)
        if (strncmp(e->what, bt_steps[i].prefix, strlen(bt_steps[i].prefix)) == 0)
            return bt_steps[i].text.text[lang];
    return NULL;
}

/* ---- what happened: one entry per handler kind ------------------------------ */

static const tui_bilingual what_by_handler[TUI_HANDLER_COUNT] = {
    [TUI_HANDLER_HARDWARE] = {{
        "The CPU saved pc in epc and status in estatus, went from ring %r to ring %t and "
        "jumped to the kernel's trap vector (tvb). Cost: %c cycles.",
        "La CPU guardó pc en epc y status en estatus, pasó del anillo %r al anillo %t y saltó "
        "al vector de trampas del núcleo (tvb). Costo: %c ciclos.",
    }},
    [TUI_HANDLER_EMULATE] = {{
        "VM %v exited to the VMM (trap and emulate): the VMM ran the instruction's effect on the "
        "VM's virtual CPU, not on the real one, and resumed the guest after it. The guest kernel "
        "believes it ran the instruction itself. Cost: %c cycles.",
        "La VM %v salió al VMM (atrapar y emular): el VMM aplicó el efecto de la instrucción a "
        "la CPU virtual de la VM, no a la real, y reanudó al invitado después de ella. El núcleo "
        "invitado cree que la ejecutó él mismo. Costo: %c ciclos.",
    }},
    [TUI_HANDLER_REFLECT] = {{
        "The VMM reflected it into VM %v's kernel: it set the virtual epc, cause and status and "
        "jumped to the guest's own trap vector, exactly as real hardware would have. "
        "Cost: %c cycles.",
        "El VMM la reflejó al núcleo de la VM %v: fijó epc, cause y status virtuales y saltó al "
        "vector de trampas del propio invitado, tal como lo habría hecho el hardware real. "
        "Costo: %c ciclos.",
    }},
    [TUI_HANDLER_HOST] = {{
        "Type-2 hosting: the VMM is a process of the host OS, so the exit passed through the host "
        "kernel before the VMM could handle it; the extra layer costs more. Cost: %c cycles.",
        "Hipervisor de tipo 2: el VMM es un proceso del SO anfitrión, así que la salida pasó por "
        "el núcleo anfitrión antes de llegar al VMM; la capa adicional cuesta más. "
        "Costo: %c ciclos.",
    }},
    [TUI_HANDLER_HYPERCALL] = {{
        "Paravirtualization: VM %v's kernel knows it is virtualized and asked the VMM directly, "
        "instead of running a sensitive instruction and being trapped. Cost: %c cycles.",
        "Paravirtualización: el núcleo de la VM %v sabe que está virtualizado y le pidió el "
        "servicio al VMM directamente, en vez de ejecutar una instrucción sensible y ser "
        "atrapado. Costo: %c ciclos.",
    }},
    [TUI_HANDLER_SHADOW] = {{
        "A hidden page fault: the guest's own page table allows this access, but the VMM's "
        "shadow table (the one the real MMU uses) had no entry yet. The VMM walked the guest "
        "table, filled the shadow entry and resumed; the guest never sees this fault. "
        "Cost: %c cycles.",
        "Un fallo de página oculto: la tabla de páginas del invitado permite este acceso, pero "
        "la tabla sombra del VMM (la que usa la MMU real) aún no tenía la entrada. El VMM "
        "recorrió la tabla del invitado, llenó la entrada sombra y reanudó; el invitado nunca "
        "ve este fallo. Costo: %c ciclos.",
    }},
    [TUI_HANDLER_SCHEDULER] = {{
        "The VMM's own timer: it shares the real CPU among the VMs (time slices, VM switches) "
        "and delivers each VM its virtual timer ticks. Cost: %c cycles.",
        "El temporizador propio del VMM: reparte la CPU real entre las VMs (porciones de "
        "tiempo, cambios de VM) y entrega a cada VM los ticks de su temporizador virtual. "
        "Costo: %c ciclos.",
    }},
    [TUI_HANDLER_FATAL] = {{
        "Nobody could handle it: no trap vector was set (tvb = 0), so the machine stopped.",
        "Nadie pudo manejarla: no había vector de trampas (tvb = 0), así que la máquina se detuvo.",
    }},
};

/* ---- the course notes ----------------------------------------------------- */

#define NOTE_PRIVILEGED {{ \
    "Course notes, 'Types of instructions': privileged instructions \"can only run at the " \
    "highest privilege level (normally kernel mode, or ring 0 on systems with protection rings)\".", \
    "Apuntes, 'Tipos de instrucciones': estas instrucciones \"solo pueden ejecutarse en el nivel " \
    "de privilegios más alto (normalmente en el modo kernel o en el anillo 0 en los sistemas con " \
    "anillos de protección)\"." }}

static const tui_bilingual note_by_cause[ISA_NUM_CAUSES] = {
    [CAUSE_ILLEGAL_PRIV] = NOTE_PRIVILEGED,
    [CAUSE_SYSCALL] = {{
        "Course notes: privileged instructions \"are restricted so that only the operating system "
        "(or the kernel) can run them\"; user programs ask the kernel with a system call.",
        "Apuntes: las instrucciones privilegiadas \"están restringidas para que solo el sistema "
        "operativo (o el kernel) las pueda ejecutar\"; los programas de usuario se lo piden al "
        "núcleo con una llamada al sistema.",
    }},
    [CAUSE_PAGE_FAULT] = {{
        "Course notes, 'Isolation': \"VMs are isolated from each other\"; the page tables are "
        "what keeps each one inside its own memory.",
        "Apuntes, 'Aislamiento': \"las VMs están aisladas entre sí\"; las tablas de páginas son "
        "las que mantienen a cada una dentro de su propia memoria.",
    }},
    [CAUSE_TIMER] = {{
        "Course notes, 'Resource allocation': the hypervisor lets \"multiple VMs share the same "
        "physical resources\"; the timer is how it shares the CPU.",
        "Apuntes, 'Asignación de recursos': el hipervisor permite \"que múltiples VMs compartan "
        "los mismos recursos físicos\"; el temporizador es cómo reparte la CPU.",
    }},
    [CAUSE_HYPERCALL] = {{
        "Course notes, 'Paravirtualization': the guest \"is aware that it is being virtualized "
        "and can communicate directly with the hypervisor to improve performance\".",
        "Apuntes, 'Paravirtualización': el sistema operativo invitado \"es consciente de que está "
        "siendo virtualizado y puede comunicarse directamente con el hipervisor para optimizar "
        "el rendimiento\".",
    }},
};

static const tui_bilingual note_by_handler[TUI_HANDLER_COUNT] = {
    [TUI_HANDLER_EMULATE] = {{
        "Course notes, 'Type 1 hypervisor': \"the sensitive instructions coming from the virtual "
        "machines are intercepted by the hypervisor\", which \"fully emulates the hardware the "
        "VMs need\".",
        "Apuntes, 'Hipervisor de Tipo 1': \"las instrucciones sensibles que provienen de las "
        "máquinas virtuales son interceptadas por el hipervisor\", que \"emula completamente el "
        "hardware necesario para las VMs\".",
    }},
    [TUI_HANDLER_REFLECT] = {{
        "Course notes, 'Full virtualization': the hypervisor lets \"the operating system inside "
        "the VM work as if it were on real physical hardware\".",
        "Apuntes, 'Virtualización completa': el hipervisor permite \"que el sistema operativo "
        "dentro de la VM funcione como si estuviera en hardware físico real\".",
    }},
    [TUI_HANDLER_HOST] = {{
        "Course notes, 'Type 2 hypervisor': \"the hypervisor depends on the host operating system "
        "to manage the hardware\"; the extra layer \"generally results in a higher overhead\".",
        "Apuntes, 'Hipervisor de Tipo 2': \"el hipervisor depende del sistema operativo host para "
        "gestionar el hardware\"; la capa adicional \"generalmente resulta en una mayor "
        "sobrecarga\".",
    }},
    [TUI_HANDLER_HYPERCALL] = {{
        "Course notes, 'Paravirtualization': the guest OS is modified \"to avoid sensitive "
        "instructions directly, communicating instead with the hypervisor\".",
        "Apuntes, 'Paravirtualización': el sistema operativo dentro de la VM está modificado "
        "\"para evitar instrucciones sensibles directamente, comunicándose en su lugar con el "
        "hipervisor\".",
    }},
};

/* ---- the screen's labels ------------------------------------------------------ */

static const char *const texts[TUI_LANG_COUNT][TUI_TXT_COUNT] = {
#define X(id, en, es) [TUI_TXT_##id] = en,
    [TUI_LANG_EN] = { TUI_TEXTS(X) },
#undef X
#define X(id, en, es) [TUI_TXT_##id] = es,
    [TUI_LANG_ES] = { TUI_TEXTS(X) },
#undef X
};

const char *tui_text(tui_lang lang, tui_text_id id)
{
    if ((unsigned)lang >= TUI_LANG_COUNT || (unsigned)id >= TUI_TXT_COUNT)
        return "";
    return texts[lang][id];
}

/* ---- assembling the explanation ------------------------------------------------- */

typedef struct {
    char *buf;
    size_t n, len;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(sbuf *b, const char *fmt, ...)
{
    if (b->len >= b->n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->buf + b->len, b->n - b->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        b->len = b->len + (size_t)w < b->n ? b->len + (size_t)w : b->n - 1;
}

static const char *access_word(unsigned acc, tui_lang lang)
{
    static const char *const words[TUI_LANG_COUNT][3] = {
        [TUI_LANG_EN] = { "read", "write", "instruction fetch" },
        [TUI_LANG_ES] = { "lectura", "escritura", "lectura de instrucción" },
    };
    return acc < 3 ? words[lang][acc] : "?";
}

/* English picks its article by sound ("An instruction fetch"); Spanish's
 * access words are all feminine. */
static const char *access_with_article(unsigned acc, tui_lang lang)
{
    static const char *const words[TUI_LANG_COUNT][3] = {
        [TUI_LANG_EN] = { "A read", "A write", "An instruction fetch" },
        [TUI_LANG_ES] = { "Una lectura", "Una escritura", "Una lectura de instrucción" },
    };
    return acc < 3 ? words[lang][acc] : "?";
}

static void expand(sbuf *b, const char *tmpl, const tui_event *e, tui_lang lang, const char *insn)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%' || !p[1]) {
            put(b, "%c", *p);
            continue;
        }
        switch (*++p) {
        case 'i': put(b, "%s", insn); break;
        case 'r': put(b, "%u", e->ring_from); break;
        case 't': put(b, "%u", e->ring_to); break;
        case 'a': put(b, "%s", access_word(CAUSE_ACCESS(e->cause), lang)); break;
        case 'A': put(b, "%s", access_with_article(CAUSE_ACCESS(e->cause), lang)); break;
        case 'x': put(b, "0x%08x", e->addr); break;
        case 'p': put(b, "0x%08x", e->pc); break;
        case 'c': put(b, "%llu", (unsigned long long)e->cycles); break;
        case 'v': put(b, "%d", e->vm); break;
        case 'V': put(b, "%u", e->vring_from); break;
        case 'w': put(b, "%s", e->what); break;
        default:  put(b, "%%%c", *p); break;
        }
    }
}

char *tui_explain(const tui_event *e, tui_lang lang, char *buf, size_t n)
{
    sbuf b = { buf, n, 0 };
    if (!n)
        return buf;
    buf[0] = '\0';
    if ((unsigned)lang >= TUI_LANG_COUNT)
        lang = TUI_LANG_EN;
    bool es = lang == TUI_LANG_ES;
    unsigned code = CAUSE_CODE(e->cause);
    char insn[64] = "";
    const isa_insn *in = NULL;
    isa_operands ops;
    if (e->insn && isa_decode(e->insn, &in, &ops))
        tui_disassemble(e->insn, e->pc, insn, sizeof insn, NULL, NULL);
    else
        snprintf(insn, sizeof insn, "0x%08x", e->insn);

    put(&b, "%s %s 0x%08x", isa_cause_name(code), es ? "en" : "at", e->pc);
    if (e->vm >= 0)
        put(&b, ", VM %d", e->vm);
    put(&b, es ? ", anillo %u -> %u" : ", ring %u -> %u", e->ring_from, e->ring_to);
    if (e->vm >= 0)
        put(&b, es ? " (virtual %u -> %u)" : " (virtual %u -> %u)", e->vring_from, e->vring_to);
    if (e->what[0])
        put(&b, ": %s", e->what);
    put(&b, "\n");

    const char *bt = bt_text(e, lang);
    if (bt) {
        put(&b, "%s ", es ? "Qué pasó:" : "What happened:");
        expand(&b, bt, e, lang, insn);
        put(&b, "\n");
        return buf;
    }

    put(&b, "%s ", es ? "Por qué:" : "Why:");
    const char *why = (unsigned)e->kind < TUI_EV_COUNT ? why_by_kind[e->kind].text[lang] : NULL;
    if (!why)
        why = code < ISA_NUM_CAUSES ? why_by_cause[code].text[lang] : NULL;
    if (e->exit_reason)      /* --design hw: guest mode, not a trap for privilege */
        why = es ? "En modo invitado (virtualización asistida por hardware) el kernel invitado corre "
                   "en el anillo 0 del invitado y sus instrucciones privilegiadas se ejecutan sin "
                   "salir, salvo las que los controles de salida interceptan: esta produjo una "
                   "salida de VM (razón en el registro)." :
                   "In guest mode (hardware-assisted virtualization) the guest kernel runs in the "
                   "guest's ring 0 and its privileged instructions run without leaving it, except "
                   "those the exit controls intercept: this one caused a VM exit (reason in the log).";
    expand(&b, why ? why : (es ? "Causa desconocida." : "Unknown cause."), e, lang, insn);
    /* A paravirtualized kernel knows it is deprivileged: it believes nothing else. */
    if (e->vm >= 0 && e->kind == TUI_EV_EXIT && e->vring_from != e->ring_from && !e->para &&
        !e->exit_reason &&
        e->handler != TUI_HANDLER_HYPERCALL)
        expand(&b, es ? " El núcleo invitado cree correr en el anillo %V, pero el VMM lo corre "
                        "desprivilegiado en el anillo %r." :
                        " The guest kernel believes it runs in ring %V, but the VMM runs it "
                        "deprivileged in ring %r.", e, lang, insn);
    if (in && isa_is_sensitive(in) && code == CAUSE_ILLEGAL_PRIV && !e->exit_reason)
        put(&b, es ? " Es además sensible: %s la configuración de la máquina." :
                     " It is also sensitive: it %s the machine's configuration.",
            isa_is_control_sensitive(in) ? (es ? "cambia" : "changes")
                                            : (es ? "depende de" : "depends on"));
    put(&b, "\n");

    put(&b, "%s ", es ? "Qué pasó:" : "What happened:");
    tui_handler h = (unsigned)e->handler < TUI_HANDLER_COUNT ? e->handler : TUI_HANDLER_HARDWARE;
    expand(&b, what_by_handler[h].text[lang], e, lang, insn);
    /* Type-2: the exits the VMM's user process handles also cross the host OS (the
     * kernel-resident monitor's do not: their line says so). */
    bool type2_exit = e->host_type == 2 && e->kind == TUI_EV_EXIT && !strstr(e->what, "kernel-resident") &&
                      (h == TUI_HANDLER_EMULATE || h == TUI_HANDLER_REFLECT || h == TUI_HANDLER_SHADOW);
    if (type2_exit)
        put(&b, "%s", es ? " Tipo 2: antes y después, la salida pasó por el SO anfitrión (ver los "
                           "pasos 'SO anfitr.' del registro)." :
                           " Type-2: before and after, the exit went through the host OS (see the "
                           "'host OS' steps in the log).");
    put(&b, "\n");

    /* Under a hypervisor the handler is the lesson; on the bare machine, the cause. */
    const char *note = note_by_handler[type2_exit ? TUI_HANDLER_HOST : h].text[lang];
    if (!note && code < ISA_NUM_CAUSES)
        note = note_by_cause[code].text[lang];
    if (note)
        put(&b, "%s\n", note);
    return buf;
}
