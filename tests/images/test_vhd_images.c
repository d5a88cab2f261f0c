/*
 * Real images: every corpus/vhd image gives exactly the findings of its .expect file; the
 * shared external corpus gives the facts its README states; every valid image truncated
 * at each 512-byte boundary gets findings and is never called clean.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_analyze.h"
#include "vd_test.h"
#include "vd_test_image.h"

static struct vd_image_result *analyze_file(const char *path, unsigned mask)
{
    struct vd_analyze_options opt = {.hash_mask = mask, .limits = VD_LIMITS_DEFAULT};
    struct vd_image_result *r = vd_analyze_path(path, &opt);

    if (r == NULL) {
        abort();
    }
    return r;
}

static const struct vd_fact *fact_path(const struct vd_fact *f, const char *a, const char *b)
{
    f = vd_fact_get(f, a);
    return b != NULL ? vd_fact_get(f, b) : f;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the files of dir ending in suffix, sorted; returns the count. */
static size_t list_dir(const char *dir, const char *suffix, char **names, size_t max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (len > strlen(suffix) && strcmp(e->d_name + len - strlen(suffix), suffix) == 0) {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), name_order);
    return n;
}

/* Compares one image with its expectation file: verdict, virtual size/hash, findings. */
static void check_expect_file(const char *image, const char *expect)
{
    struct vd_image_result *r = analyze_file(image, 1u << VD_DIGEST_SHA256);
    struct vd_expect want[64];
    size_t n = 0;
    char line[512];
    FILE *f = fopen(expect, "r");

    EXPECT(f != NULL);
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char key[64];
        char value[200];
        uint64_t offset;
        if (line[0] == '#' || sscanf(line, "%63s %199s", key, value) != 2) {
            continue;
        }
        if (strcmp(key, "verdict") == 0) {
            EXPECT_STR(vd_verdict_name(r->verdict), value);
        } else if (strcmp(key, "virtual_size") == 0) {
            EXPECT_U64(r->info.virtual_size, strtoull(value, NULL, 10));
        } else if (strcmp(key, "virtual_sha256") == 0) {
            EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_SHA256], value);
        } else if (strcmp(key, "finding") == 0 && n < 64 &&
                   sscanf(line, "%*s %*s %" SCNu64, &offset) == 1) {
            want[n].id = strdup(value);
            want[n].offset = offset;
            n++;
        } else {
            fprintf(stderr, "%s: bad line: %s", expect, line);
            EXPECT(0);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    fprintf(stderr, "  %s\n", image);
    vd_test_expect_findings(r, want, n, image, 0);
    for (size_t i = 0; i < n; i++) {
        free((char *)want[i].id);
    }
    vd_result_free(r);
}

VD_TEST(corpus_vhd_images_match_their_expect_files)
{
    char dir[4096];
    char *names[128];
    size_t n;

    snprintf(dir, sizeof(dir), "%s/corpus/vhd", vd_test_source_dir());
    n = list_dir(dir, ".vhd", names, 128);
    EXPECT(n >= 20);
    for (size_t i = 0; i < n; i++) {
        char image[4400];
        char expect[4400];
        snprintf(image, sizeof(image), "%s/%s", dir, names[i]);
        snprintf(expect, sizeof(expect), "%s/%.*s.expect", dir, (int)(strlen(names[i]) - 4),
                 names[i]);
        check_expect_file(image, expect);
        free(names[i]);
    }
}

