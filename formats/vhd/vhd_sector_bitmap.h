/*
 * A dynamic block's sector bitmap: one bit per sector, most significant bit first
 * (VHD spec, Block Allocation Table and Data Blocks). Bit set = the sector is in this
 * block; clear = zero on a dynamic disk, the parent's sector on a differencing disk.
 */
#ifndef VHD_SECTOR_BITMAP_H
#define VHD_SECTOR_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"

static inline bool vhd_bitmap_test(const uint8_t *bitmap, uint64_t sector)
{
    unsigned byte = bitmap[sector / 8];
    unsigned shift = (unsigned)(7 - sector % 8);
    return ((byte >> shift) & 1u) != 0;
}

/* Length of the run of equal bits from `from` (exclusive end `limit`); *set = its value. */
uint64_t vhd_bitmap_run(const uint8_t *bitmap, uint64_t from, uint64_t limit, bool *set);

/* Where one allocated block lies, for the checks below. */
struct vhd_block_loc {
    uint32_t index;
    uint64_t entry_at;     /* its BAT entry */
    uint64_t bitmap_at;    /* file offset of the bitmap */
    uint64_t data_at;      /* file offset of sector 0 of the block */
    uint64_t sectors;      /* sectors per block */
    uint64_t disk_sectors; /* sectors of this block inside the disk size */
};

/*
 * VHD-27 for one block whose bitmap is loaded: bits beyond the disk size, an empty
 * bitmap, and sectors whose bit is clear but whose data is not zero (hidden data, read
 * only where the file holds it).
 */
VD_MUST_CHECK enum vd_status vhd_bitmap_check(struct vd_ctx *ctx, const struct vhd_block_loc *b,
                                              const uint8_t *bitmap, uint8_t *scratch,
                                              size_t scratch_len);

#endif
