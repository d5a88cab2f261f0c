#include "vd_test_image.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "vd_analyze.h"
#include "vd_test.h"

struct vd_image_result *vd_test_analyze(const uint8_t *data, size_t len, unsigned hash_mask)
{
    struct vd_analyze_options opt = {.hash_mask = hash_mask, .limits = VD_LIMITS_DEFAULT};

    return vd_test_analyze_opts(data, len, &opt);
}

struct vd_image_result *vd_test_analyze_opts(const uint8_t *data, size_t len,
                                             const struct vd_analyze_options *opt)
{
    struct vd_source *src = NULL;
    struct vd_image_result *r;

    if (vd_source_open_memory(data, len, &src) != VD_OK) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    r = vd_analyze_source(src, "memory", opt);
    vd_source_close(src);
    if (r == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return r;
}

static void print_findings(const struct vd_image_result *r)
{
    for (size_t i = 0; i < r->findings.count; i++) {
        const struct vd_finding *f = &r->findings.items[i];
        fprintf(stderr, "    found %s at %" PRIu64 " (0x%" PRIx64 "): %s\n",
                vd_catalog_get(f->id)->id, f->loc.offset, f->loc.offset, f->message);
    }
}

void vd_test_expect_findings(const struct vd_image_result *r, const struct vd_expect *e, size_t n,
                             const char *file, int line)
{
    bool used[64] = {false};
    bool ok = r->findings.count == n && n <= 64;

    for (size_t i = 0; ok && i < n; i++) {
        bool matched = false;
        for (size_t j = 0; j < r->findings.count && !matched; j++) {
            const struct vd_finding *f = &r->findings.items[j];
            if (!used[j] && f->loc.offset == e[i].offset &&
                strcmp(vd_catalog_get(f->id)->id, e[i].id) == 0) {
                used[j] = true;
                matched = true;
            }
        }
        ok = matched;
    }
    if (!ok) {
        fprintf(stderr, "%s:%d: findings differ; expected:\n", file, line);
        for (size_t i = 0; i < n; i++) {
            fprintf(stderr, "    want  %s at %" PRIu64 " (0x%" PRIx64 ")\n", e[i].id, e[i].offset,
                    e[i].offset);
        }
        print_findings(r);
    }
    vd_test_check(ok, "the exact set of findings", file, line);
}

void vd_test_sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (EVP_Digest(p, n, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32) {
        abort();
    }
    for (unsigned i = 0; i < md_len; i++) {
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
}

#if defined(__SANITIZE_ADDRESS__)
#define VD_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VD_TEST_ASAN 1
#endif
#endif

static int analyze_child(const uint8_t *data, size_t len, size_t as_limit, const char *const *ids,
                         size_t n)
{
    struct rlimit lim = {as_limit, as_limit};
    struct vd_image_result *r;
    int bad;

#ifndef VD_TEST_ASAN
    if (setrlimit(RLIMIT_AS, &lim) != 0) {
        return 3;
    }
#else
    (void)lim;
#endif
    r = vd_test_analyze(data, len, 0);
    bad = r->status != VD_OK || r->verdict != VD_VERDICT_ERRORS;
    for (size_t i = 0; i < n; i++) {
        bad |= vd_findings_count_id(&r->findings, vd_catalog_find(ids[i])) != 1;
    }
    vd_result_free(r);
    return bad ? 1 : 0;
}

bool vd_test_analyze_bounded(const uint8_t *data, size_t len, size_t as_limit,
                             const char *const *ids, size_t n)
{
    pid_t pid;
    int status = 0;

    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        _exit(analyze_child(data, len, as_limit, ids, n));
    }
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}
