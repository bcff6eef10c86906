/*
 * snapfile.c -- snapshots in files, as SIMH's SAVE and RESTORE: the whole
 * machine (CPU, TLB, devices, console, stats, memory and disk) written so
 * that restoring it and running on gives what the uninterrupted run gives.
 *
 * The format (docs/machine.md, "Snapshot files"): a header (magic,
 * version, kind, the size of the machine's state), the body, and an FNV-1a
 * checksum of everything before it.  Reading checks all of them before it
 * trusts a byte, and then checks the state itself (a TLB entry must name a
 * frame inside memory), so a truncated, corrupted or foreign file is a
 * clear error, never a crash.  Memory and disk go page by page, an all-zero
 * page as one byte, so a file is about as big as the memory in use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine/internal.h"

static const char magic[8] = { 'T', 'L', 'S', 'N', 'A', 'P', '\r', '\n' };

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void machine_snapw_put(machine_snapw *w, const void *p, size_t n)
{
    if (w->failed || n == 0)
        return;
    w->hash = fnv(w->hash, p, n);
    if (fwrite(p, 1, n, w->f) != n)
        w->failed = true;
}

static void put32(machine_snapw *w, uint32_t v) { machine_snapw_put(w, &v, 4); }
static void put64(machine_snapw *w, uint64_t v) { machine_snapw_put(w, &v, 8); }

bool machine_snapr_get(machine_snapr *r, void *p, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = true;
        memset(p, 0, n);
        return false;
    }
    memcpy(p, r->p + r->pos, n);
    r->pos += n;
    return true;
}

static uint32_t get32(machine_snapr *r) { uint32_t v = 0; machine_snapr_get(r, &v, 4); return v; }
static uint64_t get64(machine_snapr *r) { uint64_t v = 0; machine_snapr_get(r, &v, 8); return v; }

/* Pages: a flag byte each (0: all zero, 1: the 4096 bytes follow). */
static void put_pages(machine_snapw *w, const uint8_t *p, size_t n)
{
    static const uint8_t zero[PAGE_SIZE];
    for (size_t off = 0; off < n; off += PAGE_SIZE) {
        size_t k = n - off < PAGE_SIZE ? n - off : PAGE_SIZE;
        uint8_t flag = memcmp(p + off, zero, k) != 0;
        machine_snapw_put(w, &flag, 1);
        if (flag)
            machine_snapw_put(w, p + off, k);
    }
}

static bool get_pages(machine_snapr *r, uint8_t *p, size_t n)
{
    for (size_t off = 0; off < n; off += PAGE_SIZE) {
        size_t k = n - off < PAGE_SIZE ? n - off : PAGE_SIZE;
        uint8_t flag = 0;
        if (!machine_snapr_get(r, &flag, 1) || flag > 1)
            return false;
        if (flag ? !machine_snapr_get(r, p + off, k) : (memset(p + off, 0, k), false))
            return false;
    }
    return !r->failed;
}

void machine_snapfile_begin(machine_snapw *w, uint32_t kind)
{
    w->hash = 0xcbf29ce484222325ull;
    machine_snapw_put(w, magic, sizeof magic);
    put32(w, MACHINE_SNAPFILE_VERSION);
    put32(w, kind);
    put32(w, (uint32_t)sizeof(machine_state));
    put32(w, 0);
}

bool machine_snapfile_end(machine_snapw *w)
{
    uint64_t h = w->hash;
    machine_snapw_put(w, &h, 8);
    return !w->failed && fflush(w->f) == 0 && !ferror(w->f);
}

