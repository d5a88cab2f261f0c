/* The VHD Dynamic Disk Header (dynamic and differencing disks). */
#ifndef VHD_DYNAMIC_HEADER_H
#define VHD_DYNAMIC_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vhd_layout.h"

struct vhd_dynamic_header {
    uint64_t data_offset;
    uint64_t table_offset;
    uint32_t version;
    uint32_t max_table_entries;
    uint32_t block_size;
    uint32_t checksum;
    uint8_t parent_uuid[16];
    uint32_t parent_timestamp;
};

bool vhd_dyn_has_cookie(const uint8_t raw[VHD_DYN_SIZE]);
void vhd_dyn_decode(const uint8_t raw[VHD_DYN_SIZE], struct vhd_dynamic_header *out);

/*
 * VHD-16..VHD-21 for the header at `at` of a disk of current_size bytes; `complete` is
 * false when the file ends inside the header (the rest reads as zero). Returns false
 * after a fatal finding (bad cookie, table offset or block size): no BAT is usable.
 */
bool vhd_dyn_check(struct vd_ctx *ctx, uint64_t at, const uint8_t raw[VHD_DYN_SIZE],
                   const struct vhd_dynamic_header *h, uint64_t current_size, bool differencing,
                   bool complete);

/* Decodes the UTF-16BE parent name; returns false when it is not valid. */
bool vhd_dyn_parent_name(const uint8_t raw[VHD_DYN_SIZE], char *out, size_t cap);

/* Bytes of a block's sector bitmap on disk: one bit per sector, padded to a sector. */
uint64_t vhd_bitmap_bytes(uint32_t block_size);

#endif
