/*
 * Which stored blocks the entries of a block table point at (VDI block map, Bochs
 * catalog), so that two entries sharing one block are found whatever the claim limit,
 * and where the furthest block ends, so that trailing bytes are found. Only blocks that
 * can lie inside the file are tracked, and at most VD_BLOCK_USE_MAX of them: the bitmap
 * stays bounded by the file size and by 32 MiB whatever the table declares.
 */
#ifndef VD_BLOCK_USE_H
#define VD_BLOCK_USE_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_status.h"

#define VD_BLOCK_USE_MAX (1u << 28)

struct vd_ctx;

struct vd_block_use {
    uint8_t *seen;
    uint64_t tracked; /* blocks [0, tracked) are tracked */
    uint64_t end;     /* end of the furthest block claimed so far */
};

/* Blocks of `stride` bytes from file offset `first` on. */
VD_MUST_CHECK enum vd_status vd_block_use_init(struct vd_block_use *u, const struct vd_ctx *ctx,
                                               uint64_t first, uint64_t stride);
void vd_block_use_fini(struct vd_block_use *u);

/* Marks block `index` used; false when an earlier entry already used it. */
bool vd_block_use_mark(struct vd_block_use *u, uint64_t index);

/*
 * Moves the end of the furthest block to that of the block at [at, at + length). A block
 * cut short by EOF owns the bytes up to EOF (its claim reports it beyond EOF), so they are
 * not trailing data; one that starts at or past EOF owns nothing in the file.
 */
void vd_block_use_note_end(struct vd_block_use *u, const struct vd_ctx *ctx, uint64_t at,
                           uint64_t length);

/* Counts occurrences of something reported once, at its first index. */
struct vd_tally {
    uint64_t count;
    uint64_t first;
};

static inline void vd_tally_note(struct vd_tally *t, uint64_t index)
{
    if (t->count++ == 0) {
        t->first = index;
    }
}

#endif
