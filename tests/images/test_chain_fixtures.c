/*
 * The differencing-chain fixtures of issue 6 (VHD in Windows' layout, VDI as VirtualBox
 * writes it): every image alone gives exactly the findings vdcheck emits today for such a
 * file, the merged disk the builder composes agrees with its own record and with the
 * images as vdcheck maps them one by one, the children name their parents the way the
 * chain resolver will compare them, and the files written to disk read like the bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain_fixture.h"
#include "vd_analyze.h"
#include "vd_bytes.h"
#include "vd_test.h"
#include "vd_test_image.h"
#include "vdi_chain_fixture.h"
#include "vhd_chain_fixture.h"

static const uint32_t seeds[] = {1u, 0x5eed2024u};
#define SEEDS (sizeof(seeds) / sizeof(seeds[0]))

struct expect_list {
    struct vd_expect e[64];
    size_t n;
};

static void want(struct expect_list *l, const char *id, uint64_t offset)
{
    EXPECT(l->n < 64);
    if (l->n < 64) {
        l->e[l->n++] = (struct vd_expect){id, offset};
    }
}

static bool nothing_above_info(const struct vd_image_result *r)
{
    return r->findings.by_severity[VD_SEV_WARNING] == 0 &&
           r->findings.by_severity[VD_SEV_ERROR] == 0 && r->findings.by_severity[VD_SEV_FATAL] == 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static bool contains(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; i + k <= n; i++) {
        if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- VHD: what vdcheck reports for each image alone ---- */

struct range {
    uint64_t at, len;
};

/* image.slack at the start of every gap between the claimed ranges (all fillers here). */
static void want_gaps(struct expect_list *l, struct range *r, size_t n)
{
    uint64_t cursor = 0;

    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && r[j - 1].at > r[j].at; j--) {
            struct range t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (r[i].at > cursor) {
            want(l, "image.slack", cursor);
        }
        if (r[i].at + r[i].len > cursor) {
            cursor = r[i].at + r[i].len;
        }
    }
}

static void vhd_expected(const struct vhd_chain_record *rec, unsigned l, struct expect_list *out)
{
    const struct vhd_chain_layer *y = &rec->layer[l];
    struct range r[8 + VHD_CHAIN_BLOCKS];
    size_t n = 0;

    out->n = 0;
    r[n++] = (struct range){0, 512};
    r[n++] = (struct range){y->dyn_at, 1024};
    r[n++] = (struct range){y->bat_at, y->bat_bytes};
    r[n++] = (struct range){y->footer_at, 512};
    want(out, "vhd.footer.size_chs_mismatch", y->footer_at + 48);
    if (l > 0) {
        r[n++] = (struct range){y->locator_at[0], y->locator_space[0]};
        r[n++] = (struct range){y->locator_at[1], y->locator_space[1]};
        want(out, "vhd.locator.space_in_bytes", y->dyn_at + 576 + 4);
        want(out, "vhd.locator.space_in_bytes", y->dyn_at + 576 + 24 + 4);
        want(out, "vhd.bitmap.empty", y->block_at[y->empty_block]);
        want(out, "image.parent.unresolved", 0);
    }
    for (uint32_t b = 0; b < VHD_CHAIN_BLOCKS; b++) {
        if (y->block_at[b] == 0) {
            continue;
        }
        r[n++] = (struct range){y->block_at[b], 512 + VHD_CHAIN_BLOCK_SIZE};
        for (uint32_t i = 0; rec->garbage && i < VHD_CHAIN_BLOCK_SECTORS; i++) {
            uint64_t s = (uint64_t)b * VHD_CHAIN_BLOCK_SECTORS + i;
            if (y->state[s] == VHD_CHAIN_CLEAR) {
                want(out, "vhd.bitmap.hidden_data", vhd_chain_sector_at(rec, l, s));
                break;
            }
        }
    }
    want_gaps(out, r, n);
}

