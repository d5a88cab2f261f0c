/*
 * The VHD Block Allocation Table: big-endian 32-bit sector offsets, streamed through a
 * vd_table32 window so memory does not grow with max_table_entries (up to 2^32 - 1).
 */
#ifndef VHD_BAT_H
#define VHD_BAT_H

#include <stdint.h>

#include "vd_format.h"
#include "vd_table32.h"

/*
 * Sets the table up, claims it and reports vhd.bat.truncated when the declared table runs
 * past the end of the file; `needed` is the number of entries the disk size needs.
 */
void vhd_bat_init(struct vd_ctx *ctx, struct vd_table32 *bat, uint64_t offset, uint32_t entries,
                  uint64_t needed);

#endif
