/*
 * Digests (OpenSSL EVP) behind a small interface, so that reporters never see libcrypto.
 * vd_hash is one algorithm over one stream; vd_hash_stream (vd_hash_stream.h) runs several
 * of them in parallel over one pass.
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
#define VD_DIGEST_MAX     64  /* bytes of the longest digest (sha512) */
#define VD_DIGEST_HEX_MAX 129 /* sha512: 128 hex digits + NUL */

/* Finished digests of one stream, as lower-case hex. */
struct vd_digests {
    unsigned mask; /* bit (1u << alg) set for every digest present */
    char hex[VD_DIGEST_COUNT][VD_DIGEST_HEX_MAX];
};

struct vd_hash {
    enum vd_digest_alg alg;
    void *evp; /* EVP_MD_CTX *, opaque here */
};

const char *vd_digest_name(enum vd_digest_alg alg);
/* Looks a name up ("sha256"); false when unknown. */
bool vd_digest_lookup(const char *name, size_t len, enum vd_digest_alg *alg);
size_t vd_digest_size(enum vd_digest_alg alg);
/* Parses "sha256,md5"; false on an unknown name or an empty list. */
bool vd_digest_parse_list(const char *list, unsigned *mask);

VD_MUST_CHECK enum vd_status vd_hash_init(struct vd_hash *h, enum vd_digest_alg alg);
void vd_hash_update(struct vd_hash *h, const void *data, size_t len);
/* Feeds len zero bytes without reading anything. */
void vd_hash_update_zeros(struct vd_hash *h, uint64_t len);
/* Writes vd_digest_size(alg) bytes to out and starts the next digest afresh. */
VD_MUST_CHECK enum vd_status vd_hash_final(struct vd_hash *h, uint8_t out[VD_DIGEST_MAX]);
void vd_hash_fini(struct vd_hash *h);

#endif
