/*
 * fuzz_seeds OUTDIR: writes small, well-formed seed images built with the test fixture
 * builders (tests/fixtures) into OUTDIR/<format>/, next to the corpus seeds. They add what
 * corpus/ lacks: images of a few KiB (mutations land on structures, not on data blocks),
 * differencing images with parent locators, VDI version 0, Bochs version 1, and VHDX logs
 * with a pending sequence (replayed, wrapping, growing the file). The replay tests run them
 * too (fuzz.seeds writes them, fuzz.replay_<target> reads them).
 *
 * fuzz_seeds --sparse OUTDIR FILE...: writes each image FILE as OUTDIR/<name>.vdfz in the
 * sparse form the harnesses read (fuzz_common.h): one record per run of non-zero bytes (runs
 * closer than FUZZ_SEED_GAP joined), of which only the first FUZZ_SEED_RUN_KEEP bytes are
 * kept. Headers, tables, bitmaps and log entries survive whole; the data of a block shrinks
 * to its start. A VHDX of several MiB becomes a few KiB of input.
 *
 * fuzz_seeds --expand INPUT IMAGE [--reseal]: writes the image an input describes (a sparse
 * input expanded, any other copied), e.g. to run vdcheck on a regression input of
 * corpus/fuzz; --reseal writes the re-sealed copy the harnesses analyze second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bochs_fixture.h"
#include "fuzz_common.h"
#include "bochs_layout.h"
#include "vdi_fixture.h"
#include "vdi_layout.h"
#include "vhd_fixture.h"
#include "vhd_layout.h"
#include "vhdx_fixture.h"
#include "vhdx_layout.h"

static const char *out_dir;
static int failures;

static void write_seed(const char *format, const char *name, const uint8_t *data, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", out_dir, format);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        failures++;
        return;
    }
    snprintf(path, sizeof(path), "%s/%s/%s", out_dir, format, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        failures++;
    }
}

static void seed_vhd(const char *name, uint32_t type, uint64_t allocate)
{
    struct vhd_fixture f;
    struct vhd_fixture_image img;

    vhd_fixture_defaults(&f, type);
    if (allocate != 0) {
        f.allocate = allocate;
    }
    if (!vhd_fixture_build(&f, &img)) {
        failures++;
        return;
    }
    write_seed("vhd", name, img.data, img.len);
    vhd_fixture_free(&img);
}

static void seed_vdi(const char *name, uint32_t version, uint32_t type, const char *layout)
{
    struct vdi_fixture f;
    struct vdi_fixture_image img;

    vdi_fixture_defaults(&f, type);
    f.version = version;
    f.disk_size = 64u * 1024u;
    f.block_size = 16u * 1024u;
    f.layout = layout;
    if (!vdi_fixture_build(&f, &img)) {
        failures++;
        return;
    }
    write_seed("vdi", name, img.data, img.len);
    vdi_fixture_free(&img);
}

static void seed_bochs(const char *name, uint32_t version, const char *subtype)
{
    struct bochs_fixture f;
    struct bochs_fixture_image img;

    bochs_fixture_defaults(&f);
    f.version = version;
    f.subtype = subtype;
    if (!bochs_fixture_build(&f, &img)) {
        failures++;
        return;
    }
    write_seed("bochs", name, img.data, img.len);
    bochs_fixture_free(&img);
}

static void log_entry(struct vhdx_fixture_entry *e, uint64_t sequence, uint64_t position)
{
    memset(e, 0, sizeof(*e));
    e->sequence = sequence;
    e->position = position;
}

/* log: 0 none, 1 one pending entry, 2 two entries, 3 one that wraps the ring, 4 growing. */
static void seed_vhdx(const char *name, enum vhdx_fixture_variant variant, int log)
{
    struct vhdx_fixture f;
    struct vhdx_fixture_image img;
    struct vhdx_fixture_entry *e = calloc(1, sizeof(*e));
    bool ok;

    vhdx_fixture_defaults(&f, variant);
    if (e == NULL || !vhdx_fixture_build(&f, &img)) {
        free(e);
        failures++;
        return;
    }
    ok = true;
    if (log == 1 || log == 2) {
        log_entry(e, 10, 0);
        e->desc[e->desc_count++] =
            (struct vhdx_fixture_desc){.file_offset = img.block_at[0] + 8192, .seed = 1};
        e->desc[e->desc_count++] = (struct vhdx_fixture_desc){
            .zero = true, .file_offset = img.block_at[2] + 4096, .zero_length = 8192};
        ok = vhdx_fixture_log_add(&img, e);
    }
    if (ok && log == 2) {
        log_entry(e, 11, img.entry_pos[0] + img.entry_len[0]);
        e->desc[e->desc_count++] =
            (struct vhdx_fixture_desc){.file_offset = img.block_at[0], .seed = 9};
        ok = vhdx_fixture_log_add(&img, e);
    }
    if (ok && log == 3) {
        /* The last sector of the ring, then its start: one entry around the end. */
        log_entry(e, 20, img.log_length - VHDX_LOG_SECTOR);
        e->tail = e->position;
        e->desc[e->desc_count++] =
            (struct vhdx_fixture_desc){.file_offset = img.block_at[0], .seed = 3};
        ok = vhdx_fixture_log_add(&img, e);
    }
    if (ok && log == 4) {
        log_entry(e, 30, 0);
        e->last_file_offset = img.len + VHDX_MiB;
        e->desc[e->desc_count++] = (struct vhdx_fixture_desc){.file_offset = img.len, .seed = 5};
        ok = vhdx_fixture_log_add(&img, e);
    }
    if (ok) {
        write_seed("vhdx", name, img.data, img.len);
    } else {
        fprintf(stderr, "vhdx seed %s: the log entry does not fit\n", name);
        failures++;
    }
    vhdx_fixture_free(&img);
    free(e);
}

