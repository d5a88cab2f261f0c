#define _DEFAULT_SOURCE /* mkdtemp, realpath */
/*
 * Differencing chains (issue 6): the merged disk of VHD, VHDX and VDI chains of depth 1 to
 * 3 equals the raw disk the fixture computed on its own; missing and mismatching parents;
 * the shared-corpus pairs; hostile locators (traversal, symlinks, absolute paths, cycles,
 * a 100-deep chain), with every file the analysis opens recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bochs_fixture.h"
#include "chain_fixture.h"
#include "vd_analyze.h"
#include "vd_source.h"
#include "vd_test.h"
#include "vd_test_image.h"
#include "vdi_chain_fixture.h"
#include "vhd_chain_fixture.h"
#include "vhd_fixture.h"
#include "vhd_layout.h"
#include "vhdx_chain_fixture.h"

static const uint32_t seeds[] = {1, 0x5eed2024};

/* A fresh folder under TMPDIR (removed by scratch_remove). */
static void scratch_dir(char *out, size_t cap)
{
    const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

    snprintf(out, cap, "%s/vdcheck-chain-XXXXXX", tmp);
    EXPECT(mkdtemp(out) != NULL);
}

static void scratch_remove(const char *dir)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    EXPECT(system(cmd) == 0);
}

/* Every path the analysis asked vd_source to open. */
struct opened {
    char paths[256][512];
    size_t count;
};

static void record_open(const char *path, void *arg)
{
    struct opened *o = arg;

    if (o->count < 256) {
        snprintf(o->paths[o->count++], 512, "%s", path);
    }
}

static struct vd_image_result *analyze(const char *path, unsigned mask, bool no_parent,
                                       const char *const *roots, size_t root_count,
                                       struct opened *opened)
{
    struct vd_analyze_options opt = {.hash_mask = mask,
                                     .limits = VD_LIMITS_DEFAULT,
                                     .no_parent = no_parent,
                                     .parent_dirs = roots,
                                     .parent_dir_count = root_count};
    struct vd_image_result *r;

    if (opened != NULL) {
        opened->count = 0;
        vd_source_set_open_hook(record_open, opened);
    }
    r = vd_analyze_path(path, &opt);
    vd_source_set_open_hook(NULL, NULL);
    EXPECT(r != NULL);
    return r;
}

static size_t count_id(const struct vd_image_result *r, const char *id)
{
    return vd_findings_count_id(&r->findings, vd_catalog_find(id));
}

/* The top child of a written chain hashes to the fixture's raw disk; every link matches. */
static void expect_merged(const struct chain_fixture *f, const char *dir)
{
    char top[600];
    char want[65];
    struct vd_image_result *r;

    snprintf(top, sizeof(top), "%s/%s", dir, f->names[f->depth]);
    r = analyze(top, 1u << VD_DIGEST_SHA256, false, NULL, 0, NULL);
    vd_test_sha256_hex(f->raw, f->raw_size, want);
    EXPECT(r->chain_complete);
    EXPECT_U64(r->chain_count, f->depth);
    for (size_t i = 0; i < r->chain_count; i++) {
        EXPECT(r->chain[i].identity_match);
        EXPECT(strstr(r->chain[i].result->path, f->names[f->depth - 1 - i]) != NULL);
    }
    EXPECT_U64(count_id(r, "image.parent.unresolved"), 0);
    EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_SHA256], want);
    vd_result_free(r);
}

typedef bool (*chain_builder)(struct chain_fixture *f, unsigned depth, uint32_t seed);

static void merged_for_all(chain_builder build)
{
    for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
        for (size_t s = 0; s < VD_ARRAY_LEN(seeds); s++) {
            struct chain_fixture f;
            char dir[512];
            EXPECT(build(&f, depth, seeds[s]));
            scratch_dir(dir, sizeof(dir));
            EXPECT(chain_fixture_write(&f, dir));
            fprintf(stderr, "  depth %u seed %#x\n", depth, seeds[s]);
            expect_merged(&f, dir);
            scratch_remove(dir);
            chain_fixture_free(&f);
        }
    }
}

VD_TEST(chain_vhd_merged_disk_equals_raw)
{
    merged_for_all(vhd_chain_fixture_build);
}

VD_TEST(chain_vhdx_merged_disk_equals_raw)
{
    merged_for_all(vhdx_chain_fixture_build);
}

VD_TEST(chain_vdi_merged_disk_equals_raw)
{
    merged_for_all(vdi_chain_fixture_build);
}

