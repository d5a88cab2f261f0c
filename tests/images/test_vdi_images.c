/*
 * Real VDI images: every corpus/vdi image gives exactly the findings of its .expect file;
 * the shared corpus gives the facts its README states (qemu's generated images, QEMU
 * iotest 084's corruptions, the bwLehrpool parent/child pair); hostile block counts finish
 * quickly in bounded memory. Cut and mutated valid images: tests/sweep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vd_analyze.h"
#include "vd_bytes.h"
#include "vd_compiler.h"
#include "vd_test.h"
#include "vd_test_corpus.h"
#include "vd_test_image.h"
#include "vdi_fixture.h"
#include "vdi_layout.h"

VD_TEST(corpus_vdi_images_match_their_expect_files)
{
    EXPECT(vd_test_check_corpus_dir("vdi", ".vdi") >= 10);
}

static struct vd_image_result *analyze_shared(const char *shared, const char *rel)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", shared, rel);
    fprintf(stderr, "  %s\n", rel);
    return vd_test_analyze_file(path, 0);
}

static void generated_vdi_is_clean(const struct vd_image_result *r)
{
    EXPECT_STR(r->info.format, "vdi");
    EXPECT_STR(vd_verdict_name(r->verdict), "clean");
    EXPECT_U64(r->findings.count, 0);
}

/* generated/CHECKSUMS.txt: md5 of the virtual disk qemu-img 7.2 wrote. */
VD_TEST(shared_generated_vdi_virtual_md5)
{
    EXPECT(vd_test_generated_checksums("vdi/", generated_vdi_is_clean) == 2);
}

/* 084-base-64M and 084-t5: valid 64 MiB images, as qemu says. */
VD_TEST(shared_derived_vdi_valid)
{
    static const char *const names[] = {"derived/vdi/084-base-64M.vdi",
                                        "derived/vdi/084-t5-valid-reset.vdi"};
    const char *shared = vd_test_shared_corpus_or_skip();

    for (size_t i = 0; i < VD_ARRAY_LEN(names); i++) {
        struct vd_image_result *r = analyze_shared(shared, names[i]);
        EXPECT_STR(vd_verdict_name(r->verdict), "clean");
        EXPECT_U64(r->findings.count, 0);
        EXPECT_U64(r->info.virtual_size, 64u << 20);
        vd_result_free(r);
    }
}

/* t1: qemu accepts 512 TiB, but the 2 GiB block map it declares is not in the 1 KiB file. */
VD_TEST(shared_derived_vdi_t1_max_size)
{
    struct vd_image_result *r =
        analyze_shared(vd_test_shared_corpus_or_skip(), "derived/vdi/084-t1-max-size.vdi");

    EXPECT_U64(r->info.virtual_size, 562949819203584u);
    EXPECT_U64(vd_test_count_id(r, "vdi.map.truncated"), 1);
    EXPECT_U64(vd_test_count_id(r, "vdi.compat.qemu"), 0); /* exactly at QEMU's limits */
    EXPECT_STR(vd_verdict_name(r->verdict), "errors");
    vd_result_free(r);
}

/* t2: one 64 KiB step over QEMU's maximum; the blocks no longer cover the disk. */
VD_TEST(shared_derived_vdi_t2_size_too_large)
{
    struct vd_image_result *r =
        analyze_shared(vd_test_shared_corpus_or_skip(), "derived/vdi/084-t2-size-too-large.vdi");

    EXPECT_U64(vd_test_count_id(r, "vdi.header.blocks_too_few"), 1);
    EXPECT_U64(vd_test_count_id(r, "vdi.compat.qemu"), 1);
    vd_result_free(r);
}

VD_TEST(shared_derived_vdi_t3_blocks_too_few)
{
    struct vd_image_result *r =
        analyze_shared(vd_test_shared_corpus_or_skip(), "derived/vdi/084-t3-bii-too-small.vdi");

    EXPECT_U64(vd_test_count_id(r, "vdi.header.blocks_too_few"), 1);
    EXPECT_U64(vd_test_count_id(r, "vdi.compat.qemu"), 0);
    EXPECT_STR(vd_verdict_name(r->verdict), "errors");
    vd_result_free(r);
}

VD_TEST(shared_derived_vdi_t4_too_many_blocks)
{
    struct vd_image_result *r =
        analyze_shared(vd_test_shared_corpus_or_skip(), "derived/vdi/084-t4-bii-too-large.vdi");

    EXPECT_U64(vd_test_count_id(r, "vdi.map.truncated"), 1);
    EXPECT_U64(vd_test_count_id(r, "vdi.compat.qemu"), 1);
    EXPECT_U64(vd_test_count_id(r, "vdi.header.blocks_excess"), 1);
    vd_result_free(r);
}

VD_TEST(shared_derived_vdi_t6_t7_block_size)
{
    static const char *const names[] = {"derived/vdi/084-t6-block-size-small.vdi",
                                        "derived/vdi/084-t7-block-size-large.vdi"};
    const char *shared = vd_test_shared_corpus_or_skip();

    for (size_t i = 0; i < VD_ARRAY_LEN(names); i++) {
        struct vd_image_result *r = analyze_shared(shared, names[i]);
        EXPECT_U64(vd_test_count_id(r, "vdi.header.block_size"), 1);
        EXPECT_U64(vd_test_count_id(r, "vdi.compat.qemu"), 1);
        EXPECT_STR(vd_verdict_name(r->verdict), "errors");
        vd_result_free(r);
    }
}