#define FUZZ_SEED_GAP      64u
#define FUZZ_SEED_RUN_KEEP (16u * 1024u)

static void put_le32(FILE *f, uint32_t v)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static void put_record(FILE *f, const uint8_t *image, size_t at, size_t len)
{
    while (len > 0) {
        size_t n = len < FUZZ_SPARSE_RECORD_MAX ? len : FUZZ_SPARSE_RECORD_MAX;
        const uint8_t n16[2] = {(uint8_t)n, (uint8_t)(n >> 8)};
        put_le32(f, (uint32_t)at);
        fwrite(n16, 1, 2, f);
        fwrite(image + at, 1, n, f);
        at += n;
        len -= n;
    }
}

/* The sparse form of one image file. */
static void sparse_one(const char *dir, const char *path)
{
    const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    char out[4096];
    FILE *in = fopen(path, "rb");
    FILE *f = NULL;
    uint8_t *image = NULL;
    long len;

    if (in == NULL || fseek(in, 0, SEEK_END) != 0 || (len = ftell(in)) < 0 ||
        (size_t)len > FUZZ_SPARSE_MAX || fseek(in, 0, SEEK_SET) != 0 ||
        (image = malloc((size_t)len + 1)) == NULL ||
        fread(image, 1, (size_t)len, in) != (size_t)len) {
        fprintf(stderr, "%s: not read (larger than %u bytes?)\n", path, FUZZ_SPARSE_MAX);
        failures++;
        goto out;
    }
    snprintf(out, sizeof(out), "%s/%s.vdfz", dir, base);
    f = fopen(out, "wb");
    if (f == NULL) {
        perror(out);
        failures++;
        goto out;
    }
    fwrite(FUZZ_SPARSE_MAGIC, 1, 4, f);
    put_le32(f, (uint32_t)len);
    for (size_t at = 0; at < (size_t)len;) {
        if (image[at] == 0) {
            at++;
            continue;
        }
        size_t end = at + 1; /* the run: non-zero bytes, gaps shorter than FUZZ_SEED_GAP */
        for (size_t zeros = 0; end < (size_t)len && zeros < FUZZ_SEED_GAP; end++) {
            zeros = image[end] == 0 ? zeros + 1 : 0;
        }
        while (end > at && image[end - 1] == 0) {
            end--;
        }
        put_record(f, image, at, end - at < FUZZ_SEED_RUN_KEEP ? end - at : FUZZ_SEED_RUN_KEEP);
        at = end;
    }
    if (fclose(f) != 0) {
        perror(out);
        failures++;
    }
out:
    if (in != NULL) {
        fclose(in);
    }
    free(image);
}