/* A missing parent: reported, no merged hash; --no-parent reads its sectors as zero. */
VD_TEST(chain_missing_parent_and_no_parent)
{
    struct chain_fixture f;
    struct vhd_chain_record *rec = calloc(1, sizeof(*rec));
    char dir[512];
    char path[600];
    char want[65];
    FILE *out;

    EXPECT(rec != NULL && vhd_chain_fixture_build_ex(&f, 1, seeds[0], NULL, rec));
    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/%s", dir, f.names[1]);
    out = fopen(path, "wb");
    EXPECT(out != NULL && fwrite(f.images[1], 1, f.sizes[1], out) == f.sizes[1]);
    fclose(out);

    struct vd_image_result *r = analyze(path, 1u << VD_DIGEST_SHA256, false, NULL, 0, NULL);
    EXPECT_U64(count_id(r, "image.parent.missing"), 1);
    EXPECT_U64(count_id(r, "image.parent.unresolved"), 1);
    EXPECT(r->virtual_disk.mask == 0 && !r->chain_complete && r->chain_count == 0);
    vd_result_free(r);

    /* Only the child's own sectors, zeros elsewhere. */
    for (uint64_t s = 0; s < VHD_CHAIN_SECTORS; s++) {
        if (rec->layer[1].state[s] != VHD_CHAIN_SET) {
            memset(f.raw + s * 512, 0, 512);
        }
    }
    vd_test_sha256_hex(f.raw, f.raw_size, want);
    r = analyze(path, 1u << VD_DIGEST_SHA256, true, NULL, 0, NULL);
    EXPECT(r->parent_as_zero);
    EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_SHA256], want);
    vd_result_free(r);
    scratch_remove(dir);
    chain_fixture_free(&f);
    free(rec);
}

/* A base of another chain under the right name: the UUID and time stamp do not match. */
VD_TEST(chain_identity_mismatch_is_an_error)
{
    struct chain_fixture a;
    struct chain_fixture b;
    char dir[512];
    char path[600];

    EXPECT(vhd_chain_fixture_build(&a, 1, seeds[0]) && vhd_chain_fixture_build(&b, 1, seeds[1]));
    free(a.images[0]);
    a.images[0] = b.images[0]; /* a's child over b's base */
    a.sizes[0] = b.sizes[0];
    b.images[0] = NULL;
    scratch_dir(dir, sizeof(dir));
    EXPECT(chain_fixture_write(&a, dir));
    snprintf(path, sizeof(path), "%s/%s", dir, a.names[1]);
    struct vd_image_result *r = analyze(path, 1u << VD_DIGEST_SHA256, false, NULL, 0, NULL);
    EXPECT_U64(count_id(r, "image.parent.identity"), 2); /* uuid and timestamp */
    EXPECT_U64(r->chain_count, 1);
    EXPECT(!r->chain[0].identity_match && !r->chain_complete);
    EXPECT(r->virtual_disk.mask == 0);
    EXPECT_STR(vd_verdict_name(r->verdict), "errors");
    vd_result_free(r);
    scratch_remove(dir);
    chain_fixture_free(&a);
    chain_fixture_free(&b);
}

/* dfvfs: the differential image names "image.vhd"; its parent is dfvfs_image.vhd. */
VD_TEST(chain_shared_dfvfs_pair)
{
    const char *shared = vd_test_shared_corpus_or_skip();
    char dir[512];
    char cmd[2048];
    char child[600];

    scratch_dir(dir, sizeof(dir));
    snprintf(cmd, sizeof(cmd),
             "cp '%s/vhd/dfvfs_image.vhd' '%s/image.vhd' && "
             "cp '%s/vhd/dfvfs_image-differential.vhd' '%s/child.vhd'",
             shared, dir, shared, dir);
    EXPECT(system(cmd) == 0);
    snprintf(child, sizeof(child), "%s/child.vhd", dir);
    struct vd_image_result *r = analyze(child, 0, false, NULL, 0, NULL);
    EXPECT_U64(r->chain_count, 1);
    /* Both files have bad checksums (hand-edited), each reported under its own path. */
    EXPECT(count_id(r, "vhd.footer.checksum") > 0);
    EXPECT(count_id(r->chain[0].result, "vhd.footer.checksum") > 0);
    /* The UUID matches; the child records no parent time stamp (0), so none is compared. */
    EXPECT_U64(count_id(r, "image.parent.identity"), 0);
    EXPECT_U64(count_id(r, "vhd.dyn.parent_timestamp_zero"), 1);
    EXPECT(r->chain[0].identity_match && r->chain_complete);
    vd_result_free(r);
    scratch_remove(dir);
}

