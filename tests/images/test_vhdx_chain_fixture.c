/*
 * The differencing VHDX chains of tests/fixtures/vhdx_chain_fixture (issue 6), depth 1 to 3,
 * each with an even seed (8 MiB disk) and an odd one (7.5 MiB, the last block cut):
 *  - every image alone is what vdcheck accepts today: the base clean with no finding (and
 *    its own virtual disk hashed as the record says), each child clean with exactly
 *    image.parent.unresolved (info), its BAT counts and its locator as the record says;
 *  - each child's parent_linkage is its parent's DataWriteGuid as vdcheck decodes it from
 *    the parent's current header;
 *  - the merged disk agrees with the record (the topmost layer that holds a sector wins, no
 *    garbage byte of a bitmap-clear sector anywhere) and with a merge of the images read
 *    back here through their BATs and sector bitmaps, independently of the builder.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_analyze.h"
#include "vd_bytes.h"
#include "vd_guid.h"
#include "vd_test.h"
#include "vd_test_corpus.h"
#include "vd_test_image.h"
#include "vhdx_chain_fixture.h"
#include "vhdx_layout.h"

#define SECTOR      512u
#define SPB         (VHDX_MiB / SECTOR)
#define SHA256_MASK (1u << VD_DIGEST_SHA256)

static const uint32_t seeds[] = {0x5eed0c4au, 0x9e3779b9u}; /* even, odd */

struct chain {
    struct chain_fixture f;
    struct vhdx_chain_record *rec;
};

static struct chain chain_build(unsigned depth, uint32_t seed)
{
    struct chain c;

    memset(&c, 0, sizeof(c));
    c.rec = malloc(sizeof(*c.rec));
    if (c.rec == NULL || !vhdx_chain_fixture_build_record(&c.f, depth, seed, c.rec)) {
        abort();
    }
    fprintf(stderr, "  depth %u seed %#x: %llu bytes\n", depth, seed,
            (unsigned long long)c.rec->virtual_size);
    return c;
}

static void chain_free(struct chain *c)
{
    chain_fixture_free(&c->f);
    free(c->rec);
}

/* details->a->b as a boolean; a failed check (and true) when absent or of another kind. */
static bool detail_bool(const struct vd_image_result *r, const char *a, const char *b)
{
    const struct vd_fact *f = vd_test_fact(r->details, a, b);

    EXPECT(f != NULL && f->kind == VD_FACT_BOOL);
    return f == NULL || f->kind != VD_FACT_BOOL || f->boolean;
}

static const char *current_data_write_guid(const struct vd_image_result *r)
{
    const struct vd_fact *headers = vd_test_fact(r->details, "headers", NULL);

    for (const struct vd_fact *h = headers != NULL ? headers->first : NULL; h != NULL;
         h = h->next) {
        const struct vd_fact *cur = vd_fact_get(h, "current");
        if (cur != NULL && cur->boolean) {
            return vd_fact_get(h, "data_write_guid")->string;
        }
    }
    vd_test_check(false, "no current header in details.headers", __FILE__, __LINE__);
    return "";
}

/* "{GUID}" (either case) names the same GUID as vdcheck's lowercase "guid". */
static bool linkage_is(const char *linkage, const char *guid)
{
    size_t n = strlen(guid);

    if (strlen(linkage) != n + 2 || linkage[0] != '{' || linkage[n + 1] != '}') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (tolower((unsigned char)linkage[i + 1]) != guid[i]) {
            return false;
        }
    }
    return true;
}

static uint64_t count_state(const struct vhdx_chain_record *rec, unsigned l, uint8_t state)
{
    uint64_t n = 0;

    for (unsigned b = 0; b < VHDX_CHAIN_BLOCKS; b++) {
        n += rec->state[l][b] == state ? 1u : 0u;
    }
    return n;
}