/* generated/CHECKSUMS.txt: md5 of the virtual disk written by qemu-img / bximage. */
VD_TEST(shared_generated_virtual_md5)
{
    const char *shared = vd_test_shared_corpus();
    char path[4096];
    char line[512];
    FILE *f;
    int checked = 0;

    if (shared == NULL) {
        vd_test_skip("../shared/corpus is not present");
    }
    snprintf(path, sizeof(path), "%s/generated/CHECKSUMS.txt", shared);
    f = fopen(path, "r");
    EXPECT(f != NULL);
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char md5[64];
        char rel[256];
        uint64_t size;
        char image[4400];
        struct vd_image_result *r;
        if (sscanf(line, "%63s virtual_size=%" SCNu64 " %255s", md5, &size, rel) != 3 ||
            strncmp(rel, "vhd/", 4) != 0) {
            continue;
        }
        snprintf(image, sizeof(image), "%s/generated/%s", shared, rel);
        r = analyze_file(image, 1u << VD_DIGEST_MD5);
        fprintf(stderr, "  %s\n", rel);
        EXPECT_U64(r->info.virtual_size, size);
        EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_MD5], md5);
        EXPECT(r->verdict == VD_VERDICT_CLEAN);
        vd_result_free(r);
        checked++;
    }
    if (f != NULL) {
        fclose(f);
    }
    EXPECT(checked == 6);
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
     {"vhd.footer.checksum", "vhd.dyn.checksum", "vhd.locator.none", "image.parent.unresolved"}},
    {"vhd/dfvfs_ext2.vhd", "clean", 4212736, 0, NULL, {NULL}},
    {"vhd/dfvfs_ext2.old-67b5923.vhd", "clean", 4212736, 0, NULL, {NULL}},
    {"vhd/dfvfs_fat-differential.vhd",
     "clean",
     4194304,
     4177920,
     "current_size",
     {"image.parent.unresolved", "vhd.dyn.parent_timestamp_zero"}},
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
        r = analyze_file(image, 0);
        fprintf(stderr, "  %s\n", s->file);
        EXPECT_STR(vd_verdict_name(r->verdict), s->verdict);
        EXPECT_STR(r->info.format, "vhd");
        EXPECT_U64(r->info.virtual_size, s->virtual_size);
        if (s->chs_size != 0) {
            f = fact_path(r->details, "footer", "chs_size");
            EXPECT(f != NULL && f->u64 == s->chs_size);
        }
        if (s->qemu_source != NULL) {
            f = fact_path(r->details, "footer", "qemu_size_source");
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
    r = analyze_file(image, 0);
    snprintf(image, sizeof(image), "%s/vhd/dfvfs_image.vhd", shared);
    parent = analyze_file(image, 0);
    f = fact_path(r->details, "parent", "uuid");
    EXPECT(f != NULL);
    EXPECT_STR(f->string, fact_path(parent->details, "footer", "uuid")->string);
    EXPECT_STR(fact_path(r->details, "parent", "name")->string, "image.vhd");
    /* Both footer copies carry the stale checksum of the hand edit. */
    EXPECT_U64(vd_findings_count_id(&parent->findings, VD_F_VHD_FOOTER_CHECKSUM), 2);
    vd_result_free(r);
    vd_result_free(parent);

    /* diskpart child: W2ku and W2ru locators. */
    snprintf(image, sizeof(image), "%s/vhd/dfvfs_fat-differential.vhd", shared);
    r = analyze_file(image, 0);
    f = fact_path(r->details, "parent", "locators");
    EXPECT(f != NULL && f->first != NULL && f->first->next != NULL);
    if (f != NULL && f->first != NULL && f->first->next != NULL) {
        EXPECT_STR(vd_fact_get(f->first, "platform")->string, "W2ku");
        EXPECT_STR(vd_fact_get(f->first, "path")->string,
                   "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
        EXPECT_STR(vd_fact_get(f->first->next, "platform")->string, "W2ru");
        EXPECT_STR(vd_fact_get(f->first->next, "path")->string, ".\\fat-parent.vhd");
    }
    EXPECT_STR(fact_path(r->details, "parent", "uuid")->string,
               "5fa21a55-f394-aa4d-9958-1951a67d5540");
    vd_result_free(r);
}

/* Loads a whole file into memory. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long size;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        abort();
    }
    data = malloc((size_t)size + 1);
    if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        abort();
    }
    fclose(f);
    *len = (size_t)size;
    return data;
}

static void truncation_sweep(const char *path)
{
    size_t len;
    uint8_t *data = slurp(path, &len);
    size_t bad = 0;

    fprintf(stderr, "  %s (%zu lengths)\n", path, len / 512);
    for (size_t cut = 0; cut < len; cut += 512) {
        struct vd_image_result *r = vd_test_analyze(data, cut, 0);
        if (r->verdict != VD_VERDICT_ERRORS && r->verdict != VD_VERDICT_UNRECOGNIZED) {
            if (bad++ < 5) {
                fprintf(stderr, "    cut at %zu: verdict %s\n", cut, vd_verdict_name(r->verdict));
            }
        }
        vd_result_free(r);
    }
    EXPECT_U64(bad, 0);
    free(data);
}

VD_TEST(truncation_sweep_of_valid_images)
{
    static const char *const ours[] = {"qemu-dynamic-8M-data.vhd", "qemu-fixed-4M-data.vhd",
                                       "bximage-vpc-10M-data.vhd",
                                       "qemu-dynamic-forcesize-6000000.vhd"};
    const char *shared = vd_test_shared_corpus();
    char path[4400];

    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
        snprintf(path, sizeof(path), "%s/corpus/vhd/%s", vd_test_source_dir(), ours[i]);
        truncation_sweep(path);
    }
    if (shared != NULL) {
        snprintf(path, sizeof(path), "%s/vhd/dfvfs_fat-differential.vhd", shared);
        truncation_sweep(path);
        snprintf(path, sizeof(path), "%s/vhd/hyperv2012r2-dynamic.vhd", shared);
        truncation_sweep(path);
    }
}