static void check_vhd_alone(bool garbage)
{
    struct vhd_chain_options opt = {.zero_clear_sectors = !garbage};

    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;
            struct vhd_chain_record rec;

            EXPECT(vhd_chain_fixture_build_ex(&f, depth, seeds[k], &opt, &rec));
            for (unsigned l = 0; l <= depth; l++) {
                struct vd_image_result *r = vd_test_analyze(f.images[l], f.sizes[l], 0);
                struct expect_list e;

                fprintf(stderr, "  seed %" PRIu32 " depth %u %s\n", seeds[k], depth, f.names[l]);
                vhd_expected(&rec, l, &e);
                EXPECT(r->status == VD_OK);
                EXPECT_STR(r->info.format, "vhd");
                EXPECT_STR(r->info.variant, l == 0 ? "dynamic" : "differencing");
                vd_test_expect_findings(r, e.e, e.n, __FILE__, __LINE__);
                if (l == 0 || !garbage) {
                    EXPECT_STR(vd_verdict_name(r->verdict), "clean");
                    EXPECT(nothing_above_info(r));
                } else {
                    /* vhd.bitmap.hidden_data (warning) for each block that has garbage. */
                    EXPECT_STR(vd_verdict_name(r->verdict), "warnings");
                    EXPECT(r->findings.by_severity[VD_SEV_WARNING] ==
                           vd_findings_count_id(&r->findings, VD_F_VHD_BITMAP_HIDDEN_DATA));
                    EXPECT(r->findings.by_severity[VD_SEV_WARNING] > 0);
                    EXPECT(r->findings.by_severity[VD_SEV_ERROR] == 0);
                    EXPECT(r->findings.by_severity[VD_SEV_FATAL] == 0);
                }
                vd_result_free(r);
            }
            chain_fixture_free(&f);
        }
    }
}

VD_TEST(chain_fixture_vhd_images_alone)
{
    check_vhd_alone(true);
}

VD_TEST(chain_fixture_vhd_zero_filled_images_alone_are_clean)
{
    check_vhd_alone(false);
}

/* ---- VDI: what vdcheck reports for each image alone ---- */

VD_TEST(chain_fixture_vdi_images_alone)
{
    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;

            EXPECT(vdi_chain_fixture_build(&f, depth, seeds[k]));
            for (unsigned l = 0; l <= depth; l++) {
                struct vd_image_result *r = vd_test_analyze(f.images[l], f.sizes[l], 0);

                fprintf(stderr, "  seed %" PRIu32 " depth %u %s\n", seeds[k], depth, f.names[l]);
                EXPECT(r->status == VD_OK);
                EXPECT_STR(r->info.format, "vdi");
                EXPECT_STR(vd_verdict_name(r->verdict), "clean");
                EXPECT(nothing_above_info(r));
                if (l == 0) {
                    EXPECT_STR(r->info.variant, "dynamic");
                    EXPECT_NO_FINDINGS(r);
                } else {
                    EXPECT_STR(r->info.variant, "differencing");
                    EXPECT_FINDINGS(r, {"vdi.compat.qemu", 0x1A8}, {"vdi.compat.qemu", 0x1B8},
                                    {"image.parent.unresolved", 0});
                }
                vd_result_free(r);
            }
            chain_fixture_free(&f);
        }
    }
}

/* ---- the merged disk against the builder's record ---- */

static uint64_t base_virtual_size(const struct chain_fixture *f)
{
    struct vd_image_result *r = vd_test_analyze(f->images[0], f->sizes[0], 0);
    uint64_t size = r->info.has_virtual_size ? r->info.virtual_size : 0;

    vd_result_free(r);
    return size;
}

