#include "vhdx_metadata.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"
#include "vd_text.h"
#include "vhdx_layout.h"

/* §2.6.2: the system items, their flags and (fixed) sizes; 0 = variable. */
static const struct known_item {
    const char *guid;
    const char *name;
    uint32_t flags;
    uint32_t size;
} known_items[VHDX_ITEM_COUNT] = {
    [VHDX_ITEM_FILE_PARAMETERS] = {VHDX_GUID_FILE_PARAMETERS, "file parameters",
                                   VHDX_METADATA_FLAG_IS_REQUIRED, VHDX_FILE_PARAMETERS_SIZE},
    [VHDX_ITEM_VIRTUAL_DISK_SIZE] = {VHDX_GUID_VIRTUAL_DISK_SIZE, "virtual disk size",
                                     VHDX_METADATA_FLAG_IS_REQUIRED |
                                         VHDX_METADATA_FLAG_IS_VIRTUAL_DISK,
                                     8},
    [VHDX_ITEM_PAGE83] = {VHDX_GUID_PAGE83, "page 83 data (virtual disk id)",
                          VHDX_METADATA_FLAG_IS_REQUIRED | VHDX_METADATA_FLAG_IS_VIRTUAL_DISK, 16},
    [VHDX_ITEM_LOGICAL_SECTOR_SIZE] = {VHDX_GUID_LOGICAL_SECTOR_SIZE, "logical sector size",
                                       VHDX_METADATA_FLAG_IS_REQUIRED |
                                           VHDX_METADATA_FLAG_IS_VIRTUAL_DISK,
                                       4},
    [VHDX_ITEM_PHYSICAL_SECTOR_SIZE] = {VHDX_GUID_PHYSICAL_SECTOR_SIZE, "physical sector size",
                                        VHDX_METADATA_FLAG_IS_REQUIRED |
                                            VHDX_METADATA_FLAG_IS_VIRTUAL_DISK,
                                        4},
    [VHDX_ITEM_PARENT_LOCATOR] = {VHDX_GUID_PARENT_LOCATOR, "parent locator",
                                  VHDX_METADATA_FLAG_IS_REQUIRED, 0},
};

#define FLAG_BITS                                                                                  \
    (VHDX_METADATA_FLAG_IS_USER | VHDX_METADATA_FLAG_IS_VIRTUAL_DISK |                             \
     VHDX_METADATA_FLAG_IS_REQUIRED)

/* The table being walked: its bytes, where it is, how large its region is. */
struct table {
    const uint8_t *raw;
    uint64_t at;
    uint64_t region_length;
    uint32_t count;
};

static const uint8_t *entry_raw(const struct table *t, uint32_t i)
{
    return t->raw + VHDX_METADATA_ENTRIES + (size_t)i * VHDX_METADATA_ENTRY_SIZE;
}

static uint64_t entry_at(const struct table *t, uint32_t i)
{
    return t->at + VHDX_METADATA_ENTRIES + (uint64_t)i * VHDX_METADATA_ENTRY_SIZE;
}

/* The system items' GUIDs in their on-disk layout, parsed once per table. */
typedef uint8_t known_guids[VHDX_ITEM_COUNT][16];

static void known_guids_init(known_guids out)
{
    for (int k = 0; k < VHDX_ITEM_COUNT; k++) {
        (void)vd_guid_parse(known_items[k].guid, VD_GUID_MS_MIXED, out[k]);
    }
}

static int known_item_index(known_guids known, const uint8_t *guid)
{
    for (int k = 0; k < VHDX_ITEM_COUNT; k++) {
        if (memcmp(known[k], guid, 16) == 0) {
            return k;
        }
    }
    return -1;
}