/* The disk image l alone presents: its own sectors, zeros for the rest (the base only). */
static uint8_t *layer_alone(const struct chain *c, unsigned l)
{
    uint8_t *disk = calloc(1, c->f.raw_size);

    EXPECT(disk != NULL);
    for (uint64_t s = 0; disk != NULL && s < c->rec->sectors; s++) {
        if (c->rec->where[l][s] == VHDX_CHAIN_HERE) {
            vhdx_chain_sector_data(c->rec->seed, l, s, disk + s * SECTOR);
        }
    }
    return disk;
}

static void check_base_alone(const struct chain *c, const struct vd_image_result *r)
{
    uint8_t *disk = layer_alone(c, 0);
    char hex[65];

    EXPECT_NO_FINDINGS(r);
    EXPECT_STR(vd_verdict_name(r->verdict), "clean");
    EXPECT_STR(r->info.variant, "dynamic");
    EXPECT(!r->info.needs_parent);
    EXPECT_U64(r->info.virtual_size, c->rec->virtual_size);
    EXPECT_U64(vd_test_detail_u64(r, "bat", "fully_present"),
               count_state(c->rec, 0, VHDX_PAYLOAD_FULLY_PRESENT));
    EXPECT_U64(vd_test_detail_u64(r, "bat", "zero"), count_state(c->rec, 0, VHDX_PAYLOAD_ZERO));
    EXPECT(vd_test_fact(r->details, "parent", NULL) == NULL);
    vd_test_sha256_hex(disk, c->f.raw_size, hex);
    EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_SHA256], hex);
    free(disk);
}

static void check_child_alone(const struct chain *c, unsigned l, const struct vd_image_result *r,
                              const char *parent_guid)
{
    const struct vhdx_chain_record *rec = c->rec;
    /* Differencing BAT: one chunk, 4096 payload entries, 8 of them inside the disk. */
    uint64_t payload_entries = rec->layout[l].chunk_ratio;

    EXPECT_FINDINGS(r, {"image.parent.unresolved", 0});
    EXPECT_STR(vd_verdict_name(r->verdict), "clean");
    EXPECT_STR(r->info.variant, "differencing");
    EXPECT(r->info.needs_parent);
    EXPECT_U64(r->info.virtual_size, rec->virtual_size);
    EXPECT_U64(r->virtual_disk.mask, 0);
    EXPECT(detail_bool(r, "metadata", "has_parent"));
    EXPECT_U64(vd_test_detail_u64(r, "bat", "entries"), payload_entries + 1);
    EXPECT_U64(vd_test_detail_u64(r, "bat", "fully_present"),
               count_state(rec, l, VHDX_PAYLOAD_FULLY_PRESENT));
    EXPECT_U64(vd_test_detail_u64(r, "bat", "partially_present"),
               count_state(rec, l, VHDX_PAYLOAD_PARTIALLY_PRESENT));
    EXPECT_U64(vd_test_detail_u64(r, "bat", "zero"), count_state(rec, l, VHDX_PAYLOAD_ZERO));
    EXPECT_U64(vd_test_detail_u64(r, "bat", "not_present"),
               payload_entries - VHDX_CHAIN_BLOCKS + count_state(rec, l, VHDX_PAYLOAD_NOT_PRESENT));
    EXPECT_U64(vd_test_detail_u64(r, "bat", "partially_present_sectors"), rec->present_sectors[l]);
    EXPECT_STR(vd_test_detail_str(r, "parent", "parent_linkage"), rec->parent_linkage[l]);
    EXPECT_STR(vd_test_detail_str(r, "parent", "relative_path"), rec->relative_path[l]);
    EXPECT_STR(vd_test_detail_str(r, "parent", "absolute_win32_path"), rec->absolute_path[l]);
    if (rec->volume_path[l][0] != '\0') {
        EXPECT_STR(vd_test_detail_str(r, "parent", "volume_path"), rec->volume_path[l]);
    } else {
        EXPECT(vd_test_fact(r->details, "parent", "volume_path") == NULL);
    }
    EXPECT(vd_test_fact(r->details, "parent", "parent_linkage2") == NULL);
    /* The link to the image below, as vdcheck decoded both. */
    EXPECT(linkage_is(vd_test_detail_str(r, "parent", "parent_linkage"), parent_guid));
}

