#include "vd_test_sweep.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_test.h"
#include "vd_test_image.h"

/* Mutated disks larger than this are not hashed: a changed size field may claim terabytes. */
#define HASH_MAX_VIRTUAL (16u << 20)
/* Failures printed per sweep; the rest are only counted. */
#define PRINT_MAX 12

double vd_test_seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- plans and checksums ---- */

struct vd_sweep_range *vd_sweep_add(struct vd_sweep_plan *p, size_t len, const char *name,
                                    uint64_t at, uint64_t size, bool big_endian, uint32_t stride)
{
    struct vd_sweep_range *r;

    if (at >= len || size == 0 || p->n == VD_SWEEP_MAX_RANGES) {
        return NULL;
    }
    r = &p->r[p->n++];
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->at = at;
    r->len = size < len - at ? size : len - at;
    r->big_endian = big_endian;
    r->stride = stride == 0 ? 1 : stride;
    return r;
}

void vd_sweep_seal(struct vd_sweep_range *r, const uint8_t *data, size_t len,
                   enum vd_sweep_seal seal, uint64_t base, uint64_t size, uint64_t field)
{
    if (r == NULL || base > len || size > len - base || field < base || field + 4 > base + size) {
        return;
    }
    r->seal = seal;
    r->seal_errors = true;
    r->seal_base = base;
    r->seal_len = size;
    r->seal_field = field;
    if (!vd_sweep_seal_ok(data, len, r)) {
        r->seal = VD_SEAL_NONE; /* not sealed to begin with: a change proves nothing */
    }
}

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table built on first use. */
uint32_t vd_sweep_crc32c(const uint8_t *p, size_t n, size_t skip)
{
    static uint32_t table[256];
    uint32_t crc = 0xFFFFFFFFu;

    if (table[1] == 0) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1u) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            }
            table[i] = c;
        }
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t b = i - skip < 4 ? 0 : p[i]; /* the stored checksum counts as zero */
        crc = table[(crc ^ b) & 0xFFu] ^ (crc >> 8);
    }
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t load32(const uint8_t *p, bool big_endian)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        v |= (uint32_t)p[big_endian ? 3 - i : i] << (8 * i);
    }
    return v;
}

bool vd_sweep_seal_ok(const uint8_t *data, size_t len, const struct vd_sweep_range *r)
{
    const uint8_t *base = data + r->seal_base;
    size_t skip = (size_t)(r->seal_field - r->seal_base);
    uint32_t sum = 0;

    if (r->seal == VD_SEAL_NONE || r->seal_base + r->seal_len > len) {
        return true;
    }
    if (r->seal == VD_SEAL_CRC32C) {
        return vd_sweep_crc32c(base, (size_t)r->seal_len, skip) ==
               load32(data + r->seal_field, false);
    }
    for (size_t i = 0; i < r->seal_len; i++) {
        sum += i - skip < 4 ? 0u : base[i];
    }
    return (uint32_t)~sum == load32(data + r->seal_field, true);
}

/* ---- truncation ---- */

/* The analysis ran to its end: a verdict from the findings, not a tool failure. */
static bool completed(const struct vd_image_result *r)
{
    return r->status == VD_OK || r->status == VD_E_CORRUPT;
}

/*
 * A cut image gives errors or is not recognized. The one exception is a VHD one byte short:
 * Virtual PC wrote 511-byte footers (the lost byte is reserved, zero), which readers accept
 * and vdcheck reports as the warning vhd.file.short_footer.
 */
static bool truncation_ok(const struct vd_image_result *r, size_t cut, size_t len)
{
    if (r->verdict == VD_VERDICT_ERRORS || r->verdict == VD_VERDICT_UNRECOGNIZED) {
        return true;
    }
    return cut + 1 == len && r->verdict == VD_VERDICT_WARNINGS &&
           vd_findings_count_id(&r->findings, vd_catalog_find("vhd.file.short_footer")) == 1;
}

struct cuts {
    size_t *at;
    size_t n, cap;
};

static void cut_add(struct cuts *c, size_t at, size_t len)
{
    if (at >= len) {
        return;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap == 0 ? 8192 : 2 * c->cap;
        size_t *grown = realloc(c->at, cap * sizeof(*grown));
        if (grown == NULL) {
            abort();
        }
        c->at = grown;
        c->cap = cap;
    }
    c->at[c->n++] = at;
}

/* Multiples of 512 in [from, to). */
static void cut_sectors(struct cuts *c, uint64_t from, uint64_t to, size_t len)
{
    for (uint64_t at = from / 512 * 512; at < to && at < len; at += 512) {
        cut_add(c, (size_t)at, len);
    }
}

