/*
 * guest.c -- finding and loading guest software for the commands that run
 * the hypervisor (vm, and later compare and tui): a short name such as
 * "kernel" or "cpu" means guest/NAME.s, searched in $TRAPLAB_GUEST_DIR,
 * then in $TRAPLAB_HOME alone when it is set, else in ./guest, beside the
 * traplab binary's source tree or its installed share/traplab; anything else is a
 * path to a .s source (assembled on the fly) or a .tlo image.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asm/asm.h"
#include "cli/cli.h"
#include "cli/lang.h"

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static bool readable(const char *p)
{
    return access(p, R_OK) == 0;
}

bool cli_find_beside_binary(const char *rel, char *out, size_t n, bool (*ok)(const char *path))
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return false;
    exe[len] = '\0';
    /* build/traplab or build/check/traplab in the source tree; an installed
     * PREFIX/bin/traplab finds PREFIX/share/traplab (docs/install.md). */
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            break;
        *slash = '\0';
        if ((size_t)snprintf(out, n, "%s/%s", exe, rel) < n && ok(out))
            return true;
        if ((size_t)snprintf(out, n, "%s/share/traplab/%s", exe, rel) < n && ok(out))
            return true;
    }
    return false;
}

bool cli_find_data(const char *rel, char *out, size_t n, bool (*ok)(const char *path))
{
    const char *home = getenv("TRAPLAB_HOME");
    if (home && *home)
        return (size_t)snprintf(out, n, "%s/%s", home, rel) < n && ok(out);
    if ((size_t)snprintf(out, n, "%s", rel) < n && ok(out))
        return true;
    return cli_find_beside_binary(rel, out, n, ok);
}

/* guest/NAME.s in the usual places; the path in out. */
static bool find_short(const char *name, char *out, size_t n)
{
    const char *env = getenv("TRAPLAB_GUEST_DIR");
    if (env && *env) {
        snprintf(out, n, "%s/%s.s", env, name);
        if (readable(out))
            return true;
    }
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "guest/%s.s", name);
    return cli_find_data(rel, out, n, readable);
}

bool cli_resolve_guest(const char *name, char *path, size_t n)
{
    if (strchr(name, '/') || has_suffix(name, ".s") || has_suffix(name, ".tlo")) {
        snprintf(path, n, "%s", name);
        return true;
    }
    return find_short(name, path, n);
}

bool cli_guest_is_image(const char *name)
{
    return has_suffix(name, ".tlo");
}

/* -I folders (vm -I DIR) and the kernel's folder, searched after the file's
 * own folder: a program anywhere can include the guest's layout.s. */
static const char *extra_dirs[CLI_MAX_ASM_ARGS + 1];
static size_t nextra;

void cli_guest_include(const char *dir)
{
    if (dir && nextra < sizeof extra_dirs / sizeof extra_dirs[0])
        extra_dirs[nextra++] = dir;
}

/* what: "program" or "kernel", for the message when name is not found. */
static bool load(const char *cmd, const char *what, const char *name, const char *const *defines,
                 size_t ndefines, image *img)
{
    char path[PATH_MAX];
    if (!cli_resolve_guest(name, path, sizeof path)) {
        fprintf(stderr, TR("traplab %s: no guest %s '%s' (looked for guest/%s.s here, in "
                "$TRAPLAB_GUEST_DIR, $TRAPLAB_HOME or where traplab is installed)\n"), cmd, TR(what), name, name);
        return false;
    }
    /* Programs outside guest/ may still include layout.s from there. */
    char dir[PATH_MAX], gdir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    const char *dirs[2 + sizeof extra_dirs / sizeof extra_dirs[0]] = { dir };
    size_t ndirs = 1;
    for (size_t i = 0; i < nextra; i++)
        dirs[ndirs++] = extra_dirs[i];
    if (find_short("layout", gdir, sizeof gdir) && (slash = strrchr(gdir, '/'))) {
        *slash = '\0';
        dirs[ndirs++] = gdir;
    }
    asm_options ao;
    memset(&ao, 0, sizeof ao);
    ao.include_dirs = dirs;
    ao.ninclude_dirs = ndirs;
    ao.defines = (const char **)defines;
    ao.ndefines = ndefines;
    char err[PATH_MAX + 256];
    if (!asm_load_program(path, &ao, img, err, sizeof err)) {
        fprintf(stderr, "traplab %s: %s\n", cmd, err);
        return false;
    }
    return true;
}