/* The record has what the chain tests rely on: fragmented bitmaps, fall-through, garbage. */
static void check_vhd_record_shape(const struct chain_fixture *f,
                                   const struct vhd_chain_record *rec)
{
    bool run1 = false, run_long = false;
    unsigned shared_owners = 0;

    for (unsigned l = 0; l <= rec->depth; l++) {
        const struct vhd_chain_layer *y = &rec->layer[l];
        unsigned absent = 0;

        EXPECT(y->block_at[rec->shared_block] != 0);
        EXPECT_U64(y->file_size, f->sizes[l]);
        for (uint32_t b = 0; b < VHD_CHAIN_BLOCKS; b++) {
            const uint8_t *st = y->state + (uint64_t)b * VHD_CHAIN_BLOCK_SECTORS;
            unsigned set = 0, clear = 0, run = 0;

            absent += y->block_at[b] == 0;
            for (uint32_t i = 0; i < VHD_CHAIN_BLOCK_SECTORS; i++) {
                set += st[i] == VHD_CHAIN_SET;
                clear += st[i] == VHD_CHAIN_CLEAR;
                EXPECT((st[i] == VHD_CHAIN_ABSENT) == (y->block_at[b] == 0));
                run++;
                if (i + 1 == VHD_CHAIN_BLOCK_SECTORS || st[i + 1] != st[i]) {
                    run1 = run1 || (l > 0 && st[i] != VHD_CHAIN_ABSENT && run == 1);
                    run_long = run_long || (l > 0 && st[i] != VHD_CHAIN_ABSENT && run >= 3);
                    run = 0;
                }
            }
            if (l == 0) {
                EXPECT(clear == 0); /* a dynamic base: whole blocks */
            } else if (b == y->empty_block) {
                EXPECT(set == 0 && clear == VHD_CHAIN_BLOCK_SECTORS);
            } else if (y->block_at[b] != 0) {
                EXPECT(set > 0 && clear > 0); /* fragmented */
            }
        }
        EXPECT(absent > 0); /* blocks that fall through (or read as zero in the base) */
    }
    EXPECT(run1 && run_long);
    /* The block every layer holds shows sectors of more than one layer, the top one among
     * them, and the top one wherever its bit is set. */
    for (uint32_t i = 0; i < VHD_CHAIN_BLOCK_SECTORS; i++) {
        uint64_t s = (uint64_t)rec->shared_block * VHD_CHAIN_BLOCK_SECTORS + i;
        EXPECT(rec->owner[s] >= 0); /* the base holds the whole block */
        shared_owners |= rec->owner[s] >= 0 ? 1u << rec->owner[s] : 0u;
        if (rec->layer[rec->depth].state[s] == VHD_CHAIN_SET) {
            EXPECT(rec->owner[s] == (int8_t)rec->depth);
        }
    }
    EXPECT((shared_owners & (1u << rec->depth)) != 0);
    EXPECT((shared_owners & (shared_owners - 1)) != 0);
}

