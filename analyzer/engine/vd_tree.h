/*
 * Walking evidence folders for `scan` and `triage`: depth first, each folder's names sorted
 * bytewise, so the order of the files is the same on every run and every machine. Only
 * folders are opened here (to list them); files are handed to the visitor by path and are
 * opened by vd_source alone.
 *
 * Memory is bounded by the largest folder times the depth, never by the size of the tree:
 * a folder's listing is freed before its next sibling is listed.
 */
#ifndef VD_TREE_H
#define VD_TREE_H

#include <stdbool.h>
#include <stdint.h>

enum vd_tree_kind {
    VD_TREE_FILE,       /* a regular file: a candidate image */
    VD_TREE_UNREADABLE, /* a file or folder that could not be examined; err_no says why */
    VD_TREE_SYMLINK,    /* a symbolic link not followed (follow_symlinks is off) */
    VD_TREE_LOOP,       /* a followed link back to a folder being walked, or seen before */
    VD_TREE_SPECIAL,    /* a device, FIFO or socket: never opened */
};

struct vd_tree_entry {
    enum vd_tree_kind kind;
    const char *path; /* root joined with rel */
    const char *rel;  /* relative to the root it was found under ("" for a root file) */
    uint64_t size;    /* regular files */
    uint64_t device;  /* regular files: the identity the walk saw, to check the open */
    uint64_t inode;
    int err_no; /* VD_TREE_UNREADABLE */
};

/* Returns false to stop the walk. */
typedef bool (*vd_tree_visit)(void *arg, const struct vd_tree_entry *entry);

struct vd_tree_options {
    bool follow_symlinks; /* follow links to files and folders, each file visited once */
    /* When set, asked (with the walk's arg) before a folder below a root is entered. */
    bool (*enter)(void *arg, const struct vd_tree_entry *folder);
    /* When set, asked before a regular file is visited: a file it turns down is neither
     * visited nor remembered, so a link to it may still be visited under its own name. */
    bool (*want_file)(void *arg, const struct vd_tree_entry *file);
};

struct vd_tree;

/* NULL when out of memory. */
struct vd_tree *vd_tree_new(const struct vd_tree_options *opt);
void vd_tree_free(struct vd_tree *tree);

/*
 * Walks root (a folder, or a single file) and calls visit for every entry. Returns false
 * when the walk stopped early (the visitor said so, or memory ran out: *nomem).
 */
bool vd_tree_walk(struct vd_tree *tree, const char *root, vd_tree_visit visit, void *arg,
                  bool *nomem);

/* Hard limits: deeper folders or longer paths are reported unreadable (ENAMETOOLONG). */
#define VD_TREE_MAX_DEPTH 256

/*
 * The stable shard of a path relative to its root, 0..count-1 (FNV-1a of the bytes):
 * machines that mount the evidence at different places still agree on the split.
 */
uint64_t vd_tree_shard(const char *rel, uint64_t count);

#endif