/* The image a harness input describes, written to out_path. */
static int expand_one(const char *in_path, const char *out_path, bool reseal)
{
    FILE *in = fopen(in_path, "rb");
    FILE *out = NULL;
    uint8_t *data = NULL;
    uint8_t *owned = NULL;
    const uint8_t *image;
    size_t image_size;
    long len;
    int rc = 1;

    if (in == NULL || fseek(in, 0, SEEK_END) != 0 || (len = ftell(in)) < 0 ||
        fseek(in, 0, SEEK_SET) != 0 || (data = malloc((size_t)len + 1)) == NULL ||
        fread(data, 1, (size_t)len, in) != (size_t)len) {
        perror(in_path);
        goto out;
    }
    if (!fuzz_expand(data, (size_t)len, &image, &image_size, &owned)) {
        fprintf(stderr, "%s: out of memory\n", in_path);
        goto out;
    }
    if (reseal) {
        uint8_t *copy = malloc(image_size + 1);
        if (copy == NULL) {
            goto out;
        }
        memcpy(copy, image, image_size);
        (void)fuzz_reseal(image, copy, image_size);
        free(owned);
        owned = copy;
        image = copy;
    }
    out = fopen(out_path, "wb");
    if (out == NULL || fwrite(image, 1, image_size, out) != image_size || fclose(out) != 0) {
        perror(out_path);
        out = NULL;
        goto out;
    }
    rc = 0;
out:
    if (in != NULL) {
        fclose(in);
    }
    free(owned);
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    if ((argc == 4 || (argc == 5 && strcmp(argv[4], "--reseal") == 0)) &&
        strcmp(argv[1], "--expand") == 0) {
        return expand_one(argv[2], argv[3], argc == 5);
    }
    if (argc >= 3 && strcmp(argv[1], "--sparse") == 0) {
        if (mkdir(argv[2], 0777) != 0 && errno != EEXIST) {
            perror(argv[2]);
            return 1;
        }
        for (int i = 3; i < argc; i++) {
            sparse_one(argv[2], argv[i]);
        }
        return failures == 0 ? 0 : 1;
    }
    if (argc != 2) {
        fprintf(stderr,
                "usage: %s OUTDIR | --sparse OUTDIR FILE... | --expand INPUT IMAGE [--reseal]\n",
                argv[0]);
        return 64;
    }
    out_dir = argv[1];
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        perror(out_dir);
        return 1;
    }
    seed_vhd("fx-fixed", VHD_TYPE_FIXED, 0);
    seed_vhd("fx-dynamic", VHD_TYPE_DYNAMIC, 0x105);
    seed_vhd("fx-differencing", VHD_TYPE_DIFFERENCING, 0);
    seed_vdi("fx-normal", 0x00010001u, VDI_TYPE_NORMAL, "D.zD");
    seed_vdi("fx-fixed", 0x00010001u, VDI_TYPE_FIXED, "DDDD");
    seed_vdi("fx-diff", 0x00010001u, VDI_TYPE_DIFF, ".D.z");
    seed_vdi("fx-v1.0", 0x00010000u, VDI_TYPE_NORMAL, "zD");
    seed_vdi("fx-v0", 0x00000002u, VDI_TYPE_NORMAL, "D..D");
    seed_bochs("fx-growing-v2", BOCHS_VERSION_2, BOCHS_SUBTYPE_GROWING);
    seed_bochs("fx-growing-v1", BOCHS_VERSION_1, BOCHS_SUBTYPE_GROWING);
    seed_bochs("fx-undoable", BOCHS_VERSION_2, BOCHS_SUBTYPE_UNDOABLE);
    seed_vhdx("fx-dynamic", VHDX_FIXTURE_DYNAMIC, 0);
    seed_vhdx("fx-fixed", VHDX_FIXTURE_FIXED, 0);
    seed_vhdx("fx-differencing", VHDX_FIXTURE_DIFFERENCING, 0);
    seed_vhdx("fx-log-pending", VHDX_FIXTURE_DYNAMIC, 1);
    seed_vhdx("fx-log-two-entries", VHDX_FIXTURE_DYNAMIC, 2);
    seed_vhdx("fx-log-wrapping", VHDX_FIXTURE_DYNAMIC, 3);
    seed_vhdx("fx-log-grows-file", VHDX_FIXTURE_FIXED, 4);
    return failures == 0 ? 0 : 1;
}
