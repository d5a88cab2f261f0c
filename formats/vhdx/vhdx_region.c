#include "vhdx_region.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"
#include "vd_text.h"
#include "vhdx_layout.h"
#include "vhdx_sealed.h"

static uint64_t table_offset(int index)
{
    return index == 0 ? VHDX_REGION1_OFFSET : VHDX_REGION2_OFFSET;
}

static const struct vhdx_sealed_kind table_kind = {
    .structure = "vhdx.region_table",
    .name = "region table",
    .signature = VHDX_REGION_SIGNATURE,
    .size = VHDX_REGION_TABLE_SIZE,
    .checksum_at = VHDX_REGION_CHECKSUM,
    .bad_signature = VD_F_VHDX_REGION_SIGNATURE,
    .bad_checksum = VD_F_VHDX_REGION_CHECKSUM,
};

/* VHDX-05: signature, checksum, entry count and reserved field of one table. */
static bool table_verify(struct vd_ctx *ctx, int index, const uint8_t *raw)
{
    uint64_t at = table_offset(index);
    uint32_t count = vd_load_le32(raw + VHDX_REGION_ENTRY_COUNT);

    if (!vhdx_sealed_verify(ctx, &table_kind, index, at, raw)) {
        return false;
    }
    if (count > VHDX_REGION_MAX_ENTRIES) {
        vd_report(ctx, VD_F_VHDX_REGION_ENTRY_COUNT,
                  VD_LOC("vhdx.region_table", index, at + VHDX_REGION_ENTRY_COUNT, 4),
                  "region table %d claims %" PRIu32 " entries; at most 2047 are read", index + 1,
                  count);
    }
    if (vd_load_le32(raw + VHDX_REGION_RESERVED) != 0) {
        vd_report(ctx, VD_F_VHDX_REGION_RESERVED,
                  VD_LOC("vhdx.region_table", index, at + VHDX_REGION_RESERVED, 4),
                  "region table %d reserved field is 0x%08" PRIx32, index + 1,
                  vd_load_le32(raw + VHDX_REGION_RESERVED));
    }
    return true;
}

struct known_regions {
    uint8_t bat[16];
    uint8_t metadata[16];
};

static void known_regions_init(struct known_regions *k)
{
    (void)vd_guid_parse(VHDX_GUID_BAT_REGION, VD_GUID_MS_MIXED, k->bat);
    (void)vd_guid_parse(VHDX_GUID_METADATA_REGION, VD_GUID_MS_MIXED, k->metadata);
}

/* VHDX-06 for one entry's placement and flags. */
static void entry_check(struct vd_ctx *ctx, uint32_t i, uint64_t at, const uint8_t *e)
{
    uint64_t offset = vd_load_le64(e + VHDX_REGION_ENTRY_FILE_OFFSET);
    uint32_t length = vd_load_le32(e + VHDX_REGION_ENTRY_LENGTH);
    uint32_t flags = vd_load_le32(e + VHDX_REGION_ENTRY_FLAGS);

    if (offset < VHDX_MiB || offset % VHDX_MiB != 0) {
        vd_report(ctx, VD_F_VHDX_REGION_ENTRY_OFFSET,
                  VD_LOC("vhdx.region_table", i, at + VHDX_REGION_ENTRY_FILE_OFFSET, 8),
                  "region entry %" PRIu32 " FileOffset is 0x%" PRIx64, i, offset);
    }
    if (length == 0 || length % VHDX_MiB != 0) {
        vd_report(ctx, VD_F_VHDX_REGION_ENTRY_LENGTH,
                  VD_LOC("vhdx.region_table", i, at + VHDX_REGION_ENTRY_LENGTH, 4),
                  "region entry %" PRIu32 " Length is %" PRIu32, i, length);
    }
    if ((flags & ~VHDX_REGION_FLAG_REQUIRED) != 0) {
        vd_report(ctx, VD_F_VHDX_REGION_ENTRY_FLAGS,
                  VD_LOC("vhdx.region_table", i, at + VHDX_REGION_ENTRY_FLAGS, 4),
                  "region entry %" PRIu32 " flags are 0x%08" PRIx32, i, flags);
    }
}

