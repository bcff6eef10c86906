/*
 * gen_seeds.c -- writes what the fuzzers start from, derived from the
 * project rather than copied into it: the assembler's dictionary (every
 * mnemonic, register and control register from the ISA table, plus the
 * directives and pseudo-instructions in asm-extra.dict), and seed inputs
 * made by assembling the samples, so the seeds follow the image format and
 * the encoding when they change.
 *
 *   gen_seeds OUTDIR FILE.s... [--vmm KERNEL.s...]
 * writes OUTDIR/asm.dict, OUTDIR/asm/NAME.s, OUTDIR/image/NAME.tlo,
 * OUTDIR/machine/NAME-FLAGS.bin and, for guest kernels after --vmm,
 * OUTDIR/vmm/NAME-FLAGS.bin (see fuzz_machine.c and fuzz_vmm.c for the
 * layouts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "isa/isa.h"

static FILE *open_out(const char *dir, const char *sub, const char *name, const char *suffix)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s%s", dir, sub, name, suffix);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static const char *base_name(const char *path, char *buf, size_t n)
{
    const char *b = strrchr(path, '/');
    snprintf(buf, n, "%s", b ? b + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot)
        *dot = '\0';
    return buf;
}

static void put32(FILE *f, unsigned v)
{
    for (int i = 0; i < 4; i++)
        fputc((v >> (8 * i)) & 0xff, f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_seeds OUTDIR [FILE.s]...\n");
        return 2;
    }
    const char *dir = argv[1];

    FILE *d = open_out(dir, "", "asm", ".dict");
    for (unsigned op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode(op);
        if (in)
            fprintf(d, "\"%s \"\n", in->mnemonic);
    }
    for (unsigned r = 0; r < ISA_NUM_REGS; r++) {
        fprintf(d, "\"%s\"\n", isa_reg_name(r));
        if (isa_reg_alias(r))
            fprintf(d, "\"%s\"\n", isa_reg_alias(r));
    }
    for (unsigned cr = 0; cr < ISA_NUM_CRS; cr++)
        fprintf(d, "\"%s\"\n", isa_cr_name(cr));
    fclose(d);

    bool vmm_kernels = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--vmm") == 0) {
            vmm_kernels = true;
            continue;
        }
        char name[256];
        base_name(argv[i], name, sizeof name);
        image img;
        image_init(&img);
        asm_options opt = { 0 };
        if (asm_assemble_file(argv[i], &opt, &img)) {
            fprintf(stderr, "gen_seeds: %s does not assemble\n", argv[i]);
            return 1;
        }
        char path[4096], err[256];
        if (vmm_kernels) {
            /* The kernel's bytes from 0x1000 on, as fuzz_vmm loads them. */
            static const unsigned char vmm_flags[] = { 0, 1, 2, 4 };
            uint32_t end = 0x1000;
            for (size_t s = 0; s < img.nsegs; s++)
                if (img.segs[s].addr >= 0x1000 && img.segs[s].addr + img.segs[s].size > end)
                    end = img.segs[s].addr + img.segs[s].size;
            if (end > 0x1000 + (32u << 10))
                end = 0x1000 + (32u << 10);
            unsigned char *k = calloc(end - 0x1000 + 1, 1);
            for (size_t s = 0; s < img.nsegs; s++)
                for (uint32_t b = 0; b < img.segs[s].size; b++)
                    if (img.segs[s].addr + b >= 0x1000 && img.segs[s].addr + b < end)
                        k[img.segs[s].addr + b - 0x1000] = img.segs[s].data[b];
            for (size_t f = 0; f < sizeof vmm_flags; f++) {
                char suffix[32];
                snprintf(suffix, sizeof suffix, "-%02x.bin", vmm_flags[f]);
                FILE *out = open_out(dir, "vmm/", name, suffix);
                fputc(vmm_flags[f], out);
                put32(out, img.entry);
                fwrite(k, 1, end - 0x1000, out);
                fclose(out);
            }
            free(k);
            image_free(&img);
            continue;
        }
        snprintf(path, sizeof path, "%s/image/%s.tlo", dir, name);
        if (!image_write_file(path, &img, err, sizeof err)) {
            fprintf(stderr, "gen_seeds: %s: %s\n", path, err);
            return 1;
        }
        /* The program at its own address, run from its entry point, once
         * for each of a few interesting configurations. */
        static const unsigned char flag_sets[] = { 0x80, 0x86, 0x88, 0xa6, 0xbe, 0xc1 };
        for (size_t k = 0; k < sizeof flag_sets; k++) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "-%02x.bin", flag_sets[k]);
            FILE *f = open_out(dir, "machine/", name, suffix);
            fputc(flag_sets[k], f);
            fputc(7, f);
            put32(f, img.entry);
            put32(f, 0x100);          /* tvb */
            put32(f, 0x4000);         /* ptb */
            put32(f, k & 1 ? 500 : 0);  /* timecmp */
            uint32_t end = 0;
            for (size_t s = 0; s < img.nsegs; s++)
                if (img.segs[s].addr + img.segs[s].size > end)
                    end = img.segs[s].addr + img.segs[s].size;
            if (end > (128u << 10))
                end = 128u << 10;
            unsigned char *mem = calloc(end ? end : 1, 1);
            for (size_t s = 0; s < img.nsegs; s++)
                if (img.segs[s].addr < end)
                    memcpy(mem + img.segs[s].addr, img.segs[s].data,
                           end - img.segs[s].addr < img.segs[s].size ? end - img.segs[s].addr
                                                                     : img.segs[s].size);
            fwrite(mem, 1, end, f);
            free(mem);
            fclose(f);
        }
        image_free(&img);

        FILE *in = fopen(argv[i], "rb");
        FILE *out = open_out(dir, "asm/", name, ".s");
        int ch;
        while (in && (ch = fgetc(in)) != EOF)
            fputc(ch, out);
        if (in)
            fclose(in);
        fclose(out);
    }
    return 0;
}
