#include "vd_custody.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "vd_text.h"

#ifndef VDCHECK_BUILD_TYPE
#define VDCHECK_BUILD_TYPE "unknown"
#endif

static void copy_field(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

void vd_custody_init(struct vd_custody *c, int argc, char *const *argv)
{
    struct utsname u;

    memset(c, 0, sizeof(*c));
    c->argc = argc;
    c->argv = argv;
    if (gethostname(c->host, sizeof(c->host) - 1) != 0) {
        c->host[0] = '\0';
    }
    if (uname(&u) == 0) {
        copy_field(c->os_name, sizeof(c->os_name), u.sysname);
        copy_field(c->os_release, sizeof(c->os_release), u.release);
        copy_field(c->os_version, sizeof(c->os_version), u.version);
        copy_field(c->machine, sizeof(c->machine), u.machine);
    }
    c->uid = (uint64_t)getuid();
#if defined(__clang__)
    snprintf(c->compiler, sizeof(c->compiler), "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(c->compiler, sizeof(c->compiler), "gcc %s", __VERSION__);
#else
    copy_field(c->compiler, sizeof(c->compiler), "unknown");
#endif
    c->build_type = VDCHECK_BUILD_TYPE;
    copy_field(c->crypto_library, sizeof(c->crypto_library), OpenSSL_version(OPENSSL_VERSION));
}

void vd_time_now(struct vd_time *t)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        ts.tv_sec = 0;
        ts.tv_nsec = 0;
    }
    t->sec = (int64_t)ts.tv_sec;
    t->nsec = ts.tv_nsec;
}

void vd_time_format(const struct vd_time *t, char out[48])
{
    char base[32];
    size_t len;

    vd_text_time_utc(t->sec, base);
    len = strlen(base);
    if (len == 0 || base[len - 1] != 'Z') {
        snprintf(out, 48, "%s", base); /* out of gmtime's range: the raw "@seconds" */
        return;
    }
    snprintf(out, 48, "%.*s.%09ldZ", (int)(len - 1), base, t->nsec);
}
