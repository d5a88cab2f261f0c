#include "vd_digest.h"

#include <string.h>

#include <openssl/evp.h>

#include "vd_text.h"

/* Zero source for unallocated extents: read-only after static initialization. */
static uint8_t zero_block[1u << 20];

static const char *const digest_names[VD_DIGEST_COUNT] = {
    [VD_DIGEST_MD5] = "md5",
    [VD_DIGEST_SHA1] = "sha1",
    [VD_DIGEST_SHA256] = "sha256",
    [VD_DIGEST_SHA512] = "sha512",
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

bool vd_digest_parse_list(const char *list, unsigned *mask)
{
    const char *p = list;

    *mask = 0;
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        bool known = false;
        for (int a = 0; a < VD_DIGEST_COUNT; a++) {
            if (strlen(digest_names[a]) == len && strncmp(p, digest_names[a], len) == 0) {
                *mask |= 1u << a;
                known = true;
            }
        }
        if (!known) {
            return false;
        }
        p += len;
        if (*p == ',') {
            p++;
        }
    }
    return *mask != 0;
}

enum vd_status vd_digest_set_init(struct vd_digest_set *set, unsigned mask)
{
    memset(set, 0, sizeof(*set));
    set->mask = mask;
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        EVP_MD_CTX *ctx;
        if ((mask & (1u << a)) == 0) {
            continue;
        }
        ctx = EVP_MD_CTX_new();
        set->evp[a] = ctx;
        if (ctx == NULL || EVP_DigestInit_ex(ctx, digest_md((enum vd_digest_alg)a), NULL) != 1) {
            vd_digest_set_fini(set);
            return VD_E_NOMEM;
        }
    }
    return VD_OK;
}

void vd_digest_set_update(struct vd_digest_set *set, const void *data, size_t len)
{
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        if (set->evp[a] != NULL) {
            EVP_DigestUpdate(set->evp[a], data, len);
        }
    }
}

void vd_digest_set_update_zeros(struct vd_digest_set *set, uint64_t len)
{
    while (len > 0) {
        size_t n = len < sizeof(zero_block) ? (size_t)len : sizeof(zero_block);
        vd_digest_set_update(set, zero_block, n);
        len -= n;
    }
}

enum vd_status vd_digest_set_final(struct vd_digest_set *set, struct vd_digests *out)
{
    memset(out, 0, sizeof(*out));
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (set->evp[a] == NULL) {
            continue;
        }
        if (EVP_DigestFinal_ex(set->evp[a], md, &len) != 1) {
            return VD_E_NOMEM;
        }
        vd_text_hex(md, len, out->hex[a]);
        out->mask |= 1u << a;
    }
    return VD_OK;
}

void vd_digest_set_fini(struct vd_digest_set *set)
{
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        EVP_MD_CTX_free(set->evp[a]);
        set->evp[a] = NULL;
    }
}
