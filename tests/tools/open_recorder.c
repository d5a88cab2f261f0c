/*
 * open_recorder: an LD_PRELOAD library that records every file open and every call that
 * can change a file or a directory entry, for the read-only evidence test
 * (tests/cli/readonly_evidence.sh). It changes nothing: each call is forwarded unchanged
 * to the next definition (dlsym(RTLD_NEXT)), with its result and errno.
 *
 * When VD_OPEN_LOG names a file, each call appends one line to it:
 *
 *     FUNC FLAGS DEV:INO PATH
 *
 * FUNC   the interposed function (open, openat64, __open_2, fopen, creat, unlink, ...)
 * FLAGS  the open(2) flags in hex (fopen's mode string converted: "r" 0x0, "w" 0x241,
 *        "a" 0x441, "r+" 0x2, ...); "-" for calls that are not opens
 * DEV:INO st_dev and st_ino (decimal, as `stat -c %d:%i` prints them) of the file the
 *        call reached: fstat of the descriptor an open returned, the descriptor of an
 *        f-call, or lstat/stat of a path before it is changed; "-" when there is none
 *        (a failed open, a path that does not exist)
 * PATH   absolute: a relative path is joined to the working directory or to the
 *        directory of the openat descriptor (no symlink is resolved); for an f-call, the
 *        descriptor's /proc/self/fd link. A newline in a path is written as '?'.
 *
 * rename-like calls write two lines, the second with FUNC ending in ".to". The log is
 * opened once with the real open (O_APPEND), moved to a high descriptor, and never
 * recorded itself; lines are single write(2)s, so threads and processes do not interleave.
 * Calls made directly with syscall(2) are not seen: the test's stat and hash checks are
 * the backstop for those.
 */
#undef _FORTIFY_SOURCE /* fortified headers define open() inline; this file defines it */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>
#include <utime.h>

#define RECORDER_LOG_UNSET  (-2)
#define RECORDER_LOG_FD_MIN 900
#define RECORDER_LINE_MAX   (2 * PATH_MAX + 128)

typedef int (*open_fn)(const char *, int, ...);

static atomic_int recorder_log_fd = RECORDER_LOG_UNSET;

/* The next definition of NAME after this library; NULL (errno ENOSYS) if there is none. */
static void *recorder_next(const char *name)
{
    void *sym = dlsym(RTLD_NEXT, name);

    if (sym == NULL) {
        errno = ENOSYS;
    }
    return sym;
}

#define NEXT(type, name) ((type)recorder_next(name))