static bool table_header_check(struct vd_ctx *ctx, struct table *t)
{
    uint64_t first = 0;
    uint64_t last = 0;

    if (memcmp(t->raw, VHDX_METADATA_SIGNATURE, 8) != 0) {
        char found[VD_TEXT_BYTES_CAP(8)];
        vd_text_bytes(t->raw, 8, found, sizeof(found));
        vd_report_values(ctx, VD_F_VHDX_METADATA_SIGNATURE,
                         VD_LOC("vhdx.metadata_table", -1, t->at, 8), VHDX_METADATA_SIGNATURE,
                         found, "the metadata region does not start with a metadata table");
        return false;
    }
    t->count = vd_load_le16(t->raw + VHDX_METADATA_ENTRY_COUNT);
    if (t->count > VHDX_METADATA_MAX_ENTRIES) {
        vd_report(ctx, VD_F_VHDX_METADATA_ENTRY_COUNT,
                  VD_LOC("vhdx.metadata_table", -1, t->at + VHDX_METADATA_ENTRY_COUNT, 2),
                  "EntryCount is %" PRIu32 "; at most 2047 are read", t->count);
        t->count = VHDX_METADATA_MAX_ENTRIES;
    }
    if (vd_load_le16(t->raw + VHDX_METADATA_RESERVED) != 0) {
        vd_report(ctx, VD_F_VHDX_METADATA_RESERVED,
                  VD_LOC("vhdx.metadata_table", -1, t->at + VHDX_METADATA_RESERVED, 2),
                  "metadata table reserved field is not zero");
    }
    if (vd_nonzero_span(t->raw + VHDX_METADATA_RESERVED2, 20, &first, &last)) {
        vd_report(ctx, VD_F_VHDX_METADATA_RESERVED,
                  VD_LOC("vhdx.metadata_table", -1, t->at + VHDX_METADATA_RESERVED2 + first,
                         last - first + 1),
                  "metadata table reserved bytes are not zero");
    }
    return true;
}

/* VHDX-08: unique ItemId + IsUser. */
static bool entry_is_duplicate(const struct table *t, uint32_t i)
{
    const uint8_t *e = entry_raw(t, i);
    uint32_t user = vd_load_le32(e + VHDX_METADATA_ENTRY_FLAGS) & VHDX_METADATA_FLAG_IS_USER;

    for (uint32_t j = 0; j < i; j++) {
        const uint8_t *o = entry_raw(t, j);
        if (memcmp(o, e, 16) == 0 &&
            (vd_load_le32(o + VHDX_METADATA_ENTRY_FLAGS) & VHDX_METADATA_FLAG_IS_USER) == user) {
            return true;
        }
    }
    return false;
}

/* VHDX-08: placement of one item inside the region. Returns true when it lies inside. */
static bool entry_check_placement(struct vd_ctx *ctx, const struct table *t, uint32_t i)
{
    const uint8_t *e = entry_raw(t, i);
    uint64_t at = entry_at(t, i);
    uint32_t offset = vd_load_le32(e + VHDX_METADATA_ENTRY_OFFSET);
    uint32_t length = vd_load_le32(e + VHDX_METADATA_ENTRY_LENGTH);
    uint32_t flags = vd_load_le32(e + VHDX_METADATA_ENTRY_FLAGS);
    bool inside = true;

    /* §2.6.1.2: an item lies after the table; an empty one has offset 0. */
    if (length > 0 ? offset < VHDX_METADATA_TABLE_SIZE : offset != 0) {
        vd_report(ctx, VD_F_VHDX_METADATA_ITEM_OFFSET,
                  VD_LOC("vhdx.metadata_table", i, at + VHDX_METADATA_ENTRY_OFFSET, 4),
                  "item %" PRIu32 " at offset %" PRIu32 " lies inside the table", i, offset);
        inside = false;
    }
    if (!vd_range_fits(offset, length, t->region_length)) {
        vd_report(ctx, VD_F_VHDX_METADATA_ITEM_BOUNDS,
                  VD_LOC("vhdx.metadata_table", i, at + VHDX_METADATA_ENTRY_OFFSET, 8),
                  "item %" PRIu32 " (%" PRIu32 " bytes at %" PRIu32 ") runs past the %" PRIu64
                  "-byte region",
                  i, length, offset, t->region_length);
        inside = false;
    }
    if (length > VHDX_METADATA_ITEM_MAX) {
        vd_report(ctx, VD_F_VHDX_METADATA_ITEM_LENGTH,
                  VD_LOC("vhdx.metadata_table", i, at + VHDX_METADATA_ENTRY_LENGTH, 4),
                  "item %" PRIu32 " is %" PRIu32 " bytes long", i, length);
    }
    if ((flags & ~(uint32_t)FLAG_BITS) != 0 || vd_load_le32(e + VHDX_METADATA_ENTRY_RESERVED)) {
        vd_report(ctx, VD_F_VHDX_METADATA_RESERVED,
                  VD_LOC("vhdx.metadata_table", i, at + VHDX_METADATA_ENTRY_FLAGS, 8),
                  "item %" PRIu32 " has reserved flag bits or a reserved field set", i);
    }
    return inside;
}

