/*
 * The VDI block map (VDI-09, VDI-10): one little-endian 32-bit entry per virtual block,
 * the index of its data block in the file, VDI_BLOCK_FREE or VDI_BLOCK_ZERO. Streamed
 * through a vd_table32 window, so memory does not grow with cBlocks however far the map
 * claims to run past the end of the file.
 */
#ifndef VDI_MAP_H
#define VDI_MAP_H

#include <stdint.h>

#include "vd_format.h"
#include "vd_table32.h"

/* Sets the map up, claims it, reports vdi.map.truncated when it runs past EOF. */
void vdi_map_init(struct vd_ctx *ctx, struct vd_table32 *map, uint64_t offset, uint32_t entries);

#endif
