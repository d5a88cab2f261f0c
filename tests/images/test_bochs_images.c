/*
 * Real Bochs redologs: every corpus/bochs image gives exactly the findings of its .expect
 * file; the shared corpus gives the facts its README states (bximage's generated images,
 * QEMU's empty.bochs and the iotest 078 corruptions, each as a vdcheck finding); hostile
 * header counts finish under a 256 MiB address-space limit. Cut and mutated valid images:
 * tests/sweep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bochs_fixture.h"
#include "bochs_layout.h"
#include "vd_analyze.h"
#include "vd_bytes.h"
#include "vd_compiler.h"
#include "vd_test.h"
#include "vd_test_corpus.h"
#include "vd_test_image.h"

VD_TEST(corpus_bochs_images_match_their_expect_files)
{
    EXPECT(vd_test_check_corpus_dir("bochs", ".img") >= 7);
}

static void generated_bochs_is_clean(const struct vd_image_result *r)
{
    EXPECT_STR(r->info.format, "bochs");
    EXPECT_STR(r->info.variant, "growing");
    EXPECT_STR(vd_verdict_name(r->verdict), "clean");
    EXPECT_U64(vd_test_detail_u64(r, "header", "catalog_entries"), 1024);
    EXPECT_U64(vd_test_detail_u64(r, "header", "bitmap_size"), 4);
    EXPECT_U64(vd_test_detail_u64(r, "header", "extent_size"), 16384);
}

/* generated/CHECKSUMS.txt: md5 of the virtual disk bximage 2.7 wrote. */
VD_TEST(shared_generated_bochs_virtual_md5)
{
    EXPECT(vd_test_generated_checksums("bochs/", generated_bochs_is_clean) == 2);
}

/* QEMU's sample (iotest 078): growing v2, catalog 512, bitmap 1, extent 4096, empty. */
VD_TEST(shared_corpus_bochs_empty)
{
    const char *shared = vd_test_shared_corpus_or_skip();
    struct vd_image_result *r;
    char path[4096];

    snprintf(path, sizeof(path), "%s/bochs/empty.bochs", shared);
    r = vd_test_analyze_file(path, 0);
    EXPECT_NO_FINDINGS(r);
    EXPECT_STR(vd_verdict_name(r->verdict), "clean");
    EXPECT_STR(r->info.format, "bochs");
    EXPECT_U64(r->info.virtual_size, 1032192);
    EXPECT_STR(vd_test_detail_str(r, "header", "version"), "2.0");
    EXPECT(vd_test_fact(r->details, "header", "timestamp_fat") == NULL); /* 0: no date */
    EXPECT_U64(vd_test_detail_u64(r, "header", "catalog_entries"), 512);
    EXPECT_U64(vd_test_detail_u64(r, "header", "bitmap_size"), 1);
    EXPECT_U64(vd_test_detail_u64(r, "header", "extent_size"), 4096);
    EXPECT_U64(vd_test_detail_u64(r, "extents_allocated", NULL), 0);
    vd_result_free(r);
}

/*
 * derived/bochs: iotest 078's corruptions of empty.bochs; QEMU's error for each (README
 * §5) is a vdcheck finding. No hash: 078-catalog-too-small-disk declares an 8 EiB disk.
 */