/* bwLehrpool: a VirtualBox diff image whose parent is the QEMU-made image beside it. */
VD_TEST(shared_corpus_vdi_openslx_parent_and_child)
{
    const char *shared = vd_test_shared_corpus_or_skip();
    struct vd_image_result *parent = analyze_shared(shared, "vdi/openslx_image-default.vdi");
    struct vd_image_result *child =
        analyze_shared(shared, "vdi/openslx_image-default_snapshot.vdi");

    EXPECT_STR(vd_verdict_name(parent->verdict), "clean");
    EXPECT_STR(parent->info.variant, "dynamic");
    EXPECT_U64(parent->info.virtual_size, 1u << 30);
    EXPECT_STR(vd_test_detail_str(parent, "header", "uuid_create"),
               "45ec18d9-39c5-4079-8de1-e36437901627");
    EXPECT_STR(vd_test_detail_str(parent, "header", "uuid_modify"),
               "f2d8ca6c-e55f-4ee4-8b90-baa11fa07e29");

    EXPECT_STR(child->info.variant, "differencing");
    EXPECT_STR(vd_test_detail_str(child, "header", "type_name"), "diff");
    EXPECT(child->info.needs_parent);
    /* Issue 6: the parent is found beside it by the link UUID and both UUIDs match. */
    EXPECT_U64(vd_test_count_id(child, "image.parent.unresolved"), 0);
    EXPECT_U64(vd_test_count_id(child, "image.parent.identity"), 0);
    EXPECT(child->chain_complete);
    EXPECT_U64(child->chain_count, 1);
    EXPECT(child->chain[0].identity_match);
    EXPECT(child->chain[0].asked == NULL); /* found by identity, not by a path */
    EXPECT(strstr(child->chain[0].result->path, "openslx_image-default.vdi") != NULL);
    EXPECT_STR(vd_verdict_name(child->chain[0].result->verdict), "clean");
    EXPECT_U64(vd_test_count_id(child, "vdi.compat.qemu"), 2); /* link and parent-modify UUIDs */
    EXPECT_STR(vd_test_detail_str(child, "parent", "uuid_create"),
               vd_test_detail_str(parent, "header", "uuid_create"));
    EXPECT_STR(vd_test_detail_str(child, "parent", "uuid_modify"),
               vd_test_detail_str(parent, "header", "uuid_modify"));
    vd_result_free(parent);
    vd_result_free(child);
}

/* ---- hostile block counts ---- */

/* A v1.1 header with `blocks` entries and disk_size, in a file that holds 4 free entries. */
static struct vdi_fixture_image hostile_image(uint32_t blocks, uint64_t disk_size)
{
    struct vdi_fixture f;
    struct vdi_fixture_image img;

    vdi_fixture_defaults(&f, VDI_TYPE_NORMAL);
    f.layout = "";
    if (!vdi_fixture_build(&f, &img)) {
        abort();
    }
    img.len = (size_t)vdi_fixture_entry_at(&img, 4);
    vd_store_le32(img.data + img.at.blocks, blocks);
    vd_store_le64(img.data + img.at.disk_size, disk_size);
    return img;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Analyzes the image; true when it ran to its end and reported the map truncated. */

VD_TEST(vdi_hostile_block_counts_finish_quickly)
{
    static const struct {
        uint32_t blocks;
        uint64_t disk_size;
    } cases[] = {{VDI_QEMU_BLOCKS_MAX + 1, 64u << 20}, {0xFFFFFFFFu, 0xFFFFFFFFu}};

    for (size_t i = 0; i < VD_ARRAY_LEN(cases); i++) {
        struct vdi_fixture_image img = hostile_image(cases[i].blocks, cases[i].disk_size);
        struct timespec t0;
        struct vd_image_result *r;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = vd_test_analyze(img.data, img.len, 0);
        fprintf(stderr, "  %u blocks: %.3f s, %zu findings\n", cases[i].blocks, seconds_since(&t0),
                r->findings.count);
        EXPECT(seconds_since(&t0) < 5.0);
        EXPECT_U64(vd_test_count_id(r, "vdi.map.truncated"), 1);
        EXPECT_U64(vd_test_count_id(r, "vdi.compat.qemu"), 1);
        EXPECT_STR(vd_verdict_name(r->verdict), "errors");
        vd_result_free(r);
        vdi_fixture_free(&img);
    }
}

/* The same in a child limited to 256 MiB of address space: memory does not follow cBlocks. */
VD_TEST(vdi_hostile_block_counts_fit_in_256_mib)
{
    static const char *const ids[] = {"vdi.map.truncated"};
    struct vdi_fixture_image a = hostile_image(VDI_QEMU_BLOCKS_MAX + 1, 64u << 20);
    struct vdi_fixture_image b = hostile_image(0xFFFFFFFFu, 0xFFFFFFFFu);

    EXPECT(vd_test_analyze_bounded(a.data, a.len, 256u << 20, ids, VD_ARRAY_LEN(ids)));
    EXPECT(vd_test_analyze_bounded(b.data, b.len, 256u << 20, ids, VD_ARRAY_LEN(ids)));
    vdi_fixture_free(&a);
    vdi_fixture_free(&b);
}
