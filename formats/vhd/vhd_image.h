/* One open VHD: which footer is used, the dynamic header, the streamed BAT, map caches. */
#ifndef VHD_IMAGE_H
#define VHD_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_bitmap_cache.h"
#include "vd_format.h"
#include "vhd_bat.h"
#include "vhd_dynamic_header.h"
#include "vhd_footer.h"

struct vhd_image {
    struct vhd_footer footer;
    uint64_t footer_at; /* offset of the footer in use */
    uint64_t data_end;  /* where the trailing footer starts (file size if it is missing) */
    bool sparse;        /* dynamic or differencing */
    bool differencing;
    uint64_t virtual_size;

    uint64_t dyn_at;
    uint8_t dyn_raw[VHD_DYN_SIZE];
    struct vhd_dynamic_header dyn;
    bool bat_usable;
    uint64_t bitmap_bytes; /* on disk, per block */
    uint64_t sectors_per_block;
    uint64_t blocks_needed; /* ceil(virtual_size / block_size) */
    struct vd_table32 bat;

    struct vd_bitmap_cache bitmap; /* bitmap_bytes, keyed by block index */
};

int vhd_probe(const struct vd_probe_input *in);
enum vd_status vhd_open(struct vd_ctx *ctx, void **state);
enum vd_status vhd_walk(struct vd_ctx *ctx, void *state);
enum vd_status vhd_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out);
void vhd_close(void *state);

#endif
