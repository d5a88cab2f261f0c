#include "vd_digest.h"

#include <string.h>

#include <openssl/evp.h>

/*
 * Zero source for unallocated extents. Small enough to stay in a core's cache while it is
 * fed again and again: a run of zeros costs hashing time, never I/O.
 */
static const uint8_t zero_block[128u * 1024u];

static const char *const digest_names[VD_DIGEST_COUNT] = {
    [VD_DIGEST_MD5] = "md5",
    [VD_DIGEST_SHA1] = "sha1",
    [VD_DIGEST_SHA256] = "sha256",
    [VD_DIGEST_SHA512] = "sha512",
};

static const size_t digest_sizes[VD_DIGEST_COUNT] = {
    [VD_DIGEST_MD5] = 16,
    [VD_DIGEST_SHA1] = 20,
    [VD_DIGEST_SHA256] = 32,
    [VD_DIGEST_SHA512] = 64,
};

static const EVP_MD *digest_md(enum vd_digest_alg alg)
{
    switch (alg) {
    case VD_DIGEST_MD5:
        return EVP_md5();
    case VD_DIGEST_SHA1:
        return EVP_sha1();
    case VD_DIGEST_SHA256:
        return EVP_sha256();
    case VD_DIGEST_SHA512:
        return EVP_sha512();
    }
    return NULL;
}

const char *vd_digest_name(enum vd_digest_alg alg)
{
    return digest_names[alg];
}

size_t vd_digest_size(enum vd_digest_alg alg)
{
    return digest_sizes[alg];
}

bool vd_digest_lookup(const char *name, size_t len, enum vd_digest_alg *alg)
{
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        if (strlen(digest_names[a]) == len && strncmp(name, digest_names[a], len) == 0) {
            *alg = (enum vd_digest_alg)a;
            return true;
        }
    }
    return false;
}

bool vd_digest_parse_list(const char *list, unsigned *mask)
{
    const char *p = list;

    *mask = 0;
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        enum vd_digest_alg alg;
        if (!vd_digest_lookup(p, len, &alg)) {
            return false;
        }
        *mask |= 1u << alg;
        p += len;
        if (*p == ',') {
            p++;
        }
    }
    return *mask != 0;
}

enum vd_status vd_hash_init(struct vd_hash *h, enum vd_digest_alg alg)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    h->alg = alg;
    h->evp = ctx;
    if (ctx == NULL || EVP_DigestInit_ex(ctx, digest_md(alg), NULL) != 1) {
        vd_hash_fini(h);
        return VD_E_NOMEM;
    }
    return VD_OK;
}

void vd_hash_update(struct vd_hash *h, const void *data, size_t len)
{
    /* EVP_DigestUpdate cannot fail for these software digests once initialized. */
    (void)EVP_DigestUpdate(h->evp, data, len);
}

void vd_hash_update_zeros(struct vd_hash *h, uint64_t len)
{
    while (len > 0) {
        size_t n = len < sizeof(zero_block) ? (size_t)len : sizeof(zero_block);
        vd_hash_update(h, zero_block, n);
        len -= n;
    }
}

enum vd_status vd_hash_final(struct vd_hash *h, uint8_t out[VD_DIGEST_MAX])
{
    unsigned int len = 0;

    if (EVP_DigestFinal_ex(h->evp, out, &len) != 1 || len != digest_sizes[h->alg] ||
        EVP_DigestInit_ex(h->evp, digest_md(h->alg), NULL) != 1) {
        return VD_E_NOMEM;
    }
    return VD_OK;
}

void vd_hash_fini(struct vd_hash *h)
{
    EVP_MD_CTX_free(h->evp);
    h->evp = NULL;
}
