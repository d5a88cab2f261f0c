/*
 * The VHDX Block Allocation Table (MS-VHDX §2.5), streamed through a VD_TABLE_CHUNK window
 * so memory stays flat whatever the disk size (a 64 TiB disk with 1 MiB blocks has a
 * 512 MiB table). Payload and sector bitmap entries are interleaved: every chunk_ratio
 * payload entries are followed by one sector bitmap entry, for every disk type (§2.5).
 */
#ifndef VHDX_BAT_H
#define VHDX_BAT_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vd_limits.h"
#include "vhdx_layout.h"
#include "vhdx_metadata.h"
#include "vhdx_region.h"

struct vhdx_bat {
    uint64_t offset;      /* file offset of entry 0 */
    uint64_t chunk_ratio; /* payload blocks per sector bitmap block */
    uint64_t block_size;
    uint64_t payload_blocks; /* ceil(virtual size / block size) */
    uint64_t entries;        /* the entries the layout needs (VHDX-16) */
    uint64_t readable;       /* of those, the ones inside the region and the file */
    uint64_t window_first;
    uint32_t window_count;
    uint8_t window[VD_TABLE_CHUNK];
};

/* A decoded entry. */
struct vhdx_bat_entry {
    uint64_t raw;
    unsigned state;
    uint64_t file_offset; /* FileOffsetMB * 1 MiB */
    uint64_t at;          /* file offset of the entry itself */
};

/* Lays the table out from the metadata (VHDX-16) and claims its region. */
void vhdx_bat_init(struct vd_ctx *ctx, struct vhdx_bat *bat, const struct vhdx_region *region,
                   const struct vhdx_metadata *md);

static inline uint64_t vhdx_bat_payload_index(const struct vhdx_bat *bat, uint64_t block)
{
    return block + block / bat->chunk_ratio;
}

static inline uint64_t vhdx_bat_bitmap_index(const struct vhdx_bat *bat, uint64_t chunk)
{
    return chunk * (bat->chunk_ratio + 1) + bat->chunk_ratio;
}

/*
 * The raw entries from `index` on that the window holds (*avail of them, at least one);
 * index must be < bat->readable. For walks that visit every entry in order.
 */
VD_MUST_CHECK enum vd_status vhdx_bat_window(struct vd_ctx *ctx, struct vhdx_bat *bat,
                                             uint64_t index, const uint8_t **raw, size_t *avail);

/* Decodes a raw entry found at `index`. */
void vhdx_bat_decode(const struct vhdx_bat *bat, uint64_t index, uint64_t raw,
                     struct vhdx_bat_entry *out);

/* Entry `index`; entries the file does not hold read as NOT_PRESENT with at = 0. */
VD_MUST_CHECK enum vd_status vhdx_bat_get(struct vd_ctx *ctx, struct vhdx_bat *bat, uint64_t index,
                                          struct vhdx_bat_entry *out);

#endif