static int size_order(const void *a, const void *b)
{
    size_t x = *(const size_t *)a;
    size_t y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/* The lengths vd_test_truncation_sweep_data cuts at, sorted, each once. */
static void cuts_plan(struct cuts *c, size_t len, size_t tail, const struct vd_sweep_plan *plan)
{
    size_t kept = 0;

    for (size_t at = 0; at < 4096; at++) {
        cut_add(c, at, len);
    }
    cut_sectors(c, 0, len <= VD_SWEEP_FULL_MAX ? len : 1u << 20, len);
    for (size_t i = 0; plan != NULL && i < plan->n; i++) {
        const struct vd_sweep_range *r = &plan->r[i];
        uint64_t end = r->at + r->len;
        uint64_t before = r->at > 4096 ? r->at - 4096 : 0;
        if (r->len <= 65536) {
            cut_sectors(c, before, end + 4096, len);
        } else {
            cut_sectors(c, before, r->at + 4096, len);
            cut_sectors(c, end - 4096, end + 4096, len);
        }
    }
    for (size_t at = len > tail ? len - tail : 0; at < len; at++) {
        cut_add(c, at, len);
    }
    for (size_t at = 0; at < len; at += 65536) {
        cut_add(c, at, len);
    }
    qsort(c->at, c->n, sizeof(*c->at), size_order);
    for (size_t i = 0; i < c->n; i++) {
        if (kept == 0 || c->at[i] != c->at[kept - 1]) {
            c->at[kept++] = c->at[i];
        }
    }
    c->n = kept;
}

void vd_test_truncation_sweep_data(const char *label, const uint8_t *data, size_t len, size_t tail,
                                   const struct vd_sweep_plan *plan)
{
    struct cuts c = {0};
    struct timespec t0;
    uint64_t used = plan != NULL && plan->used_end != 0 ? plan->used_end : len;
    size_t padding = 0;
    size_t bad = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    cuts_plan(&c, len, tail, plan);
    for (size_t i = 0; i < c.n; i++) {
        struct vd_image_result *r = vd_test_analyze(data, c.at[i], 0);
        bool lossless = c.at[i] >= used;
        padding += lossless;
        if (!completed(r) || (!lossless && !truncation_ok(r, c.at[i], len))) {
            if (bad++ < PRINT_MAX) {
                fprintf(stderr, "    %s cut at %zu: status %s, verdict %s\n", label, c.at[i],
                        vd_status_str(r->status), vd_verdict_name(r->verdict));
            }
        }
        vd_result_free(r);
    }
    fprintf(stderr, "  %s: %zu lengths (%zu in end padding), %.1f s\n", label, c.n, padding,
            vd_test_seconds_since(&t0));
    EXPECT_U64(bad, 0);
    free(c.at);
}

/* ---- mutations ---- */

struct sweep {
    const char *label;
    uint8_t *data;
    size_t len;
    unsigned hash_every;
    size_t runs;
    size_t hashed;
    size_t broken; /* changes that broke a checksum */
    size_t bad;
};

static void print_failure(struct sweep *s, const struct vd_sweep_range *range, uint64_t at,
                          const char *what, const struct vd_image_result *r, const char *why)
{
    if (s->bad++ >= PRINT_MAX) {
        return;
    }
    fprintf(stderr, "    %s %s +%" PRIu64 " (file 0x%" PRIx64 ") %s: %s; status %s, verdict %s",
            s->label, range->name, at - range->at, at, what, why, vd_status_str(r->status),
            vd_verdict_name(r->verdict));
    for (size_t i = 0; i < r->findings.count && i < 6; i++) {
        fprintf(stderr, "%s%s", i == 0 ? ": " : ", ", vd_catalog_get(r->findings.items[i].id)->id);
    }
    fprintf(stderr, "\n");
}

static void judge(struct sweep *s, const struct vd_sweep_range *range, uint64_t at,
                  const char *what, bool broken, const struct vd_image_result *r)
{
    if (!completed(r)) {
        print_failure(s, range, at, what, r, "the analysis did not complete");
    } else if (broken && r->verdict == VD_VERDICT_CLEAN) {
        print_failure(s, range, at, what, r, "checksum broken, verdict clean");
    } else if (broken && range->seal_errors && r->verdict != VD_VERDICT_ERRORS &&
               r->verdict != VD_VERDICT_UNRECOGNIZED) {
        print_failure(s, range, at, what, r, "checksum broken but no error");
    }
}

/* Analyzes the image as it is now (one change applied). */
static void analyze_changed(struct sweep *s, const struct vd_sweep_range *range, uint64_t at,
                            const char *what)
{
    bool broken = !vd_sweep_seal_ok(s->data, s->len, range);
    struct vd_image_result *r = vd_test_analyze(s->data, s->len, 0);
    bool hash = s->hash_every != 0 && s->runs % s->hash_every == 0 && r->recognized &&
                r->info.virtual_size <= HASH_MAX_VIRTUAL;

    s->runs++;
    s->broken += broken;
    judge(s, range, at, what, broken, r);
    vd_result_free(r);
    if (hash) {
        r = vd_test_analyze(s->data, s->len, 1u << VD_DIGEST_SHA256);
        judge(s, range, at, what, broken, r);
        vd_result_free(r);
        s->hashed++;
    }
}

/* Writes width bytes of value at `at` (in the range's byte order), analyzes, restores. */
static void try_value(struct sweep *s, const struct vd_sweep_range *range, uint64_t at,
                      unsigned width, uint64_t value, const char *what)
{
    uint8_t saved[8];
    uint8_t *p = s->data + at;

    memcpy(saved, p, width);
    for (unsigned i = 0; i < width; i++) {
        p[range->big_endian ? width - 1 - i : i] = (uint8_t)(value >> (8 * i));
    }
    if (memcmp(saved, p, width) != 0) { /* a value already there changes nothing */
        analyze_changed(s, range, at, what);
    }
    memcpy(p, saved, width);
}

static void try_xor(struct sweep *s, const struct vd_sweep_range *range, uint64_t at, uint8_t mask,
                    const char *what)
{
    s->data[at] ^= mask;
    analyze_changed(s, range, at, what);
    s->data[at] ^= mask;
}

static void sweep_range(struct sweep *s, const struct vd_sweep_range *range)
{
    static const uint32_t v32[] = {0, 1, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu};
    static const uint64_t v64[] = {UINT64_MAX, UINT64_C(1) << 63};
    uint64_t step4 = range->stride > 4 ? range->stride : 4;
    uint64_t step8 = range->stride > 8 ? range->stride : 8;

    for (uint64_t off = 0; off < range->len; off += range->stride) {
        try_xor(s, range, range->at + off, 0xFF, "xor 0xff");
        try_xor(s, range, range->at + off, 0x01, "xor 0x01");
    }
    for (uint64_t off = 0; off + 4 <= range->len; off += step4) {
        for (size_t i = 0; i < sizeof(v32) / sizeof(v32[0]); i++) {
            char what[32];
            snprintf(what, sizeof(what), "u32 0x%" PRIx32, v32[i]);
            try_value(s, range, range->at + off, 4, v32[i], what);
        }
    }
    for (uint64_t off = 0; off + 8 <= range->len; off += step8) {
        for (size_t i = 0; i < sizeof(v64) / sizeof(v64[0]); i++) {
            char what[32];
            snprintf(what, sizeof(what), "u64 0x%" PRIx64, v64[i]);
            try_value(s, range, range->at + off, 8, v64[i], what);
        }
    }
}

size_t vd_test_mutation_sweep(const char *label, uint8_t *data, size_t len,
                              const struct vd_sweep_plan *plan, unsigned hash_every)
{
    struct sweep s = {.label = label, .data = data, .len = len, .hash_every = hash_every};
    struct timespec t0;
    size_t sealed = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < plan->n; i++) {
        sweep_range(&s, &plan->r[i]);
        sealed += plan->r[i].seal != VD_SEAL_NONE;
    }
    fprintf(stderr,
            "  %s: %zu ranges (%zu sealed), %zu changes (%zu broke a checksum), %zu hashed, "
            "%.1f s\n",
            label, plan->n, sealed, s.runs, s.broken, s.hashed, vd_test_seconds_since(&t0));
    EXPECT(plan->n > 0);
    EXPECT_U64(s.bad, 0);
    return s.runs;
}