VD_TEST(chain_fixture_vhd_merged_raw)
{
    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;
            struct vhd_chain_record rec;
            uint64_t garbage_sectors = 0;

            EXPECT(vhd_chain_fixture_build_ex(&f, depth, seeds[k], NULL, &rec));
            EXPECT(rec.garbage);
            EXPECT_U64(f.raw_size, VHD_CHAIN_DISK_SIZE);
            EXPECT_U64(base_virtual_size(&f), f.raw_size);
            check_vhd_record_shape(&f, &rec);
            for (uint64_t s = 0; s < VHD_CHAIN_SECTORS; s++) {
                const uint8_t *sector = f.raw + s * 512;
                int owner = rec.owner[s];

                /* The owner is the topmost layer with the bit set; nobody: zeros. */
                for (unsigned l = depth + 1; l-- > 0 && (int)l > owner;) {
                    EXPECT(rec.layer[l].state[s] != VHD_CHAIN_SET);
                }
                if (owner < 0) {
                    EXPECT(all_zero(sector, 512));
                } else {
                    EXPECT(rec.layer[owner].state[s] == VHD_CHAIN_SET);
                    EXPECT(memcmp(sector,
                                  f.images[owner] + vhd_chain_sector_at(&rec, (unsigned)owner, s),
                                  512) == 0);
                }
                /* The top child's written sectors appear as written. */
                if (rec.layer[depth].state[s] == VHD_CHAIN_SET) {
                    EXPECT(memcmp(sector, f.images[depth] + vhd_chain_sector_at(&rec, depth, s),
                                  512) == 0);
                }
                /* Garbage behind clear bits is stored, non-zero, and not in the merged disk. */
                for (unsigned l = 1; l <= depth; l++) {
                    const uint8_t *stored;
                    if (rec.layer[l].state[s] != VHD_CHAIN_CLEAR) {
                        continue;
                    }
                    stored = f.images[l] + vhd_chain_sector_at(&rec, l, s);
                    EXPECT(memcmp(stored, "GARBAGE", 7) == 0 && !all_zero(stored, 512));
                    EXPECT(memcmp(stored, sector, 512) != 0);
                    garbage_sectors++;
                }
            }
            EXPECT(garbage_sectors > 0);
            EXPECT(!contains(f.raw, f.raw_size, "GARBAGE"));
            chain_fixture_free(&f);
        }
    }
}

static void check_vdi_record_shape(const struct chain_fixture *f,
                                   const struct vdi_chain_record *rec)
{
    for (unsigned l = 0; l <= rec->depth; l++) {
        const struct vdi_chain_layer *y = &rec->layer[l];
        unsigned free_blocks = 0;

        EXPECT(y->state[rec->shared_block] == VDI_CHAIN_DATA);
        for (uint32_t b = 0; b < VDI_CHAIN_BLOCKS; b++) {
            uint32_t entry = vd_load_le32(f->images[l] + VDI_CHAIN_MAP_AT + 4 * b);
            EXPECT_U64(entry, y->entry[b]);
            free_blocks += y->state[b] == VDI_CHAIN_FREE;
            EXPECT((y->state[b] == VDI_CHAIN_FREE) == (entry == 0xFFFFFFFFu));
            EXPECT((y->state[b] == VDI_CHAIN_ZERO) == (entry == 0xFFFFFFFEu));
            EXPECT((y->state[b] == VDI_CHAIN_DATA) == (y->data_at[b] != 0));
        }
        EXPECT(free_blocks > 0);
        if (l > 0) {
            /* The zero block hides data a lower layer holds. */
            bool hidden = false;
            EXPECT(y->state[y->zero_block] == VDI_CHAIN_ZERO);
            for (unsigned k = 0; k < l; k++) {
                hidden = hidden || rec->layer[k].state[y->zero_block] == VDI_CHAIN_DATA;
            }
            EXPECT(hidden);
        }
    }
}

VD_TEST(chain_fixture_vdi_merged_raw)
{
    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;
            struct vdi_chain_record rec;
            const struct vdi_chain_layer *top = &rec.layer[depth];

            EXPECT(vdi_chain_fixture_build_ex(&f, depth, seeds[k], &rec));
            EXPECT_U64(f.raw_size, VDI_CHAIN_DISK_SIZE);
            EXPECT_U64(base_virtual_size(&f), f.raw_size);
            check_vdi_record_shape(&f, &rec);
            for (uint32_t b = 0; b < VDI_CHAIN_BLOCKS; b++) {
                const uint8_t *block = f.raw + (uint64_t)b * VDI_CHAIN_BLOCK_SIZE;
                int owner = rec.owner[b];

                /* Top down, the first entry that is not free decides. */
                for (unsigned l = depth + 1; l-- > 0;) {
                    if (rec.layer[l].state[b] != VDI_CHAIN_FREE) {
                        EXPECT(owner == (rec.layer[l].state[b] == VDI_CHAIN_DATA ? (int)l : -1));
                        break;
                    }
                }
                if (owner < 0) {
                    EXPECT(all_zero(block, VDI_CHAIN_BLOCK_SIZE));
                } else {
                    EXPECT(memcmp(block, f.images[owner] + rec.layer[owner].data_at[b],
                                  VDI_CHAIN_BLOCK_SIZE) == 0);
                }
                if (top->state[b] == VDI_CHAIN_DATA) {
                    EXPECT(memcmp(block, f.images[depth] + top->data_at[b], VDI_CHAIN_BLOCK_SIZE) ==
                           0);
                }
            }
            /* The top child's zero block reads as zeros over a parent's data. */
            EXPECT(all_zero(f.raw + (uint64_t)top->zero_block * VDI_CHAIN_BLOCK_SIZE,
                            VDI_CHAIN_BLOCK_SIZE));
            chain_fixture_free(&f);
        }
    }
}

