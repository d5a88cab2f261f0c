#include "fuzz_common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_digest.h"
#include "vd_facts.h"
#include "vd_findings.h"

static const char *input_name;
static uint64_t hash_max = FUZZ_HASH_MAX_FUZZING;

void fuzz_set_hash_max(uint64_t virtual_size)
{
    hash_max = virtual_size < FUZZ_HASH_MAX_REPLAY ? virtual_size : FUZZ_HASH_MAX_REPLAY;
}

void fuzz_set_input_name(const char *name)
{
    input_name = name;
}

void fuzz_fail(const char *file, int line, const char *what, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: fuzz property violated: %s\n    ", file, line, what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (input_name != NULL) {
        fprintf(stderr, "    input: %s\n", input_name);
    }
    fflush(stderr);
    abort();
}

bool fuzz_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (len - i - 1 < n) {
            return false;
        }
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0u) != 0x80u) {
                return false;
            }
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

/* ---- the map visitor: extents tile [0, virtual_size) in order ---- */

#define FUZZ_MAX_WINDOWS (FUZZ_HASH_MAX_REPLAY / FUZZ_PIECEWISE_WINDOW)

struct fuzz_map {
    const uint8_t *data;
    size_t size;
    bool begun;
    uint64_t virtual_size;
    uint64_t next;     /* where the next extent must start */
    uint64_t data_end; /* the furthest file byte a data extent reaches */
    size_t visits;
    bool stopped; /* FUZZ_MAP_MAX_EXTENTS reached: the visitor ended the map */
    /* The reference digests (hashed run only): the disk from the extents and the input. */
    bool reference;
    bool reference_ok; /* false once a data extent reaches past the input (replayed log) */
    EVP_MD_CTX *whole;
    EVP_MD_CTX *window;
    uint64_t window_fill;
    size_t windows;
    uint8_t window_md[FUZZ_MAX_WINDOWS][32];
};

static void digest_init(EVP_MD_CTX *ctx)
{
    FUZZ_ASSERT(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1, "EVP_DigestInit_ex");
}

/* Feeds n bytes (NULL: zeros) to the whole-disk digest and the piecewise windows. */
static void reference_feed(struct fuzz_map *m, const uint8_t *p, uint64_t n)
{
    static const uint8_t zeros[65536];

    while (n > 0) {
        uint64_t room = FUZZ_PIECEWISE_WINDOW - m->window_fill;
        size_t k = (size_t)(n < room ? n : room);
        k = p == NULL && k > sizeof(zeros) ? sizeof(zeros) : k;
        const uint8_t *src = p != NULL ? p : zeros;
        FUZZ_ASSERT(EVP_DigestUpdate(m->whole, src, k) == 1, "EVP_DigestUpdate");
        FUZZ_ASSERT(EVP_DigestUpdate(m->window, src, k) == 1, "EVP_DigestUpdate");
        m->window_fill += k;
        if (m->window_fill == FUZZ_PIECEWISE_WINDOW) {
            FUZZ_ASSERT(m->windows < FUZZ_MAX_WINDOWS, "more windows than the hashed size allows");
            FUZZ_ASSERT(EVP_DigestFinal_ex(m->window, m->window_md[m->windows++], NULL) == 1,
                        "EVP_DigestFinal_ex");
            digest_init(m->window);
            m->window_fill = 0;
        }
        p = p != NULL ? p + k : NULL;
        n -= k;
    }
}

static void map_begin(void *arg, const struct vd_image_info *info)
{
    struct fuzz_map *m = arg;

    FUZZ_ASSERT(!m->begun, "map_begin called twice");
    m->begun = true;
    m->virtual_size = info->virtual_size;
}

static enum vd_status map_visit(void *arg, const struct vd_extent *e)
{
    struct fuzz_map *m = arg;
    uint64_t end;