/* VHDX-08 [U]: items should not share bytes; reported at the later entry. */
static void entry_check_overlap(struct vd_ctx *ctx, const struct table *t, uint32_t i,
                                const bool *inside)
{
    const uint8_t *e = entry_raw(t, i);
    uint32_t offset = vd_load_le32(e + VHDX_METADATA_ENTRY_OFFSET);
    uint32_t length = vd_load_le32(e + VHDX_METADATA_ENTRY_LENGTH);

    for (uint32_t j = 0; j < i && length > 0; j++) {
        const uint8_t *o = entry_raw(t, j);
        uint32_t o_offset = vd_load_le32(o + VHDX_METADATA_ENTRY_OFFSET);
        uint32_t o_length = vd_load_le32(o + VHDX_METADATA_ENTRY_LENGTH);
        if (inside[j] && o_length > 0 && offset < (uint64_t)o_offset + o_length &&
            o_offset < (uint64_t)offset + length) {
            vd_report(
                ctx, VD_F_VHDX_METADATA_ITEM_OVERLAP,
                VD_LOC("vhdx.metadata_table", i, entry_at(t, i) + VHDX_METADATA_ENTRY_OFFSET, 8),
                "item %" PRIu32 " overlaps item %" PRIu32, i, j);
            return;
        }
    }
}

/* VHDX-09 / sizes: a known item's flags and length. */
static void known_item_check(struct vd_ctx *ctx, const struct table *t, uint32_t i, int k)
{
    const uint8_t *e = entry_raw(t, i);
    uint64_t at = entry_at(t, i);
    uint32_t flags = vd_load_le32(e + VHDX_METADATA_ENTRY_FLAGS) & FLAG_BITS;
    uint32_t length = vd_load_le32(e + VHDX_METADATA_ENTRY_LENGTH);
    uint32_t want = known_items[k].flags;
    char expected[16];
    char actual[16];

    if (flags != want) {
        bool quirk = k == VHDX_ITEM_PHYSICAL_SECTOR_SIZE &&
                     flags == (want & ~(uint32_t)VHDX_METADATA_FLAG_IS_REQUIRED);
        snprintf(expected, sizeof(expected), "0x%" PRIx32, want);
        snprintf(actual, sizeof(actual), "0x%" PRIx32, flags);
        vd_report_values(
            ctx, quirk ? VD_F_VHDX_METADATA_PHYSICAL_NOT_REQUIRED : VD_F_VHDX_METADATA_ITEM_FLAGS,
            VD_LOC("vhdx.metadata_table", i, at + VHDX_METADATA_ENTRY_FLAGS, 4), expected, actual,
            "%s item flags", known_items[k].name);
    }
    if (known_items[k].size != 0 && length != known_items[k].size) {
        snprintf(expected, sizeof(expected), "%" PRIu32, known_items[k].size);
        snprintf(actual, sizeof(actual), "%" PRIu32, length);
        vd_report_values(ctx, VD_F_VHDX_METADATA_ITEM_SIZE,
                         VD_LOC("vhdx.metadata_table", i, at + VHDX_METADATA_ENTRY_LENGTH, 4),
                         expected, actual, "%s item length", known_items[k].name);
    }
}

static void entries_walk(struct vd_ctx *ctx, const struct table *t, uint64_t region_at,
                         struct vhdx_metadata *md, bool *inside)
{
    known_guids known;

    known_guids_init(known);
    for (uint32_t i = 0; i < t->count; i++) {
        const uint8_t *e = entry_raw(t, i);
        uint64_t at = entry_at(t, i);
        char guid[VD_GUID_TEXT_LEN];
        int k;

        inside[i] = entry_check_placement(ctx, t, i);
        vd_guid_format(e, VD_GUID_MS_MIXED, guid);
        if (entry_is_duplicate(t, i)) {
            vd_report(ctx, VD_F_VHDX_METADATA_ITEM_DUPLICATE,
                      VD_LOC("vhdx.metadata_table", i, at, 16),
                      "item %s appears twice; the first entry is used", guid);
            inside[i] = false;
            continue;
        }
        if (inside[i]) {
            entry_check_overlap(ctx, t, i, inside);
        }
        k = (vd_load_le32(e + VHDX_METADATA_ENTRY_FLAGS) & VHDX_METADATA_FLAG_IS_USER)
                ? -1
                : known_item_index(known, e);
        if (k < 0) {
            bool required =
                vd_load_le32(e + VHDX_METADATA_ENTRY_FLAGS) & VHDX_METADATA_FLAG_IS_REQUIRED;
            md->unsupported = md->unsupported || required;
            vd_report(ctx,
                      required ? VD_F_VHDX_METADATA_UNKNOWN_REQUIRED : VD_F_VHDX_METADATA_UNKNOWN,
                      VD_LOC("vhdx.metadata_table", i, at, 16), "%s item %s",
                      required ? "unknown required" : "unknown optional", guid);
            continue;
        }
        known_item_check(ctx, t, i, k);
        if (inside[i]) {
            md->items[k].present = true;
            md->items[k].at = region_at + vd_load_le32(e + VHDX_METADATA_ENTRY_OFFSET);
            md->items[k].length = vd_load_le32(e + VHDX_METADATA_ENTRY_LENGTH);
            md->items[k].entry_at = at;
        }
    }
}

