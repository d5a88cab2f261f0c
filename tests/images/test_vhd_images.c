/*
 * Real images: every corpus/vhd image gives exactly the findings of its .expect file; the
 * shared external corpus gives the facts its README states. Cut and mutated valid images:
 * tests/sweep.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_analyze.h"
#include "vd_test.h"
#include "vd_test_corpus.h"
#include "vd_test_image.h"

VD_TEST(corpus_vhd_images_match_their_expect_files)
{
    EXPECT(vd_test_check_corpus_dir("vhd", ".vhd") >= 20);
}

/* generated/CHECKSUMS.txt: md5 of the virtual disk written by qemu-img / bximage. */
static void generated_vhd_is_clean(const struct vd_image_result *r)
{
    EXPECT(r->verdict == VD_VERDICT_CLEAN);
}

VD_TEST(shared_generated_virtual_md5)
{
    EXPECT(vd_test_generated_checksums("vhd/", generated_vhd_is_clean) == 6);
}

struct shared_fact {
    const char *file;
    const char *verdict;
    uint64_t virtual_size;
    uint64_t chs_size;        /* 0: not checked */
    const char *qemu_source;  /* "chs" / "current_size" / NULL */
    const char *must_have[4]; /* finding ids that must be present */
};

/* Facts from ../shared/corpus/README.md (sections 1, 5 and 9). */
static const struct shared_fact shared_facts[] = {
    {"vhd/virtualpc-dynamic.vhd",
     "clean",
     136365211648u,
     136363130880u,
     "chs",
     {"vhd.footer.size_chs_mismatch"}},
    {"vhd/hyperv2012r2-dynamic.vhd",
     "clean",
     136365211648u,
     136363130880u,
     "current_size",
     {"vhd.footer.size_chs_mismatch"}},
    {"vhd/afl5.img",
     "errors",
     34816,
     0,
     NULL,
     {"vhd.footer.copy_used", "vhd.dyn.table_offset", "vhd.dyn.max_table_entries_large"}},
    {"vhd/dfvfs_image.vhd", "errors", 104448, 0, "chs", {"vhd.footer.checksum"}},
    {"vhd/dfvfs_image.old-678307d.vhd", "clean", 104448, 0, NULL, {NULL}},
    {"vhd/dfvfs_image-differential.vhd",
     "errors",
     104448,
     0,
     NULL,
     {"vhd.footer.checksum", "vhd.dyn.checksum", "vhd.locator.none", "image.parent.missing"}},
    {"vhd/dfvfs_ext2.vhd", "clean", 4212736, 0, NULL, {NULL}},
    {"vhd/dfvfs_ext2.old-67b5923.vhd", "clean", 4212736, 0, NULL, {NULL}},
    /* Its parent, fat-parent.vhd, is not in the corpus: a warning, and no merged hash. */
    {"vhd/dfvfs_fat-differential.vhd",
     "warnings",
     4194304,
     4177920,
     "current_size",
     {"image.parent.missing", "image.parent.unresolved", "vhd.dyn.parent_timestamp_zero"}},
    {"vhd/sleuthkit_image.vhd", "clean", 104448, 0, NULL, {NULL}},
    {"vhd/imhex_vhd.hexpat.vhd",
     "clean",
     3145728,
     3133440,
     "current_size",
     {"vhd.footer.size_chs_mismatch"}},
    {"vhd/img-1x1-512-gpt.vhd", "clean", 4352000, 4352000, "chs", {NULL}},
    {"vhd/img-63x255-4096-gpt.vhd", "clean", 8225280, 8225280, "chs", {NULL}},
    {"vhd/img-1x1-512-gpt.vhdf",
     "clean",
     5242880,
     5222400,
     "chs",
     {"vhd.footer.size_chs_mismatch"}},
    {"vhd/img-63x255-4096-gpt.vhdf",
     "clean",
     8388608,
     8225280,
     "chs",
     {"vhd.footer.size_chs_mismatch"}},
    {"vhd/img-1x1-512-gpt.mkimg2015.vhd",
     "clean",
     6291456,
     6266880,
     "chs",
     {"vhd.footer.size_chs_mismatch"}},
    {"vhd/img-1x1-512-gpt.mkimg2015.vhdf",
     "clean",
     6291456,
     6266880,
     "chs",
     {"vhd.footer.size_chs_mismatch"}},
    {"derived/vhd/088-base-64M.vhd", "clean", 67125248, 0, NULL, {NULL}},
    {"derived/vhd/088-block-size-0.vhd", "errors", 67125248, 0, NULL, {"vhd.dyn.block_size"}},
    {"derived/vhd/088-block-size-128.vhd", "errors", 67125248, 0, NULL, {"vhd.dyn.block_size"}},
    {"derived/vhd/088-block-size-0x12345678.vhd",
     "errors",
     67125248,
     0,
     NULL,
     {"vhd.dyn.block_size"}},
};

