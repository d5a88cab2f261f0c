/*
 * The virtual disk of an image and its resolved ancestors, read through every layer's
 * map(): a layer's parent extents fall through to the next layer. Extents come out merged
 * into maximal runs (neighbours of one kind and depth joined, data extents that continue
 * each other in the file made one), so callers issue few large reads and hash zeros without
 * I/O.
 */
#ifndef VD_VIRTUAL_H
#define VD_VIRTUAL_H

#include "vd_format.h"
#include "vd_hash_stream.h"

struct vd_layer;

struct vd_disk {
    struct vd_layer *const *layers; /* [0] the image, [n] its n-th ancestor */
    size_t count;
    bool parent_as_zero; /* --no-parent: sectors of a missing parent read as zero */
};

typedef enum vd_status (*vd_extent_visit)(void *arg, const struct vd_extent *extent);

/* The extent at offset, with the depth of the layer that holds it. */
VD_MUST_CHECK enum vd_status vd_disk_map(const struct vd_disk *disk, uint64_t offset,
                                         struct vd_extent *out);

VD_MUST_CHECK enum vd_status vd_virtual_extents(const struct vd_disk *disk, vd_extent_visit visit,
                                                void *arg);

/*
 * Feeds the whole merged disk into a hash stream: data extents are read straight into the
 * stream's buffers from the layer that holds them, zero and unallocated ones go as lengths.
 * A parent extent left over (no resolved parent) is an error here.
 */
VD_MUST_CHECK enum vd_status vd_virtual_hash(const struct vd_disk *disk,
                                             struct vd_hash_stream *stream);

#endif