/* Every image of the chain analyzed on its own, the child's linkage against its parent. */
static void check_images_alone(unsigned depth)
{
    for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
        struct chain c = chain_build(depth, seeds[k]);
        struct vd_image_result *r[VHDX_CHAIN_LAYERS] = {NULL};
        char own[VHDX_CHAIN_LAYERS][VD_GUID_TEXT_LEN];

        EXPECT_U64(c.f.depth, depth);
        for (unsigned l = 0; l <= depth; l++) {
            fprintf(stderr, "  %s\n", c.f.names[l]);
            r[l] = vd_test_analyze(c.f.images[l], c.f.sizes[l], SHA256_MASK);
            EXPECT(r[l]->recognized);
            EXPECT_STR(r[l]->info.format, "vhdx");
            EXPECT(r[l]->verdict != VD_VERDICT_ERRORS);
            EXPECT_U64(r[l]->findings.by_severity[VD_SEV_WARNING] +
                           r[l]->findings.by_severity[VD_SEV_ERROR] +
                           r[l]->findings.by_severity[VD_SEV_FATAL],
                       0);
            /* vdcheck's reading of the DataWriteGuid is the one the builder wrote. */
            vd_guid_format(c.rec->data_write_guid[l], VD_GUID_MS_MIXED, own[l]);
            EXPECT_STR(current_data_write_guid(r[l]), own[l]);
            if (l == 0) {
                check_base_alone(&c, r[l]);
            } else {
                check_child_alone(&c, l, r[l], current_data_write_guid(r[l - 1]));
            }
        }
        for (unsigned l = 0; l <= depth; l++) {
            vd_result_free(r[l]);
        }
        chain_free(&c);
    }
}

VD_TEST(vhdx_chain_depth1_images_alone)
{
    check_images_alone(1);
}

VD_TEST(vhdx_chain_depth2_images_alone)
{
    check_images_alone(2);
}

VD_TEST(vhdx_chain_depth3_images_alone)
{
    check_images_alone(3);
}

/* ---- the merged disk read back from the images, without the builder's code ---- */

static uint64_t bat_offset(const uint8_t *img)
{
    const uint8_t *t = img + VHDX_REGION1_OFFSET;
    uint8_t guid[16];

    EXPECT(vd_guid_parse(VHDX_GUID_BAT_REGION, VD_GUID_MS_MIXED, guid));
    for (uint32_t i = 0; i < vd_load_le32(t + VHDX_REGION_ENTRY_COUNT); i++) {
        const uint8_t *e = t + VHDX_REGION_ENTRIES + i * VHDX_REGION_ENTRY_SIZE;
        if (memcmp(e + VHDX_REGION_ENTRY_GUID, guid, 16) == 0) {
            return vd_load_le64(e + VHDX_REGION_ENTRY_FILE_OFFSET);
        }
    }
    vd_test_check(false, "no BAT region", __FILE__, __LINE__);
    return 0;
}

