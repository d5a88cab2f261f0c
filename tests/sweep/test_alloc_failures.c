#define _DEFAULT_SOURCE /* mkdtemp */
/*
 * Allocation-failure injection (issue 8): every allocation an analysis makes is failed in
 * turn (vd_alloc_fail_after), for every format, differencing images, chains on disk, a
 * replayed VHDX log, and the three reporters. Each run must end with VD_E_NOMEM (or a NULL
 * result), never a crash; the sanitizer build's LeakSanitizer proves every failure path frees
 * what it took (each CTest test is its own process). Allocations made on the digest worker
 * threads are not counted: the countdown is per thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bochs_fixture.h"
#include "chain_fixture.h"
#include "report.h"
#include "vd_analyze.h"
#include "vd_test.h"
#include "vd_test_image.h"
#include "vd_test_sweep.h"
#include "vdi_chain_fixture.h"
#include "vdi_fixture.h"
#include "vdi_layout.h"
#include "vhd_chain_fixture.h"
#include "vhd_fixture.h"
#include "vhd_layout.h"
#include "vhdx_chain_fixture.h"
#include "vhdx_fixture.h"
#include "vhdx_layout.h"

/* More allocations than any of these analyses makes: reaching it is a failure. */
#define MAX_ALLOCATIONS 20000ul

/* Both digests paths (container and virtual disk) and piecewise windows are exercised. */
static struct vd_alloc_run memory_run(const uint8_t *data, size_t len)
{
    struct vd_alloc_run run = {.data = data, .len = len};

    run.opt.hash_mask = 1u << VD_DIGEST_SHA256;
    run.opt.piecewise_size = 4096;
    run.opt.piecewise_alg = VD_DIGEST_MD5;
    run.opt.limits = VD_LIMITS_DEFAULT;
    return run;
}

static void fail_each_allocation(const char *label, const uint8_t *data, size_t len)
{
    struct vd_alloc_run run = memory_run(data, len);

    EXPECT(vd_test_alloc_failures(label, vd_test_alloc_run_memory, &run, MAX_ALLOCATIONS, true) >
           0);
}

/* ---- one image from memory, per format ---- */

VD_TEST(alloc_failures_vhd)
{
    static const uint32_t types[] = {VHD_TYPE_FIXED, VHD_TYPE_DYNAMIC, VHD_TYPE_DIFFERENCING};
    static const char *const labels[] = {"vhd fixed", "vhd dynamic", "vhd differencing"};

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct vhd_fixture f;
        struct vhd_fixture_image img;
        vhd_fixture_defaults(&f, types[i]);
        EXPECT(vhd_fixture_build(&f, &img));
        fail_each_allocation(labels[i], img.data, img.len);
        vhd_fixture_free(&img);
    }
}

/* A pending log entry: a 4 KiB sector of block 0 rewritten and 8 KiB of block 2 zeroed. */
static void add_pending_log(struct vhdx_fixture_image *img)
{
    struct vhdx_fixture_entry e;

    memset(&e, 0, sizeof(e));
    e.sequence = 10;
    e.desc[e.desc_count++] =
        (struct vhdx_fixture_desc){.file_offset = img->block_at[0] + 8192, .seed = 1};
    e.desc[e.desc_count++] = (struct vhdx_fixture_desc){
        .zero = true, .file_offset = img->block_at[2] + 4096, .zero_length = 8192};
    EXPECT(vhdx_fixture_log_add(img, &e));
}

VD_TEST(alloc_failures_vhdx)
{
    struct vhdx_fixture f;
    struct vhdx_fixture_image img;

    /* Dynamic, with a dirty log replayed in memory (the hash reads the replayed view). */
    vhdx_fixture_defaults(&f, VHDX_FIXTURE_DYNAMIC);
    f.state[0] = VHDX_PAYLOAD_FULLY_PRESENT;
    f.state[2] = VHDX_PAYLOAD_FULLY_PRESENT;
    EXPECT(vhdx_fixture_build(&f, &img));
    add_pending_log(&img);
    fail_each_allocation("vhdx dynamic, pending log", img.data, img.len);
    vhdx_fixture_free(&img);
    /* Differencing: sector bitmaps and the parent locator. */
    vhdx_fixture_defaults(&f, VHDX_FIXTURE_DIFFERENCING);
    EXPECT(vhdx_fixture_build(&f, &img));
    fail_each_allocation("vhdx differencing", img.data, img.len);
    vhdx_fixture_free(&img);
}

