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
#include "vd_findings.h"
#include "vd_status.h"

#define VD_BLOCK_USE_MAX (1u << 28)

struct vd_ctx;

/* Where the blocks a table points at are stored, and what to call things in findings. */
struct vd_block_layout {
    uint64_t first;                  /* file offset of stored block 0 */
    uint64_t stride;                 /* bytes from one stored block to the next */
    const char *table;               /* structure of the entries, e.g. "vdi.map" */
    const char *block;               /* structure of the blocks, e.g. "vdi.block" */
    enum vd_finding_id duplicate_id; /* two entries, one block */
};

struct vd_block_use {
    struct vd_block_layout layout;
    uint8_t *seen;
    uint64_t tracked; /* blocks [0, tracked) are tracked */
    uint64_t end;     /* end of the furthest block, within the file */
};

VD_MUST_CHECK enum vd_status vd_block_use_init(struct vd_block_use *u, const struct vd_ctx *ctx,
                                               const struct vd_block_layout *layout);
void vd_block_use_fini(struct vd_block_use *u);

/*
 * Entry `index` (at file offset entry_at) points at stored block `block`. Reports a block
 * an earlier entry already uses (layout.duplicate_id) or one whose offset does not fit
 * in 64 bits (image.extent.beyond_eof); otherwise claims the block, moves the end and
 * sets *at to the block's file offset. Returns false when the block was not claimed.
 * A block cut short by EOF owns the bytes up to EOF (its claim reports it), so they are
 * not trailing data; one that starts past EOF owns nothing in the file.
 */
bool vd_block_use_take(struct vd_block_use *u, struct vd_ctx *ctx, uint32_t index,
                       uint64_t entry_at, uint64_t block, uint64_t *at);

#endif
