/*
 * An in-memory overlay over the evidence: the way vdcheck applies a pending journal (the
 * VHDX log) without writing a byte. Patches are kept in the order they were added and
 * applied in that order on every read, so a later write wins over an earlier one exactly
 * as a replay to disk would have it. The overlay may present the file as longer than it
 * is (a replay can extend it); those bytes read as zero unless a patch covers them.
 */
#ifndef VD_OVERLAY_H
#define VD_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_source.h"
#include "vd_status.h"

struct vd_overlay_patch {
    uint64_t offset;
    uint64_t length;
    uint8_t *data; /* owned copy; NULL = zeros */
};

struct vd_overlay {
    struct vd_overlay_patch *patches;
    size_t count;
    size_t cap;
    uint64_t size;   /* the file's size as the overlay presents it */
    uint64_t lo, hi; /* the span all patches fall in, to skip them quickly */
    uint64_t bytes;  /* data bytes held */
};

void vd_overlay_init(struct vd_overlay *ov, uint64_t file_size);
void vd_overlay_fini(struct vd_overlay *ov);

/* Adds a patch; data (length bytes, copied) or NULL for zeros. Grows size to cover it. */
VD_MUST_CHECK enum vd_status vd_overlay_add(struct vd_overlay *ov, uint64_t offset, uint64_t length,
                                            const uint8_t *data);

/* Reads [off, off + len) of the patched file; the range must lie inside ov->size. */
VD_MUST_CHECK enum vd_status vd_overlay_read(const struct vd_overlay *ov,
                                             const struct vd_source *src, uint64_t off, void *buf,
                                             size_t len);

/*
 * The file ranges the patches touch, merged and sorted, written to out (at most cap);
 * returns how many ranges there are in all.
 */
size_t vd_overlay_ranges(const struct vd_overlay *ov, struct vd_overlay_patch *out, size_t cap);

#endif
