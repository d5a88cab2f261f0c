/* Analysis of one image: source -> probe -> open -> walk -> accounting -> hashes -> result. */
#ifndef VD_ANALYZE_H
#define VD_ANALYZE_H

#include "vd_limits.h"
#include "vd_progress.h"
#include "vd_result.h"
#include "vd_virtual.h"

struct vd_analyze_options {
    unsigned hash_mask;      /* digests of the container and of the virtual disk; 0 = none */
    uint64_t piecewise_size; /* virtual-disk windows of this many bytes; 0 = none */
    enum vd_digest_alg piecewise_alg; /* their digest */
    struct vd_limits limits;
    enum vd_log_view log_view;    /* VHDX: hash the replayed log (default) or the on-disk view */
    struct vd_progress *progress; /* bytes to hash and hashed, for a progress bar; may be NULL */
    /* Differencing chains: parents are looked for in the image's own folder and in these
     * roots only; --no-parent reads the sectors of a missing parent as zero. */
    const char *const *parent_dirs;
    size_t parent_dir_count;
    bool no_parent;
    /* When set, called with every maximal virtual extent of a disk the structures fully
     * describe (no fatal finding); result->mapped tells whether that happened. */
    void (*map_begin)(void *arg, const struct vd_image_info *info); /* first, may be NULL */
    vd_extent_visit map_visit;
    void *map_arg;
    /* When set, this driver alone is probed (for the image and any parent): the fuzzers
     * hold every input to one format with it (tests/fuzz). NULL: every registered driver. */
    const struct vd_format_driver *only_driver;
};

/*
 * Analyzes the file at path. Always returns a result (NULL only when out of memory);
 * failures to read are recorded in result->status and the verdict.
 */
struct vd_image_result *vd_analyze_path(const char *path, const struct vd_analyze_options *opt);

/* The same over an already opened source (memory sources in tests and fuzzers). */
struct vd_image_result *vd_analyze_source(const struct vd_source *src, const char *label,
                                          const struct vd_analyze_options *opt);

/* The result for a file that could not be opened or read: status and errno say why. */
struct vd_image_result *vd_analyze_unopened(const char *path, enum vd_status status, int err_no,
                                            const struct vd_analyze_options *opt);

#endif
