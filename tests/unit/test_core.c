/* Unit tests of the core helpers: loaders, checked math, text, GUIDs, findings, extents,
 * digests, bit counts. Allocation failures: tests/sweep/test_alloc_failures.c. */
#include <stdlib.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_analyze.h"
#include "vd_bits.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_digest.h"
#include "vd_extents.h"
#include "vd_format.h"
#include "vd_guid.h"
#include "vd_hash_stream.h"
#include "vd_limits.h"
#include "vd_test.h"
#include "vd_test_image.h"
#include "vd_text.h"

VD_TEST(bytes_loaders_are_explicit_endian)
{
    static const uint8_t b[8] = {0x81, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xf8};
    uint8_t out[8];

    EXPECT_U64(vd_load_be16(b), 0x8102);
    EXPECT_U64(vd_load_le16(b), 0x0281);
    EXPECT_U64(vd_load_be32(b), 0x81020304u);
    EXPECT_U64(vd_load_le32(b), 0x04030281u);
    EXPECT_U64(vd_load_be64(b), UINT64_C(0x81020304050607f8));
    EXPECT_U64(vd_load_le64(b), UINT64_C(0xf807060504030281));
    vd_store_be64(out, UINT64_C(0x81020304050607f8));
    EXPECT(memcmp(out, b, 8) == 0);
    vd_store_le32(out, 0x04030281u);
    EXPECT(memcmp(out, b, 4) == 0);
}

VD_TEST(checked_arithmetic_reports_overflow)
{
    uint64_t r;

    EXPECT(!vd_ckd_add_u64(&r, 1, 2) && r == 3);
    EXPECT(vd_ckd_add_u64(&r, UINT64_MAX, 1));
    EXPECT(vd_ckd_mul_u64(&r, UINT64_C(1) << 32, UINT64_C(1) << 32));
    EXPECT(vd_ckd_sub_u64(&r, 1, 2));
    EXPECT(vd_range_fits(10, 5, 15));
    EXPECT(!vd_range_fits(10, 6, 15));
    EXPECT(!vd_range_fits(UINT64_MAX, 2, UINT64_MAX));
    EXPECT(vd_is_pow2_u64(512) && !vd_is_pow2_u64(0) && !vd_is_pow2_u64(3000));
    EXPECT_U64(vd_div_round_up(UINT64_MAX, 2), UINT64_C(1) << 63);
}

VD_TEST(text_bytes_keeps_utf8_and_hexes_the_rest)
{
    char out[64];
    static const uint8_t tap[4] = {'t', 'a', 'p', 0};
    static const uint8_t bad[3] = {'a', 0xff, 'b'};
    static const uint8_t ctl[2] = {'a', 0x01};

    EXPECT(vd_text_bytes(tap, 4, out, sizeof(out)));
    EXPECT_STR(out, "tap");
    EXPECT(!vd_text_bytes(bad, 3, out, sizeof(out)));
    EXPECT_STR(out, "hex:61ff62");
    EXPECT(!vd_text_bytes(ctl, 2, out, sizeof(out)));
    EXPECT_STR(out, "hex:6101");
}

VD_TEST(text_utf16_replaces_unpaired_surrogates)
{
    static const uint8_t pair_be[] = {0xd8, 0x3d, 0xde, 0x00, 0x00, 'A', 0, 0};
    static const uint8_t lone_le[] = {'a', 0, 0x00, 0xdc, 'b', 0};
    char out[32];

    EXPECT(vd_text_utf16(pair_be, sizeof(pair_be), true, out, sizeof(out)));
    EXPECT_STR(out, "\xf0\x9f\x98\x80"
                    "A");
    EXPECT(!vd_text_utf16(lone_le, sizeof(lone_le), false, out, sizeof(out)));
    EXPECT_STR(out, "a\xef\xbf\xbd"
                    "b");
}

VD_TEST(text_utf8_trim_cuts_a_split_character)
{
    char s[] = "ab\xc3";
    vd_text_utf8_trim(s);
    EXPECT_STR(s, "ab");
}

