/* VHD Parent Locator Entries (8 in the dynamic header) and the paths they point to. */
#ifndef VHD_PARENT_LOCATOR_H
#define VHD_PARENT_LOCATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vhd_layout.h"

struct vhd_parent_locator {
    uint32_t platform_code;
    uint32_t data_space;
    uint32_t data_length;
    uint32_t reserved;
    uint64_t data_offset;
};

void vhd_locator_decode(const uint8_t raw[VHD_LOC_SIZE], struct vhd_parent_locator *out);

/*
 * Checks the 8 entries of the dynamic header at dyn_at (VHD-22, VHD-23), claims their data,
 * reads and decodes the paths, and publishes them under parent_facts ("locators").
 * data_end is where the data area ends (the trailing footer).
 */
VD_MUST_CHECK enum vd_status vhd_locators_walk(struct vd_ctx *ctx, uint64_t dyn_at,
                                               const uint8_t dyn_raw[VHD_DYN_SIZE],
                                               bool differencing, uint64_t data_end,
                                               const char *parent_name,
                                               struct vd_fact *parent_facts);

#endif