/* ---- the merged disk against vdcheck's map of each image ---- */

struct sector_map {
    uint64_t sectors;
    uint8_t *kind; /* enum vd_extent_kind */
    uint64_t *at;  /* DATA: file offset of the sector */
    bool bad;      /* an extent not on sector boundaries or past the disk */
};

static enum vd_status collect(void *arg, const struct vd_extent *e)
{
    struct sector_map *m = arg;

    if (e->offset % 512 != 0 || e->length % 512 != 0 ||
        e->offset / 512 + e->length / 512 > m->sectors) {
        m->bad = true;
        return VD_OK;
    }
    for (uint64_t o = 0; o < e->length; o += 512) {
        m->kind[(e->offset + o) / 512] = (uint8_t)e->kind;
        m->at[(e->offset + o) / 512] = e->kind == VD_EXTENT_DATA ? e->file_offset + o : 0;
    }
    return VD_OK;
}

/* vdcheck's map of image l, one entry per sector; false when it gave none. */
static bool map_image(const struct chain_fixture *f, unsigned l, struct sector_map *m)
{
    struct vd_analyze_options opt = {
        .limits = VD_LIMITS_DEFAULT, .map_visit = collect, .map_arg = m};
    struct vd_image_result *r;
    bool mapped;

    m->sectors = f->raw_size / 512;
    m->kind = calloc((size_t)m->sectors, 1);
    m->at = calloc((size_t)m->sectors, sizeof(uint64_t));
    m->bad = false;
    if (m->kind == NULL || m->at == NULL) {
        abort();
    }
    memset(m->kind, 0xff, (size_t)m->sectors);
    r = vd_test_analyze_opts(f->images[l], f->sizes[l], &opt);
    mapped = r->mapped && !m->bad;
    for (uint64_t s = 0; mapped && s < m->sectors; s++) {
        mapped = m->kind[s] != 0xff;
    }
    vd_result_free(r);
    return mapped;
}

static void free_map(struct sector_map *m)
{
    free(m->kind);
    free(m->at);
}

/*
 * Composes the chain from vdcheck's per-image maps, as a resolver would (top down: data
 * wins, zero and unallocated read as zeros, parent goes one layer down), and compares the
 * result with the builder's raw disk. Each map is also returned for record checks.
 */
static void check_maps_compose(const struct chain_fixture *f, struct sector_map *maps)
{
    uint8_t *merged = calloc(1, f->raw_size);

    if (merged == NULL) {
        abort();
    }
    for (unsigned l = 0; l <= f->depth; l++) {
        EXPECT(map_image(f, l, &maps[l]));
    }
    for (uint64_t s = 0; s < f->raw_size / 512; s++) {
        for (unsigned l = f->depth + 1; l-- > 0;) {
            uint8_t kind = maps[l].kind[s];
            if (kind == VD_EXTENT_DATA) {
                EXPECT(maps[l].at[s] + 512 <= f->sizes[l]);
                if (maps[l].at[s] + 512 <= f->sizes[l]) {
                    memcpy(merged + s * 512, f->images[l] + maps[l].at[s], 512);
                }
            }
            if (kind != VD_EXTENT_PARENT) {
                EXPECT(l > 0 || kind != 0xff);
                break;
            }
            EXPECT(l > 0); /* the base has no parent */
        }
    }
    EXPECT(memcmp(merged, f->raw, f->raw_size) == 0);
    free(merged);
}

