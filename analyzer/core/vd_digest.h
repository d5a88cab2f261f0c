/*
 * Several digests over one stream (OpenSSL EVP). Hex results live in vd_digests so that
 * reporters never see libcrypto.
 */
#ifndef VD_DIGEST_H
#define VD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_status.h"

enum vd_digest_alg {
    VD_DIGEST_MD5,
    VD_DIGEST_SHA1,
    VD_DIGEST_SHA256,
    VD_DIGEST_SHA512,
};
#define VD_DIGEST_COUNT   4
#define VD_DIGEST_HEX_MAX 129 /* sha512: 128 hex digits + NUL */

struct vd_digests {
    unsigned mask; /* bit (1u << alg) set for every digest present */
    char hex[VD_DIGEST_COUNT][VD_DIGEST_HEX_MAX];
};

struct vd_digest_set {
    unsigned mask;
    void *evp[VD_DIGEST_COUNT]; /* EVP_MD_CTX *, opaque here */
};

const char *vd_digest_name(enum vd_digest_alg alg);
/* Parses "sha256,md5"; false on an unknown name or an empty list. */
bool vd_digest_parse_list(const char *list, unsigned *mask);

VD_MUST_CHECK enum vd_status vd_digest_set_init(struct vd_digest_set *set, unsigned mask);
void vd_digest_set_update(struct vd_digest_set *set, const void *data, size_t len);
/* Feeds len zero bytes without reading anything. */
void vd_digest_set_update_zeros(struct vd_digest_set *set, uint64_t len);
VD_MUST_CHECK enum vd_status vd_digest_set_final(struct vd_digest_set *set, struct vd_digests *out);
void vd_digest_set_fini(struct vd_digest_set *set);

#endif