VD_TEST(alloc_failures_vdi)
{
    static const uint32_t types[] = {VDI_TYPE_NORMAL, VDI_TYPE_FIXED, VDI_TYPE_DIFF};
    static const char *const labels[] = {"vdi normal", "vdi fixed", "vdi differencing"};

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct vdi_fixture f;
        struct vdi_fixture_image img;
        vdi_fixture_defaults(&f, types[i]);
        if (types[i] == VDI_TYPE_FIXED) {
            f.layout = "DDDD"; /* a fixed image stores every block, in order */
        }
        EXPECT(vdi_fixture_build(&f, &img));
        fail_each_allocation(labels[i], img.data, img.len);
        vdi_fixture_free(&img);
    }
}

VD_TEST(alloc_failures_bochs)
{
    struct bochs_fixture f;
    struct bochs_fixture_image img;

    bochs_fixture_defaults(&f);
    EXPECT(bochs_fixture_build(&f, &img));
    fail_each_allocation("bochs growing", img.data, img.len);
    bochs_fixture_free(&img);
}

/* ---- chains on disk: the top child opened by path, its parents found and analyzed ---- */

struct path_run {
    char path[600];
    struct vd_analyze_options opt;
};

static enum vd_status run_path(void *arg)
{
    const struct path_run *a = arg;
    struct vd_image_result *r = vd_analyze_path(a->path, &a->opt);
    enum vd_status st = r != NULL ? r->status : VD_E_NOMEM;

    vd_result_free(r);
    return st;
}

typedef bool (*chain_builder)(struct chain_fixture *f, unsigned depth, uint32_t seed);

static void fail_each_allocation_in_chain(const char *label, chain_builder build)
{
    const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    struct chain_fixture f;
    struct path_run run = {
        .opt = {.hash_mask = 1u << VD_DIGEST_SHA256, .limits = VD_LIMITS_DEFAULT}};
    char dir[512];
    char cmd[600];

    EXPECT(build(&f, 2, 1));
    snprintf(dir, sizeof(dir), "%s/vdcheck-alloc-XXXXXX", tmp);
    EXPECT(mkdtemp(dir) != NULL);
    EXPECT(chain_fixture_write(&f, dir));
    snprintf(run.path, sizeof(run.path), "%s/%s", dir, f.names[f.depth]);
    EXPECT(vd_test_alloc_failures(label, run_path, &run, MAX_ALLOCATIONS, true) > 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    EXPECT(system(cmd) == 0);
    chain_fixture_free(&f);
}

VD_TEST(alloc_failures_vhd_chain)
{
    fail_each_allocation_in_chain("vhd chain, depth 2", vhd_chain_fixture_build);
}

/* VDI parents are found by searching the folder for the linkage UUID. */
VD_TEST(alloc_failures_vdi_chain)
{
    fail_each_allocation_in_chain("vdi chain, depth 2", vdi_chain_fixture_build);
}

VD_TEST(alloc_failures_vhdx_chain)
{
    fail_each_allocation_in_chain("vhdx chain, depth 2", vhdx_chain_fixture_build);
}

/*
 * ---- reporters: one result rendered into memory, each allocation failed in turn ----
 * Not strict: when sanitizing a string fails, the text reporter prints "(out of memory)"
 * and the JSON reporter a null value, and both still return success.
 */

struct report_run {
    const struct vd_reporter *reporter;
    const struct vd_image_result *result;
};

static enum vd_status run_report(void *arg)
{
    const struct report_run *a = arg;
    const struct report_options opt = {.tool_version = "test"};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc;

    if (out == NULL) {
        return VD_E_IO;
    }
    rc = a->reporter->image(out, a->result, &opt);
    fclose(out);
    free(buf);
    return rc == 0 ? VD_OK : VD_E_NOMEM;
}

VD_TEST(alloc_failures_reports)
{
    const struct vd_reporter *const reporters[] = {&report_text, &report_json, &report_xml};
    struct vhd_fixture f;
    struct vhd_fixture_image img;
    struct vd_image_result *r;

    /* A differencing VHD: findings, locators with paths, facts of every kind, digests. */
    vhd_fixture_defaults(&f, VHD_TYPE_DIFFERENCING);
    EXPECT(vhd_fixture_build(&f, &img));
    img.data[img.end_at + 400] = 1; /* a reserved byte: one more finding to render */
    vhd_fixture_reseal(&img);
    r = vd_test_analyze(img.data, img.len, 1u << VD_DIGEST_SHA256);
    EXPECT(r->findings.count > 0);
    for (size_t i = 0; i < sizeof(reporters) / sizeof(reporters[0]); i++) {
        struct report_run run = {.reporter = reporters[i], .result = r};
        char label[64];
        snprintf(label, sizeof(label), "report %s", reporters[i]->name);
        EXPECT(vd_test_alloc_failures(label, run_report, &run, MAX_ALLOCATIONS, false) > 0);
    }
    vd_result_free(r);
    vhd_fixture_free(&img);
}