/* Sector s as image l says it: 1 = here (copied to out), 0 = the parent, -1 = zeros. */
static int read_sector(const struct chain *c, unsigned l, uint64_t s, uint8_t out[512])
{
    const uint8_t *img = c->f.images[l];
    uint64_t bat = bat_offset(img);
    uint64_t cr = c->rec->layout[l].chunk_ratio;
    uint64_t b = s / SPB;
    uint64_t e = vd_load_le64(img + bat + 8 * (b + b / cr));
    uint64_t at = (e >> VHDX_BAT_OFFSET_SHIFT) * VHDX_MiB + (s % SPB) * SECTOR;

    switch (e & VHDX_BAT_STATE_MASK) {
    case VHDX_PAYLOAD_FULLY_PRESENT:
        EXPECT(at + SECTOR <= c->f.sizes[l]);
        memcpy(out, img + at, SECTOR);
        return 1;
    case VHDX_PAYLOAD_PARTIALLY_PRESENT: {
        uint64_t chunk = b / cr;
        uint64_t sb = vd_load_le64(img + bat + 8 * (chunk * (cr + 1) + cr));
        uint64_t bit = (b % cr) * SPB + s % SPB;
        const uint8_t *bitmap = img + (sb >> VHDX_BAT_OFFSET_SHIFT) * VHDX_MiB;
        EXPECT_U64(sb & VHDX_BAT_STATE_MASK, VHDX_SB_PRESENT);
        if (((unsigned)bitmap[bit / 8] >> (bit % 8)) & 1u) {
            memcpy(out, img + at, SECTOR);
            return 1;
        }
        /* Left to the parent: the block holds garbage there, every byte >= 0x80. */
        bool junk = true;
        for (size_t i = 0; i < SECTOR; i++) {
            junk = junk && img[at + i] >= 0x80;
        }
        EXPECT(junk);
        return 0;
    }
    case VHDX_PAYLOAD_NOT_PRESENT:
        return l == 0 ? -1 : 0;
    default:
        return -1;
    }
}

static void check_merged(unsigned depth, uint32_t seed)
{
    struct chain c = chain_build(depth, seed);
    const struct vhdx_chain_record *rec = c.rec;
    uint8_t *merged = calloc(1, c.f.raw_size);
    uint64_t top_wins = 0, from_layer[VHDX_CHAIN_LAYERS] = {0}, zeros = 0;
    uint8_t sector[SECTOR];

    EXPECT(merged != NULL);
    EXPECT_U64(c.f.raw_size, rec->virtual_size);
    EXPECT_STR(c.f.names[0], "base.vhdx");
    EXPECT_STR(c.f.names[depth], depth == 1   ? "child1.vhdx"
                                 : depth == 2 ? "child2.vhdx"
                                              : "child3.vhdx");
    /* No garbage byte anywhere in the merged disk. */
    for (size_t i = 0; i < c.f.raw_size; i++) {
        if (c.f.raw[i] >= 0x80) {
            vd_test_check(false, "garbage byte in the merged disk", __FILE__, __LINE__);
            break;
        }
    }
    for (uint64_t s = 0; s < rec->sectors; s++) {
        unsigned here = 0;
        int owner = -1;
        /* The record: the topmost layer holding the sector wins, unless a ZERO is above. */
        for (unsigned l = depth + 1; l-- > 0;) {
            if (rec->where[l][s] == VHDX_CHAIN_HERE) {
                owner = owner < 0 ? (int)l : owner;
                here++;
            } else if (rec->where[l][s] == VHDX_CHAIN_ZERO && owner < 0) {
                break;
            }
        }
        EXPECT_U64(rec->owner[s], owner < 0 ? VHDX_CHAIN_OWNER_ZERO : (uint64_t)owner);
        if (owner < 0) {
            zeros++;
            EXPECT(vd_all_zero(c.f.raw + s * SECTOR, SECTOR));
        } else {
            from_layer[owner]++;
            vhdx_chain_sector_data(seed, (unsigned)owner, s, sector);
            EXPECT(memcmp(c.f.raw + s * SECTOR, sector, SECTOR) == 0);
            top_wins += here > 1 ? 1u : 0u;
        }
        /* Independently: the images read back, top first. */
        for (unsigned l = depth + 1; l-- > 0;) {
            int got = read_sector(&c, l, s, merged + s * SECTOR);
            if (got != 0) {
                break;
            }
        }
    }
    EXPECT(memcmp(merged, c.f.raw, c.f.raw_size) == 0);
    /* Coverage: every layer shows through somewhere, overlaps exist, zeros exist. */
    EXPECT(top_wins > 0);
    EXPECT(zeros > 0);
    for (unsigned l = 0; l <= depth; l++) {
        EXPECT(from_layer[l] > 0);
        if (l > 0) {
            EXPECT(rec->present_sectors[l] > 0);
            EXPECT(rec->garbage_sectors[l] > 0);
        }
    }
    fprintf(stderr, "    zero %llu, overlapping %llu, per layer", (unsigned long long)zeros,
            (unsigned long long)top_wins);
    for (unsigned l = 0; l <= depth; l++) {
        fprintf(stderr, " %llu", (unsigned long long)from_layer[l]);
    }
    fprintf(stderr, "\n");
    free(merged);
    chain_free(&c);
}

