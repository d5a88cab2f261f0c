/*
 * Unit tests of the core pieces VHDX needs: CRC-32C (RFC 3720 B.4 vectors), GUID text in
 * the Microsoft mixed-endian layout, and the in-memory overlay the log replay reads
 * through.
 */
#include <stdlib.h>
#include <string.h>

#include "vd_crc32c.h"
#include "vd_guid.h"
#include "vd_overlay.h"
#include "vd_source.h"
#include "vd_test.h"

/* The bitwise definition (reflected 0x82F63B78), independent of the sliced tables. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;

    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
    }
    return ~crc;
}

VD_TEST(crc32c_rfc3720_vectors)
{
    uint8_t buf[32];

    memset(buf, 0, sizeof(buf));
    EXPECT_U64(vd_crc32c(buf, sizeof(buf)), 0x8A9136AAu);
    memset(buf, 0xff, sizeof(buf));
    EXPECT_U64(vd_crc32c(buf, sizeof(buf)), 0x62A8AB43u);
    for (int i = 0; i < 32; i++) {
        buf[i] = (uint8_t)i;
    }
    EXPECT_U64(vd_crc32c(buf, sizeof(buf)), 0x46DD794Eu);
    for (int i = 0; i < 32; i++) {
        buf[i] = (uint8_t)(31 - i);
    }
    EXPECT_U64(vd_crc32c(buf, sizeof(buf)), 0x113FDB5Cu);
}

VD_TEST(crc32c_check_value)
{
    EXPECT_U64(vd_crc32c("123456789", 9), 0xE3069283u);
    EXPECT_U64(vd_crc32c("", 0), 0);
    EXPECT_U64(vd_crc32c_update(0x12345678u, "", 0), 0x12345678u);
}

VD_TEST(crc32c_piecewise_equals_one_shot)
{
    enum { N = 9000 };
    uint8_t *buf = malloc(N);
    uint32_t whole;

    EXPECT(buf != NULL);
    if (buf == NULL) {
        return;
    }
    for (size_t i = 0; i < N; i++) {
        buf[i] = (uint8_t)(i * 131u + (i >> 7));
    }
    whole = vd_crc32c(buf, N);
    EXPECT_U64(whole, crc32c_bitwise(buf, N));
    /* Every split point in the first 40 bytes, and a few odd pieces across the buffer. */
    for (size_t cut = 0; cut <= 40; cut++) {
        EXPECT_U64(vd_crc32c_update(vd_crc32c(buf, cut), buf + cut, N - cut), whole);
    }
    {
        static const size_t pieces[] = {1, 7, 8, 9, 63, 4096, 15, 1};
        uint32_t crc = 0;
        size_t at = 0;
        for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
            crc = vd_crc32c_update(crc, buf + at, pieces[i]);
            at += pieces[i];
        }
        crc = vd_crc32c_update(crc, buf + at, N - at);
        EXPECT_U64(crc, whole);
    }
    /* Unaligned starts give the same value as the bitwise reference. */
    for (size_t off = 1; off < 8; off++) {
        EXPECT_U64(vd_crc32c(buf + off, 100), crc32c_bitwise(buf + off, 100));
    }
    free(buf);
}

VD_TEST(crc32c_zeros_equals_zero_buffer)
{
    static const size_t lens[] = {0, 1, 3, 4, 7, 8, 9, 64, 4092, 4096, 65536, 100001};
    uint8_t *zeros = calloc(1, 100001);
    static const uint8_t head[5] = {'h', 'e', 'a', 'd', 0x42};

    EXPECT(zeros != NULL);
    if (zeros == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        EXPECT_U64(vd_crc32c_zeros(0, lens[i]), vd_crc32c(zeros, lens[i]));
        /* Continuing from a non-zero state, as a checksum field taken as zero does. */
        EXPECT_U64(vd_crc32c_zeros(vd_crc32c(head, sizeof(head)), lens[i]),
                   vd_crc32c_update(vd_crc32c(head, sizeof(head)), zeros, lens[i]));
    }
    free(zeros);
}

VD_TEST(guid_parse_round_trips)
{
    static const char *const texts[] = {
        "2dc27766-f623-4200-9d64-115e9bfd4a08", "8b7ca206-4790-4b9a-b8fe-575f050f886e",
        "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "b04aefb7-d19e-4a81-b789-25b8e9445913",
    };
    uint8_t raw[16];
    char text[VD_GUID_TEXT_LEN];

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        EXPECT(vd_guid_parse(texts[i], VD_GUID_MS_MIXED, raw));
        vd_guid_format(raw, VD_GUID_MS_MIXED, text);
        EXPECT_STR(text, texts[i]);
        EXPECT(vd_guid_parse(texts[i], VD_GUID_BYTES, raw));
        vd_guid_format(raw, VD_GUID_BYTES, text);
        EXPECT_STR(text, texts[i]);
    }
}