    FUZZ_ASSERT(m->begun, "an extent before map_begin");
    if (m->visits == FUZZ_MAP_MAX_EXTENTS) {
        m->stopped = true;
        return VD_E_LIMIT; /* enough: the map of a disk may be as long as it has sectors */
    }
    FUZZ_ASSERT(e->offset == m->next, "extent at %" PRIu64 ", the previous one ended at %" PRIu64,
                e->offset, m->next);
    FUZZ_ASSERT(e->length > 0, "empty extent at %" PRIu64, e->offset);
    FUZZ_ASSERT(!vd_ckd_add_u64(&end, e->offset, e->length) && end <= m->virtual_size,
                "extent %" PRIu64 "+%" PRIu64 " beyond the virtual size %" PRIu64, e->offset,
                e->length, m->virtual_size);
    /* A memory source has no folder, hence no parent layer: everything is at depth 0. */
    FUZZ_ASSERT(e->depth == 0, "extent at depth %u without a parent layer", e->depth);
    switch (e->kind) {
    case VD_EXTENT_DATA: {
        uint64_t file_end;
        FUZZ_ASSERT(!vd_ckd_add_u64(&file_end, e->file_offset, e->length),
                    "data extent at file offset %" PRIu64 "+%" PRIu64 " overflows", e->file_offset,
                    e->length);
        m->data_end = file_end > m->data_end ? file_end : m->data_end;
        if (m->reference && file_end > m->size) {
            m->reference_ok = false; /* bytes of a replayed log: only the engine has them */
        } else if (m->reference) {
            reference_feed(m, m->data + e->file_offset, e->length);
        }
        break;
    }
    case VD_EXTENT_PARENT: /* --no-parent in the hashed run: read as zero */
    case VD_EXTENT_ZERO:
    case VD_EXTENT_UNALLOCATED:
        if (m->reference) {
            reference_feed(m, NULL, e->length);
        }
        break;
    default:
        FUZZ_ASSERT(false, "extent kind %d", (int)e->kind);
    }
    m->next = end;
    m->visits++;
    return VD_OK;
}

/* ---- the properties of a result ---- */

static bool string_ok(const char *s, size_t cap)
{
    const char *nul = memchr(s, '\0', cap);
    return nul != NULL && fuzz_utf8_valid(s, (size_t)(nul - s));
}

/*
 * Findings that locate a structure where the format places or declares it, even when the
 * file is too short to hold it: a table whose declared length runs past the end of the file
 * (the whole declared table is located), and the VHDX headers and region tables at their
 * fixed offsets (MS-VHDX §2.2) in a file that ends before them. Only these may reach past
 * the end of the file; every other finding locates bytes the file holds.
 */
static bool locates_declared_range(enum vd_finding_id id)
{
    switch (id) {
    case VD_F_VHD_BAT_TRUNCATED:
    case VD_F_VDI_MAP_TRUNCATED:
    case VD_F_BOCHS_CATALOG_TRUNCATED:
    case VD_F_VHDX_HEADER_NONE_VALID:
    case VD_F_VHDX_HEADER_TORN:
    case VD_F_VHDX_REGION_NONE_VALID:
        return true;
    default:
        return false;
    }
}

/* Once: every catalog entry has a dotted id that finds it again. */
static void check_catalog(void)
{
    static bool checked;

    for (size_t i = 0; !checked && i < VD_F__COUNT; i++) {
        const struct vd_catalog_entry *c = vd_catalog_get((enum vd_finding_id)i);
        FUZZ_ASSERT(c->id != NULL && vd_catalog_find(c->id) == (enum vd_finding_id)i,
                    "catalog entry %zu", i);
    }
    checked = true;
}

static void check_findings(const struct vd_image_result *r, uint64_t bound)
{
    const struct vd_findings *l = &r->findings;
    size_t kept[VD_SEV_COUNT] = {0};
    size_t total = 0;

    check_catalog();

    FUZZ_ASSERT(l->count <= l->limit, "%zu findings kept, limit %zu", l->count, l->limit);
    for (size_t i = 0; i < l->count; i++) {
        const struct vd_finding *f = &l->items[i];
        uint64_t end;
        FUZZ_ASSERT((unsigned)f->id < (unsigned)VD_F__COUNT, "finding id %d not in the catalog",
                    (int)f->id);
        const struct vd_catalog_entry *c = vd_catalog_get(f->id);
        FUZZ_ASSERT(f->severity == c->severity, "%s with severity %d", c->id, (int)f->severity);
        FUZZ_ASSERT(f->loc.structure != NULL, "%s without a structure", c->id);
        FUZZ_ASSERT(f->loc.index >= -1, "%s index %" PRId64, c->id, f->loc.index);
        FUZZ_ASSERT(!vd_ckd_add_u64(&end, f->loc.offset, f->loc.length) &&
                        (end <= bound || locates_declared_range(f->id)),
                    "%s (%s) at %" PRIu64 "+%" PRIu64 " lies past the %" PRIu64 "-byte file: %s",
                    c->id, f->loc.structure, f->loc.offset, f->loc.length, bound, f->message);
        FUZZ_ASSERT(string_ok(f->message, sizeof(f->message)) &&
                        string_ok(f->expected, sizeof(f->expected)) &&
                        string_ok(f->actual, sizeof(f->actual)),
                    "%s: a message or value that is not UTF-8 text", c->id);
        kept[f->severity]++;
    }
    for (int s = 0; s < VD_SEV_COUNT; s++) {
        FUZZ_ASSERT(kept[s] <= l->by_severity[s], "severity %d: %zu kept, %zu counted", s, kept[s],
                    l->by_severity[s]);
        FUZZ_ASSERT(l->dropped > 0 || kept[s] == l->by_severity[s],
                    "severity %d: %zu kept, %zu counted, none dropped", s, kept[s],
                    l->by_severity[s]);
        total += l->by_severity[s];
    }
    FUZZ_ASSERT(total == l->count + l->dropped, "%zu counted, %zu kept + %zu dropped", total,
                l->count, l->dropped);
}