VD_TEST(guid_layouts)
{
    static const uint8_t raw[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
    char text[VD_GUID_TEXT_LEN];

    vd_guid_format(raw, VD_GUID_BYTES, text);
    EXPECT_STR(text, "01020304-0506-0708-090a-0b0c0d0e0f10");
    vd_guid_format(raw, VD_GUID_MS_MIXED, text);
    EXPECT_STR(text, "04030201-0605-0807-090a-0b0c0d0e0f10");
}

VD_TEST(findings_cap_keeps_counting)
{
    struct vd_findings list;

    vd_findings_init(&list, 3);
    for (int i = 0; i < 10; i++) {
        vd_findings_add(&list, VD_F_IMAGE_SLACK, VD_LOC("x", -1, (uint64_t)i, 1), NULL, NULL,
                        "n=%d", i);
    }
    EXPECT_U64(list.count, 3);
    EXPECT_U64(list.dropped, 7);
    EXPECT_U64(list.by_severity[VD_SEV_INFO], 10);
    vd_findings_fini(&list);
}

VD_TEST(catalog_ids_are_unique_dotted_and_documented)
{
    for (int i = 0; i < VD_F__COUNT; i++) {
        const struct vd_catalog_entry *e = vd_catalog_get((enum vd_finding_id)i);
        EXPECT(strchr(e->id, '.') != NULL);
        EXPECT(e->summary[0] != '\0' && e->spec[0] != '\0');
        for (const char *p = e->id; *p != '\0'; p++) {
            EXPECT((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_');
        }
        EXPECT_U64((uint64_t)vd_catalog_find(e->id), (uint64_t)i);
    }
}

/* A context over a memory buffer for the extent tests. */
struct ext_env {
    struct vd_source *src;
    struct vd_findings findings;
    struct vd_extents extents;
    struct vd_limits limits;
    struct vd_image_info info;
    struct vd_ctx ctx;
};

static void ext_env_init(struct ext_env *e, const uint8_t *data, size_t len, size_t max_claims)
{
    memset(e, 0, sizeof(*e));
    if (vd_source_open_memory(data, len, &e->src) != VD_OK) {
        abort();
    }
    e->limits = VD_LIMITS_DEFAULT;
    e->limits.max_claims = max_claims;
    e->info.mappable = true; /* a walked image: its gaps are slack */
    vd_findings_init(&e->findings, 100);
    vd_extents_init(&e->extents, max_claims);
    e->ctx = (struct vd_ctx){.src = e->src,
                             .file_size = len,
                             .limits = &e->limits,
                             .findings = &e->findings,
                             .extents = &e->extents,
                             .info = &e->info};
}

static void ext_env_fini(struct ext_env *e)
{
    vd_extents_fini(&e->extents);
    vd_findings_fini(&e->findings);
    vd_source_close(e->src);
}

VD_TEST(extents_overlap_duplicate_eof_and_slack)
{
    static uint8_t data[8192];
    struct ext_env e;

    memset(data + 4096, 0xff, 512); /* filler after the table */
    data[6000] = 0x42;              /* data nobody claims */
    ext_env_init(&e, data, sizeof(data), 100);
    vd_claim(&e.ctx, "hdr", -1, 0, 1024, 0, 1024);
    vd_claim(&e.ctx, "blk", 0, 1024, 1024, 100, 4);
    vd_claim(&e.ctx, "blk", 1, 1024, 1024, 104, 4); /* duplicate of blk[0] */
    vd_claim(&e.ctx, "blk", 2, 1536, 1024, 108, 4); /* overlaps blk[1] */
    vd_claim(&e.ctx, "blk", 3, 8000, 1024, 112, 4); /* runs past EOF */
    EXPECT(vd_extents_finish(&e.ctx) == VD_OK);
    EXPECT_U64(vd_findings_count_id(&e.findings, VD_F_IMAGE_EXTENT_DUPLICATE), 1);
    EXPECT_U64(vd_findings_count_id(&e.findings, VD_F_IMAGE_EXTENT_OVERLAP), 1);
    EXPECT_U64(vd_findings_count_id(&e.findings, VD_F_IMAGE_EXTENT_BEYOND_EOF), 1);
    EXPECT_U64(vd_findings_count_id(&e.findings, VD_F_IMAGE_SLACK), 0);
    EXPECT_U64(vd_findings_count_id(&e.findings, VD_F_IMAGE_SLACK_NONZERO), 1);
    for (size_t i = 0; i < e.findings.count; i++) {
        const struct vd_finding *f = &e.findings.items[i];
        if (f->id == VD_F_IMAGE_EXTENT_DUPLICATE) {
            EXPECT_U64(f->loc.offset, 104); /* the second table entry */
        } else if (f->id == VD_F_IMAGE_EXTENT_OVERLAP) {
            EXPECT_U64(f->loc.offset, 108);
        } else if (f->id == VD_F_IMAGE_SLACK_NONZERO) {
            EXPECT_U64(f->loc.offset, 2560);
            EXPECT_U64(f->loc.length, 8000 - 2560);
        }
    }
    ext_env_fini(&e);
}

VD_TEST(extents_limit_stops_slack_verdicts)
{
    static uint8_t data[4096];
    struct ext_env e;

    data[3000] = 1;
    ext_env_init(&e, data, sizeof(data), 2);
    for (int i = 0; i < 4; i++) {
        vd_claim(&e.ctx, "blk", i, (uint64_t)i * 512, 512, 0, 4);
    }
    EXPECT(vd_extents_finish(&e.ctx) == VD_OK);
    EXPECT_U64(vd_findings_count_id(&e.findings, VD_F_IMAGE_EXTENT_LIMIT), 1);
    EXPECT_U64(vd_findings_count_id(&e.findings, VD_F_IMAGE_SLACK_NONZERO), 0);
    ext_env_fini(&e);
}

/* Runs one stream through a vd_hash_stream, cut into pieces of `step` bytes. */
static void stream_digests(const uint8_t *data, size_t len, size_t step, unsigned mask,
                           uint64_t window, struct vd_digests *out, struct vd_piecewise *pw)
{
    struct vd_hash_stream_config cfg = {
        .mask = mask, .window = window, .window_alg = VD_DIGEST_SHA256, .length = len};
    struct vd_hash_stream *hs = NULL;

    EXPECT(vd_hash_stream_start(&cfg, &hs) == VD_OK);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < step ? len - off : step;
        bool zero = true;
        for (size_t i = 0; i < n && zero; i++) {
            zero = data[off + i] == 0;
        }
        if (zero && n % 2 == 0) {
            vd_hash_stream_zeros(hs, n); /* a zero run travels as a length */
        } else {
            memcpy(vd_hash_stream_buffer(hs), data + off, n);
            vd_hash_stream_commit(hs, n);
        }
        off += n;
    }
    EXPECT(vd_hash_stream_finish(hs, out, pw) == VD_OK);
}

static void one_digest_hex(enum vd_digest_alg alg, const uint8_t *data, size_t len, char *hex)
{
    struct vd_hash h;
    uint8_t md[VD_DIGEST_MAX];

    EXPECT(vd_hash_init(&h, alg) == VD_OK);
    vd_hash_update(&h, data, len);
    EXPECT(vd_hash_final(&h, md) == VD_OK);
    vd_hash_fini(&h);
    vd_text_hex(md, vd_digest_size(alg), hex);
}

VD_TEST(digest_known_answers)
{
    struct vd_digests out;
    unsigned mask = 0;
    static uint8_t zeros[3000];
    char a[VD_DIGEST_HEX_MAX];
    char b[VD_DIGEST_HEX_MAX];

    EXPECT(vd_digest_parse_list("md5,sha1,sha256,sha512", &mask));
    EXPECT_U64(mask, 0xf);
    EXPECT(!vd_digest_parse_list("sha256,crc32", &mask));
    EXPECT(!vd_digest_parse_list("", &mask));
    stream_digests((const uint8_t *)"abc", 3, 3, 0xf, 0, &out, NULL);
    EXPECT_U64(out.mask, 0xf);
    EXPECT_STR(out.hex[VD_DIGEST_MD5], "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_STR(out.hex[VD_DIGEST_SHA1], "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_STR(out.hex[VD_DIGEST_SHA256],
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT(strncmp(out.hex[VD_DIGEST_SHA512], "ddaf35a193617aba", 16) == 0);

    /* Zeros fed without a buffer hash like a buffer of zeros. */
    struct vd_hash h;
    uint8_t md[VD_DIGEST_MAX];
    EXPECT(vd_hash_init(&h, VD_DIGEST_SHA256) == VD_OK);
    vd_hash_update_zeros(&h, sizeof(zeros));
    EXPECT(vd_hash_final(&h, md) == VD_OK);
    vd_hash_fini(&h);
    vd_text_hex(md, 32, a);
    one_digest_hex(VD_DIGEST_SHA256, zeros, sizeof(zeros), b);
    EXPECT_STR(a, b);
}

/*
 * The parallel stream equals one digest per algorithm over the same bytes, however the
 * stream is cut, with zero runs passed as lengths, and with more data than buffers.
 */
VD_TEST(hash_stream_matches_sequential_digests)
{
    size_t len = 3 * VD_IO_CHUNK * VD_HASH_STREAM_SLOTS / 2 + 12345;
    uint8_t *data = vd_malloc(len);
    static const size_t steps[] = {1000, 4096, VD_IO_CHUNK};
    uint32_t x = 7;

    EXPECT(data != NULL);
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        /* Stretches of zeros between random bytes. */
        data[i] = (i / 100000) % 3 == 1 ? 0 : (uint8_t)(x >> 24);
    }
    for (size_t s = 0; s < VD_ARRAY_LEN(steps); s++) {
        struct vd_digests out;
        stream_digests(data, len, steps[s], 0xf, 0, &out, NULL);
        for (int alg = 0; alg < VD_DIGEST_COUNT; alg++) {
            char want[VD_DIGEST_HEX_MAX];
            one_digest_hex((enum vd_digest_alg)alg, data, len, want);
            EXPECT_STR(out.hex[alg], want);
        }
    }
    vd_free(data);
}

/* Windows are cut at multiples of the window size, whatever the pieces; the last is short. */
VD_TEST(hash_stream_piecewise_windows)
{
    size_t len = 1000003;
    uint64_t window = 65536;
    uint8_t *data = vd_malloc(len);
    struct vd_piecewise pw = {0};
    struct vd_digests out;

    EXPECT(data != NULL);
    for (size_t i = 0; i < len; i++) {
        data[i] = (i / 50000) % 2 == 0 ? (uint8_t)(i * 31u) : 0;
    }
    stream_digests(data, len, 77777, 1u << VD_DIGEST_MD5, window, &out, &pw);
    EXPECT_U64(pw.count, (len + window - 1) / window);
    EXPECT_U64(pw.total, len);
    for (size_t i = 0; i < pw.count; i++) {
        char got[VD_DIGEST_HEX_MAX];
        char want[VD_DIGEST_HEX_MAX];
        uint64_t wlen = vd_piecewise_length(&pw, i);
        EXPECT_U64(wlen, i + 1 < pw.count ? window : len % window);
        vd_piecewise_hex(&pw, i, got);
        one_digest_hex(VD_DIGEST_SHA256, data + i * window, (size_t)wlen, want);
        EXPECT_STR(got, want);
    }
    vd_piecewise_fini(&pw);
    vd_free(data);
}

/* A producer that carries more than it announced is caught, not written past the table. */
VD_TEST(hash_stream_overrun_is_an_error)
{
    struct vd_hash_stream_config cfg = {.window = 10, .window_alg = VD_DIGEST_MD5, .length = 15};
    struct vd_hash_stream *hs = NULL;
    struct vd_piecewise pw = {0};

    EXPECT(vd_hash_stream_start(&cfg, &hs) == VD_OK);
    vd_hash_stream_zeros(hs, 25);
    EXPECT(vd_hash_stream_finish(hs, NULL, &pw) == VD_E_INTERNAL);
    EXPECT(pw.digests == NULL);
}

VD_TEST(unrecognized_and_empty_inputs)
{
    static const uint8_t junk[1000] = {1, 2, 3};
    struct vd_image_result *r = vd_test_analyze(junk, sizeof(junk), 0);

    EXPECT_U64(r->verdict, VD_VERDICT_UNRECOGNIZED);
    EXPECT_U64((uint64_t)vd_result_exit_status(r), 2);
    vd_result_free(r);
    r = vd_test_analyze(junk, 0, 1u << VD_DIGEST_SHA256);
    EXPECT_U64(r->verdict, VD_VERDICT_UNRECOGNIZED);
    EXPECT_STR(r->container.hex[VD_DIGEST_SHA256],
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    vd_result_free(r);
}

/* vd_bits_lsb_count against a bit-by-bit count: clear kilobytes skipped, set bits anywhere. */
VD_TEST(bits_lsb_count_matches_a_plain_count)
{
    static uint8_t bits[4096];
    static const uint64_t spans[][2] = {{0, 32768}, {3, 32760}, {8192, 8192}, {8191, 8194},
                                        {5, 3},     {0, 0},     {16000, 9000}};

    memset(bits, 0, sizeof(bits));
    bits[0] = 0x81;    /* bits 0 and 7 */
    bits[1023] = 0x80; /* the last bit of the first KiB */
    bits[1024] = 0x01; /* the first bit of the second */
    bits[3000] = 0xFF;
    bits[4095] = 0x40;
    for (size_t s = 0; s < sizeof(spans) / sizeof(spans[0]); s++) {
        uint64_t want = 0;
        for (uint64_t i = spans[s][0]; i < spans[s][0] + spans[s][1]; i++) {
            want += ((unsigned)bits[i / 8] >> (i % 8)) & 1u;
        }
        EXPECT_U64(vd_bits_lsb_count(bits, spans[s][0], spans[s][1]), want);
    }
}