bool machine_snapfile_open(const uint8_t *buf, size_t len, uint32_t *kind, machine_snapr *r,
                           char *err, size_t errlen)
{
    *r = (machine_snapr){ buf, len, 0, false };
    if (len < sizeof magic + 16 + 8 || memcmp(buf, magic, sizeof magic) != 0) {
        snprintf(err, errlen, "not a traplab snapshot file (it does not start with TLSNAP)");
        return false;
    }
    r->pos = sizeof magic;
    uint32_t version = get32(r);
    *kind = get32(r);
    uint32_t state = get32(r);
    (void)get32(r);
    if (version != MACHINE_SNAPFILE_VERSION) {
        snprintf(err, errlen, "snapshot format version %u; this traplab reads version %u",
                 version, MACHINE_SNAPFILE_VERSION);
        return false;
    }
    if (state != sizeof(machine_state)) {
        snprintf(err, errlen, "written by another build of traplab (a machine state of %u bytes, "
                 "this one has %zu): save it again with this one", state, sizeof(machine_state));
        return false;
    }
    uint64_t stored;
    memcpy(&stored, buf + len - 8, 8);
    if (fnv(0xcbf29ce484222325ull, buf, len - 8) != stored) {
        snprintf(err, errlen, "the checksum does not match: the file is truncated or damaged");
        return false;
    }
    r->len = len - 8;
    return true;
}

bool machine_snapshot_put(const machine *m, machine_snapw *w)
{
    const machine_config *c = &m->cfg;
    put32(w, c->profile);
    put32(w, c->mem_size);
    put32(w, c->disk_sectors);
#define X(name, def, doc) put32(w, c->costs.name);
    MACHINE_COSTS(X)
#undef X
    machine_snapw_put(w, &m->s, sizeof m->s);
    put32(w, m->stop_req);
    put32(w, m->bp_resume);
    put32(w, m->bp_resume_pc);
    put64(w, m->out_len);
    machine_snapw_put(w, m->out, m->out_len);
    put64(w, m->in_len - m->in_head);
    machine_snapw_put(w, m->in ? m->in + m->in_head : "", m->in_len - m->in_head);
    put_pages(w, m->mem, c->mem_size);
    put_pages(w, m->disk, (size_t)c->disk_sectors * BLOCK_SECTOR_SIZE);
    return !w->failed;
}

/* The state read from a file, before the machine runs it: every index the
 * machine trusts must be inside what it indexes. */
