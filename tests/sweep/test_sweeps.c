/*
 * Sweeps over every valid image of the bundled corpus and of the shared one, and over
 * fixtures for what the corpora lack (issue 8): the image cut short at many lengths, every
 * byte of every metadata structure flipped and every aligned field set to boundary values
 * (vd_test_sweep.h says which lengths and bytes, and why not every one of them). No crash,
 * no sanitizer report, a verdict every time; never a clean verdict for a cut image, nor when
 * a change broke a checksum. One test per format and group of images, each well under 30 s
 * in the sanitizer build, so ctest -j spreads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bochs_fixture.h"
#include "sweep_images.h"
#include "vd_test.h"
#include "vd_test_sweep.h"
#include "vdi_fixture.h"
#include "vdi_layout.h"
#include "vhd_fixture.h"
#include "vhd_layout.h"
#include "vhdx_fixture.h"
#include "vhdx_layout.h"

/*
 * Every HASH_EVERY-th change is analyzed again with a SHA-256 of the container and the
 * virtual disk, so the reading path (maps, bitmaps, log overlay) is swept too; hashing all
 * of them would triple the time for little more.
 */
#define HASH_EVERY 64u

/* Cut at every length of the last KiB: the VHD footer and the sector before it. */
#define TAIL 1024u

enum sweep_kind { TRUNCATE, MUTATE };

typedef void (*plan_fn)(const uint8_t *d, size_t len, struct vd_sweep_plan *p);

static void sweep_one(uint8_t *data, size_t len, const char *name, enum sweep_kind kind,
                      plan_fn plan, size_t tail)
{
    struct vd_sweep_plan *p = malloc(sizeof(*p));

    if (p == NULL) {
        abort();
    }
    plan(data, len, p);
    if (kind == TRUNCATE) {
        vd_test_truncation_sweep_data(name, data, len, tail, p);
    } else {
        vd_test_mutation_sweep(name, data, len, p, HASH_EVERY);
    }
    free(p);
}

/* names: paths under corpus/ (bundled) or under the shared corpus (skips without it). */
static void sweep_all(bool shared, const char *const *names, size_t n, enum sweep_kind kind,
                      plan_fn plan, size_t tail)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        uint8_t *data =
            shared ? sweep_load_shared(names[i], &len) : sweep_load_bundled(names[i], &len);
        sweep_one(data, len, names[i], kind, plan, tail);
        free(data);
    }
}

#define SWEEP(shared, names, kind, plan, tail)                                                     \
    sweep_all((shared), (names), sizeof(names) / sizeof((names)[0]), (kind), (plan), (tail))

/* ---- VHD ---- */

static const char *const vhd_bundled[] = {"vhd/qemu-dynamic-8M-data.vhd",
                                          "vhd/qemu-dynamic-8M-empty.vhd",
                                          "vhd/qemu-dynamic-forcesize-6000000.vhd",
                                          "vhd/bximage-vpc-10M-data.vhd",
                                          "vhd/qemu-fixed-4M-data.vhd",
                                          "vhd/qemu-fixed-forcesize-3000000.vhd"};

/* Real writers other than qemu: Virtual PC, Hyper-V, diskpart, dfvfs, sleuthkit, ImHex. */
static const char *const vhd_shared_a[] = {"vhd/virtualpc-dynamic.vhd",
                                           "vhd/hyperv2012r2-dynamic.vhd",
                                           "vhd/dfvfs_fat-differential.vhd",
                                           "vhd/dfvfs_image.old-678307d.vhd",
                                           "vhd/dfvfs_ext2.vhd",
                                           "vhd/dfvfs_ext2.old-67b5923.vhd",
                                           "vhd/sleuthkit_image.vhd",
                                           "vhd/imhex_vhd.hexpat.vhd"};