VD_TEST(shared_corpus_vhd_facts)
{
    const char *shared = vd_test_shared_corpus();

    if (shared == NULL) {
        vd_test_skip("../shared/corpus is not present");
    }
    for (size_t i = 0; i < sizeof(shared_facts) / sizeof(shared_facts[0]); i++) {
        const struct shared_fact *s = &shared_facts[i];
        char image[4400];
        struct vd_image_result *r;
        const struct vd_fact *f;

        snprintf(image, sizeof(image), "%s/%s", shared, s->file);
        r = vd_test_analyze_file(image, 0);
        fprintf(stderr, "  %s\n", s->file);
        EXPECT_STR(vd_verdict_name(r->verdict), s->verdict);
        EXPECT_STR(r->info.format, "vhd");
        EXPECT_U64(r->info.virtual_size, s->virtual_size);
        if (s->chs_size != 0) {
            f = vd_test_fact(r->details, "footer", "chs_size");
            EXPECT(f != NULL && f->u64 == s->chs_size);
        }
        if (s->qemu_source != NULL) {
            f = vd_test_fact(r->details, "footer", "qemu_size_source");
            EXPECT(f != NULL && strcmp(f->string, s->qemu_source) == 0);
        }
        for (size_t k = 0; k < 4 && s->must_have[k] != NULL; k++) {
            EXPECT(vd_findings_count_id(&r->findings, vd_catalog_find(s->must_have[k])) > 0);
        }
        vd_result_free(r);
    }
}

VD_TEST(shared_corpus_vhd_identities)
{
    const char *shared = vd_test_shared_corpus();
    char image[4400];
    struct vd_image_result *r;
    struct vd_image_result *parent;
    const struct vd_fact *f;

    if (shared == NULL) {
        vd_test_skip("../shared/corpus is not present");
    }
    /* dfvfs: the differential image names dfvfs_image.vhd's unique id as its parent. */
    snprintf(image, sizeof(image), "%s/vhd/dfvfs_image-differential.vhd", shared);
    r = vd_test_analyze_file(image, 0);
    snprintf(image, sizeof(image), "%s/vhd/dfvfs_image.vhd", shared);
    parent = vd_test_analyze_file(image, 0);
    f = vd_test_fact(r->details, "parent", "uuid");
    EXPECT(f != NULL);
    EXPECT_STR(f->string, vd_test_fact(parent->details, "footer", "uuid")->string);
    EXPECT_STR(vd_test_fact(r->details, "parent", "name")->string, "image.vhd");
    /* Both footer copies carry the stale checksum of the hand edit. */
    EXPECT_U64(vd_findings_count_id(&parent->findings, VD_F_VHD_FOOTER_CHECKSUM), 2);
    vd_result_free(r);
    vd_result_free(parent);

    /* diskpart child: W2ku and W2ru locators. */
    snprintf(image, sizeof(image), "%s/vhd/dfvfs_fat-differential.vhd", shared);
    r = vd_test_analyze_file(image, 0);
    f = vd_test_fact(r->details, "parent", "locators");
    EXPECT(f != NULL && f->first != NULL && f->first->next != NULL);
    if (f != NULL && f->first != NULL && f->first->next != NULL) {
        EXPECT_STR(vd_fact_get(f->first, "platform")->string, "W2ku");
        EXPECT_STR(vd_fact_get(f->first, "path")->string,
                   "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
        EXPECT_STR(vd_fact_get(f->first->next, "platform")->string, "W2ru");
        EXPECT_STR(vd_fact_get(f->first->next, "path")->string, ".\\fat-parent.vhd");
    }
    EXPECT_STR(vd_test_fact(r->details, "parent", "uuid")->string,
               "5fa21a55-f394-aa4d-9958-1951a67d5540");
    vd_result_free(r);
}
