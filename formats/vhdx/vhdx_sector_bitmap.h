/*
 * Sector bitmap blocks (MS-VHDX §2.5.1.2, §3.1.2): 1 MiB per chunk, one bit per logical
 * sector, bit 0 of byte 0 is the chunk's first sector (LSB first). A set bit means the
 * sector's data is in this file; clear means it comes from the parent. One block is
 * cached at a time.
 */
#ifndef VHDX_SECTOR_BITMAP_H
#define VHDX_SECTOR_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"

struct vhdx_bitmap_cache {
    uint8_t *bits; /* VHDX_SECTOR_BITMAP_SIZE bytes, allocated on first use */
    int64_t chunk; /* chunk whose bitmap is loaded, -1 = none */
};

void vhdx_bitmap_cache_init(struct vhdx_bitmap_cache *c);
void vhdx_bitmap_cache_fini(struct vhdx_bitmap_cache *c);

/* Loads the bitmap of `chunk` stored at file offset `at` (must lie inside the file). */
VD_MUST_CHECK enum vd_status vhdx_bitmap_load(struct vd_ctx *ctx, struct vhdx_bitmap_cache *c,
                                              uint64_t chunk, uint64_t at);

#endif
