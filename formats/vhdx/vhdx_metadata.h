/*
 * The metadata region (MS-VHDX §2.6): its table and the system items, rules VHDX-07 to
 * VHDX-14. What the BAT layout needs (block size, logical sector size, disk size) is
 * decoded here and marked usable only when every value is in range.
 */
#ifndef VHDX_METADATA_H
#define VHDX_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vhdx_region.h"

enum vhdx_item {
    VHDX_ITEM_FILE_PARAMETERS,
    VHDX_ITEM_VIRTUAL_DISK_SIZE,
    VHDX_ITEM_PAGE83,
    VHDX_ITEM_LOGICAL_SECTOR_SIZE,
    VHDX_ITEM_PHYSICAL_SECTOR_SIZE,
    VHDX_ITEM_PARENT_LOCATOR,
    VHDX_ITEM_COUNT
};

struct vhdx_item_loc {
    bool present;
    uint64_t at; /* file offset of the item's data */
    uint32_t length;
    uint64_t entry_at; /* file offset of its table entry */
};

struct vhdx_metadata {
    struct vhdx_item_loc items[VHDX_ITEM_COUNT];
    uint32_t block_size;
    bool leave_blocks_allocated;
    bool has_parent;
    uint64_t virtual_size;
    uint8_t page83[16];
    uint32_t logical_sector_size;
    uint32_t physical_sector_size;
    bool unsupported; /* an unknown item is marked IsRequired */
    bool usable;      /* block size, sector size and disk size are all valid */
};

VD_MUST_CHECK enum vd_status
vhdx_metadata_load(struct vd_ctx *ctx, const struct vhdx_region *region, struct vhdx_metadata *md);

void vhdx_metadata_publish(struct vd_fact *details, const struct vhdx_metadata *md);

#endif
