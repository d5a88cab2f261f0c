/* One open VDI: the decoded header, the streamed block map and what the walk counted. */
#ifndef VDI_IMAGE_H
#define VDI_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vdi_header.h"
#include "vdi_map.h"

struct vdi_image {
    uint8_t raw[VDI_HEADER_READ]; /* pre-header + header, zero past EOF */
    struct vdi_header hdr;
    bool map_usable;
    bool has_parent;        /* undo / diff: free blocks come from the parent */
    uint64_t stride;        /* cbBlockExtra + cbBlock: one data block in the file */
    uint64_t blocks_needed; /* ceil(cbDisk / cbBlock) */
    struct vd_table32 map;
};

int vdi_probe(const struct vd_probe_input *in);
enum vd_status vdi_open(struct vd_ctx *ctx, void **state);
enum vd_status vdi_walk(struct vd_ctx *ctx, void *state);
enum vd_status vdi_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out);
void vdi_close(void *state);

#endif