static bool guid_seen_before(const uint8_t *entries, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++) {
        if (memcmp(entries + (size_t)j * VHDX_REGION_ENTRY_SIZE,
                   entries + (size_t)i * VHDX_REGION_ENTRY_SIZE, 16) == 0) {
            return true;
        }
    }
    return false;
}

/* Records a BAT or metadata region; reports a missing Required flag. */
static void region_take(struct vd_ctx *ctx, struct vhdx_region *r, const char *name, uint32_t i,
                        uint64_t at, const uint8_t *e)
{
    uint32_t flags = vd_load_le32(e + VHDX_REGION_ENTRY_FLAGS);

    r->present = true;
    r->offset = vd_load_le64(e + VHDX_REGION_ENTRY_FILE_OFFSET);
    r->length = vd_load_le32(e + VHDX_REGION_ENTRY_LENGTH);
    r->entry_at = at;
    if ((flags & VHDX_REGION_FLAG_REQUIRED) == 0) {
        vd_report(ctx, VD_F_VHDX_REGION_REQUIRED_FLAG,
                  VD_LOC("vhdx.region_table", i, at + VHDX_REGION_ENTRY_FLAGS, 4),
                  "the %s region is not marked Required", name);
    }
}

static void entries_walk(struct vd_ctx *ctx, int index, const uint8_t *raw,
                         struct vhdx_regions *out)
{
    struct known_regions known;
    uint32_t count = vd_load_le32(raw + VHDX_REGION_ENTRY_COUNT);
    const uint8_t *entries = raw + VHDX_REGION_ENTRIES;

    known_regions_init(&known);
    count = count > VHDX_REGION_MAX_ENTRIES ? VHDX_REGION_MAX_ENTRIES : count;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = entries + (size_t)i * VHDX_REGION_ENTRY_SIZE;
        uint64_t at =
            table_offset(index) + VHDX_REGION_ENTRIES + (uint64_t)i * VHDX_REGION_ENTRY_SIZE;
        char guid[VD_GUID_TEXT_LEN];
        const char *structure = "vhdx.region";

        entry_check(ctx, i, at, e);
        vd_guid_format(e, VD_GUID_MS_MIXED, guid);
        if (guid_seen_before(entries, i)) {
            vd_report(ctx, VD_F_VHDX_REGION_DUPLICATE, VD_LOC("vhdx.region_table", i, at, 16),
                      "region %s appears twice; the first entry is used", guid);
            continue;
        }
        if (memcmp(e, known.bat, 16) == 0) {
            region_take(ctx, &out->bat, "BAT", i, at, e);
            structure = "vhdx.bat";
        } else if (memcmp(e, known.metadata, 16) == 0) {
            region_take(ctx, &out->metadata, "metadata", i, at, e);
            structure = "vhdx.metadata";
        } else if (vd_load_le32(e + VHDX_REGION_ENTRY_FLAGS) & VHDX_REGION_FLAG_REQUIRED) {
            out->unsupported = true;
            vd_report(ctx, VD_F_VHDX_REGION_UNKNOWN_REQUIRED,
                      VD_LOC("vhdx.region_table", i, at, 16),
                      "region %s is unknown and Required: the disk cannot be interpreted", guid);
        } else {
            vd_report(ctx, VD_F_VHDX_REGION_UNKNOWN, VD_LOC("vhdx.region_table", i, at, 16),
                      "unknown optional region %s", guid);
        }
        vd_claim(ctx, structure, (int64_t)i, vd_load_le64(e + VHDX_REGION_ENTRY_FILE_OFFSET),
                 vd_load_le32(e + VHDX_REGION_ENTRY_LENGTH), at + VHDX_REGION_ENTRY_FILE_OFFSET, 8);
    }
}