VD_TEST(chain_fixture_vhd_maps_compose_to_raw)
{
    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;
            struct vhd_chain_record rec;
            struct sector_map maps[CHAIN_FIXTURE_MAX_DEPTH + 1];

            EXPECT(vhd_chain_fixture_build_ex(&f, depth, seeds[k], NULL, &rec));
            check_maps_compose(&f, maps);
            for (unsigned l = 0; l <= depth; l++) {
                for (uint64_t s = 0; s < VHD_CHAIN_SECTORS; s++) {
                    uint8_t kind = maps[l].kind[s];
                    if (rec.layer[l].state[s] == VHD_CHAIN_SET) {
                        EXPECT(kind == VD_EXTENT_DATA);
                        EXPECT_U64(maps[l].at[s], vhd_chain_sector_at(&rec, l, s));
                    } else if (l > 0) {
                        EXPECT(kind == VD_EXTENT_PARENT);
                    } else {
                        EXPECT(kind == VD_EXTENT_UNALLOCATED || kind == VD_EXTENT_ZERO);
                    }
                }
                free_map(&maps[l]);
            }
            chain_fixture_free(&f);
        }
    }
}

VD_TEST(chain_fixture_vdi_maps_compose_to_raw)
{
    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;
            struct vdi_chain_record rec;
            struct sector_map maps[CHAIN_FIXTURE_MAX_DEPTH + 1];
            const uint64_t per_block = VDI_CHAIN_BLOCK_SIZE / 512;

            EXPECT(vdi_chain_fixture_build_ex(&f, depth, seeds[k], &rec));
            check_maps_compose(&f, maps);
            for (unsigned l = 0; l <= depth; l++) {
                for (uint64_t s = 0; s < VDI_CHAIN_DISK_SIZE / 512; s++) {
                    uint32_t b = (uint32_t)(s / per_block);
                    uint8_t kind = maps[l].kind[s];
                    switch (rec.layer[l].state[b]) {
                    case VDI_CHAIN_DATA:
                        EXPECT(kind == VD_EXTENT_DATA);
                        EXPECT_U64(maps[l].at[s], rec.layer[l].data_at[b] + (s % per_block) * 512);
                        break;
                    case VDI_CHAIN_ZERO:
                        EXPECT(kind == VD_EXTENT_ZERO);
                        break;
                    default:
                        EXPECT(kind == (l > 0 ? VD_EXTENT_PARENT : VD_EXTENT_UNALLOCATED));
                        break;
                    }
                }
                free_map(&maps[l]);
            }
            chain_fixture_free(&f);
        }
    }
}

/* ---- children name their parents ---- */

/* Every value the child expects of its parent is one the image shows about itself. */
static bool identity_matches(const struct vd_image_result *child,
                             const struct vd_image_result *parent)
{
    const struct vd_identity *want_id = &child->info.parent.expect;

    if (want_id->count == 0) {
        return false;
    }
    for (size_t i = 0; i < want_id->count; i++) {
        if (!vd_identity_has(&parent->info.identity, want_id->values[i].name,
                             want_id->values[i].value)) {
            return false;
        }
    }
    return true;
}

static bool has_hint(const struct vd_image_result *r, const char *path)
{
    for (size_t i = 0; i < r->info.parent.hint_count; i++) {
        if (strcmp(r->info.parent.hints[i].path, path) == 0) {
            return true;
        }
    }
    return false;
}

