/*
 * The region tables (MS-VHDX §2.2.3): rules VHDX-05 and VHDX-06. Both copies are checked
 * and compared; the first valid one is used, as Hyper-V and QEMU do.
 */
#ifndef VHDX_REGION_H
#define VHDX_REGION_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"

struct vhdx_region {
    bool present;
    uint64_t offset;
    uint64_t length;
    uint64_t entry_at; /* file offset of the table entry that places it */
};

struct vhdx_regions {
    int table;        /* the table used (0 or 1), -1 when neither is valid */
    bool unsupported; /* an unknown region is marked Required */
    struct vhdx_region bat;
    struct vhdx_region metadata;
};

/* Reads, checks and compares both tables; claims every region they place. */
VD_MUST_CHECK enum vd_status vhdx_regions_load(struct vd_ctx *ctx, struct vhdx_regions *out);

#endif