VD_TEST(shared_corpus_bochs_iotest_078)
{
    static const struct {
        const char *name;
        const char *qemu_says;
        struct vd_expect want[3];
        size_t n;
    } cases[] = {
        {"078-negative-catalog",
         "Catalog size is too large",
         {{"bochs.catalog.truncated", 512}, {"bochs.compat.qemu", BOCHS_CATALOG_AT}},
         2},
        {"078-catalog-overflow",
         "Catalog size is too large",
         {{"bochs.catalog.truncated", 512}, {"bochs.compat.qemu", BOCHS_CATALOG_AT}},
         2},
        {"078-catalog-too-small-disk",
         "Catalog size is too small for this disk size",
         {{"bochs.catalog.too_small", BOCHS_CATALOG_AT}},
         1},
        /* 16 entries leave 496 of the file's 512 free entries as bytes after the data. */
        {"078-catalog-16",
         "Catalog size is too small for this disk size",
         {{"bochs.catalog.too_small", BOCHS_CATALOG_AT}, {"bochs.file.trailing_data", 512 + 64}},
         2},
        {"078-negative-extent",
         "Extent size 2147483648 is too large",
         {{"bochs.compat.qemu", BOCHS_EXTENT_AT}, {"bochs.header.bitmap_size", BOCHS_BITMAP_AT}},
         2},
        {"078-zero-extent",
         "Extent size must be at least 512",
         {{"bochs.header.extent_size", BOCHS_EXTENT_AT}},
         1},
    };
    const char *shared = vd_test_shared_corpus_or_skip();

    for (size_t i = 0; i < VD_ARRAY_LEN(cases); i++) {
        char path[4096];
        struct vd_image_result *r;
        snprintf(path, sizeof(path), "%s/derived/bochs/%s.bochs", shared, cases[i].name);
        fprintf(stderr, "  %s (qemu: %s)\n", cases[i].name, cases[i].qemu_says);
        r = vd_test_analyze_file(path, 0);
        EXPECT_STR(r->info.format, "bochs");
        vd_test_expect_findings(r, cases[i].want, cases[i].n, __FILE__, __LINE__);
        EXPECT_STR(vd_verdict_name(r->verdict), "errors");
        vd_result_free(r);
    }
}

/* The analysis of data[0..len) fits in 256 MiB and finds each of ids once. */
static void analyze_under_rlimit(const uint8_t *data, size_t len, const char *const *ids, size_t n)
{
    EXPECT(vd_test_analyze_bounded(data, len, 256u << 20, ids, n));
}

VD_TEST(bochs_hostile_counts_under_256m)
{
    static const char *const catalog_2g[] = {"bochs.catalog.truncated", "bochs.compat.qemu"};
    static const char *const catalog_max[] = {"bochs.catalog.truncated", "bochs.compat.qemu",
                                              "bochs.catalog.too_small"};
    struct bochs_fixture f;
    struct bochs_fixture_image img;

    bochs_fixture_defaults(&f);
    if (!bochs_fixture_build(&f, &img)) {
        abort();
    }
    /* 2^30 entries (4 GiB of catalog) in a file of some 16 KiB. */
    vd_store_le32(img.data + BOCHS_CATALOG_AT, 1u << 30);
    analyze_under_rlimit(img.data, img.len, catalog_2g, VD_ARRAY_LEN(catalog_2g));
    /* 0xFFFFFFFF entries and a disk of 2^62 bytes: too many extents even for them. */
    vd_store_le32(img.data + BOCHS_CATALOG_AT, 0xFFFFFFFFu);
    vd_store_le64(img.data + BOCHS_V2_DISK_AT, UINT64_C(1) << 62);
    analyze_under_rlimit(img.data, img.len, catalog_max, VD_ARRAY_LEN(catalog_max));
    /* The same with every entry in a 4 MiB file allocated (stored extents past EOF). */
    bochs_fixture_free(&img);
    f.n_stored = 0;
    f.catalog = 1u << 20;
    if (!bochs_fixture_build(&f, &img)) {
        abort();
    }
    for (uint32_t i = 0; i < f.catalog; i++) {
        vd_store_le32(img.data + bochs_fixture_entry_at(i), i);
    }
    vd_store_le32(img.data + BOCHS_CATALOG_AT, 0xFFFFFFFFu);
    vd_store_le64(img.data + BOCHS_V2_DISK_AT, UINT64_C(1) << 62);
    {
        static const char *const all_allocated[] = {"bochs.catalog.truncated", "bochs.compat.qemu",
                                                    "bochs.catalog.too_small"};
        analyze_under_rlimit(img.data, img.len, all_allocated, VD_ARRAY_LEN(all_allocated));
    }
    bochs_fixture_free(&img);
}
