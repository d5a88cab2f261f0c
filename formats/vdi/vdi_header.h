/*
 * The VDI pre-header and header, version 0 or 1.x (VDI-01 .. VDI-09): decoded into one
 * structure whatever the version, with the file offset of every field so that findings
 * point at the bytes at fault.
 */
#ifndef VDI_HEADER_H
#define VDI_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vdi_layout.h"

/* Where each field sits in this version's header; 0 = the version has no such field. */
struct vdi_fields {
    uint32_t type, flags, comment, legacy_geometry, blocks_offset, data_offset;
    uint32_t disk_size, block_size, block_extra, blocks, blocks_allocated;
    uint32_t uuid_create, uuid_modify, uuid_link, uuid_parent_modify;
};

struct vdi_header {
    const struct vdi_fields *at;
    uint32_t signature;
    uint32_t version;   /* major << 16 | minor */
    uint32_t size;      /* cbHeader (v1), sizeof(VDIHEADER0) for v0 */
    uint64_t claim_end; /* end of the bytes taken as header */
    bool has_lchs;      /* 1.1+: LCHS geometry follows VDIHEADER1 */
    uint32_t type;
    uint32_t flags;
    uint64_t blocks_offset; /* v0: right after the header */
    uint64_t data_offset;   /* v0: right after the block map */
    uint64_t disk_size;
    uint32_t block_size;
    uint32_t block_extra;
    uint32_t blocks;
    uint32_t blocks_allocated;
    uint32_t legacy_sector_size;
    uint32_t lchs_sector_size;
    const uint8_t *uuid_create, *uuid_modify, *uuid_link, *uuid_parent_modify; /* into raw */
};

/*
 * Decodes raw (VDI_HEADER_READ bytes, zero-padded past EOF). Returns false, after a fatal
 * finding, when the version is unknown.
 */
bool vdi_header_decode(struct vd_ctx *ctx, const uint8_t *raw, struct vdi_header *h);

/*
 * VDI-01 .. VDI-09 on the decoded header; publishes it under details.header. Returns
 * true when block size, block count and offsets allow the block map to be walked.
 */
bool vdi_header_check(struct vd_ctx *ctx, const uint8_t *raw, const struct vdi_header *h);

/* True for the types whose free blocks come from a parent (undo, diff). */
static inline bool vdi_type_has_parent(uint32_t type)
{
    return type == VDI_TYPE_UNDO || type == VDI_TYPE_DIFF;
}

#endif