static enum vd_verdict expected_verdict(const struct vd_image_result *r)
{
    const size_t *n = r->findings.by_severity;

    if (r->status != VD_OK && r->status != VD_E_CORRUPT && r->status != VD_E_CHANGED) {
        return VD_VERDICT_UNREADABLE;
    }
    if (!r->recognized) {
        return VD_VERDICT_UNRECOGNIZED;
    }
    if (n[VD_SEV_FATAL] > 0 || n[VD_SEV_ERROR] > 0) {
        return VD_VERDICT_ERRORS;
    }
    return n[VD_SEV_WARNING] > 0 ? VD_VERDICT_WARNINGS : VD_VERDICT_CLEAN;
}

bool fuzz_log_replayed(const struct vd_image_result *r)
{
    const struct vd_fact *view = vd_fact_get(vd_fact_get(r->semantics, "vhdx_log"), "view");

    return view != NULL && view->kind == VD_FACT_STRING && strcmp(view->string, "replayed") == 0;
}

void fuzz_check_result(const struct vd_image_result *r, size_t size, const struct fuzz_run *run)
{
    bool replayed = fuzz_log_replayed(r);

    /* A memory source reads exactly; these mean a read out of range or a broken contract. */
    FUZZ_ASSERT(r->status == VD_OK || r->status == VD_E_CORRUPT || r->status == VD_E_LIMIT ||
                    r->status == VD_E_NOMEM,
                "status %s", vd_status_str(r->status));
    FUZZ_ASSERT(r->status != VD_E_CORRUPT || r->findings.by_severity[VD_SEV_FATAL] > 0,
                "VD_E_CORRUPT without a fatal finding");
    FUZZ_ASSERT(r->verdict == expected_verdict(r), "verdict %s, the counts say %s",
                vd_verdict_name(r->verdict), vd_verdict_name(expected_verdict(r)));
    FUZZ_ASSERT(r->stat.size == size, "source size %" PRIu64 " for %zu bytes", r->stat.size, size);
    /* Only a replayed journal may present a longer file than the input. */
    FUZZ_ASSERT(r->read_size == size || (replayed && r->read_size > size),
                "read size %" PRIu64 " of a %zu-byte input (replayed: %d)", r->read_size, size,
                (int)replayed);
    FUZZ_ASSERT(!replayed || run->log_view == VD_LOG_VIEW_REPLAYED, "a log replayed in the %s",
                "on-disk view");
    if (r->recognized) {
        FUZZ_ASSERT(r->info.format != NULL, "recognized without a format");
        FUZZ_ASSERT(run->only_driver == NULL || strcmp(r->info.format, run->only_driver->name) == 0,
                    "format %s while only %s was probed", r->info.format, run->only_driver->name);
    }
    FUZZ_ASSERT(r->chain_count == 0, "%zu parents of an image in memory", r->chain_count);
    check_findings(r, r->read_size);
}

/* ---- one analysis, and the hashed one ---- */

