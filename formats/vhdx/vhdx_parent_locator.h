/*
 * The parent locator metadata item of a differencing VHDX (MS-VHDX §2.6.2.6): rule
 * VHDX-15. The key/value table is checked and published; the parent is not opened here.
 */
#ifndef VHDX_PARENT_LOCATOR_H
#define VHDX_PARENT_LOCATOR_H

#include <stdint.h>

#include "vd_format.h"

/* Reads the item (at most 1 MiB of it), checks it and publishes details.parent. */
VD_MUST_CHECK enum vd_status vhdx_locator_check(struct vd_ctx *ctx, uint64_t at, uint32_t length);

#endif