/* ---- hostile locators ---- */

/* A differencing VHD naming `parent` (header name and both locators) with the given ids. */
static void write_child(const char *path, const char *parent, const uint8_t uuid[16],
                        const uint8_t parent_uuid[16])
{
    struct vhd_fixture f;
    struct vhd_fixture_image img;
    FILE *out;

    vhd_fixture_defaults(&f, VHD_TYPE_DIFFERENCING);
    memcpy(f.uuid, uuid, 16);
    memcpy(f.parent_uuid, parent_uuid, 16);
    f.timestamp = 0x2c000000; /* children and parents share one time stamp here */
    f.parent_timestamp = 0x2c000000;
    f.parent_name = parent;
    EXPECT(vhd_fixture_build(&f, &img));
    out = fopen(path, "wb");
    EXPECT(out != NULL && fwrite(img.data, 1, img.len, out) == img.len);
    fclose(out);
    vhd_fixture_free(&img);
}

static void write_base(const char *path, const uint8_t uuid[16])
{
    struct vhd_fixture f;
    struct vhd_fixture_image img;
    FILE *out;

    vhd_fixture_defaults(&f, VHD_TYPE_DYNAMIC);
    memcpy(f.uuid, uuid, 16);
    f.timestamp = 0x2c000000;
    EXPECT(vhd_fixture_build(&f, &img));
    out = fopen(path, "wb");
    EXPECT(out != NULL && fwrite(img.data, 1, img.len, out) == img.len);
    fclose(out);
    vhd_fixture_free(&img);
}

static void uuid_of(unsigned n, uint8_t out[16])
{
    memset(out, 0, 16);
    out[0] = 0x42;
    out[14] = (uint8_t)(n >> 8);
    out[15] = (uint8_t)n;
}

/* No path the analysis opened lies outside `inside`. */
static void expect_opened_inside(const struct opened *o, const char *inside)
{
    for (size_t i = 0; i < o->count; i++) {
        char real[4096];
        EXPECT(realpath(o->paths[i], real) != NULL);
        EXPECT(strncmp(real, inside, strlen(inside)) == 0);
    }
}

VD_TEST(chain_hostile_paths_are_never_opened)
{
    static struct opened opened;
    char dir[512];
    char real_dir[4096];
    char path[2048];
    char name[2048];
    uint8_t base_id[16];
    uint8_t child_id[16];

    uuid_of(1, base_id);
    uuid_of(2, child_id);
    scratch_dir(dir, sizeof(dir));
    /* dir/outside/base.vhd is a real, matching parent; the children live in dir/case. */
    snprintf(path, sizeof(path), "mkdir -p '%s/outside' '%s/case' '%s/link'", dir, dir, dir);
    EXPECT(system(path) == 0);
    snprintf(path, sizeof(path), "%s/outside/base.vhd", dir);
    write_base(path, base_id);
    snprintf(name, sizeof(name), "%s/case", dir);
    EXPECT(realpath(name, real_dir) != NULL);

    /* 1. "..\outside\base.vhd": traversal out of the folder is reported, not opened. */
    snprintf(path, sizeof(path), "%s/case/traversal.vhd", dir);
    write_child(path, "..\\outside\\base.vhd", child_id, base_id);
    struct vd_image_result *r = analyze(path, 0, false, NULL, 0, &opened);
    EXPECT(count_id(r, "image.parent.outside") > 0);
    EXPECT_U64(count_id(r, "image.parent.missing"), 1);
    EXPECT_U64(r->chain_count, 0);
    expect_opened_inside(&opened, real_dir);
    vd_result_free(r);

    /* 1b. "..\..\": two levels up, the same. */
    snprintf(path, sizeof(path), "mkdir -p '%s/case/deeper'", dir);
    EXPECT(system(path) == 0);
    snprintf(path, sizeof(path), "%s/case/deeper/traversal2.vhd", dir);
    write_child(path, "..\\..\\outside\\base.vhd", child_id, base_id);
    r = analyze(path, 0, false, NULL, 0, &opened);
    EXPECT(count_id(r, "image.parent.outside") > 0);
    EXPECT_U64(r->chain_count, 0);
    snprintf(name, sizeof(name), "%s/case/deeper", dir);
    EXPECT(realpath(name, real_dir) != NULL);
    expect_opened_inside(&opened, real_dir);
    vd_result_free(r);
    snprintf(name, sizeof(name), "%s/case", dir);
    EXPECT(realpath(name, real_dir) != NULL);

    /* 2. An absolute path: reported, and only its file name is looked for in the roots. */
    snprintf(name, sizeof(name), "%s/outside/base.vhd", dir);
    snprintf(path, sizeof(path), "%s/case/absolute.vhd", dir);
    write_child(path, name, child_id, base_id);
    r = analyze(path, 0, false, NULL, 0, &opened);
    EXPECT_U64(count_id(r, "image.parent.missing"), 1);
    EXPECT(count_id(r, "image.parent.outside") > 0);
    expect_opened_inside(&opened, real_dir);
    vd_result_free(r);

    /* 3. A symlink in the folder pointing out of it. */
    snprintf(name, sizeof(name), "ln -s '%s/outside/base.vhd' '%s/case/base.vhd'", dir, dir);
    EXPECT(system(name) == 0);
    snprintf(path, sizeof(path), "%s/case/symlinked.vhd", dir);
    write_child(path, "base.vhd", child_id, base_id);
    r = analyze(path, 0, false, NULL, 0, &opened);
    EXPECT(count_id(r, "image.parent.outside") > 0);
    EXPECT_U64(r->chain_count, 0);
    expect_opened_inside(&opened, real_dir);
    vd_result_free(r);

    /* 4. With --parent-dir naming the other folder, the same child resolves. */
    snprintf(name, sizeof(name), "%s/outside", dir);
    const char *roots[] = {name};
    r = analyze(path, 0, false, roots, 1, &opened);
    EXPECT_U64(r->chain_count, 1);
    EXPECT(r->chain_complete && r->chain[0].identity_match);
    vd_result_free(r);
    scratch_remove(dir);
}