/* FreeBSD mkimg (two generations), qemu-img 7.2 and bximage 2.7, QEMU iotest 088's base. */
static const char *const vhd_shared_b[] = {"vhd/img-1x1-512-gpt.vhd",
                                           "vhd/img-1x1-512-gpt.vhdf",
                                           "vhd/img-63x255-4096-gpt.vhd",
                                           "vhd/img-63x255-4096-gpt.vhdf",
                                           "vhd/img-1x1-512-gpt.mkimg2015.vhd",
                                           "vhd/img-1x1-512-gpt.mkimg2015.vhdf",
                                           "generated/vhd/bximage27-vpc-10M-data.vhd",
                                           "generated/vhd/bximage27-vpc-10M-empty.vhd",
                                           "generated/vhd/qemu72-vpc-dynamic-8M-data.vhd",
                                           "generated/vhd/qemu72-vpc-dynamic-forcesize-6000000.vhd",
                                           "generated/vhd/qemu72-vpc-fixed-4M-data.vhd",
                                           "generated/vhd/qemu72-vpc-fixed-forcesize-6000000.vhd",
                                           "derived/vhd/088-base-64M.vhd"};

VD_TEST(truncate_vhd_bundled)
{
    SWEEP(false, vhd_bundled, TRUNCATE, sweep_plan_vhd, TAIL);
}

VD_TEST(truncate_vhd_shared_a)
{
    SWEEP(true, vhd_shared_a, TRUNCATE, sweep_plan_vhd, TAIL);
}

VD_TEST(truncate_vhd_shared_b)
{
    SWEEP(true, vhd_shared_b, TRUNCATE, sweep_plan_vhd, TAIL);
}

VD_TEST(mutate_vhd_bundled)
{
    SWEEP(false, vhd_bundled, MUTATE, sweep_plan_vhd, 0);
}

VD_TEST(mutate_vhd_shared_a)
{
    SWEEP(true, vhd_shared_a, MUTATE, sweep_plan_vhd, 0);
}

VD_TEST(mutate_vhd_shared_b)
{
    SWEEP(true, vhd_shared_b, MUTATE, sweep_plan_vhd, 0);
}

/* ---- VHDX (the end of a VHDX file is payload or padding: no tail) ---- */

static const char *const vhdx_bundled[] = {"vhdx/qemu-dynamic-8M-bs1M-data.vhdx",
                                           "vhdx/qemu-fixed-2M-bs1M-data.vhdx",
                                           "vhdx/qemu-dynamic-48M-bs32M-empty.vhdx"};

/* QEMU iotest 070's un-replayed log. */
static const char *const vhdx_dirty_log[] = {"vhdx/iotest-dirtylog-10G-4M.vhdx"};

/* FreeBSD mkimg. */
static const char *const vhdx_mkimg[] = {"vhdx/img-1x1-512-gpt.vhdx", "vhdx/img-1x1-4096-gpt.vhdx"};

/* qemu-img 7.2. */
static const char *const vhdx_generated[] = {
    "generated/vhdx/qemu72-vhdx-dynamic-16M-bs1M-data.vhdx",
    "generated/vhdx/qemu72-vhdx-dynamic-64M-default-empty.vhdx",
    "generated/vhdx/qemu72-vhdx-fixed-4M.vhdx"};

VD_TEST(truncate_vhdx_bundled)
{
    SWEEP(false, vhdx_bundled, TRUNCATE, sweep_plan_vhdx, 0);
}

VD_TEST(truncate_vhdx_shared)
{
    SWEEP(true, vhdx_dirty_log, TRUNCATE, sweep_plan_vhdx, 0);
    SWEEP(true, vhdx_mkimg, TRUNCATE, sweep_plan_vhdx, 0);
    SWEEP(true, vhdx_generated, TRUNCATE, sweep_plan_vhdx, 0);
}

VD_TEST(mutate_vhdx_bundled)
{
    SWEEP(false, vhdx_bundled, MUTATE, sweep_plan_vhdx, 0);
}

VD_TEST(mutate_vhdx_dirty_log)
{
    SWEEP(true, vhdx_dirty_log, MUTATE, sweep_plan_vhdx, 0);
}

VD_TEST(mutate_vhdx_mkimg)
{
    SWEEP(true, vhdx_mkimg, MUTATE, sweep_plan_vhdx, 0);
}

