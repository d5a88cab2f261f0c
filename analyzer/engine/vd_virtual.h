/*
 * The virtual disk as the driver's map() describes it, merged into maximal extents:
 * neighbours of the same kind are joined, and data extents that continue each other in
 * the file become one, so callers issue few large reads and hash zeros without I/O.
 */
#ifndef VD_VIRTUAL_H
#define VD_VIRTUAL_H

#include "vd_digest.h"
#include "vd_format.h"

typedef enum vd_status (*vd_extent_visit)(void *arg, const struct vd_extent *extent);

VD_MUST_CHECK enum vd_status vd_virtual_extents(struct vd_ctx *ctx,
                                                const struct vd_format_driver *drv, void *state,
                                                vd_extent_visit visit, void *arg);

/* Hashes the whole virtual disk; parent extents are an error here (no chain yet). */
VD_MUST_CHECK enum vd_status vd_virtual_hash(struct vd_ctx *ctx, const struct vd_format_driver *drv,
                                             void *state, struct vd_digest_set *digests);

#endif