static struct vd_image_result *analyze(const uint8_t *data, size_t size, const struct fuzz_run *run,
                                       bool hashed, struct fuzz_map *m)
{
    struct vd_source *src = NULL;
    struct vd_analyze_options opt = {
        .limits = VD_LIMITS_DEFAULT,
        .log_view = run->log_view,
        .map_begin = map_begin,
        .map_visit = map_visit,
        .map_arg = m,
        .only_driver = run->only_driver,
    };
    struct vd_image_result *r;

    if (hashed) {
        opt.hash_mask = 1u << VD_DIGEST_SHA256;
        opt.piecewise_size = FUZZ_PIECEWISE_WINDOW;
        opt.piecewise_alg = VD_DIGEST_SHA256;
        opt.no_parent = true; /* a differencing disk is hashed with its parent read as zero */
    }
    if (vd_source_open_memory(data, size, &src) != VD_OK) {
        return NULL;
    }
    r = vd_analyze_source(src, "fuzz-input", &opt);
    vd_source_close(src);
    if (r == NULL) {
        return NULL;
    }
    fuzz_check_result(r, size, run);
    /* The map: over a disk the structures fully describe, and then whole. */
    bool describable = r->status == VD_OK && r->recognized && r->info.mappable &&
                       r->findings.by_severity[VD_SEV_FATAL] == 0;
    if (m->stopped) {
        FUZZ_ASSERT(r->status == VD_E_LIMIT && !r->mapped, "the visitor stopped the map: %s",
                    vd_status_str(r->status));
        return r;
    }
    FUZZ_ASSERT(r->mapped == describable, "mapped %d, status %s, mappable %d, %zu fatal findings",
                (int)r->mapped, vd_status_str(r->status), (int)r->info.mappable,
                r->findings.by_severity[VD_SEV_FATAL]);
    FUZZ_ASSERT(m->begun || !r->mapped, "mapped without map_begin");
    FUZZ_ASSERT(!m->begun || r->mapped || r->status != VD_OK, "the map stopped without a status");
    if (r->mapped) {
        FUZZ_ASSERT(m->virtual_size == r->info.virtual_size,
                    "map_begin saw %" PRIu64 ", the result says %" PRIu64, m->virtual_size,
                    r->info.virtual_size);
        FUZZ_ASSERT(m->next == m->virtual_size,
                    "the extents end at %" PRIu64 " of a %" PRIu64 "-byte disk", m->next,
                    m->virtual_size);
        FUZZ_ASSERT(m->data_end <= r->read_size,
                    "a data extent reaches file offset %" PRIu64 " of a %" PRIu64 "-byte file",
                    m->data_end, r->read_size);
    }
    return r;
}

static void hex_of(const uint8_t *md, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
}

/*
 * The hashed run: digests of the container and of the disk equal independent ones. Returns
 * its result, or NULL when memory ran out.
 */
static struct vd_image_result *check_hashed(const uint8_t *data, size_t size,
                                            const struct fuzz_run *run,
                                            const struct vd_image_result *first)
{
    struct fuzz_map *m = calloc(1, sizeof(*m));
    struct vd_image_result *r;
    uint8_t md[32];
    char hex[65];

    if (m == NULL) {
        return NULL;
    }
    m->data = data;
    m->size = size;
    m->reference = true;
    m->reference_ok = true;
    m->whole = EVP_MD_CTX_new();
    m->window = EVP_MD_CTX_new();
    FUZZ_ASSERT(m->whole != NULL && m->window != NULL, "EVP_MD_CTX_new");
    digest_init(m->whole);
    digest_init(m->window);
    r = analyze(data, size, run, true, m);
    if (r == NULL) {
        goto out;
    }
    FUZZ_ASSERT(r->status == VD_OK, "hashed run: status %s", vd_status_str(r->status));
    FUZZ_ASSERT(r->mapped && r->verdict == first->verdict &&
                    r->info.virtual_size == first->info.virtual_size,
                "hashed run: mapped %d, verdict %s (first %s)", (int)r->mapped,
                vd_verdict_name(r->verdict), vd_verdict_name(first->verdict));
    FUZZ_ASSERT(EVP_Digest(data, size, md, NULL, EVP_sha256(), NULL) == 1, "EVP_Digest");
    hex_of(md, sizeof(md), hex);
    FUZZ_ASSERT((r->container.mask & (1u << VD_DIGEST_SHA256)) != 0 &&
                    strcmp(r->container.hex[VD_DIGEST_SHA256], hex) == 0,
                "container sha256 %s, expected %s", r->container.hex[VD_DIGEST_SHA256], hex);
    FUZZ_ASSERT((r->virtual_disk.mask & (1u << VD_DIGEST_SHA256)) != 0, "no virtual sha256");
    FUZZ_ASSERT(r->piecewise.count == vd_div_round_up(r->info.virtual_size, FUZZ_PIECEWISE_WINDOW),
                "%zu piecewise windows for %" PRIu64 " bytes", r->piecewise.count,
                r->info.virtual_size);
    if (!m->reference_ok || fuzz_log_replayed(r)) {
        goto out; /* the disk holds replayed log bytes the input does not */
    }
    FUZZ_ASSERT(EVP_DigestFinal_ex(m->whole, md, NULL) == 1, "EVP_DigestFinal_ex");
    hex_of(md, sizeof(md), hex);
    FUZZ_ASSERT(strcmp(r->virtual_disk.hex[VD_DIGEST_SHA256], hex) == 0,
                "virtual sha256 %s, the extents give %s", r->virtual_disk.hex[VD_DIGEST_SHA256],
                hex);
    if (m->window_fill > 0) {
        FUZZ_ASSERT(m->windows < FUZZ_MAX_WINDOWS, "too many windows");
        FUZZ_ASSERT(EVP_DigestFinal_ex(m->window, m->window_md[m->windows++], NULL) == 1,
                    "EVP_DigestFinal_ex");
    }
    FUZZ_ASSERT(m->windows == r->piecewise.count, "%zu windows, %zu expected", r->piecewise.count,
                m->windows);
    for (size_t i = 0; i < m->windows; i++) {
        FUZZ_ASSERT(memcmp(r->piecewise.digests + 32 * i, m->window_md[i], 32) == 0,
                    "piecewise window %zu differs", i);
    }
out:
    EVP_MD_CTX_free(m->whole);
    EVP_MD_CTX_free(m->window);
    free(m);
    return r;
}