VD_TEST(mutate_vhdx_generated)
{
    SWEEP(true, vhdx_generated, MUTATE, sweep_plan_vhdx, 0);
}

/* ---- VDI ---- */

static const char *const vdi_bundled[] = {
    "vdi/qemu-dynamic-2M-one-block.vdi", "vdi/qemu-dynamic-4M-data.vdi",
    "vdi/qemu-dynamic-8M-empty.vdi", "vdi/qemu-static-2M-data.vdi"};

/* bwLehrpool (QEMU and VirtualBox), qemu-img 7.2, QEMU iotest 084's valid images. */
static const char *const vdi_shared[] = {"vdi/openslx_image-default.vdi",
                                         "vdi/openslx_image-default_snapshot.vdi",
                                         "generated/vdi/qemu72-vdi-dynamic-16M-data.vdi",
                                         "generated/vdi/qemu72-vdi-static-4M.vdi",
                                         "derived/vdi/084-base-64M.vdi",
                                         "derived/vdi/084-t5-valid-reset.vdi"};

VD_TEST(truncate_vdi_bundled)
{
    SWEEP(false, vdi_bundled, TRUNCATE, sweep_plan_vdi, TAIL);
}

VD_TEST(truncate_vdi_shared)
{
    SWEEP(true, vdi_shared, TRUNCATE, sweep_plan_vdi, TAIL);
}

VD_TEST(mutate_vdi_bundled)
{
    SWEEP(false, vdi_bundled, MUTATE, sweep_plan_vdi, 0);
}

VD_TEST(mutate_vdi_shared)
{
    SWEEP(true, vdi_shared, MUTATE, sweep_plan_vdi, 0);
}

/* ---- Bochs ---- */

static const char *const bochs_bundled[] = {"bochs/bximage-growing-640K-data.img",
                                            "bochs/bximage-growing-10M-empty.img"};

/* QEMU iotest 078's image and bximage 2.7's. */
static const char *const bochs_shared[] = {"bochs/empty.bochs",
                                           "generated/bochs/bximage27-growing-10M-data.img",
                                           "generated/bochs/bximage27-growing-10M-empty.img"};

VD_TEST(truncate_bochs_bundled)
{
    SWEEP(false, bochs_bundled, TRUNCATE, sweep_plan_bochs, TAIL);
}

VD_TEST(truncate_bochs_shared)
{
    SWEEP(true, bochs_shared, TRUNCATE, sweep_plan_bochs, TAIL);
}

VD_TEST(mutate_bochs_bundled)
{
    SWEEP(false, bochs_bundled, MUTATE, sweep_plan_bochs, 0);
}

VD_TEST(mutate_bochs_shared)
{
    SWEEP(true, bochs_shared, MUTATE, sweep_plan_bochs, 0);
}

/* ---- fixtures: structures no valid corpus image has ---- */

struct fixture_image {
    const char *name;
    uint8_t *data;
    size_t len;
    plan_fn plan;
};

/* A VHDX log of two entries in one sequence, both pending: a replay over two entries. */
static void vhdx_pending_log(struct vhdx_fixture_image *img)
{
    struct vhdx_fixture_entry e;

    memset(&e, 0, sizeof(e));
    e.sequence = 10;
    e.desc_count = 2;
    e.desc[0] = (struct vhdx_fixture_desc){.file_offset = img->block_at[0] + 8192, .seed = 1};
    e.desc[1] = (struct vhdx_fixture_desc){
        .zero = true, .file_offset = img->block_at[0] + 65536, .zero_length = 8192};
    EXPECT(vhdx_fixture_log_add(img, &e));
    e.sequence = 11;
    e.position = vhdx_fixture_entry_length(&e);
    e.desc_count = 1;
    e.desc[0] = (struct vhdx_fixture_desc){.file_offset = img->block_at[0] + 4096, .seed = 2};
    EXPECT(vhdx_fixture_log_add(img, &e));
}

