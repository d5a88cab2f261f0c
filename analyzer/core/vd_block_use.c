#include "vd_block_use.h"

#include <inttypes.h>

#include "vd_alloc.h"
#include "vd_bits.h"
#include "vd_checked.h"
#include "vd_format.h"

enum vd_status vd_block_use_init(struct vd_block_use *u, const struct vd_ctx *ctx,
                                 const struct vd_block_layout *layout)
{
    uint64_t first = layout->first;
    uint64_t in_file = 0;

    u->layout = *layout;
    if (first < ctx->file_size && layout->stride != 0) {
        in_file = (ctx->file_size - first) / layout->stride;
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

/* Marks `block` used; false when an earlier entry already used it. */
static bool mark(struct vd_block_use *u, uint64_t block)
{
    if (block >= u->tracked) {
        return true;
    }
    if (vd_bits_lsb_test(u->seen, block)) {
        return false;
    }
    u->seen[block / 8] = (uint8_t)(u->seen[block / 8] | (1u << (block % 8)));
    return true;
}

static void note_end(struct vd_block_use *u, const struct vd_ctx *ctx, uint64_t at)
{
    uint64_t end;

    if (at >= ctx->file_size) {
        return;
    }
    end = u->layout.stride > ctx->file_size - at ? ctx->file_size : at + u->layout.stride;
    if (end > u->end) {
        u->end = end;
    }
}

bool vd_block_use_take(struct vd_block_use *u, struct vd_ctx *ctx, uint32_t index,
                       uint64_t entry_at, uint64_t block, uint64_t *at)
{
    const struct vd_block_layout *l = &u->layout;

    if (!mark(u, block)) {
        vd_report(ctx, l->duplicate_id, VD_LOC(l->table, index, entry_at, 4),
                  "entry %" PRIu32 " points at stored block %" PRIu64
                  ", which an earlier entry already uses",
                  index, block);
        return false;
    }
    if (vd_ckd_index_u64(at, l->first, block, l->stride)) {
        vd_report(ctx, VD_F_IMAGE_EXTENT_BEYOND_EOF, VD_LOC(l->table, index, entry_at, 4),
                  "entry %" PRIu32 " points at stored block %" PRIu64 ", beyond any file", index,
                  block);
        return false;
    }
    (void)vd_claim(ctx, l->block, index, *at, l->stride, entry_at, 4);
    note_end(u, ctx, *at);
    return true;
}
