/* One open Bochs redolog: the header, the streamed catalog, one cached extent bitmap. */
#ifndef BOCHS_IMAGE_H
#define BOCHS_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "bochs_header.h"
#include "vd_bitmap_cache.h"
#include "vd_format.h"
#include "vd_table32.h"

struct bochs_image {
    uint8_t raw[BOCHS_HEADER_SIZE];
    struct bochs_header hdr;
    bool usable;
    bool has_base;           /* undoable / volatile: absent sectors come from the base */
    uint64_t data_offset;    /* 512 + catalog x 4: stored extent 0 */
    uint64_t stride;         /* bitmap + data sectors of one stored extent, in bytes */
    uint64_t bitmap_bytes;   /* bytes of a bitmap that hold bits: extent / 512 / 8 */
    uint64_t extents_needed; /* ceil(disk / extent) */
    struct vd_table32 catalog;
    struct vd_bitmap_cache bitmap; /* bitmap_bytes, keyed by stored extent */
};

int bochs_probe(const struct vd_probe_input *in);
enum vd_status bochs_open(struct vd_ctx *ctx, void **state);
enum vd_status bochs_walk(struct vd_ctx *ctx, void *state);
enum vd_status bochs_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out);
void bochs_close(void *state);

#endif
