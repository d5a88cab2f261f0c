/* Chain of custody: the evidence's fstat record, a change during analysis, times, windows. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vd_analyze.h"
#include "vd_test.h"
#include "vd_test_image.h"

#define CLEAN_VHD VDCHECK_SOURCE_DIR "/corpus/vhd/qemu-dynamic-8M-data.vhd"

/* A private copy of a corpus image in the temp dir, so the test may change it. */
static void copy_to_temp(const char *from, char *path, size_t cap)
{
    char cmd[1024];
    int fd;

    snprintf(path, cap, "%s/vdcheck-custody-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    EXPECT(fd >= 0);
    close(fd);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, path);
    EXPECT(system(cmd) == 0);
}

struct touch_job {
    const char *path;
    unsigned visits;
};

/* Runs inside the analysis (as the map visitor): changes the evidence under vdcheck. */
static enum vd_status touch_evidence(void *arg, const struct vd_extent *extent)
{
    struct touch_job *job = arg;
    (void)extent;

    if (job->visits++ == 0) {
        int fd = open(job->path, O_WRONLY | O_APPEND);
        EXPECT(fd >= 0);
        EXPECT(write(fd, "x", 1) == 1);
        close(fd);
    }
    return VD_OK;
}

VD_TEST(source_change_during_analysis_is_fatal)
{
    char path[512];
    struct touch_job job = {path, 0};
    struct vd_analyze_options opt = {.limits = VD_LIMITS_DEFAULT,
                                     .hash_mask = 1u << VD_DIGEST_SHA256,
                                     .map_visit = touch_evidence,
                                     .map_arg = &job};

    copy_to_temp(CLEAN_VHD, path, sizeof(path));
    struct vd_image_result *r = vd_analyze_path(path, &opt);
    EXPECT(r != NULL && job.visits > 0);
    EXPECT_U64(vd_findings_count_id(&r->findings, VD_F_IMAGE_SOURCE_CHANGED), 1);
    EXPECT(r->verdict == VD_VERDICT_ERRORS);
    EXPECT(r->status == VD_E_CHANGED);
    EXPECT(r->have_stat_after);
    EXPECT_U64(r->stat_after.size, r->stat.size + 1);
    vd_result_free(r);
    unlink(path);
}

static bool time_le(const struct vd_time *a, const struct vd_time *b)
{
    return a->sec < b->sec || (a->sec == b->sec && a->nsec <= b->nsec);
}

VD_TEST(custody_record_of_an_untouched_file)
{
    char path[512];
    struct stat sb;
    struct vd_analyze_options opt = {.limits = VD_LIMITS_DEFAULT, .hash_mask = 0xf};

    copy_to_temp(CLEAN_VHD, path, sizeof(path));
    EXPECT(stat(path, &sb) == 0);
    struct vd_image_result *r = vd_analyze_path(path, &opt);
    EXPECT(r != NULL && r->status == VD_OK && r->have_stat && r->have_stat_after);
    EXPECT_U64(r->stat.size, (uint64_t)sb.st_size);
    EXPECT_U64(r->stat.inode, (uint64_t)sb.st_ino);
    EXPECT_U64(r->stat.device, (uint64_t)sb.st_dev);
    EXPECT_U64((uint64_t)r->stat.mtime_sec, (uint64_t)sb.st_mtim.tv_sec);
    EXPECT_U64((uint64_t)r->stat.mtime_nsec, (uint64_t)sb.st_mtim.tv_nsec);
    EXPECT(memcmp(&r->stat, &r->stat_after, sizeof(r->stat)) == 0);
    EXPECT(r->stat.noatime); /* we own the file: the kernel grants O_NOATIME */
    EXPECT(time_le(&r->started, &r->finished));
    EXPECT_U64(vd_findings_count_id(&r->findings, VD_F_IMAGE_SOURCE_CHANGED), 0);
    vd_result_free(r);
    unlink(path);
}

/* Past the window limit the windows are skipped with a finding; whole digests remain. */
VD_TEST(piecewise_over_the_window_limit_is_skipped)
{
    char path[512];
    struct vd_analyze_options opt = {.limits = VD_LIMITS_DEFAULT,
                                     .hash_mask = 1u << VD_DIGEST_MD5,
                                     .piecewise_size = 4096,
                                     .piecewise_alg = VD_DIGEST_MD5};

    opt.limits.max_windows = 100; /* an 8 MiB disk in 4 KiB windows needs 2049 */
    copy_to_temp(CLEAN_VHD, path, sizeof(path));
    struct vd_image_result *r = vd_analyze_path(path, &opt);
    EXPECT(r != NULL && r->status == VD_OK);
    EXPECT_U64(vd_findings_count_id(&r->findings, VD_F_IMAGE_PIECEWISE_SKIPPED), 1);
    EXPECT_U64(r->piecewise.count, 0);
    EXPECT(r->virtual_disk.mask == 1u << VD_DIGEST_MD5);
    vd_result_free(r);

    opt.limits.max_windows = 2049; /* exactly enough */
    r = vd_analyze_path(path, &opt);
    EXPECT(r != NULL && r->status == VD_OK);
    EXPECT_U64(vd_findings_count_id(&r->findings, VD_F_IMAGE_PIECEWISE_SKIPPED), 0);
    EXPECT_U64(r->piecewise.count, 2049);
    EXPECT_U64(vd_piecewise_length(&r->piecewise, 2048), r->info.virtual_size % 4096);
    vd_result_free(r);
    unlink(path);
}