/* FUZZ_VERBOSE=1 in the environment: one line per analysis on stderr. */
static void trace(const struct vd_image_result *r, const struct fuzz_run *run, const char *what,
                  size_t extents)
{
    static int verbose = -1;

    if (verbose < 0) {
        const char *v = getenv("FUZZ_VERBOSE");
        verbose = v != NULL && strcmp(v, "0") != 0;
    }
    if (verbose) {
        fprintf(stderr,
                "  %s %s%s: %s, %s, status %s, %zu findings, virtual %" PRIu64
                ", mapped %d (%zu extents)\n",
                what, run->only_driver != NULL ? run->only_driver->name : "any",
                run->log_view == VD_LOG_VIEW_ON_DISK ? " on-disk" : "",
                r->recognized ? r->info.format : "unrecognized", vd_verdict_name(r->verdict),
                vd_status_str(r->status), r->findings.count, r->info.virtual_size, (int)r->mapped,
                extents);
    }
}

struct vd_image_result *fuzz_analyze(const uint8_t *data, size_t size, const struct fuzz_run *run)
{
    struct fuzz_map m = {.data = data, .size = size};
    struct vd_image_result *r = analyze(data, size, run, false, &m);

    if (r == NULL) {
        return NULL;
    }
    trace(r, run, "analyzed", m.visits);
    if (run->hash && r->mapped && r->info.virtual_size <= hash_max) {
        struct vd_image_result *hashed = check_hashed(data, size, run, r);
        if (hashed != NULL) {
            trace(hashed, run, "hashed  ", m.visits);
            vd_result_free(r);
            return hashed;
        }
    }
    return r;
}

bool fuzz_expand(const uint8_t *data, size_t size, const uint8_t **image, size_t *image_size,
                 uint8_t **owned)
{
    size_t len;
    uint8_t *out;

    *owned = NULL;
    if (size < FUZZ_SPARSE_HEADER || memcmp(data, FUZZ_SPARSE_MAGIC, 4) != 0) {
        *image = data;
        *image_size = size;
        return true;
    }
    len = vd_load_le32(data + 4);
    len = len < FUZZ_SPARSE_MAX ? len : FUZZ_SPARSE_MAX;
    out = calloc(len == 0 ? 1 : len, 1);
    if (out == NULL) {
        return false;
    }
    for (size_t at = FUZZ_SPARSE_HEADER; size - at >= FUZZ_SPARSE_RECORD;) {
        uint64_t offset = vd_load_le32(data + at);
        size_t n = vd_load_le16(data + at + 4);
        at += FUZZ_SPARSE_RECORD;
        n = n < size - at ? n : size - at;
        if (offset < len) {
            size_t room = len - (size_t)offset;
            memcpy(out + offset, data + at, n < room ? n : room);
        }
        at += n;
    }
    *image = out;
    *image_size = len;
    *owned = out;
    return true;
}

void fuzz_each_image(const uint8_t *data, size_t size,
                     void (*check)(const uint8_t *data, size_t size))
{
    const uint8_t *image;
    size_t len;
    uint8_t *owned;
    uint8_t *copy = NULL;

    if (!fuzz_expand(data, size, &image, &len, &owned)) {
        return;
    }
    check(image, len);
    if (fuzz_reseal(image, NULL, len) && (copy = malloc(len)) != NULL) {
        memcpy(copy, image, len);
        (void)fuzz_reseal(image, copy, len);
        check(copy, len);
        free(copy);
    }
    free(owned);
}
