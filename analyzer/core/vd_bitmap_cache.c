#include "vd_bitmap_cache.h"

#include "vd_alloc.h"
#include "vd_checked.h"
#include "vd_format.h"

void vd_bitmap_cache_init(struct vd_bitmap_cache *c, size_t size)
{
    c->bits = NULL;
    c->size = size;
    c->key = -1;
}

void vd_bitmap_cache_fini(struct vd_bitmap_cache *c)
{
    VD_FREE_AND_NULL(c->bits);
    c->key = -1;
}

enum vd_status vd_bitmap_cache_load(struct vd_ctx *ctx, struct vd_bitmap_cache *c, uint64_t key,
                                    uint64_t at, bool *loaded)
{
    enum vd_status st;

    *loaded = vd_range_fits(at, c->size, ctx->file_size);
    if (!*loaded || c->key == (int64_t)key) {
        return VD_OK;
    }
    if (c->bits == NULL) {
        c->bits = vd_malloc(c->size);
        if (c->bits == NULL) {
            return VD_E_NOMEM;
        }
    }
    c->key = -1;
    st = vd_ctx_read(ctx, at, c->bits, c->size);
    if (st == VD_OK) {
        c->key = (int64_t)key;
    }
    return st;
}
