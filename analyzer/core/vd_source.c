#define _GNU_SOURCE /* O_NOATIME */
#include "vd_source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vd_alloc.h"
#include "vd_checked.h"

struct vd_source {
    int fd;                /* -1 for memory sources */
    const uint8_t *memory; /* borrowed */
    struct vd_source_stat st;
};

static void stat_fill(struct vd_source_stat *out, const struct stat *sb)
{
    out->size = (uint64_t)sb->st_size;
    out->device = (uint64_t)sb->st_dev;
    out->inode = (uint64_t)sb->st_ino;
    out->mtime_sec = (int64_t)sb->st_mtim.tv_sec;
    out->mtime_nsec = sb->st_mtim.tv_nsec;
    out->ctime_sec = (int64_t)sb->st_ctim.tv_sec;
    out->ctime_nsec = sb->st_ctim.tv_nsec;
    out->atime_sec = (int64_t)sb->st_atim.tv_sec;
    out->atime_nsec = sb->st_atim.tv_nsec;
}

/*
 * O_NOATIME is refused (EPERM) unless we own the file or are privileged; then retry.
 * O_NONBLOCK: a FIFO met in a scanned tree must not hang the open (it is then refused as
 * not a regular file); on a regular file it changes nothing.
 */
static int open_evidence(const char *path, bool *noatime)
{
    const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int fd = open(path, flags | O_NOATIME);
    *noatime = fd >= 0;
    if (fd < 0 && errno == EPERM) {
        fd = open(path, flags);
    }
    return fd;
}

static void (*open_hook)(const char *path, void *arg);
static void *open_hook_arg;

void vd_source_set_open_hook(void (*hook)(const char *path, void *arg), void *arg)
{
    open_hook = hook;
    open_hook_arg = arg;
}

enum vd_status vd_source_open_file(const char *path, struct vd_source **out, int *err_no)
{
    struct vd_source *src = NULL;
    struct stat sb;
    bool noatime = false;
    int fd;

    *out = NULL;
    *err_no = 0;
    if (open_hook != NULL) {
        open_hook(path, open_hook_arg);
    }
    fd = open_evidence(path, &noatime);
    if (fd < 0) {
        *err_no = errno;
        return VD_E_IO;
    }
    if (fstat(fd, &sb) != 0) {
        *err_no = errno;
        close(fd);
        return VD_E_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        /* Block devices and pipes are out of scope: a pipe cannot be pread. */
        *err_no = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
        close(fd);
        return VD_E_IO;
    }
    src = vd_calloc_array(1, sizeof(*src));
    if (src == NULL) {
        close(fd);
        return VD_E_NOMEM;
    }
    src->fd = fd;
    stat_fill(&src->st, &sb);
    src->st.is_file = true;
    src->st.noatime = noatime;
    /* Sequential hint only; it never changes the file. */
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    *out = src;
    return VD_OK;
}

enum vd_status vd_source_open_memory(const uint8_t *data, size_t len, struct vd_source **out)
{
    struct vd_source *src = vd_calloc_array(1, sizeof(*src));

    *out = NULL;
    if (src == NULL) {
        return VD_E_NOMEM;
    }
    src->fd = -1;
    src->memory = data;
    src->st.size = len;
    *out = src;
    return VD_OK;
}

void vd_source_close(struct vd_source *src)
{
    if (src == NULL) {
        return;
    }
    if (src->fd >= 0) {
        close(src->fd);
    }
    vd_free(src);
}

uint64_t vd_source_size(const struct vd_source *src)
{
    return src->st.size;
}

const struct vd_source_stat *vd_source_stat(const struct vd_source *src)
{
    return &src->st;
}

enum vd_status vd_source_read(const struct vd_source *src, uint64_t off, void *buf, size_t len)
{
    uint8_t *dst = buf;

    if (!vd_range_fits(off, len, src->st.size)) {
        return VD_E_CHANGED;
    }
    if (src->fd < 0) {
        memcpy(dst, src->memory + off, len);
        return VD_OK;
    }
    while (len > 0) {
        ssize_t got = pread(src->fd, dst, len, (off_t)off);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return VD_E_IO;
        }
        if (got == 0) {
            return VD_E_CHANGED; /* the file shrank after it was opened */
        }
        dst += got;
        len -= (size_t)got;
        off += (uint64_t)got;
    }
    return VD_OK;
}

enum vd_status vd_source_check_unchanged(const struct vd_source *src, struct vd_source_stat *after)
{
    struct vd_source_stat now = src->st;
    struct stat sb;

    if (src->fd >= 0) {
        if (fstat(src->fd, &sb) != 0) {
            return VD_E_IO;
        }
        stat_fill(&now, &sb);
    }
    if (after != NULL) {
        *after = now;
    }
    if (now.size != src->st.size || now.device != src->st.device || now.inode != src->st.inode ||
        now.mtime_sec != src->st.mtime_sec || now.mtime_nsec != src->st.mtime_nsec ||
        now.ctime_sec != src->st.ctime_sec || now.ctime_nsec != src->st.ctime_nsec) {
        return VD_E_CHANGED;
    }
    return VD_OK;
}

bool vd_source_same_file(const struct vd_source *src, uint64_t device, uint64_t inode)
{
    return src->st.is_file && src->st.device == device && src->st.inode == inode;
}