/* Reads a fixed-size item when it is present with its spec length. */
static enum vd_status item_read(struct vd_ctx *ctx, const struct vhdx_metadata *md, int k,
                                uint8_t *buf, bool *ok)
{
    const struct vhdx_item_loc *loc = &md->items[k];

    *ok = loc->present && loc->length == known_items[k].size &&
          vd_range_fits(loc->at, loc->length, ctx->file_size);
    return *ok ? vd_ctx_read(ctx, loc->at, buf, loc->length) : VD_OK;
}

static void check_block_size(struct vd_ctx *ctx, struct vhdx_metadata *md, const uint8_t *fp,
                             uint64_t at)
{
    uint32_t flags = vd_load_le32(fp + 4);

    md->block_size = vd_load_le32(fp);
    md->leave_blocks_allocated = flags & VHDX_FP_LEAVE_BLOCKS_ALLOCATED;
    md->has_parent = flags & VHDX_FP_HAS_PARENT;
    if (!vd_is_pow2_u64(md->block_size) || md->block_size < VHDX_BLOCK_SIZE_MIN ||
        md->block_size > VHDX_BLOCK_SIZE_MAX) {
        vd_report(ctx, VD_F_VHDX_METADATA_BLOCK_SIZE, VD_LOC("vhdx.file_parameters", -1, at, 4),
                  "BlockSize is %" PRIu32, md->block_size);
        md->block_size = 0;
    }
    if ((flags & ~(uint32_t)(VHDX_FP_LEAVE_BLOCKS_ALLOCATED | VHDX_FP_HAS_PARENT)) != 0) {
        vd_report(ctx, VD_F_VHDX_METADATA_FILE_PARAMETERS_RESERVED,
                  VD_LOC("vhdx.file_parameters", -1, at + 4, 4), "flags are 0x%08" PRIx32, flags);
    }
}

static bool sector_size_ok(uint32_t size)
{
    return size == 512 || size == 4096;
}

/* VHDX-10..12: the values of the system items. */
static enum vd_status items_decode(struct vd_ctx *ctx, struct vhdx_metadata *md)
{
    uint8_t buf[16];
    bool have[VHDX_ITEM_PHYSICAL_SECTOR_SIZE + 1];
    enum vd_status st = VD_OK;

    for (int k = 0; k <= VHDX_ITEM_PHYSICAL_SECTOR_SIZE && st == VD_OK; k++) {
        st = item_read(ctx, md, k, buf, &have[k]);
        if (st != VD_OK || !have[k]) {
            continue;
        }
        uint64_t at = md->items[k].at;
        switch (k) {
        case VHDX_ITEM_FILE_PARAMETERS:
            check_block_size(ctx, md, buf, at);
            break;
        case VHDX_ITEM_VIRTUAL_DISK_SIZE:
            md->virtual_size = vd_load_le64(buf);
            break;
        case VHDX_ITEM_PAGE83:
            memcpy(md->page83, buf, 16);
            break;
        case VHDX_ITEM_LOGICAL_SECTOR_SIZE:
            md->logical_sector_size = vd_load_le32(buf);
            if (!sector_size_ok(md->logical_sector_size)) {
                vd_report(ctx, VD_F_VHDX_METADATA_LOGICAL_SECTOR,
                          VD_LOC("vhdx.logical_sector_size", -1, at, 4),
                          "LogicalSectorSize is %" PRIu32, md->logical_sector_size);
                md->logical_sector_size = 0;
            }
            break;
        default:
            md->physical_sector_size = vd_load_le32(buf);
            if (!sector_size_ok(md->physical_sector_size)) {
                vd_report(ctx, VD_F_VHDX_METADATA_PHYSICAL_SECTOR,
                          VD_LOC("vhdx.physical_sector_size", -1, at, 4),
                          "PhysicalSectorSize is %" PRIu32, md->physical_sector_size);
            }
            break;
        }
    }
    md->usable = st == VD_OK && have[VHDX_ITEM_FILE_PARAMETERS] && md->block_size != 0 &&
                 have[VHDX_ITEM_VIRTUAL_DISK_SIZE] && have[VHDX_ITEM_LOGICAL_SECTOR_SIZE] &&
                 md->logical_sector_size != 0 && !md->unsupported;
    return st;
}