/* Bitmaps are fragmented: runs of both kinds, of many lengths, some of a single sector. */
static void check_fragmented(unsigned depth, uint32_t seed)
{
    struct chain c = chain_build(depth, seed);
    bool seen_len[301] = {false};
    unsigned distinct = 0;

    for (unsigned l = 1; l <= depth; l++) {
        for (unsigned b = 0; b < VHDX_CHAIN_BLOCKS; b++) {
            const uint8_t *w = c.rec->where[l] + (uint64_t)b * SPB;
            uint64_t n = (uint64_t)b * SPB + SPB <= c.rec->sectors ? SPB : c.rec->sectors - b * SPB;
            uint64_t run = 1;
            if (c.rec->state[l][b] != VHDX_PAYLOAD_PARTIALLY_PRESENT) {
                continue;
            }
            for (uint64_t i = 1; i < n; i++) {
                if (w[i] == w[i - 1]) {
                    run++;
                    continue;
                }
                if (i != run && run <= 300) { /* not the first run, which may be cut */
                    seen_len[run] = true;
                }
                run = 1;
            }
        }
    }
    for (unsigned i = 0; i <= 300; i++) {
        distinct += seen_len[i] ? 1u : 0u;
    }
    EXPECT(seen_len[1]);
    EXPECT(distinct >= 8);
    chain_free(&c);
}

VD_TEST(vhdx_chain_depth1_merged_disk)
{
    check_merged(1, seeds[0]);
    check_merged(1, seeds[1]);
}

VD_TEST(vhdx_chain_depth2_merged_disk)
{
    check_merged(2, seeds[0]);
    check_merged(2, seeds[1]);
}

VD_TEST(vhdx_chain_depth3_merged_disk)
{
    check_merged(3, seeds[0]);
    check_merged(3, seeds[1]);
}

VD_TEST(vhdx_chain_bitmaps_are_fragmented)
{
    for (unsigned depth = 1; depth <= CHAIN_FIXTURE_MAX_DEPTH; depth++) {
        check_fragmented(depth, seeds[0]);
        check_fragmented(depth, seeds[1]);
    }
}

VD_TEST(vhdx_chain_is_deterministic_and_checks_depth)
{
    struct chain_fixture a, b;

    EXPECT(vhdx_chain_fixture_build(&a, 2, seeds[0]));
    EXPECT(vhdx_chain_fixture_build(&b, 2, seeds[0]));
    for (unsigned l = 0; l <= 2; l++) {
        EXPECT(a.sizes[l] == b.sizes[l] && memcmp(a.images[l], b.images[l], a.sizes[l]) == 0);
    }
    EXPECT(memcmp(a.raw, b.raw, a.raw_size) == 0);
    chain_fixture_free(&b);
    EXPECT(vhdx_chain_fixture_build(&b, 2, seeds[0] + 2));
    EXPECT(a.raw_size == b.raw_size && memcmp(a.raw, b.raw, a.raw_size) != 0);
    chain_fixture_free(&a);
    chain_fixture_free(&b);
    EXPECT(!vhdx_chain_fixture_build(&a, 0, seeds[0]));
    EXPECT(!vhdx_chain_fixture_build(&a, CHAIN_FIXTURE_MAX_DEPTH + 1, seeds[0]));
    EXPECT(a.images[0] == NULL && a.raw == NULL);
}