/* Moves the builder's bytes into out (the builder's image is then empty). */
static void take(struct fixture_image *out, const char *name, uint8_t **data, size_t *len,
                 plan_fn plan)
{
    *out = (struct fixture_image){name, *data, *len, plan};
    *data = NULL;
    *len = 0;
}

/* Locators, a parent name, the bitmaps of two blocks. */
static void fixture_vhd_differencing(struct fixture_image *out)
{
    struct vhd_fixture f;
    struct vhd_fixture_image img;

    vhd_fixture_defaults(&f, VHD_TYPE_DIFFERENCING);
    EXPECT(vhd_fixture_build(&f, &img));
    take(out, "fixture vhd differencing", &img.data, &img.len, sweep_plan_vhd);
}

/* A sector bitmap block and the parent locator. */
static void fixture_vhdx_differencing(struct fixture_image *out)
{
    struct vhdx_fixture f;
    struct vhdx_fixture_image img;

    vhdx_fixture_defaults(&f, VHDX_FIXTURE_DIFFERENCING);
    EXPECT(vhdx_fixture_build(&f, &img));
    take(out, "fixture vhdx differencing", &img.data, &img.len, sweep_plan_vhdx);
}

static void fixture_vhdx_pending_log(struct fixture_image *out)
{
    struct vhdx_fixture f;
    struct vhdx_fixture_image img;

    vhdx_fixture_defaults(&f, VHDX_FIXTURE_DYNAMIC);
    f.state[0] = VHDX_PAYLOAD_FULLY_PRESENT; /* the block the log rewrites */
    EXPECT(vhdx_fixture_build(&f, &img));
    vhdx_pending_log(&img);
    take(out, "fixture vhdx pending log", &img.data, &img.len, sweep_plan_vhdx);
}

static void fixture_vdi_differencing(struct fixture_image *out)
{
    struct vdi_fixture f;
    struct vdi_fixture_image img;

    vdi_fixture_defaults(&f, VDI_TYPE_DIFF);
    EXPECT(vdi_fixture_build(&f, &img));
    take(out, "fixture vdi differencing", &img.data, &img.len, sweep_plan_vdi);
}

/* Three stored extents, each with its bitmap. */
static void fixture_bochs_growing(struct fixture_image *out)
{
    struct bochs_fixture f;
    struct bochs_fixture_image img;

    bochs_fixture_defaults(&f);
    EXPECT(bochs_fixture_build(&f, &img));
    take(out, "fixture bochs growing", &img.data, &img.len, sweep_plan_bochs);
}

typedef void (*fixture_fn)(struct fixture_image *out);

static void sweep_fixtures(const fixture_fn *build, size_t n, enum sweep_kind kind)
{
    for (size_t i = 0; i < n; i++) {
        struct fixture_image f = {0};
        build[i](&f);
        EXPECT(f.data != NULL);
        if (f.data != NULL) {
            sweep_one(f.data, f.len, f.name, kind, f.plan, TAIL);
        }
        free(f.data);
    }
}

static const fixture_fn vhdx_fixtures[] = {fixture_vhdx_differencing, fixture_vhdx_pending_log};
static const fixture_fn other_fixtures[] = {fixture_vhd_differencing, fixture_vdi_differencing,
                                            fixture_bochs_growing};

VD_TEST(truncate_fixtures)
{
    sweep_fixtures(vhdx_fixtures, sizeof(vhdx_fixtures) / sizeof(vhdx_fixtures[0]), TRUNCATE);
    sweep_fixtures(other_fixtures, sizeof(other_fixtures) / sizeof(other_fixtures[0]), TRUNCATE);
}

VD_TEST(mutate_fixtures_vhdx)
{
    sweep_fixtures(vhdx_fixtures, sizeof(vhdx_fixtures) / sizeof(vhdx_fixtures[0]), MUTATE);
}

VD_TEST(mutate_fixtures_vhd_vdi_bochs)
{
    sweep_fixtures(other_fixtures, sizeof(other_fixtures) / sizeof(other_fixtures[0]), MUTATE);
}