bool cli_load_guest(const char *cmd, const char *name, const char *const *defines,
                    size_t ndefines, image *img)
{
    return load(cmd, "program", name, defines, ndefines, img);
}

bool cli_load_kernel(const char *cmd, const char *name, const char *const *defines,
                     size_t ndefines, vmm_design design, image *img)
{
    /* The same source, with the design's own symbol (PARAVIRT): the modified kernel. */
    const char *d[CLI_MAX_DEFINES + 1];
    if (ndefines > CLI_MAX_DEFINES) {
        fprintf(stderr, TR("traplab %s: too many -D options\n"), cmd);
        return false;
    }
    size_t n = vmm_design_defines(design, defines, ndefines, d, CLI_MAX_DEFINES + 1);
    return load(cmd, "kernel", name, d, n, img);
}

int cli_vmm_option(const char *cmd, int c, const char *arg, vmm_config *cfg,
                   const char **defs, size_t *ndefs)
{
    char err[256], es[512];   /* the --exit-on message alone is 150 bytes and a name */
    switch (c) {
    case 'v':
        if (!cli_parse_u32(arg, &cfg->nvms) || cfg->nvms < 1 || cfg->nvms > VMM_MAX_VMS)
            return cli_usage_error(cmd, TR("--vms needs a number from 1 to %d, not '%s'"), VMM_MAX_VMS, arg);
        return EXIT_OK;
    case 'c':
        if (!vmm_set_cost_err(&cfg->costs, &cfg->mcosts, arg, err, sizeof err))
            return cli_usage_error(cmd, "%s", cli_tr_line(err, es, sizeof es));
        return EXIT_OK;
    case 'Q':
        if (!vmm_apply_cpu_profile(cfg, arg, err, sizeof err))
            return cli_usage_error(cmd, "--cpu: %s", cli_tr_line(err, es, sizeof es));
        return EXIT_OK;
    case 'X':
        if (!vmm_parse_exit_on(arg, cfg, err, sizeof err))
            return cli_usage_error(cmd, "%s", cli_tr_line(err, es, sizeof es));
        return EXIT_OK;
    case 'D':
        if (*ndefs == CLI_MAX_DEFINES)
            return cli_usage_error(cmd, TR("too many -D options"));
        if (!cli_check_define(cmd, arg))
            return EXIT_USAGE;
        defs[(*ndefs)++] = arg;
        return EXIT_OK;
    }
    return -1;
}

/* vm --list-costs and compare --list-costs: every cost with its value, range and meaning. */
void cli_list_costs(const vmm_config *cfg)
{
    for (size_t i = 0; vmm_cost_name(i); i++) {
        uint32_t val = 0;
        vmm_get_cost(&cfg->costs, vmm_cost_name(i), &val);
        char range[24];
        snprintf(range, sizeof range, "0-%u", vmm_cost_max(vmm_cost_name(i)));
        printf("%-18s %6u  %-12s %s\n", vmm_cost_name(i), val, range, vmm_cost_doc(i));
    }
    static const char *const mnames[] = { "trap_entry", "trap_return", "tlb_miss", "block_sector",
                                          "vm_enter", "vm_exit", "tlb_miss_nested" };
    for (size_t i = 0; i < sizeof mnames / sizeof mnames[0]; i++) {
        uint32_t val = 0;
        if (machine_get_cost(&cfg->mcosts, mnames[i], &val))
            printf("%-18s %6u  %-12s (machine) see docs/costs.md\n", mnames[i], val, "0-4294967295");
    }
}

/* --list-cpus: the --cpu profiles, with the costs each one sets over cfg's. */
void cli_list_cpus(const vmm_config *cfg)
{
    for (size_t i = 0; vmm_cpu_profile_name(i); i++) {
        vmm_config p = *cfg;
        char err[8];
        vmm_apply_cpu_profile(&p, vmm_cpu_profile_name(i), err, sizeof err);
        /* The VMM describes each profile in English; cli/lang_es.c has the Spanish. */
        printf("  %-12s vm_exit %5u  vm_enter %5u  %s\n", vmm_cpu_profile_name(i), p.mcosts.vm_exit,
               p.mcosts.vm_enter, TR(vmm_cpu_profile_doc(i)));
    }
}

