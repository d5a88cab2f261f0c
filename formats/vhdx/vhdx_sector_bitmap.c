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

static bool bit(const uint8_t *bits, uint64_t i)
{
    return ((unsigned)bits[i / 8] >> (i % 8)) & 1u;
}

uint64_t vhdx_bitmap_count(const uint8_t *bits, uint64_t first, uint64_t count)
{
    uint64_t n = 0;
    uint64_t i = first;
    uint64_t end = first + count;

    for (; i < end && i % 8 != 0; i++) {
        n += bit(bits, i);
    }
    for (; i + 8 <= end; i += 8) {
        n += (uint64_t)__builtin_popcount(bits[i / 8]);
    }
    for (; i < end; i++) {
        n += bit(bits, i);
    }
    return n;
}

uint64_t vhdx_bitmap_run(const uint8_t *bits, uint64_t first, uint64_t max, bool *set)
{
    uint64_t n = 1;

    *set = bit(bits, first);
    while (n < max) {
        uint64_t i = first + n;
        uint8_t whole = *set ? 0xFF : 0x00;
        if (i % 8 == 0 && n + 8 <= max && bits[i / 8] == whole) {
            n += 8;
        } else if (bit(bits, i) == *set) {
            n++;
        } else {
            break;
        }
    }
    return n;
}
