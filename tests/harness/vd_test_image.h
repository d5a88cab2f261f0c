/* Running the analysis over bytes in memory and comparing findings exactly. */
#ifndef VD_TEST_IMAGE_H
#define VD_TEST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_result.h"

struct vd_expect {
    const char *id;
    uint64_t offset;
};

struct vd_analyze_options;

/* Analyzes data[0..len) from a memory source; aborts the test binary on out of memory. */
struct vd_image_result *vd_test_analyze(const uint8_t *data, size_t len, unsigned hash_mask);

/*
 * Analyzes data[0..len) in a forked child limited to `as_limit` bytes of address space:
 * true when the child exits normally with an errors verdict and each of ids[0..n) found
 * exactly once. Under AddressSanitizer (whose shadow memory alone exceeds any such limit)
 * the child runs without the limit and only the findings are checked.
 */
bool vd_test_analyze_bounded(const uint8_t *data, size_t len, size_t as_limit,
                             const char *const *ids, size_t n);

/* Lowercase hex SHA-256 of n bytes, computed independently of vdcheck (OpenSSL EVP). */
void vd_test_sha256_hex(const uint8_t *p, size_t n, char out[65]);
/* The same with every option given (limits, the VHDX log view). */
struct vd_image_result *vd_test_analyze_opts(const uint8_t *data, size_t len,
                                             const struct vd_analyze_options *opt);

/* The findings of r are exactly the (id, offset) pairs of e, in any order. */
void vd_test_expect_findings(const struct vd_image_result *r, const struct vd_expect *e, size_t n,
                             const char *file, int line);

#define EXPECT_FINDINGS(r, ...)                                                                    \
    do {                                                                                           \
        const struct vd_expect expect_[] = {__VA_ARGS__};                                          \
        vd_test_expect_findings((r), expect_, sizeof(expect_) / sizeof(expect_[0]), __FILE__,      \
                                __LINE__);                                                         \
    } while (0)
#define EXPECT_NO_FINDINGS(r) vd_test_expect_findings((r), NULL, 0, __FILE__, __LINE__)

#endif
