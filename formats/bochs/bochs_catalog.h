/*
 * The Bochs redolog catalog (BX-05, BX-06): one little-endian 32-bit entry per extent of
 * the disk, the index of the stored extent holding it or BOCHS_ENTRY_FREE. It starts at
 * 512 whatever the header-size field says (Bochs redolog_t::open). Streamed through a
 * vd_table32 window: a catalog of 2^30 entries costs no more memory than one of 512.
 */
#ifndef BOCHS_CATALOG_H
#define BOCHS_CATALOG_H

#include <stdint.h>

#include "vd_format.h"
#include "vd_table32.h"

/* Sets the catalog up, claims it, reports bochs.catalog.truncated when it runs past EOF. */
void bochs_catalog_init(struct vd_ctx *ctx, struct vd_table32 *cat, uint32_t entries);

#endif