VD_TEST(guid_parse_ms_mixed_layout)
{
    /* The BAT region GUID as MS-VHDX stores it: first three fields little-endian. */
    static const uint8_t bat[16] = {0x66, 0x77, 0xc2, 0x2d, 0x23, 0xf6, 0x00, 0x42,
                                    0x9d, 0x64, 0x11, 0x5e, 0x9b, 0xfd, 0x4a, 0x08};
    uint8_t raw[16];
    char text[VD_GUID_TEXT_LEN];

    EXPECT(vd_guid_parse("2DC27766-F623-4200-9D64-115E9BFD4A08", VD_GUID_MS_MIXED, raw));
    EXPECT(memcmp(raw, bat, 16) == 0);
    vd_guid_format(bat, VD_GUID_MS_MIXED, text);
    EXPECT_STR(text, "2dc27766-f623-4200-9d64-115e9bfd4a08");
    EXPECT(!vd_guid_is_null(raw));
    memset(raw, 0, sizeof(raw));
    EXPECT(vd_guid_is_null(raw));
}

VD_TEST(guid_parse_rejects_malformed_text)
{
    static const char *const bad[] = {
        "",
        "2dc27766-f623-4200-9d64-115e9bfd4a0",   /* short */
        "2dc27766-f623-4200-9d64-115e9bfd4a080", /* long */
        "2dc27766f623-4200-9d64-115e9bfd4a08-",  /* dash misplaced */
        "{2dc27766-f623-4200-9d64-115e9bfd4a08}",
        "2dc27766-f623-4200-9d64-115e9bfd4a0g",
        "2dc27766-f623-4200-9d64 115e9bfd4a08",
    };
    uint8_t raw[16];
    uint8_t before[16];

    memset(raw, 0x5a, sizeof(raw));
    memcpy(before, raw, sizeof(raw));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT(!vd_guid_parse(bad[i], VD_GUID_MS_MIXED, raw));
    }
    EXPECT(memcmp(raw, before, 16) == 0); /* nothing written on failure */
}

/* An overlay over a small base file of bytes 0x10 + i. */
struct ov_fixture {
    uint8_t base[64];
    struct vd_source *src;
    struct vd_overlay ov;
};

static void ov_open(struct ov_fixture *x)
{
    for (size_t i = 0; i < sizeof(x->base); i++) {
        x->base[i] = (uint8_t)(0x10 + i);
    }
    if (vd_source_open_memory(x->base, sizeof(x->base), &x->src) != VD_OK) {
        abort();
    }
    vd_overlay_init(&x->ov, sizeof(x->base));
}

static void ov_close(struct ov_fixture *x)
{
    vd_overlay_fini(&x->ov);
    vd_source_close(x->src);
}

VD_TEST(overlay_without_patches_reads_the_base)
{
    struct ov_fixture x;
    uint8_t buf[64];
    struct vd_overlay_patch r[2];

    ov_open(&x);
    EXPECT(vd_overlay_read(&x.ov, x.src, 0, buf, sizeof(buf)) == VD_OK);
    EXPECT(memcmp(buf, x.base, sizeof(buf)) == 0);
    EXPECT_U64(vd_overlay_ranges(&x.ov, r, 2), 0);
    EXPECT_U64(x.ov.size, 64);
    /* A read past the presented size is refused, not served. */
    EXPECT(vd_overlay_read(&x.ov, x.src, 60, buf, 8) != VD_OK);
    ov_close(&x);
}

VD_TEST(overlay_later_patch_wins)
{
    struct ov_fixture x;
    uint8_t a[8];
    uint8_t b[4];
    uint8_t buf[16];

    ov_open(&x);
    memset(a, 0xaa, sizeof(a));
    memset(b, 0xbb, sizeof(b));
    EXPECT(vd_overlay_add(&x.ov, 8, sizeof(a), a) == VD_OK);
    EXPECT(vd_overlay_add(&x.ov, 10, sizeof(b), b) == VD_OK);
    EXPECT(vd_overlay_read(&x.ov, x.src, 4, buf, sizeof(buf)) == VD_OK);
    for (size_t i = 0; i < sizeof(buf); i++) {
        uint64_t off = 4 + i;
        uint8_t want = off >= 10 && off < 14  ? 0xbb
                       : off >= 8 && off < 16 ? 0xaa
                                              : (uint8_t)(0x10 + off);
        EXPECT_U64(buf[i], want);
    }
    /* The same writes in the other order: the earlier-added one is overwritten. */
    vd_overlay_fini(&x.ov);
    vd_overlay_init(&x.ov, sizeof(x.base));
    EXPECT(vd_overlay_add(&x.ov, 10, sizeof(b), b) == VD_OK);
    EXPECT(vd_overlay_add(&x.ov, 8, sizeof(a), a) == VD_OK);
    EXPECT(vd_overlay_read(&x.ov, x.src, 8, buf, 8) == VD_OK);
    for (size_t i = 0; i < 8; i++) {
        EXPECT_U64(buf[i], 0xaa);
    }
    EXPECT_U64(x.ov.bytes, 12);
    ov_close(&x);
}