/* ---- allocation failures ---- */

unsigned long vd_test_alloc_failures(const char *label, enum vd_status (*run)(void *arg), void *arg,
                                     unsigned long max, bool strict)
{
    struct timespec t0;
    size_t bad = 0;
    size_t swallowed = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned long n = 1; n <= max; n++) {
        enum vd_status st;
        unsigned long left;
        vd_alloc_fail_after(n);
        st = run(arg);
        left = vd_alloc_fail_after(0);
        if (left != 0) { /* the n-th allocation never came: the run was complete */
            fprintf(stderr, "  %s: %lu allocations, each failed once, %.1f s", label, n - 1,
                    vd_test_seconds_since(&t0));
            fprintf(stderr, swallowed > 0 ? "; %zu failures ended as ok\n" : "\n", swallowed);
            EXPECT(st == VD_OK);
            EXPECT_U64(bad, 0);
            return n - 1;
        }
        /* The failure came: the run must say so (never a result that silently lacks parts). */
        swallowed += st == VD_OK;
        if ((st != VD_E_NOMEM && (strict || st != VD_OK)) && bad++ < PRINT_MAX) {
            fprintf(stderr, "    %s: allocation %lu failed, the run ended with %s\n", label, n,
                    vd_status_str(st));
        }
    }
    fprintf(stderr, "  %s: still allocating after %lu tries\n", label, max);
    EXPECT(0);
    return 0;
}

enum vd_status vd_test_alloc_run_memory(void *arg)
{
    const struct vd_alloc_run *a = arg;
    struct vd_source *src = NULL;
    struct vd_image_result *r;
    enum vd_status st = vd_source_open_memory(a->data, a->len, &src);

    if (st != VD_OK) {
        return st;
    }
    r = vd_analyze_source(src, "memory", &a->opt);
    st = r != NULL ? r->status : VD_E_NOMEM;
    vd_result_free(r);
    vd_source_close(src);
    return st;
}
