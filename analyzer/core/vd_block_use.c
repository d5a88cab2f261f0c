#include "vd_block_use.h"

#include "vd_alloc.h"
#include "vd_bits.h"
#include "vd_format.h"

enum vd_status vd_block_use_init(struct vd_block_use *u, const struct vd_ctx *ctx, uint64_t first,
                                 uint64_t stride)
{
    uint64_t in_file = 0;

    if (first < ctx->file_size && stride != 0) {
        in_file = (ctx->file_size - first) / stride;
    }
    u->tracked = in_file < VD_BLOCK_USE_MAX ? in_file : VD_BLOCK_USE_MAX;
    u->end = first < ctx->file_size ? first : ctx->file_size;
    u->seen = vd_calloc_array((size_t)(u->tracked / 8 + 1), 1);
    return u->seen == NULL ? VD_E_NOMEM : VD_OK;
}

void vd_block_use_fini(struct vd_block_use *u)
{
    VD_FREE_AND_NULL(u->seen);
}

bool vd_block_use_mark(struct vd_block_use *u, uint64_t index)
{
    if (index >= u->tracked) {
        return true;
    }
    if (vd_bits_lsb_test(u->seen, index)) {
        return false;
    }
    u->seen[index / 8] = (uint8_t)(u->seen[index / 8] | (1u << (index % 8)));
    return true;
}

void vd_block_use_note_end(struct vd_block_use *u, const struct vd_ctx *ctx, uint64_t at,
                           uint64_t length)
{
    uint64_t end;

    if (at >= ctx->file_size) {
        return;
    }
    end = length > ctx->file_size - at ? ctx->file_size : at + length;
    if (end > u->end) {
        u->end = end;
    }
}