static void check_parent_links(const struct chain_fixture *f, bool vhd)
{
    struct vd_image_result *r[CHAIN_FIXTURE_MAX_DEPTH + 1];

    for (unsigned l = 0; l <= f->depth; l++) {
        r[l] = vd_test_analyze(f->images[l], f->sizes[l], 0);
        EXPECT(r[l]->info.needs_parent == (l > 0));
        EXPECT(r[l]->info.identity.count == 2);
    }
    for (unsigned l = 1; l <= f->depth; l++) {
        char path[128];
        EXPECT(r[l]->info.parent.expect.count == 2);
        EXPECT(identity_matches(r[l], r[l - 1]));
        for (unsigned other = 0; other <= f->depth; other++) {
            EXPECT(other == l - 1 || !identity_matches(r[l], r[other]));
        }
        if (vhd) {
            EXPECT(has_hint(r[l], f->names[l - 1])); /* the parent name */
            snprintf(path, sizeof(path), ".\\%s", f->names[l - 1]);
            EXPECT(has_hint(r[l], path));
            snprintf(path, sizeof(path), "C:\\VMs\\%s", f->names[l - 1]);
            EXPECT(has_hint(r[l], path));
        } else {
            EXPECT(r[l]->info.parent.search_folder);
        }
    }
    for (unsigned l = 0; l <= f->depth; l++) {
        vd_result_free(r[l]);
    }
}

VD_TEST(chain_fixture_children_name_their_parents)
{
    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;

            EXPECT(vhd_chain_fixture_build(&f, depth, seeds[k]));
            check_parent_links(&f, true);
            chain_fixture_free(&f);
            EXPECT(vdi_chain_fixture_build(&f, depth, seeds[k]));
            check_parent_links(&f, false);
            chain_fixture_free(&f);
        }
    }
}

/* ---- files on disk read like the bytes in memory ---- */

/*
 * Findings about the image itself, leaving out those about its parent (image.parent.*):
 * from a folder holding the chain, vd_analyze_path may resolve the parent, which bytes in
 * memory cannot.
 */
static size_t own_findings(const struct vd_image_result *r, const struct vd_finding **out,
                           size_t cap)
{
    size_t n = 0;

    for (size_t i = 0; i < r->findings.count; i++) {
        const char *id = vd_catalog_get(r->findings.items[i].id)->id;
        if (strncmp(id, "image.parent.", 13) != 0 && n < cap) {
            out[n++] = &r->findings.items[i];
        }
    }
    return n;
}

static void same_analysis(const struct vd_image_result *mem, const struct vd_image_result *file)
{
    const struct vd_finding *a[64], *b[64];
    size_t na = own_findings(mem, a, 64), nb = own_findings(file, b, 64);

    EXPECT(mem->status == VD_OK && file->status == VD_OK);
    EXPECT_STR(mem->info.format, file->info.format);
    EXPECT_STR(mem->info.variant, file->info.variant);
    EXPECT_U64(mem->info.virtual_size, file->info.virtual_size);
    EXPECT_STR(mem->container.hex[VD_DIGEST_SHA256], file->container.hex[VD_DIGEST_SHA256]);
    EXPECT_U64(nb, na);
    for (size_t i = 0; i < na && i < nb; i++) {
        EXPECT_STR(vd_catalog_get(b[i]->id)->id, vd_catalog_get(a[i]->id)->id);
        EXPECT(a[i]->severity == b[i]->severity);
        EXPECT_U64(b[i]->loc.offset, a[i]->loc.offset);
        EXPECT_U64(b[i]->loc.length, a[i]->loc.length);
        EXPECT_STR(b[i]->message, a[i]->message);
    }
    if (!mem->info.needs_parent) {
        EXPECT(file->verdict == mem->verdict);
        EXPECT_U64(file->findings.count, mem->findings.count);
    }
}

static bool file_holds(const char *path, const uint8_t *data, size_t len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *back = malloc(len + 1);
    bool same = fp != NULL && back != NULL && fread(back, 1, len + 1, fp) == len &&
                memcmp(back, data, len) == 0;

    if (fp != NULL) {
        fclose(fp);
    }
    free(back);
    return same;
}