/* The log descriptor, opened on first use; -1 when VD_OPEN_LOG is unset or unusable. */
static int recorder_log(void)
{
    int fd = atomic_load(&recorder_log_fd);
    int expected = RECORDER_LOG_UNSET;
    const char *path;
    open_fn real_open;

    if (fd != RECORDER_LOG_UNSET) {
        return fd;
    }
    path = getenv("VD_OPEN_LOG");
    real_open = NEXT(open_fn, "open");
    fd = -1;
    if (path != NULL && path[0] != '\0' && real_open != NULL) {
        fd = real_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
    if (fd >= 0 && fd < RECORDER_LOG_FD_MIN) {
        /* Out of the way of programs that expect low descriptor numbers. */
        int high = fcntl(fd, F_DUPFD_CLOEXEC, RECORDER_LOG_FD_MIN);
        if (high >= 0) {
            close(fd);
            fd = high;
        }
    }
    if (!atomic_compare_exchange_strong(&recorder_log_fd, &expected, fd)) {
        if (fd >= 0) {
            close(fd); /* another thread opened it first */
        }
        fd = expected;
    }
    return fd;
}

static bool recorder_is_log(int fd)
{
    return fd >= 0 && fd == atomic_load(&recorder_log_fd);
}

/* PATH made absolute against DIRFD (AT_FDCWD: the working directory), lexically. */
static void recorder_absolute(int dirfd, const char *path, char *out, size_t cap)
{
    char base[PATH_MAX];
    char link[64];
    ssize_t len;

    if (path == NULL) {
        snprintf(out, cap, "(null)");
        return;
    }
    if (path[0] == '/') {
        snprintf(out, cap, "%s", path);
        return;
    }
    if (dirfd == AT_FDCWD) {
        if (getcwd(base, sizeof(base)) == NULL) {
            snprintf(base, sizeof(base), "(cwd?)");
        }
    } else {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        len = readlink(link, base, sizeof(base) - 1);
        if (len < 0) {
            snprintf(base, sizeof(base), "(fd %d?)", dirfd);
        } else {
            base[len] = '\0';
        }
    }
    if (path[0] == '\0') {
        snprintf(out, cap, "%s", base); /* AT_EMPTY_PATH style: the descriptor itself */
    } else {
        snprintf(out, cap, "%s/%s", base, path);
    }
}

/* The path behind an open descriptor. */
static void recorder_fd_path(int fd, char *out, size_t cap)
{
    char link[64];
    ssize_t len;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    len = readlink(link, out, cap - 1);
    if (len < 0) {
        snprintf(out, cap, "(fd %d)", fd);
    } else {
        out[len] = '\0';
    }
}

static void recorder_id_of_stat(const struct stat *sb, char *out, size_t cap)
{
    snprintf(out, cap, "%ju:%ju", (uintmax_t)sb->st_dev, (uintmax_t)sb->st_ino);
}

static void recorder_id_of_fd(int fd, char *out, size_t cap)
{
    struct stat sb;

    if (fd >= 0 && fstat(fd, &sb) == 0) {
        recorder_id_of_stat(&sb, out, cap);
    } else {
        snprintf(out, cap, "-");
    }
}

static void recorder_id_of_path(int dirfd, const char *path, bool follow, char *out, size_t cap)
{
    struct stat sb;

    if (path != NULL && fstatat(dirfd, path, &sb, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0) {
        recorder_id_of_stat(&sb, out, cap);
    } else {
        snprintf(out, cap, "-");
    }
}

/* Appends "FUNC FLAGS ID PATH\n" in one write; keeps the caller's errno. */
static void recorder_line(const char *func, const char *flags, const char *id, const char *path)
{
    char line[RECORDER_LINE_MAX];
    int saved = errno;
    int fd = recorder_log();
    int len;

    if (fd >= 0) {
        len = snprintf(line, sizeof(line), "%s %s %s %s\n", func, flags, id, path);
        if (len > 0) {
            size_t n = (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
            line[n - 1] = '\n';
            for (size_t i = 0; i + 1 < n; i++) {
                if (line[i] == '\n') {
                    line[i] = '?';
                }
            }
            ssize_t wrote = write(fd, line, n);
            (void)wrote;
        }
    }
    errno = saved;
}

static void recorder_open(const char *func, int flags, int dirfd, const char *path, int fd)
{
    char flags_hex[24];
    char id[64];
    char abs[PATH_MAX + 64];
    int saved = errno;

    if (recorder_log() < 0 || recorder_is_log(fd)) {
        return;
    }
    snprintf(flags_hex, sizeof(flags_hex), "0x%x", (unsigned)flags);
    recorder_id_of_fd(fd, id, sizeof(id));
    recorder_absolute(dirfd, path, abs, sizeof(abs));
    recorder_line(func, flags_hex, id, abs);
    errno = saved;
}

/* A call that changes PATH (or the entry it names); recorded before it runs. */
static void recorder_path(const char *func, int dirfd, const char *path, bool follow)
{
    char id[64];
    char abs[PATH_MAX + 64];
    int saved = errno;

    if (recorder_log() < 0) {
        return;
    }
    recorder_id_of_path(dirfd, path, follow, id, sizeof(id));
    recorder_absolute(dirfd, path, abs, sizeof(abs));
    recorder_line(func, "-", id, abs);
    errno = saved;
}

/* A call that changes the file open on FD; recorded before it runs. */
static void recorder_fd(const char *func, int fd)
{
    char id[64];
    char path[PATH_MAX];
    int saved = errno;

    if (recorder_log() < 0 || recorder_is_log(fd)) {
        return;
    }
    recorder_id_of_fd(fd, id, sizeof(id));
    recorder_fd_path(fd, path, sizeof(path));
    recorder_line(func, "-", id, path);
    errno = saved;
}

/* open(2) reads a mode argument only with O_CREAT or O_TMPFILE. */
static bool recorder_needs_mode(int flags)
{
    return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

/* fopen's mode string as open(2) flags, the way glibc maps it. */
static int recorder_fopen_flags(const char *mode)
{
    int flags = 0;

    if (mode == NULL) {
        return -1;
    }
    switch (mode[0]) {
    case 'r':
        flags = O_RDONLY;
        break;
    case 'w':
        flags = O_WRONLY | O_CREAT | O_TRUNC;
        break;
    case 'a':
        flags = O_WRONLY | O_CREAT | O_APPEND;
        break;
    default:
        return -1;
    }
    for (const char *m = mode + 1; *m != '\0' && *m != ','; m++) {
        if (*m == '+') {
            flags = (flags & ~O_ACCMODE) | O_RDWR;
        } else if (*m == 'x') {
            flags |= O_EXCL;
        } else if (*m == 'e') {
            flags |= O_CLOEXEC;
        }
    }
    return flags;
}

/* ---- opens ---- */

#define RECORDER_MODE(flags, mode)                                                                 \
    do {                                                                                           \
        if (recorder_needs_mode(flags)) {                                                          \
            va_list ap;                                                                            \
            va_start(ap, flags);                                                                   \
            mode = va_arg(ap, mode_t);                                                             \
            va_end(ap);                                                                            \
        }                                                                                          \
    } while (0)

static int recorder_forward_open(const char *func, const char *path, int flags, mode_t mode)
{
    open_fn real = NEXT(open_fn, func);
    int fd = real != NULL ? real(path, flags, mode) : -1;

    recorder_open(func, flags, AT_FDCWD, path, fd);
    return fd;
}

typedef int (*openat_fn)(int, const char *, int, ...);

static int recorder_forward_openat(const char *func, int dirfd, const char *path, int flags,
                                   mode_t mode)
{
    openat_fn real = NEXT(openat_fn, func);
    int fd = real != NULL ? real(dirfd, path, flags, mode) : -1;

    recorder_open(func, flags, dirfd, path, fd);
    return fd;
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;

    RECORDER_MODE(flags, mode);
    return recorder_forward_open("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;

    RECORDER_MODE(flags, mode);
    return recorder_forward_open("open64", path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;

    RECORDER_MODE(flags, mode);
    return recorder_forward_openat("openat", dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;

    RECORDER_MODE(flags, mode);
    return recorder_forward_openat("openat64", dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE builds call these when the flags are not known at compile time. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);

int __open_2(const char *path, int flags)
{
    open2_fn real = NEXT(open2_fn, "__open_2");
    int fd = real != NULL ? real(path, flags) : -1;

    recorder_open("__open_2", flags, AT_FDCWD, path, fd);
    return fd;
}

int __open64_2(const char *path, int flags)
{
    open2_fn real = NEXT(open2_fn, "__open64_2");
    int fd = real != NULL ? real(path, flags) : -1;

    recorder_open("__open64_2", flags, AT_FDCWD, path, fd);
    return fd;
}

int __openat_2(int dirfd, const char *path, int flags)
{
    openat2_fn real = NEXT(openat2_fn, "__openat_2");
    int fd = real != NULL ? real(dirfd, path, flags) : -1;

    recorder_open("__openat_2", flags, dirfd, path, fd);
    return fd;
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    openat2_fn real = NEXT(openat2_fn, "__openat64_2");
    int fd = real != NULL ? real(dirfd, path, flags) : -1;

    recorder_open("__openat64_2", flags, dirfd, path, fd);
    return fd;
}

typedef int (*creat_fn)(const char *, mode_t);

int creat(const char *path, mode_t mode)
{
    creat_fn real = NEXT(creat_fn, "creat");
    int fd = real != NULL ? real(path, mode) : -1;

    recorder_open("creat", O_WRONLY | O_CREAT | O_TRUNC, AT_FDCWD, path, fd);
    return fd;
}

int creat64(const char *path, mode_t mode)
{
    creat_fn real = NEXT(creat_fn, "creat64");
    int fd = real != NULL ? real(path, mode) : -1;

    recorder_open("creat64", O_WRONLY | O_CREAT | O_TRUNC, AT_FDCWD, path, fd);
    return fd;
}

typedef FILE *(*fopen_fn)(const char *, const char *);
typedef FILE *(*freopen_fn)(const char *, const char *, FILE *);

static FILE *recorder_forward_fopen(const char *func, const char *path, const char *mode)
{
    fopen_fn real = NEXT(fopen_fn, func);
    FILE *f = real != NULL ? real(path, mode) : NULL;

    recorder_open(func, recorder_fopen_flags(mode), AT_FDCWD, path, f != NULL ? fileno(f) : -1);
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    return recorder_forward_fopen("fopen", path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    return recorder_forward_fopen("fopen64", path, mode);
}

static FILE *recorder_forward_freopen(const char *func, const char *path, const char *mode,
                                      FILE *stream)
{
    freopen_fn real = NEXT(freopen_fn, func);
    FILE *f = real != NULL ? real(path, mode, stream) : NULL;
    int fd = f != NULL ? fileno(f) : -1;

    if (path == NULL) {
        /* Reopens the stream's own file with a new mode. */
        char self[PATH_MAX];
        if (fd >= 0) {
            recorder_fd_path(fd, self, sizeof(self));
        } else {
            snprintf(self, sizeof(self), "(stream)");
        }
        recorder_open(func, recorder_fopen_flags(mode), AT_FDCWD, self, fd);
    } else {
        recorder_open(func, recorder_fopen_flags(mode), AT_FDCWD, path, fd);
    }
    return f;
}

FILE *freopen(const char *path, const char *mode, FILE *stream)
{
    return recorder_forward_freopen("freopen", path, mode, stream);
}

FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
    return recorder_forward_freopen("freopen64", path, mode, stream);
}

/* ---- calls that change a file or a directory entry ---- */

typedef int (*truncate_fn)(const char *, off_t);
typedef int (*truncate64_fn)(const char *, off64_t);
typedef int (*ftruncate_fn)(int, off_t);
typedef int (*ftruncate64_fn)(int, off64_t);

int truncate(const char *path, off_t length)
{
    truncate_fn real = NEXT(truncate_fn, "truncate");

    recorder_path("truncate", AT_FDCWD, path, true);
    return real != NULL ? real(path, length) : -1;
}

int truncate64(const char *path, off64_t length)
{
    truncate64_fn real = NEXT(truncate64_fn, "truncate64");

    recorder_path("truncate64", AT_FDCWD, path, true);
    return real != NULL ? real(path, length) : -1;
}

int ftruncate(int fd, off_t length)
{
    ftruncate_fn real = NEXT(ftruncate_fn, "ftruncate");

    recorder_fd("ftruncate", fd);
    return real != NULL ? real(fd, length) : -1;
}

int ftruncate64(int fd, off64_t length)
{
    ftruncate64_fn real = NEXT(ftruncate64_fn, "ftruncate64");

    recorder_fd("ftruncate64", fd);
    return real != NULL ? real(fd, length) : -1;
}

typedef int (*path_fn)(const char *);
typedef int (*path2_fn)(const char *, const char *);
typedef int (*at_fn)(int, const char *, int);
typedef int (*renameat_fn)(int, const char *, int, const char *);
typedef int (*renameat2_fn)(int, const char *, int, const char *, unsigned int);
typedef int (*linkat_fn)(int, const char *, int, const char *, int);
typedef int (*symlinkat_fn)(const char *, int, const char *);

int unlink(const char *path)
{
    path_fn real = NEXT(path_fn, "unlink");

    recorder_path("unlink", AT_FDCWD, path, false);
    return real != NULL ? real(path) : -1;
}

int unlinkat(int dirfd, const char *path, int flags)
{
    at_fn real = NEXT(at_fn, "unlinkat");

    recorder_path("unlinkat", dirfd, path, false);
    return real != NULL ? real(dirfd, path, flags) : -1;
}

int remove(const char *path)
{
    path_fn real = NEXT(path_fn, "remove");

    recorder_path("remove", AT_FDCWD, path, false);
    return real != NULL ? real(path) : -1;
}

int rmdir(const char *path)
{
    path_fn real = NEXT(path_fn, "rmdir");

    recorder_path("rmdir", AT_FDCWD, path, false);
    return real != NULL ? real(path) : -1;
}

int rename(const char *from, const char *to)
{
    path2_fn real = NEXT(path2_fn, "rename");

    recorder_path("rename", AT_FDCWD, from, false);
    recorder_path("rename.to", AT_FDCWD, to, false);
    return real != NULL ? real(from, to) : -1;
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
    renameat_fn real = NEXT(renameat_fn, "renameat");

    recorder_path("renameat", fromfd, from, false);
    recorder_path("renameat.to", tofd, to, false);
    return real != NULL ? real(fromfd, from, tofd, to) : -1;
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
    renameat2_fn real = NEXT(renameat2_fn, "renameat2");

    recorder_path("renameat2", fromfd, from, false);
    recorder_path("renameat2.to", tofd, to, false);
    return real != NULL ? real(fromfd, from, tofd, to, flags) : -1;
}

int link(const char *from, const char *to)
{
    path2_fn real = NEXT(path2_fn, "link");

    recorder_path("link", AT_FDCWD, from, false);
    recorder_path("link.to", AT_FDCWD, to, false);
    return real != NULL ? real(from, to) : -1;
}

int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
    linkat_fn real = NEXT(linkat_fn, "linkat");

    recorder_path("linkat", fromfd, from, (flags & AT_SYMLINK_FOLLOW) != 0);
    recorder_path("linkat.to", tofd, to, false);
    return real != NULL ? real(fromfd, from, tofd, to, flags) : -1;
}

int symlink(const char *target, const char *path)
{
    path2_fn real = NEXT(path2_fn, "symlink");

    recorder_path("symlink", AT_FDCWD, path, false);
    return real != NULL ? real(target, path) : -1;
}

int symlinkat(const char *target, int dirfd, const char *path)
{
    symlinkat_fn real = NEXT(symlinkat_fn, "symlinkat");

    recorder_path("symlinkat", dirfd, path, false);
    return real != NULL ? real(target, dirfd, path) : -1;
}

typedef int (*mknod_fn)(const char *, mode_t, dev_t);
typedef int (*mkdir_fn)(const char *, mode_t);

int mkdir(const char *path, mode_t mode)
{
    mkdir_fn real = NEXT(mkdir_fn, "mkdir");

    recorder_path("mkdir", AT_FDCWD, path, false);
    return real != NULL ? real(path, mode) : -1;
}

int mknod(const char *path, mode_t mode, dev_t dev)
{
    mknod_fn real = NEXT(mknod_fn, "mknod");

    recorder_path("mknod", AT_FDCWD, path, false);
    return real != NULL ? real(path, mode, dev) : -1;
}

typedef int (*chmod_fn)(const char *, mode_t);
typedef int (*fchmod_fn)(int, mode_t);
typedef int (*fchmodat_fn)(int, const char *, mode_t, int);
typedef int (*chown_fn)(const char *, uid_t, gid_t);
typedef int (*fchown_fn)(int, uid_t, gid_t);
typedef int (*fchownat_fn)(int, const char *, uid_t, gid_t, int);

int chmod(const char *path, mode_t mode)
{
    chmod_fn real = NEXT(chmod_fn, "chmod");

    recorder_path("chmod", AT_FDCWD, path, true);
    return real != NULL ? real(path, mode) : -1;
}

int fchmod(int fd, mode_t mode)
{
    fchmod_fn real = NEXT(fchmod_fn, "fchmod");

    recorder_fd("fchmod", fd);
    return real != NULL ? real(fd, mode) : -1;
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
    fchmodat_fn real = NEXT(fchmodat_fn, "fchmodat");

    recorder_path("fchmodat", dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0);
    return real != NULL ? real(dirfd, path, mode, flags) : -1;
}

int chown(const char *path, uid_t owner, gid_t group)
{
    chown_fn real = NEXT(chown_fn, "chown");

    recorder_path("chown", AT_FDCWD, path, true);
    return real != NULL ? real(path, owner, group) : -1;
}

int lchown(const char *path, uid_t owner, gid_t group)
{
    chown_fn real = NEXT(chown_fn, "lchown");

    recorder_path("lchown", AT_FDCWD, path, false);
    return real != NULL ? real(path, owner, group) : -1;
}

int fchown(int fd, uid_t owner, gid_t group)
{
    fchown_fn real = NEXT(fchown_fn, "fchown");

    recorder_fd("fchown", fd);
    return real != NULL ? real(fd, owner, group) : -1;
}

int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags)
{
    fchownat_fn real = NEXT(fchownat_fn, "fchownat");

    recorder_path("fchownat", dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0);
    return real != NULL ? real(dirfd, path, owner, group, flags) : -1;
}

typedef int (*utime_fn)(const char *, const struct utimbuf *);
typedef int (*utimes_fn)(const char *, const struct timeval[2]);
typedef int (*utimensat_fn)(int, const char *, const struct timespec[2], int);
typedef int (*futimens_fn)(int, const struct timespec[2]);

int utime(const char *path, const struct utimbuf *times)
{
    utime_fn real = NEXT(utime_fn, "utime");

    recorder_path("utime", AT_FDCWD, path, true);
    return real != NULL ? real(path, times) : -1;
}

int utimes(const char *path, const struct timeval times[2])
{
    utimes_fn real = NEXT(utimes_fn, "utimes");

    recorder_path("utimes", AT_FDCWD, path, true);
    return real != NULL ? real(path, times) : -1;
}

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
    utimensat_fn real = NEXT(utimensat_fn, "utimensat");

    recorder_path("utimensat", dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0);
    return real != NULL ? real(dirfd, path, times, flags) : -1;
}

int futimens(int fd, const struct timespec times[2])
{
    futimens_fn real = NEXT(futimens_fn, "futimens");

    recorder_fd("futimens", fd);
    return real != NULL ? real(fd, times) : -1;
}
