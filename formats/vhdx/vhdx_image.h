/* One open VHDX: headers, log replay overlay, regions, metadata, the streamed BAT. */
#ifndef VHDX_IMAGE_H
#define VHDX_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_bitmap_cache.h"
#include "vd_format.h"
#include "vd_overlay.h"
#include "vhdx_bat.h"
#include "vhdx_header.h"
#include "vhdx_log.h"
#include "vhdx_metadata.h"
#include "vhdx_region.h"

struct vhdx_image {
    struct vhdx_headers headers;
    struct vhdx_log_state log;
    struct vd_overlay overlay; /* the pending log, applied in memory */
    struct vhdx_regions regions;
    struct vhdx_metadata md;
    bool differencing;
    bool bat_usable;
    struct vhdx_bat bat;
    struct vd_bitmap_cache bitmap; /* sector bitmap blocks, keyed by chunk */
};

int vhdx_probe(const struct vd_probe_input *in);
enum vd_status vhdx_open(struct vd_ctx *ctx, void **state);
enum vd_status vhdx_walk(struct vd_ctx *ctx, void *state);
enum vd_status vhdx_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out);
void vhdx_close(void *state);

#endif
