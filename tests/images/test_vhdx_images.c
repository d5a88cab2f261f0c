/*
 * Real VHDX images: every corpus/vhdx image gives exactly the findings of its .expect
 * file; the shared corpus gives the facts its README states (qemu's generated images,
 * FreeBSD mkimg's zero GUIDs, QEMU iotest 070's un-replayed log). Cut and mutated valid
 * images: tests/sweep.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_analyze.h"
#include "vd_test.h"
#include "vd_test_corpus.h"
#include "vd_test_image.h"

VD_TEST(corpus_vhdx_images_match_their_expect_files)
{
    EXPECT(vd_test_check_corpus_dir("vhdx", ".vhdx") >= 8);
}

/* qemu leaves the regions' Required flag clear: a warning, nothing worse. */
static void generated_vhdx_warns_only(const struct vd_image_result *r)
{
    EXPECT_STR(r->info.format, "vhdx");
    EXPECT_STR(vd_verdict_name(r->verdict), "warnings");
    EXPECT_U64(r->findings.by_severity[VD_SEV_ERROR] + r->findings.by_severity[VD_SEV_FATAL], 0);
}

/* generated/CHECKSUMS.txt: md5 of the virtual disk qemu-img 7.2 wrote. */
VD_TEST(shared_generated_vhdx_virtual_md5)
{
    EXPECT(vd_test_generated_checksums("vhdx/", generated_vhdx_warns_only) == 3);
}

static const char *semantics_str(const struct vd_image_result *r, const char *key)
{
    const struct vd_fact *f = vd_test_fact(r->semantics, "vhdx_log", key);
    EXPECT(f != NULL && f->kind == VD_FACT_STRING);
    return f != NULL ? f->string : "";
}

/*
 * iotest 070: qemu 1.6 left the log un-replayed. Replayed in memory the disk hashes as
 * qemu's after `qemu-img check -r all` (README md5); the stale view has one block fewer.
 */
VD_TEST(shared_corpus_vhdx_dirty_log_is_replayed_in_memory)
{
    const char *shared = vd_test_shared_corpus_or_skip();
    struct vd_analyze_options opt = {.hash_mask = 1u << VD_DIGEST_MD5, .limits = VD_LIMITS_DEFAULT};
    struct vd_image_result *r;
    char path[4096];

    snprintf(path, sizeof(path), "%s/vhdx/iotest-dirtylog-10G-4M.vhdx", shared);
    r = vd_analyze_path(path, &opt);
    EXPECT(r != NULL);
    EXPECT_U64(r->info.virtual_size, 10737418240u);
    EXPECT_U64(vd_findings_count_id(&r->findings, vd_catalog_find("vhdx.log.pending")), 1);
    EXPECT_STR(semantics_str(r, "state"), "pending");
    EXPECT_STR(semantics_str(r, "view"), "replayed");
    EXPECT_U64(vd_test_fact(r->semantics, "vhdx_log", "entries_replayed")->u64, 1);
    EXPECT_U64(vd_test_detail_u64(r, "bat", "fully_present"), 18);
    EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_MD5], "f57388780d1d321ed98f042d6cd3926e");
    vd_result_free(r);

    opt.log_view = VD_LOG_VIEW_ON_DISK;
    r = vd_analyze_path(path, &opt);
    EXPECT(r != NULL);
    EXPECT_STR(semantics_str(r, "view"), "on-disk");
    EXPECT_U64(vd_test_detail_u64(r, "bat", "fully_present"), 17);
    EXPECT(strcmp(r->virtual_disk.hex[VD_DIGEST_MD5], "f57388780d1d321ed98f042d6cd3926e") != 0);
    vd_result_free(r);
}

/* FreeBSD mkimg: GUIDs all zero, page 83 id 0x04 bytes, one FULLY_PRESENT 16 MiB block. */
VD_TEST(shared_corpus_vhdx_freebsd_mkimg)
{
    static const struct {
        const char *name;
        uint64_t physical;
    } files[] = {{"img-1x1-512-gpt.vhdx", 512}, {"img-1x1-4096-gpt.vhdx", 4096}};
    const char *shared = vd_test_shared_corpus_or_skip();

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[4096];
        struct vd_image_result *r;
        const struct vd_fact *headers;
        snprintf(path, sizeof(path), "%s/vhdx/%s", shared, files[i].name);
        r = vd_test_analyze_file(path, 0);
        fprintf(stderr, "  %s\n", files[i].name);
        EXPECT_STR(r->info.variant, "dynamic");
        EXPECT_U64(r->info.virtual_size, 16u << 20);
        EXPECT_U64(vd_test_detail_u64(r, "metadata", "logical_sector_size"), 512);
        EXPECT_U64(vd_test_detail_u64(r, "metadata", "physical_sector_size"), files[i].physical);
        EXPECT_STR(vd_test_fact(r->details, "metadata", "virtual_disk_id")->string,
                   "04040404-0404-0404-0404-040404040404");
        EXPECT_U64(vd_test_detail_u64(r, "bat", "fully_present"), 1);
        headers = vd_test_fact(r->details, "headers", NULL);
        EXPECT(headers != NULL && headers->first != NULL);
        for (const struct vd_fact *h = headers ? headers->first : NULL; h != NULL; h = h->next) {
            EXPECT_STR(vd_fact_get(h, "file_write_guid")->string,
                       "00000000-0000-0000-0000-000000000000");
            EXPECT_STR(vd_fact_get(h, "data_write_guid")->string,
                       "00000000-0000-0000-0000-000000000000");
            EXPECT_STR(vd_fact_get(h, "log_guid")->string, "00000000-0000-0000-0000-000000000000");
        }
        EXPECT_U64(r->findings.by_severity[VD_SEV_ERROR] + r->findings.by_severity[VD_SEV_FATAL],
                   0);
        vd_result_free(r);
    }
}
