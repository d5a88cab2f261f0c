/*
 * The VHD Block Allocation Table, streamed: a window of VD_TABLE_CHUNK bytes is all that
 * is ever held, so memory does not grow with max_table_entries (up to 2^32 - 1).
 */
#ifndef VHD_BAT_H
#define VHD_BAT_H

#include <stdint.h>

#include "vd_format.h"
#include "vd_limits.h"

struct vhd_bat {
    uint64_t offset;   /* file offset of entry 0 */
    uint32_t entries;  /* max_table_entries as declared */
    uint32_t readable; /* entries that lie inside the file */
    uint32_t window_first;
    uint32_t window_count;
    uint8_t window[VD_TABLE_CHUNK];
};

/*
 * Claims the table and reports vhd.bat.truncated when the declared table runs past the
 * end of the file; `needed` is the number of entries the disk size needs.
 */
void vhd_bat_init(struct vd_ctx *ctx, struct vhd_bat *bat, uint64_t offset, uint32_t entries,
                  uint64_t needed);

static inline uint64_t vhd_bat_entry_offset(const struct vhd_bat *bat, uint32_t index)
{
    return bat->offset + (uint64_t)index * 4;
}

/* Entry `index` (< bat->readable), read through the window. */
VD_MUST_CHECK enum vd_status vhd_bat_get(struct vd_ctx *ctx, struct vhd_bat *bat, uint32_t index,
                                         uint32_t *entry);

#endif