/* VHDX-11: the size, once the logical sector size is known. */
static void check_virtual_size(struct vd_ctx *ctx, struct vhdx_metadata *md)
{
    uint64_t size = md->virtual_size;
    uint32_t lss = md->logical_sector_size;

    if (!md->items[VHDX_ITEM_VIRTUAL_DISK_SIZE].present) {
        return;
    }
    if (size == 0 || size > VHDX_VIRTUAL_SIZE_MAX || (lss != 0 && size % lss != 0)) {
        vd_report(
            ctx, VD_F_VHDX_METADATA_VIRTUAL_SIZE,
            VD_LOC("vhdx.virtual_disk_size", -1, md->items[VHDX_ITEM_VIRTUAL_DISK_SIZE].at, 8),
            "VirtualDiskSize is %" PRIu64 " (logical sector %" PRIu32 ", at most 64 TiB)", size,
            lss);
    }
}

/* VHDX-13, VHDX-14: the required set, and HasParent against the locator. */
static void check_required(struct vd_ctx *ctx, const struct table *t,
                           const struct vhdx_metadata *md)
{
    for (int k = 0; k <= VHDX_ITEM_PHYSICAL_SECTOR_SIZE; k++) {
        if (!md->items[k].present) {
            vd_report(ctx, VD_F_VHDX_METADATA_REQUIRED_MISSING,
                      VD_LOC("vhdx.metadata_table", -1, t->at, VHDX_METADATA_TABLE_SIZE),
                      "the %s item is missing or unusable", known_items[k].name);
        }
    }
    if (md->items[VHDX_ITEM_FILE_PARAMETERS].present &&
        md->has_parent != md->items[VHDX_ITEM_PARENT_LOCATOR].present) {
        vd_report(
            ctx, VD_F_VHDX_METADATA_PARENT_MISMATCH,
            VD_LOC("vhdx.file_parameters", -1, md->items[VHDX_ITEM_FILE_PARAMETERS].at + 4, 4),
            md->has_parent ? "HasParent is set but there is no parent locator"
                           : "a parent locator is present but HasParent is clear");
    }
}

enum vd_status vhdx_metadata_load(struct vd_ctx *ctx, const struct vhdx_region *region,
                                  struct vhdx_metadata *md)
{
    struct table t = {NULL, region->offset, region->length, 0};
    uint8_t *raw;
    bool *inside;
    enum vd_status st;

    memset(md, 0, sizeof(*md));
    if (region->length < VHDX_METADATA_TABLE_SIZE ||
        !vd_range_fits(region->offset, VHDX_METADATA_TABLE_SIZE, ctx->file_size)) {
        vd_report(ctx, VD_F_VHDX_METADATA_TRUNCATED,
                  VD_LOC("vhdx.region_table", -1, region->entry_at, VHDX_REGION_ENTRY_SIZE),
                  "the metadata table at 0x%" PRIx64 " lies outside the file or its region",
                  region->offset);
        return VD_OK;
    }
    raw = vd_malloc(VHDX_METADATA_TABLE_SIZE);
    inside = vd_calloc_array(VHDX_METADATA_MAX_ENTRIES, sizeof(*inside));
    st = raw == NULL || inside == NULL
             ? VD_E_NOMEM
             : vd_ctx_read(ctx, region->offset, raw, VHDX_METADATA_TABLE_SIZE);
    t.raw = raw;
    if (st == VD_OK && table_header_check(ctx, &t)) {
        entries_walk(ctx, &t, region->offset, md, inside);
        st = items_decode(ctx, md);
        check_virtual_size(ctx, md);
        check_required(ctx, &t, md);
    }
    vd_free(inside);
    vd_free(raw);
    return st;
}

void vhdx_metadata_publish(struct vd_fact *details, const struct vhdx_metadata *md)
{
    struct vd_fact *obj = vd_fact_object(details, "metadata");
    char guid[VD_GUID_TEXT_LEN];

    vd_fact_u64(obj, "block_size", md->block_size);
    vd_fact_bool(obj, "leave_blocks_allocated", md->leave_blocks_allocated);
    vd_fact_bool(obj, "has_parent", md->has_parent);
    vd_fact_u64(obj, "virtual_disk_size", md->virtual_size);
    vd_fact_u64(obj, "logical_sector_size", md->logical_sector_size);
    vd_fact_u64(obj, "physical_sector_size", md->physical_sector_size);
    if (md->items[VHDX_ITEM_PAGE83].present) {
        vd_guid_format(md->page83, VD_GUID_MS_MIXED, guid);
        vd_fact_str(obj, "virtual_disk_id", guid);
    }
}