VD_TEST(overlay_zero_patches)
{
    struct ov_fixture x;
    uint8_t a[4] = {1, 2, 3, 4};
    uint8_t buf[12];

    ov_open(&x);
    EXPECT(vd_overlay_add(&x.ov, 20, 8, NULL) == VD_OK);
    EXPECT(vd_overlay_add(&x.ov, 22, sizeof(a), a) == VD_OK);
    EXPECT(vd_overlay_add(&x.ov, 23, 1, NULL) == VD_OK);
    EXPECT(vd_overlay_read(&x.ov, x.src, 18, buf, sizeof(buf)) == VD_OK);
    {
        static const uint8_t want[12] = {0x10 + 18, 0x10 + 19, 0, 0, 1,         0,
                                         3,         4,         0, 0, 0x10 + 28, 0x10 + 29};
        EXPECT(memcmp(buf, want, sizeof(want)) == 0);
    }
    EXPECT_U64(x.ov.bytes, 4);                           /* zero patches hold no data */
    EXPECT(vd_overlay_add(&x.ov, 40, 0, NULL) == VD_OK); /* empty: ignored */
    EXPECT_U64(x.ov.count, 3);
    ov_close(&x);
}

VD_TEST(overlay_extends_the_file_with_zeros)
{
    struct ov_fixture x;
    uint8_t a[4] = {0xc1, 0xc2, 0xc3, 0xc4};
    uint8_t buf[40];

    ov_open(&x);
    /* A write at 80..84: the file now presents 84 bytes; 64..80 read as zeros. */
    EXPECT(vd_overlay_add(&x.ov, 80, sizeof(a), a) == VD_OK);
    EXPECT_U64(x.ov.size, 84);
    EXPECT(vd_overlay_read(&x.ov, x.src, 44, buf, sizeof(buf)) == VD_OK);
    for (size_t i = 0; i < sizeof(buf); i++) {
        uint64_t off = 44 + i;
        uint8_t want = off < 64 ? (uint8_t)(0x10 + off) : off < 80 ? 0 : a[off - 80];
        EXPECT_U64(buf[i], want);
    }
    /* Entirely past the base, before the patch. */
    EXPECT(vd_overlay_read(&x.ov, x.src, 66, buf, 10) == VD_OK);
    for (size_t i = 0; i < 10; i++) {
        EXPECT_U64(buf[i], 0);
    }
    EXPECT(vd_overlay_read(&x.ov, x.src, 80, buf, 5) != VD_OK);
    /* A zero patch far out grows the size without holding data. */
    EXPECT(vd_overlay_add(&x.ov, 1000, 24, NULL) == VD_OK);
    EXPECT_U64(x.ov.size, 1024);
    EXPECT(vd_overlay_read(&x.ov, x.src, 1000, buf, 24) == VD_OK);
    for (size_t i = 0; i < 24; i++) {
        EXPECT_U64(buf[i], 0);
    }
    ov_close(&x);
}

VD_TEST(overlay_ranges_are_sorted_and_merged)
{
    struct ov_fixture x;
    uint8_t d[16];
    struct vd_overlay_patch r[8];
    size_t n;

    ov_open(&x);
    memset(d, 0x77, sizeof(d));
    EXPECT(vd_overlay_add(&x.ov, 40, 4, d) == VD_OK);    /* 40..44 */
    EXPECT(vd_overlay_add(&x.ov, 10, 6, d) == VD_OK);    /* 10..16 */
    EXPECT(vd_overlay_add(&x.ov, 14, 6, NULL) == VD_OK); /* 14..20: overlaps */
    EXPECT(vd_overlay_add(&x.ov, 20, 2, d) == VD_OK);    /* 20..22: adjacent */
    EXPECT(vd_overlay_add(&x.ov, 30, 2, d) == VD_OK);    /* 30..32: apart */
    EXPECT(vd_overlay_add(&x.ov, 11, 2, d) == VD_OK);    /* inside 10..16 */
    n = vd_overlay_ranges(&x.ov, r, 8);
    EXPECT_U64(n, 3);
    EXPECT_U64(r[0].offset, 10);
    EXPECT_U64(r[0].length, 12);
    EXPECT_U64(r[1].offset, 30);
    EXPECT_U64(r[1].length, 2);
    EXPECT_U64(r[2].offset, 40);
    EXPECT_U64(r[2].length, 4);
    EXPECT(r[0].data == NULL && r[1].data == NULL);
    /* A short output array still gets the count of all ranges. */
    EXPECT_U64(vd_overlay_ranges(&x.ov, r, 1), 3);
    EXPECT_U64(r[0].offset, 10);
    EXPECT_U64(x.ov.lo, 10);
    EXPECT_U64(x.ov.hi, 44);
    ov_close(&x);
}

VD_TEST(overlay_rejects_an_overflowing_patch)
{
    struct ov_fixture x;

    ov_open(&x);
    EXPECT(vd_overlay_add(&x.ov, UINT64_MAX - 2, 8, NULL) != VD_OK);
    EXPECT_U64(x.ov.count, 0);
    EXPECT_U64(x.ov.size, 64);
    ov_close(&x);
}
