/*
 * The virtual disk as the driver's map() describes it, merged into maximal extents:
 * neighbours of the same kind are joined, and data extents that continue each other in
 * the file become one, so callers issue few large reads and hash zeros without I/O.
 */
#ifndef VD_VIRTUAL_H
#define VD_VIRTUAL_H

#include "vd_format.h"
#include "vd_hash_stream.h"

typedef enum vd_status (*vd_extent_visit)(void *arg, const struct vd_extent *extent);

VD_MUST_CHECK enum vd_status vd_virtual_extents(struct vd_ctx *ctx,
                                                const struct vd_format_driver *drv, void *state,
                                                vd_extent_visit visit, void *arg);

/*
 * Feeds the whole virtual disk into a hash stream: data extents are read straight into the
 * stream's buffers, zero and unallocated ones go as lengths. Parent extents are an error
 * here (no chain yet).
 */
VD_MUST_CHECK enum vd_status vd_virtual_hash(struct vd_ctx *ctx, const struct vd_format_driver *drv,
                                             void *state, struct vd_hash_stream *stream);

#endif
