/* The Bochs redolog header, versions 1 and 2 (BX-01 .. BX-05, BX-07). */
#ifndef BOCHS_HEADER_H
#define BOCHS_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "bochs_layout.h"
#include "vd_format.h"

enum bochs_mode { BOCHS_MODE_GROWING, BOCHS_MODE_UNDOABLE, BOCHS_MODE_VOLATILE, BOCHS_MODE_OTHER };

struct bochs_header {
    uint32_t version;
    uint32_t header_size; /* the field; Bochs itself always uses 512 */
    enum bochs_mode mode;
    uint32_t catalog;   /* entries */
    uint32_t bitmap;    /* bytes per extent bitmap */
    uint32_t extent;    /* bytes per extent */
    bool has_timestamp; /* v2 */
    uint32_t timestamp; /* FAT date << 16 | FAT time */
    uint64_t disk;
    uint32_t disk_at;                      /* where the disk size field is in this version */
    uint64_t bitmap_blocks, extent_blocks; /* sectors, as Bochs rounds them up */
};

/* Decodes raw; returns false, after a fatal finding, when the version is unknown. */
bool bochs_header_decode(struct vd_ctx *ctx, const uint8_t raw[BOCHS_HEADER_SIZE],
                         struct bochs_header *h);

/*
 * BX-01 .. BX-05 and BX-07 on the header; publishes details.header. Returns true when the
 * extent size and bitmap allow extents to be located and read.
 */
bool bochs_header_check(struct vd_ctx *ctx, const uint8_t raw[BOCHS_HEADER_SIZE],
                        const struct bochs_header *h);

/* Bytes from the start of one stored extent (its bitmap) to the next. */
static inline uint64_t bochs_stride(const struct bochs_header *h)
{
    return BOCHS_SECTOR * (h->bitmap_blocks + h->extent_blocks);
}

#endif
