/*
 * `vdcheck scan`: walk folder trees, find disk images by content, analyze them on N worker
 * threads and hand them back in walk order (sorted paths), whatever N is.
 *
 * Images are recognized by the probes alone (any signal counts, so a damaged image is
 * still found; a file's name never matters). Each analysis is rendered on its worker;
 * the caller's thread only writes the rendered text, in order. At most a small window of
 * rendered items waits for its turn, so memory does not grow with the tree.
 */
#ifndef VD_SCAN_H
#define VD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_analyze.h"
#include "vd_tree.h"

/* One entry of the walk, as the caller sees it. */
struct vd_scan_item {
    enum vd_tree_kind kind;
    const char *path;
    uint64_t size; /* regular files */
    int err_no;    /* VD_TREE_UNREADABLE */
    /* Regular and unreadable files: */
    bool analyzed; /* an analysis result exists (an image, --all, or unreadable) */
    bool image;    /* some probe recognized the content */
    const struct vd_image_result *result; /* only while rendering, NULL otherwise */
    const char *format;                   /* the format's name, "" when none */
    enum vd_verdict verdict;
    int exit_status; /* DESIGN.md: 0, 1 or 2 */
};

struct vd_scan_options {
    struct vd_analyze_options analyze;
    unsigned jobs; /* worker threads, >= 1 */
    bool all;      /* analyze and report files no probe recognizes too */
    bool follow_symlinks;
    /* Globs (fnmatch): a pattern with a '/' matches the path below the root, any other the
     * file name. Files must match an include when any is given; excluded folders are not
     * entered. */
    const char *const *include;
    size_t include_count;
    const char *const *exclude;
    size_t exclude_count;
    uint64_t shard_index; /* this run takes the entries whose vd_tree_shard is shard_index */
    uint64_t shard_count; /* 0 or 1: no sharding */
    /*
     * Called on a worker thread for every analyzed item, with item->result set: renders it
     * into a buffer vd_free can release (malloc'ed: open_memstream's will do), as *text and
     * *len; false when rendering failed.
     */
    bool (*render)(void *arg, const struct vd_scan_item *item, char **text, size_t *len);
    /* Called on the caller's thread, in walk order, for every item of this shard. */
    bool (*emit)(void *arg, const struct vd_scan_item *item, const char *text, size_t len);
    void *arg;
};

/*
 * Scans the roots in the order given. Returns VD_OK; VD_E_NOMEM when the walk or a worker
 * ran out of memory, VD_E_IO when emit said stop. The items emitted until then are
 * complete and in order.
 */
enum vd_status vd_scan(const char *const *roots, size_t root_count,
                       const struct vd_scan_options *opt);

#endif
