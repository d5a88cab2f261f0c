/*
 * Chain-of-custody facts about one run of vdcheck: who ran what, where, with which build.
 * Every report carries them next to the evidence's own fstat record (vd_image_result), so
 * a report can stand alone in a case file.
 */
#ifndef VD_CUSTODY_H
#define VD_CUSTODY_H

#include <stdint.h>

/* A wall-clock instant (UTC, CLOCK_REALTIME). */
struct vd_time {
    int64_t sec;
    long nsec;
};

struct vd_custody {
    int argc;
    char *const *argv;   /* the command line as given (borrowed; reporters sanitize it) */
    const char *case_id; /* --case, --examiner, --note: passed through, may be NULL */
    const char *examiner;
    const char *note;
    char host[256];   /* gethostname() */
    char os_name[65]; /* uname(): sysname, release, version, machine */
    char os_release[65];
    char os_version[65];
    char machine[65];
    uint64_t uid;
    char compiler[96]; /* the build: compiler and version, build type, libcrypto */
    const char *build_type;
    char crypto_library[96];
};

/* Fills what the system can tell; strings it cannot learn are left empty. */
void vd_custody_init(struct vd_custody *c, int argc, char *const *argv);

void vd_time_now(struct vd_time *t);
/* RFC 3339 UTC with nanoseconds, "2026-11-21T10:00:00.123456789Z". */
void vd_time_format(const struct vd_time *t, char out[48]);

#endif