static void check_written(const struct chain_fixture *f)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    char path[4200];
    struct vd_analyze_options opt = {.hash_mask = 1u << VD_DIGEST_SHA256,
                                     .limits = VD_LIMITS_DEFAULT};

    snprintf(dir, sizeof(dir), "%s/vdcheck-chain-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    EXPECT(mkdtemp(dir) != NULL);
    EXPECT(chain_fixture_write(f, dir));
    for (unsigned l = 0; l <= f->depth; l++) {
        char sha[65];
        struct vd_image_result *mem = vd_test_analyze(f->images[l], f->sizes[l], opt.hash_mask);
        struct vd_image_result *file;

        snprintf(path, sizeof(path), "%s/%s", dir, f->names[l]);
        EXPECT(file_holds(path, f->images[l], f->sizes[l]));
        file = vd_analyze_path(path, &opt);
        EXPECT(file != NULL);
        if (file != NULL) {
            EXPECT_U64(file->stat.size, f->sizes[l]);
            same_analysis(mem, file);
            vd_test_sha256_hex(f->images[l], f->sizes[l], sha);
            EXPECT_STR(file->container.hex[VD_DIGEST_SHA256], sha);
            vd_result_free(file);
        }
        vd_result_free(mem);
    }
    for (unsigned l = 0; l <= f->depth; l++) {
        snprintf(path, sizeof(path), "%s/%s", dir, f->names[l]);
        EXPECT(unlink(path) == 0);
    }
    EXPECT(rmdir(dir) == 0);
}

VD_TEST(chain_fixture_files_match_memory)
{
    for (size_t k = 0; k < SEEDS; k++) {
        for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
            struct chain_fixture f;

            EXPECT(vhd_chain_fixture_build(&f, depth, seeds[k]));
            check_written(&f);
            chain_fixture_free(&f);
            EXPECT(vdi_chain_fixture_build(&f, depth, seeds[k]));
            check_written(&f);
            chain_fixture_free(&f);
        }
    }
}

VD_TEST(chain_fixture_write_reports_io_errors)
{
    struct chain_fixture f;

    EXPECT(vhd_chain_fixture_build(&f, 1, 7));
    EXPECT(!chain_fixture_write(&f, "/nonexistent-vdcheck-dir/sub"));
    chain_fixture_free(&f);
}

/* ---- builder contract ---- */

VD_TEST(chain_fixture_builds_are_deterministic)
{
    for (int vdi = 0; vdi < 2; vdi++) {
        struct chain_fixture a, b, c;
        bool (*build)(struct chain_fixture *, unsigned, uint32_t) =
            vdi ? vdi_chain_fixture_build : vhd_chain_fixture_build;

        EXPECT(!build(&a, 0, 1));
        EXPECT(!build(&a, CHAIN_FIXTURE_MAX_DEPTH + 1, 1));
        EXPECT(build(&a, 3, seeds[0]) && build(&b, 3, seeds[0]) && build(&c, 3, seeds[1]));
        EXPECT(a.depth == 3);
        for (unsigned l = 0; l <= 3; l++) {
            EXPECT_STR(a.names[l], b.names[l]);
            EXPECT(a.sizes[l] == b.sizes[l] && memcmp(a.images[l], b.images[l], a.sizes[l]) == 0);
        }
        EXPECT_STR(a.names[0], vdi ? "base.vdi" : "base.vhd");
        EXPECT_STR(a.names[3], vdi ? "child3.vdi" : "child3.vhd");
        EXPECT(memcmp(a.raw, b.raw, a.raw_size) == 0);
        EXPECT(memcmp(a.raw, c.raw, a.raw_size) != 0);
        chain_fixture_free(&a);
        chain_fixture_free(&b);
        chain_fixture_free(&c);
        EXPECT(a.images[0] == NULL && a.raw == NULL);
    }
}