static void required_check(struct vd_ctx *ctx, int index, const struct vhdx_regions *out)
{
    if (!out->bat.present) {
        vd_report(ctx, VD_F_VHDX_REGION_REQUIRED_MISSING,
                  VD_LOC("vhdx.region_table", index, table_offset(index), VHDX_REGION_TABLE_SIZE),
                  "region table %d has no BAT region", index + 1);
    }
    if (!out->metadata.present) {
        vd_report(ctx, VD_F_VHDX_REGION_REQUIRED_MISSING,
                  VD_LOC("vhdx.region_table", index, table_offset(index), VHDX_REGION_TABLE_SIZE),
                  "region table %d has no metadata region", index + 1);
    }
}

/* VHDX-05: a valid second copy that differs from the one used. */
static void tables_compare(struct vd_ctx *ctx, const uint8_t *a, const uint8_t *b)
{
    size_t first = VHDX_REGION_TABLE_SIZE;
    size_t last = 0;
    size_t rest = VHDX_REGION_CHECKSUM + 4;

    if (memcmp(a, b, VHDX_REGION_CHECKSUM) == 0 &&
        memcmp(a + rest, b + rest, VHDX_REGION_TABLE_SIZE - rest) == 0) {
        return; /* the usual case, found quickly (the byte loop is slow in sanitizer builds) */
    }
    for (size_t i = 0; i < VHDX_REGION_TABLE_SIZE; i++) {
        bool checksum = i >= VHDX_REGION_CHECKSUM && i < VHDX_REGION_CHECKSUM + 4;
        if (a[i] != b[i] && !checksum) { /* the checksums differ whenever anything does */
            first = first == VHDX_REGION_TABLE_SIZE ? i : first;
            last = i;
        }
    }
    if (first < VHDX_REGION_TABLE_SIZE) {
        vd_report(ctx, VD_F_VHDX_REGION_MISMATCH,
                  VD_LOC("vhdx.region_table", 1, VHDX_REGION2_OFFSET + first, last - first + 1),
                  "the region tables differ in bytes %zu..%zu; table 1 is used", first, last);
    }
}

enum vd_status vhdx_regions_load(struct vd_ctx *ctx, struct vhdx_regions *out)
{
    uint8_t *raw = vd_malloc(2 * VHDX_REGION_TABLE_SIZE);
    bool valid[2] = {false, false};
    enum vd_status st = VD_OK;

    memset(out, 0, sizeof(*out));
    out->table = -1;
    if (raw == NULL) {
        return VD_E_NOMEM;
    }
    for (int i = 0; i < 2 && st == VD_OK; i++) {
        uint8_t *t = raw + (size_t)i * VHDX_REGION_TABLE_SIZE;
        if (!vd_range_fits(table_offset(i), VHDX_REGION_TABLE_SIZE, ctx->file_size)) {
            continue; /* vhdx.file.too_small says why */
        }
        st = vd_ctx_read(ctx, table_offset(i), t, VHDX_REGION_TABLE_SIZE);
        if (st == VD_OK) {
            vd_claim(ctx, "vhdx.region_table", -1, table_offset(i), VHDX_REGION_TABLE_SIZE,
                     table_offset(i), 4);
            valid[i] = table_verify(ctx, i, t);
        }
    }
    if (st == VD_OK) {
        out->table = valid[0] ? 0 : valid[1] ? 1 : -1;
        if (out->table < 0) {
            vd_report(
                ctx, VD_F_VHDX_REGION_NONE_VALID,
                VD_LOC("vhdx.region_table", -1, VHDX_REGION1_OFFSET, 2 * VHDX_REGION_TABLE_SIZE),
                "neither region table is valid");
        } else {
            if (valid[0] && valid[1]) {
                tables_compare(ctx, raw, raw + VHDX_REGION_TABLE_SIZE);
            }
            entries_walk(ctx, out->table, raw + (size_t)out->table * VHDX_REGION_TABLE_SIZE, out);
            required_check(ctx, out->table, out);
        }
    }
    vd_free(raw);
    return st;
}