/* A names B, B names A: a cycle, found and reported, no hang. */
VD_TEST(chain_cycle_is_reported)
{
    char dir[512];
    char a[600];
    char b[600];
    uint8_t id_a[16];
    uint8_t id_b[16];

    uuid_of(10, id_a);
    uuid_of(11, id_b);
    scratch_dir(dir, sizeof(dir));
    snprintf(a, sizeof(a), "%s/a.vhd", dir);
    snprintf(b, sizeof(b), "%s/b.vhd", dir);
    write_child(a, "b.vhd", id_a, id_b);
    write_child(b, "a.vhd", id_b, id_a);
    struct vd_image_result *r = analyze(a, 1u << VD_DIGEST_MD5, false, NULL, 0, NULL);
    EXPECT_U64(r->chain_count, 1);
    EXPECT_U64(count_id(r->chain[0].result, "image.parent.cycle"), 1);
    EXPECT(!r->chain_complete && r->virtual_disk.mask == 0);
    vd_result_free(r);
    scratch_remove(dir);
}

/* 100 children over a base: followed to the limit (64), reported there, quickly. */
VD_TEST(chain_depth_limit)
{
    char dir[512];
    char path[600];
    char parent[64];
    uint8_t id[16];
    uint8_t parent_id[16];

    scratch_dir(dir, sizeof(dir));
    uuid_of(1000, id);
    snprintf(path, sizeof(path), "%s/c000.vhd", dir);
    write_base(path, id);
    for (unsigned i = 1; i <= 100; i++) {
        memcpy(parent_id, id, 16);
        uuid_of(1000 + i, id);
        snprintf(parent, sizeof(parent), "c%03u.vhd", i - 1);
        snprintf(path, sizeof(path), "%s/c%03u.vhd", dir, i);
        write_child(path, parent, id, parent_id);
    }
    struct vd_image_result *r = analyze(path, 1u << VD_DIGEST_MD5, false, NULL, 0, NULL);
    EXPECT_U64(r->chain_count, 64);
    EXPECT_U64(count_id(r->chain[63].result, "image.parent.depth"), 1);
    EXPECT(!r->chain_complete && r->virtual_disk.mask == 0);
    vd_result_free(r);

    /* Twenty deep is within the limit: resolved to the base. */
    snprintf(path, sizeof(path), "%s/c020.vhd", dir);
    r = analyze(path, 1u << VD_DIGEST_MD5, false, NULL, 0, NULL);
    EXPECT_U64(r->chain_count, 20);
    EXPECT(r->chain_complete && r->virtual_disk.mask != 0);
    vd_result_free(r);
    scratch_remove(dir);
}

