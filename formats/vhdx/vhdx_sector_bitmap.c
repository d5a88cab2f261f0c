#include "vhdx_sector_bitmap.h"

#include "vd_alloc.h"
#include "vhdx_layout.h"

void vhdx_bitmap_cache_init(struct vhdx_bitmap_cache *c)
{
    c->bits = NULL;
    c->chunk = -1;
}

void vhdx_bitmap_cache_fini(struct vhdx_bitmap_cache *c)
{
    VD_FREE_AND_NULL(c->bits);
    c->chunk = -1;
}

enum vd_status vhdx_bitmap_load(struct vd_ctx *ctx, struct vhdx_bitmap_cache *c, uint64_t chunk,
                                uint64_t at)
{
    enum vd_status st;

    if (c->chunk == (int64_t)chunk) {
        return VD_OK;
    }
    if (c->bits == NULL) {
        c->bits = vd_malloc(VHDX_SECTOR_BITMAP_SIZE);
        if (c->bits == NULL) {
            return VD_E_NOMEM;
        }
    }
    c->chunk = -1;
    st = vd_ctx_read(ctx, at, c->bits, VHDX_SECTOR_BITMAP_SIZE);
    if (st == VD_OK) {
        c->chunk = (int64_t)chunk;
    }
    return st;
}
