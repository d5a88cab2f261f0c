/*
 * The read-only evidence source. This is the only module in vdcheck that opens an input
 * file: O_RDONLY | O_CLOEXEC (+ O_NOATIME when the kernel permits it), pread only, never
 * mmap, never a write. A memory-backed source serves unit tests and fuzzers.
 *
 * Reads are exact: callers check that a range lies inside vd_source_size() before reading
 * it, so a short read means the file shrank under us (VD_E_CHANGED).
 */
#ifndef VD_SOURCE_H
#define VD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_status.h"

struct vd_source;

/* What fstat said about the evidence when it was opened (all zero for memory sources). */
struct vd_source_stat {
    uint64_t size;
    uint64_t device;
    uint64_t inode;
    int64_t mtime_sec;
    long mtime_nsec;
    int64_t ctime_sec;
    long ctime_nsec;
    int64_t atime_sec; /* recorded, not compared: reading may move it without O_NOATIME */
    long atime_nsec;
    bool is_file; /* false for memory-backed sources */
    bool noatime; /* O_NOATIME was granted */
};

/*
 * Test hook: called with every path vd_source_open_file is asked to open, before it tries
 * (NULL disables). Tests use it to prove which files an analysis opened.
 */
void vd_source_set_open_hook(void (*hook)(const char *path, void *arg), void *arg);

/* Opens path read-only; on failure *err_no holds errno and *out is NULL. */
VD_MUST_CHECK enum vd_status vd_source_open_file(const char *path, struct vd_source **out,
                                                 int *err_no);
/* data must outlive the source; it is never written. */
VD_MUST_CHECK enum vd_status vd_source_open_memory(const uint8_t *data, size_t len,
                                                   struct vd_source **out);
void vd_source_close(struct vd_source *src);

uint64_t vd_source_size(const struct vd_source *src);
const struct vd_source_stat *vd_source_stat(const struct vd_source *src);

/* Reads exactly len bytes at off. Safe to call from several threads at once. */
VD_MUST_CHECK enum vd_status vd_source_read(const struct vd_source *src, uint64_t off, void *buf,
                                            size_t len);

/*
 * fstat again, into *after when it is not NULL: VD_E_CHANGED when size, mtime, ctime,
 * device or inode differ from what they were at the open.
 */
VD_MUST_CHECK enum vd_status vd_source_check_unchanged(const struct vd_source *src,
                                                       struct vd_source_stat *after);

/* True when path names the same file (device and inode) as the source. */
bool vd_source_same_file(const struct vd_source *src, uint64_t device, uint64_t inode);

#endif
