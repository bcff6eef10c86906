/*
 * guest.c -- finding and loading guest software for the commands that run
 * the hypervisor (vm, and later compare and tui): a short name such as
 * "kernel" or "cpu" means guest/NAME.s, searched in ./guest, in
 * $TRAPLAB_GUEST_DIR and next to the traplab binary; anything else is a
 * path to a .s source (assembled on the fly) or a .tlo image.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asm/asm.h"
#include "cli/cli.h"

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static bool readable(const char *p)
{
    return access(p, R_OK) == 0;
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
    snprintf(out, n, "guest/%s.s", name);
    if (readable(out))
        return true;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
            snprintf(out, n, "%s/guest/%s.s", exe, name);
            if (readable(out))
                return true;
        }
    }
    return false;
}

bool cli_resolve_guest(const char *name, char *path, size_t n)
{
    if (strchr(name, '/') || has_suffix(name, ".s") || has_suffix(name, ".tlo")) {
        snprintf(path, n, "%s", name);
        return true;
    }
    return find_short(name, path, n);
}

bool cli_load_guest(const char *cmd, const char *name, const char *const *defines,
                    size_t ndefines, image *img)
{
    char path[PATH_MAX];
    if (!cli_resolve_guest(name, path, sizeof path)) {
        fprintf(stderr, "traplab %s: no guest program '%s' (looked for guest/%s.s here, in "
                "$TRAPLAB_GUEST_DIR and next to traplab)\n", cmd, name, name);
        return false;
    }
    image_init(img);
    if (has_suffix(path, ".s")) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        /* Programs outside guest/ may still include layout.s from there. */
        char gdir[PATH_MAX];
        const char *dirs[2] = { dir, NULL };
        size_t ndirs = 1;
        if (find_short("layout", gdir, sizeof gdir)) {
            char *gs = strrchr(gdir, '/');
            if (gs) {
                *gs = '\0';
                dirs[ndirs++] = gdir;
            }
        }
        asm_options ao;
        memset(&ao, 0, sizeof ao);
        ao.include_dirs = dirs;
        ao.ninclude_dirs = ndirs;
        ao.defines = (const char **)defines;
        ao.ndefines = ndefines;
        int errs = asm_assemble_file(path, &ao, img);
        if (errs) {
            fprintf(stderr, "traplab %s: %s: %d error%s\n", cmd, path, errs, errs == 1 ? "" : "s");
            image_free(img);
            return false;
        }
        return true;
    }
    char err[256];
    if (!image_read_file(path, img, err, sizeof err)) {
        /* The reader's message already names the file. */
        fprintf(stderr, "traplab %s: %s\n", cmd, err);
        image_free(img);
        return false;
    }
    return true;
}

bool cli_vmm_image(const image *img, vmm_image *out)
{
    vmm_segment *segs = calloc(img->nsegs ? img->nsegs : 1, sizeof *segs);
    if (!segs)
        return false;
    for (size_t i = 0; i < img->nsegs; i++) {
        segs[i].addr = img->segs[i].addr;
        segs[i].size = img->segs[i].size;
        segs[i].data = img->segs[i].data;
    }
    out->entry = img->entry;
    out->segs = segs;
    out->nsegs = img->nsegs;
    return true;
}

void cli_vmm_image_free(vmm_image *v)
{
    free((void *)v->segs);
    v->segs = NULL;
    v->nsegs = 0;
}
