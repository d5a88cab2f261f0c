/*
 * Differencing chains: finds an image's ancestors, read-only and confined, proves each
 * link, and keeps the layers open so the merged disk can be read.
 *
 * Where a parent may be: only inside the top image's folder and the --parent-dir roots.
 * A path the child names is tried as written when it is relative (from the child's folder),
 * and by its file name in every root; Windows paths are split at '\' first. Every
 * candidate is resolved with realpath(3), so no symlink or ".." leaves the roots: one that
 * does is reported (image.parent.outside), never opened. A VDI names no path: its parent is
 * the image in the roots whose creation UUID the child's link UUID names.
 */
#ifndef VD_CHAIN_H
#define VD_CHAIN_H

#include "vd_layer.h"

#define VD_CHAIN_MAX_DEPTH  64    /* parents followed; deeper is image.parent.depth */
#define VD_CHAIN_ROOTS_MAX  16    /* the image's folder and the --parent-dir roots */
#define VD_CHAIN_FOLDER_MAX 65536 /* files examined per root when searching by identity */

struct vd_chain {
    struct vd_layer *layers[VD_CHAIN_MAX_DEPTH + 1]; /* [0] the top image (borrowed) */
    size_t count;
    char *roots[VD_CHAIN_ROOTS_MAX];
    size_t root_count;
    bool search_truncated; /* a root held more than VD_CHAIN_FOLDER_MAX files */
    const struct vd_analyze_options *opt;
};

/*
 * Resolves the ancestors of top (opened and walked). Findings about the links go to the
 * child they concern; each parent's own analysis becomes a link of top->result->chain.
 * Fails only when out of memory.
 */
VD_MUST_CHECK enum vd_status vd_chain_resolve(struct vd_chain *c, struct vd_layer *top,
                                              const struct vd_analyze_options *opt);
/* Finishes and frees the parent layers (their results stay in the top's chain). */
void vd_chain_finish(struct vd_chain *c);

#endif
