/*
 * A table of 32-bit entries in the file (VHD BAT, VDI block map, Bochs catalog), read
 * through a VD_TABLE_CHUNK window: memory stays the same whatever number of entries an
 * image declares, and entries past the end of the file are never read.
 */
#ifndef VD_TABLE32_H
#define VD_TABLE32_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vd_limits.h"

struct vd_table32 {
    uint64_t offset;   /* file offset of entry 0 */
    uint32_t entries;  /* as declared */
    uint32_t readable; /* entries that lie inside the file */
    bool big_endian;
    uint32_t window_first;
    uint32_t window_count;
    uint8_t window[VD_TABLE_CHUNK];
};

/* Sets the table up; `readable` is computed against ctx->file_size. No I/O, no findings. */
void vd_table32_init(const struct vd_ctx *ctx, struct vd_table32 *t, uint64_t offset,
                     uint32_t entries, bool big_endian);

static inline uint64_t vd_table32_entry_offset(const struct vd_table32 *t, uint32_t index)
{
    return t->offset + (uint64_t)index * 4;
}

/* Entry `index` (< t->readable). */
VD_MUST_CHECK enum vd_status vd_table32_get(struct vd_ctx *ctx, struct vd_table32 *t,
                                            uint32_t index, uint32_t *entry);

/* Counts table entries with a defect reported once for all, at the first of them. */
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