static bool state_ok(const machine *m, const machine_state *s, char *err, size_t errlen)
{
    for (int a = 0; a < 3; a++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            if ((s->tlb.tag[a][i] & 1u) &&
                ((s->tlb.frame[a][i] & 0xfffu) || s->tlb.frame[a][i] > m->cfg.mem_size - PAGE_SIZE)) {
                snprintf(err, errlen, "a TLB entry names frame 0x%08x, outside the %u bytes of memory",
                         s->tlb.frame[a][i], m->cfg.mem_size);
                return false;
            }
    if ((unsigned)s->last_stop > STOP_FATAL) {
        snprintf(err, errlen, "a bad stop reason (%u)", (unsigned)s->last_stop);
        return false;
    }
    return true;
}

machine *machine_snapshot_get(machine_snapr *r, char *err, size_t errlen)
{
    machine_config c;
    machine_default_config(&c);
    c.profile = (isa_profile)get32(r);
    c.mem_size = get32(r);
    c.disk_sectors = get32(r);
#define X(name, def, doc) c.costs.name = get32(r);
    MACHINE_COSTS(X)
#undef X
    if (r->failed || (c.profile != PROFILE_STRICT && c.profile != PROFILE_LEGACY) ||
        c.mem_size == 0 || c.mem_size % PAGE_SIZE || c.disk_sectors > (1u << 21)) {
        snprintf(err, errlen, "the snapshot's machine configuration is not valid");
        return NULL;
    }
    /* The memory must be in the file before it is allocated: a damaged
     * size cannot ask for gigabytes. */
    if (r->len - r->pos < c.mem_size / PAGE_SIZE) {
        snprintf(err, errlen, "the file is too short for %u bytes of memory", c.mem_size);
        return NULL;
    }
    machine *m = machine_new(&c);
    if (!m) {
        snprintf(err, errlen, "cannot build a machine with %u bytes of memory", c.mem_size);
        return NULL;
    }
    machine_state s;
    machine_snapr_get(r, &s, sizeof s);
    uint32_t stop_req = get32(r), bp_resume = get32(r), bp_pc = get32(r);
    uint64_t out_len = get64(r);
    bool ok = !r->failed && out_len <= r->len - r->pos && state_ok(m, &s, err, errlen);
    if (ok) {
        m->out_len = 0;
        for (uint64_t i = 0; i < out_len; i++)
            dev_console_putc(m, (char)r->p[r->pos + i]);
        r->pos += out_len;
        uint64_t in_len = get64(r);
        ok = !r->failed && in_len <= r->len - r->pos;
        if (ok) {
            m->in_head = m->in_len = 0;
            machine_console_input(m, (const char *)r->p + r->pos, in_len);
            r->pos += in_len;
        }
    } else if (!r->failed && out_len > r->len - r->pos) {
        snprintf(err, errlen, "the console output runs past the end of the file");
    }
    ok = ok && get_pages(r, m->mem, c.mem_size) &&
         get_pages(r, m->disk, (size_t)c.disk_sectors * BLOCK_SECTOR_SIZE);
    if (ok && r->pos != r->len) {
        snprintf(err, errlen, "%zu bytes after the machine's state", r->len - r->pos);
        ok = false;
    }
    if (!ok) {
        if (r->failed)
            snprintf(err, errlen, "the file ends in the middle of the machine's state");
        machine_free(m);
        return NULL;
    }
    s.fatal_reason[sizeof s.fatal_reason - 1] = '\0';
    m->s = s;
    mmu_host_flush(m);
    m->s.code_frame = 0;
    m->s.code_va = 1;          /* the fetch cache is the host's: refilled on the next fetch */
    m->stop_req = stop_req == STOP_REQUESTED || stop_req == STOP_TRAP ? (machine_stop)stop_req : STOP_NONE;
    m->bp_resume = bp_resume != 0;
    m->bp_resume_pc = bp_pc;
    m->seen_pg = m->s.cpu.cr[CR_STATUS] & STATUS_PG;
    m->seen_ptb = m->s.cpu.cr[CR_PTB];
    m->event_cycle = 0;
    return m;
}

bool machine_snapshot_write(const machine *m, FILE *f, char *err, size_t errlen)
{
    machine_snapw w = { f, 0, false };
    machine_snapfile_begin(&w, MACHINE_SNAPFILE_BARE);
    machine_snapshot_put(m, &w);
    if (!machine_snapfile_end(&w)) {
        snprintf(err, errlen, "cannot write the snapshot");
        return false;
    }
    return true;
}

/* The whole file in memory, at most max bytes; NULL with a message. */
uint8_t *machine_snapfile_slurp(FILE *f, size_t max, size_t *len, char *err, size_t errlen)
{
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= max) {
                snprintf(err, errlen, "larger than any snapshot (%zu bytes at most)", max);
                free(buf);
                return NULL;
            }
            uint8_t *p = realloc(buf, cap * 2);
            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "cannot read it: %s", strerror(errno));
                free(buf);
                return NULL;
            }
            *len = n;
            return buf;
        }
    }
    free(buf);
    snprintf(err, errlen, "out of memory");
    return NULL;
}

machine *machine_snapshot_read(FILE *f, char *err, size_t errlen)
{
    size_t len;
    uint8_t *buf = machine_snapfile_slurp(f, MACHINE_SNAPFILE_MAX, &len, err, errlen);
    if (!buf)
        return NULL;
    machine_snapr r;
    uint32_t kind;
    machine *m = NULL;
    if (machine_snapfile_open(buf, len, &kind, &r, err, errlen)) {
        if (kind != MACHINE_SNAPFILE_BARE)
            snprintf(err, errlen, "a snapshot of the hypervisor: restore it with traplab vm --restore");
        else
            m = machine_snapshot_get(&r, err, errlen);
    }
    free(buf);
    return m;
}
