#include "vd_test_corpus.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_test.h"
#include "vd_test_image.h"

struct vd_image_result *vd_test_analyze_file(const char *path, unsigned mask)
{
    struct vd_analyze_options opt = {.hash_mask = mask, .limits = VD_LIMITS_DEFAULT};
    struct vd_image_result *r = vd_analyze_path(path, &opt);

    if (r == NULL) {
        abort();
    }
    return r;
}

const struct vd_fact *vd_test_fact(const struct vd_fact *f, const char *a, const char *b)
{
    f = vd_fact_get(f, a);
    return b != NULL ? vd_fact_get(f, b) : f;
}

uint64_t vd_test_detail_u64(const struct vd_image_result *r, const char *a, const char *b)
{
    const struct vd_fact *f = vd_test_fact(r->details, a, b);

    EXPECT(f != NULL && f->kind == VD_FACT_U64);
    return f != NULL && f->kind == VD_FACT_U64 ? f->u64 : UINT64_MAX;
}

const char *vd_test_detail_str(const struct vd_image_result *r, const char *a, const char *b)
{
    const struct vd_fact *f = vd_test_fact(r->details, a, b);

    EXPECT(f != NULL && f->kind == VD_FACT_STRING);
    return f != NULL && f->kind == VD_FACT_STRING ? f->string : "";
}

size_t vd_test_count_id(const struct vd_image_result *r, const char *id)
{
    return vd_findings_count_id(&r->findings, vd_catalog_find(id));
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t vd_test_list_dir(const char *dir, const char *suffix, char **names, size_t max)
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

void vd_test_check_expect_file(const char *image, const char *expect)
{
    struct vd_image_result *r = vd_test_analyze_file(image, 1u << VD_DIGEST_SHA256);
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

uint8_t *vd_test_slurp(const char *path, size_t *len)
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

size_t vd_test_generated_checksums(const char *prefix,
                                   void (*extra)(const struct vd_image_result *r))
{
    const char *shared = vd_test_shared_corpus();
    char path[4096];
    char line[512];
    size_t checked = 0;
    FILE *f;

    if (shared == NULL) {
        vd_test_skip("../shared/corpus is not present");
    }
    snprintf(path, sizeof(path), "%s/generated/CHECKSUMS.txt", shared);
    f = fopen(path, "r");
    EXPECT(f != NULL);
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char md5[64];
        char rel[256];
        char image[4400];
        uint64_t size;
        struct vd_image_result *r;
        if (sscanf(line, "%63s virtual_size=%" SCNu64 " %255s", md5, &size, rel) != 3 ||
            strncmp(rel, prefix, strlen(prefix)) != 0) {
            continue;
        }
        snprintf(image, sizeof(image), "%s/generated/%s", shared, rel);
        r = vd_test_analyze_file(image, 1u << VD_DIGEST_MD5);
        fprintf(stderr, "  %s\n", rel);
        EXPECT_U64(r->info.virtual_size, size);
        EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_MD5], md5);
        if (extra != NULL) {
            extra(r);
        }
        vd_result_free(r);
        checked++;
    }
    if (f != NULL) {
        fclose(f);
    }
    return checked;
}

size_t vd_test_check_corpus_dir(const char *dir, const char *suffix)
{
    char path[4096];
    char *names[256];
    size_t n;

    snprintf(path, sizeof(path), "%s/corpus/%s", vd_test_source_dir(), dir);
    n = vd_test_list_dir(path, suffix, names, 256);
    for (size_t i = 0; i < n; i++) {
        char image[4400];
        char expect[4400];
        snprintf(image, sizeof(image), "%s/%s", path, names[i]);
        snprintf(expect, sizeof(expect), "%s/%.*s.expect", path,
                 (int)(strlen(names[i]) - strlen(suffix)), names[i]);
        vd_test_check_expect_file(image, expect);
        free(names[i]);
    }
    return n;
}