/* A VHDX child without parent_linkage cannot prove its link: reported, not read through. */
VD_TEST(chain_vhdx_without_linkage_is_unproven)
{
    static const char key[] = "parent_linkage";
    struct chain_fixture f;
    char dir[512];
    char path[600];
    size_t renamed = 0;

    EXPECT(vhdx_chain_fixture_build(&f, 1, seeds[0]));
    /* Rename the UTF-16LE key "parent_linkage" (not "parent_linkage2") to "parent_linkagX". */
    for (size_t at = 0; at + 2 * sizeof(key) <= f.sizes[1]; at++) {
        bool hit = true;
        for (size_t i = 0; i + 1 < sizeof(key) && hit; i++) {
            hit = f.images[1][at + 2 * i] == (uint8_t)key[i] && f.images[1][at + 2 * i + 1] == 0;
        }
        if (hit && f.images[1][at + 2 * (sizeof(key) - 1)] != '2') {
            f.images[1][at + 2 * (sizeof(key) - 2)] = 'X';
            renamed++;
        }
    }
    EXPECT_U64(renamed, 1);
    scratch_dir(dir, sizeof(dir));
    EXPECT(chain_fixture_write(&f, dir));
    snprintf(path, sizeof(path), "%s/%s", dir, f.names[1]);
    struct vd_image_result *r = analyze(path, 1u << VD_DIGEST_SHA256, false, NULL, 0, NULL);
    EXPECT_U64(count_id(r, "vhdx.locator.linkage_missing"), 1);
    EXPECT_U64(count_id(r, "image.parent.identity"), 1);
    EXPECT_U64(r->chain_count, 1);
    EXPECT(!r->chain[0].identity_match && !r->chain_complete && r->virtual_disk.mask == 0);
    vd_result_free(r);
    scratch_remove(dir);
    chain_fixture_free(&f);
}

/* A Bochs undoable redolog names no base: nothing is searched, nothing is missing. */
VD_TEST(chain_bochs_redolog_searches_nothing)
{
    struct bochs_fixture f;
    struct bochs_fixture_image img;
    char dir[512];
    char path[600];
    FILE *out;

    bochs_fixture_defaults(&f);
    f.subtype = "Undoable";
    EXPECT(bochs_fixture_build(&f, &img));
    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/redo.img", dir);
    out = fopen(path, "wb");
    EXPECT(out != NULL && fwrite(img.data, 1, img.len, out) == img.len);
    fclose(out);
    struct vd_image_result *r = analyze(path, 0, false, NULL, 0, NULL);
    EXPECT_STR(r->info.variant, "undoable");
    EXPECT_U64(count_id(r, "image.parent.missing"), 0);
    EXPECT_U64(count_id(r, "image.parent.unresolved"), 1);
    vd_result_free(r);
    bochs_fixture_free(&img);
    scratch_remove(dir);
}

/*
 * A stale base of the same name beside the child, the real one in a --parent-dir root: the
 * matching one wins; without the root, the stale one is reported as a mismatch.
 */
VD_TEST(chain_matching_parent_wins_over_a_stale_one)
{
    struct chain_fixture a;
    struct chain_fixture b;
    char dir[512];
    char real[1200];
    char path[1200];

    EXPECT(vhd_chain_fixture_build(&a, 1, seeds[0]) && vhd_chain_fixture_build(&b, 1, seeds[1]));
    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "mkdir '%s/case' '%s/real'", dir, dir);
    EXPECT(system(path) == 0);
    snprintf(real, sizeof(real), "%s/real", dir);
    EXPECT(chain_fixture_write(&a, real)); /* the true base (and a copy of the child) */
    snprintf(path, sizeof(path), "%s/case", dir);
    free(a.images[0]);
    a.images[0] = b.images[0]; /* beside the child: another chain's base.vhd */
    a.sizes[0] = b.sizes[0];
    b.images[0] = NULL;
    EXPECT(chain_fixture_write(&a, path));
    snprintf(path, sizeof(path), "%s/case/%s", dir, a.names[1]);

    const char *roots[] = {real};
    struct vd_image_result *r = analyze(path, 0, false, roots, 1, NULL);
    EXPECT(r->chain_complete && r->chain_count == 1 && r->chain[0].identity_match);
    EXPECT(strstr(r->chain[0].result->path, "/real/") != NULL);
    EXPECT_U64(count_id(r, "image.parent.identity"), 0);
    vd_result_free(r);

    r = analyze(path, 0, false, NULL, 0, NULL);
    EXPECT(!r->chain_complete && r->chain_count == 1 && !r->chain[0].identity_match);
    EXPECT(count_id(r, "image.parent.identity") > 0);
    vd_result_free(r);
    scratch_remove(dir);
    chain_fixture_free(&a);
    chain_fixture_free(&b);
}
