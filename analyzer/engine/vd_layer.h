/*
 * One image of a chain, opened and walked, its driver state kept so that the engine can
 * read the merged disk through every layer's map. The top image's layer borrows the source
 * it was given; a parent's layer owns the source the chain resolver opened.
 */
#ifndef VD_LAYER_H
#define VD_LAYER_H

#include "vd_analyze.h"
#include "vd_extents.h"
#include "vd_format.h"

struct vd_layer {
    const struct vd_source *src;
    struct vd_source *owned_src; /* closed with the layer; NULL for the top image */
    struct vd_extents extents;
    struct vd_ctx ctx;
    const struct vd_format_driver *drv;
    void *state;
    bool opened; /* drv->open ran: state must go through drv->close */
    struct vd_image_result *result;
};

/* A fresh result for label (NULL when out of memory). */
struct vd_image_result *vd_layer_result_new(const char *label,
                                            const struct vd_analyze_options *opt);

/* Probes and opens: format, variant, identity and parent reference are known after it. */
void vd_layer_open(struct vd_layer *l, const struct vd_source *src, struct vd_image_result *r,
                   const struct vd_analyze_options *opt);
/* Walks every structure and accounts for the bytes (after a successful open). */
void vd_layer_walk(struct vd_layer *l);
/* True when the layer's structures describe its whole disk and nothing fatal was found. */
bool vd_layer_readable(const struct vd_layer *l);
/* fstat after, the last notes, the verdict; then frees the driver state (not the result). */
void vd_layer_finish(struct vd_layer *l);

#endif
