#include "bochs_header.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_text.h"

#define BX_LOC(at, len) VD_LOC("bochs.header", -1, (at), (len))

/* A NUL-terminated string field equal to `want`. */
static bool field_is(const uint8_t *raw, size_t at, size_t size, const char *want)
{
    size_t len = strlen(want);
    return len < size && memcmp(raw + at, want, len + 1) == 0;
}

static enum bochs_mode mode_of(const uint8_t *raw)
{
    if (field_is(raw, BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE, BOCHS_SUBTYPE_GROWING)) {
        return BOCHS_MODE_GROWING;
    }
    if (field_is(raw, BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE, BOCHS_SUBTYPE_UNDOABLE)) {
        return BOCHS_MODE_UNDOABLE;
    }
    if (field_is(raw, BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE, BOCHS_SUBTYPE_VOLATILE)) {
        return BOCHS_MODE_VOLATILE;
    }
    return BOCHS_MODE_OTHER;
}

bool bochs_header_decode(struct vd_ctx *ctx, const uint8_t raw[BOCHS_HEADER_SIZE],
                         struct bochs_header *h)
{
    memset(h, 0, sizeof(*h));
    h->version = vd_load_le32(raw + BOCHS_VERSION_AT);
    if (h->version != BOCHS_VERSION_2 && h->version != BOCHS_VERSION_1) {
        vd_report(ctx, VD_F_BOCHS_HEADER_VERSION, BX_LOC(BOCHS_VERSION_AT, 4),
                  "version 0x%08" PRIx32 " has no known field layout", h->version);
        return false;
    }
    h->header_size = vd_load_le32(raw + BOCHS_HEADER_SIZE_AT);
    h->mode = mode_of(raw);
    h->catalog = vd_load_le32(raw + BOCHS_CATALOG_AT);
    h->bitmap = vd_load_le32(raw + BOCHS_BITMAP_AT);
    h->extent = vd_load_le32(raw + BOCHS_EXTENT_AT);
    /* BX-03: version 2 inserted the timestamp before the disk size. */
    h->has_timestamp = h->version == BOCHS_VERSION_2;
    h->disk_at = h->has_timestamp ? BOCHS_V2_DISK_AT : BOCHS_V1_DISK_AT;
    if (h->has_timestamp) {
        h->timestamp = vd_load_le32(raw + BOCHS_V2_TIMESTAMP_AT);
    }
    h->disk = vd_load_le64(raw + h->disk_at);
    /* Bochs rounds both up to whole sectors (redolog_t::open). */
    h->bitmap_blocks = vd_div_round_up(h->bitmap, BOCHS_SECTOR);
    h->extent_blocks = vd_div_round_up(h->extent, BOCHS_SECTOR);
    return true;
}

/* BX-01: magic, type and subtype. */
static void check_identity(struct vd_ctx *ctx, const uint8_t *raw, const struct bochs_header *h)
{
    if (!field_is(raw, BOCHS_MAGIC_AT, BOCHS_MAGIC_SIZE, BOCHS_MAGIC)) {
        vd_report(ctx, VD_F_BOCHS_HEADER_MAGIC, BX_LOC(BOCHS_MAGIC_AT, BOCHS_MAGIC_SIZE),
                  "the magic is not \"" BOCHS_MAGIC "\" followed by a NUL");
    }
    if (!field_is(raw, BOCHS_TYPE_AT, BOCHS_TYPE_SIZE, BOCHS_TYPE_REDOLOG)) {
        vd_report(ctx, VD_F_BOCHS_HEADER_TYPE, BX_LOC(BOCHS_TYPE_AT, BOCHS_TYPE_SIZE),
                  "the type is not \"" BOCHS_TYPE_REDOLOG "\"");
    }
    if (h->mode == BOCHS_MODE_OTHER) {
        vd_report(ctx, VD_F_BOCHS_HEADER_SUBTYPE, BX_LOC(BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE),
                  "unknown subtype; read as a growing image");
    } else if (h->mode != BOCHS_MODE_GROWING) {
        vd_report(ctx, VD_F_BOCHS_HEADER_NEEDS_BASE, BX_LOC(BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE),
                  "%s redolog: the sectors it does not hold come from its base image",
                  h->mode == BOCHS_MODE_UNDOABLE ? "an undoable" : "a volatile");
        vd_report(ctx, VD_F_BOCHS_COMPAT_QEMU, BX_LOC(BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE),
                  "QEMU reads only growing redologs");
    }
}

/* BX-02: Bochs places the catalog at 512 whatever the field says; QEMU follows the field. */
static void check_header_size(struct vd_ctx *ctx, const struct bochs_header *h)
{
    if (h->header_size == BOCHS_HEADER_SIZE) {
        return;
    }
    vd_report(ctx, VD_F_BOCHS_HEADER_SIZE, BX_LOC(BOCHS_HEADER_SIZE_AT, 4),
              "header size field is %" PRIu32 "; Bochs reads the catalog at 512", h->header_size);
    vd_report(ctx, VD_F_BOCHS_COMPAT_QEMU, BX_LOC(BOCHS_HEADER_SIZE_AT, 4),
              "QEMU reads the catalog at %" PRIu32 " and the extents %" PRId64
              " bytes away from where Bochs reads them",
              h->header_size, (int64_t)h->header_size - (int64_t)BOCHS_HEADER_SIZE);
}

/* BX-04: extent and bitmap sizes. Returns true when extents can be located and read. */
static bool check_extent(struct vd_ctx *ctx, const struct bochs_header *h)
{
    uint64_t bits_needed = h->extent / BOCHS_SECTOR;
    uint64_t bytes_needed = vd_div_round_up(bits_needed, 8);
    bool usable = true;

    if (h->extent < BOCHS_SECTOR || !vd_is_pow2_u64(h->extent)) {
        vd_report(ctx, VD_F_BOCHS_HEADER_EXTENT_SIZE, BX_LOC(BOCHS_EXTENT_AT, 4),
                  "extent size %" PRIu32 " is %s", h->extent,
                  h->extent < BOCHS_SECTOR ? "below 512" : "not a power of two");
        usable = h->extent >= BOCHS_SECTOR && h->extent % BOCHS_SECTOR == 0;
    }
    if (h->bitmap < bytes_needed || h->bitmap == 0) {
        vd_report(ctx, VD_F_BOCHS_HEADER_BITMAP_SIZE, BX_LOC(BOCHS_BITMAP_AT, 4),
                  "a %" PRIu32 "-byte bitmap cannot hold %" PRIu64
                  " bits, one per sector of a %" PRIu32 "-byte extent",
                  h->bitmap, bits_needed, h->extent);
        usable = usable && h->bitmap != 0 && h->bitmap_blocks * BOCHS_SECTOR >= bytes_needed;
    } else if (usable && (uint64_t)h->bitmap * 8 * BOCHS_SECTOR != h->extent) {
        vd_report(ctx, VD_F_BOCHS_HEADER_EXTENT_NONCANONICAL, BX_LOC(BOCHS_EXTENT_AT, 4),
                  "extent %" PRIu32 " with a %" PRIu32 "-byte bitmap (its writers use %" PRIu64 ")",
                  h->extent, h->bitmap, (uint64_t)h->bitmap * 8 * BOCHS_SECTOR);
    }
    if (h->extent > BOCHS_QEMU_EXTENT_MAX) {
        vd_report(ctx, VD_F_BOCHS_COMPAT_QEMU, BX_LOC(BOCHS_EXTENT_AT, 4),
                  "QEMU refuses extents above %u bytes (%" PRIu32 ")", BOCHS_QEMU_EXTENT_MAX,
                  h->extent);
    }
    return usable;
}

/* BX-05 and BX-07: the disk size and the catalog that must cover it. */
static void check_disk_catalog(struct vd_ctx *ctx, const struct bochs_header *h)
{
    if (h->disk == 0 || h->disk % BOCHS_SECTOR != 0) {
        vd_report(ctx, VD_F_BOCHS_HEADER_DISK_SIZE, BX_LOC(h->disk_at, 8),
                  "disk size %" PRIu64 " is %s", h->disk,
                  h->disk == 0 ? "0" : "not a multiple of 512");
    }
    if (h->extent != 0 && h->catalog < vd_div_round_up(h->disk, h->extent)) {
        vd_report(ctx, VD_F_BOCHS_CATALOG_TOO_SMALL, BX_LOC(BOCHS_CATALOG_AT, 4),
                  "%" PRIu32 " catalog entries of %" PRIu32 " bytes cover %" PRIu64
                  " bytes of the %" PRIu64 "-byte disk; the disk is not hashed",
                  h->catalog, h->extent, (uint64_t)h->catalog * h->extent, h->disk);
    }
    if (h->catalog > BOCHS_QEMU_CATALOG_MAX) {
        vd_report(ctx, VD_F_BOCHS_COMPAT_QEMU, BX_LOC(BOCHS_CATALOG_AT, 4),
                  "QEMU refuses catalogs above %u entries (%" PRIu32 ")", BOCHS_QEMU_CATALOG_MAX,
                  h->catalog);
    }
}

/*
 * The v2 timestamp: FAT date in the high half, FAT time in the low (Bochs fat_datetime),
 * the writer's local time without a zone. Only a real date is rendered.
 */
static void publish_timestamp(struct vd_fact *obj, uint32_t ts)
{
    char text[32];
    unsigned date = ts >> 16;
    unsigned time = ts & 0xFFFFu;
    unsigned month = (date >> 5) & 0xFu;
    unsigned day = date & 0x1Fu;

    vd_fact_u64(obj, "timestamp", ts);
    if (month < 1 || month > 12 || day < 1 || time >> 11 > 23 || ((time >> 5) & 0x3Fu) > 59) {
        return;
    }
    snprintf(text, sizeof(text), "%04u-%02u-%02uT%02u:%02u:%02u", 1980 + (date >> 9), month, day,
             time >> 11, (time >> 5) & 0x3Fu, (time & 0x1Fu) * 2);
    vd_fact_str(obj, "timestamp_fat", text);
}

static void publish_string(struct vd_fact *obj, const char *key, const uint8_t *p, size_t size)
{
    char text[VD_TEXT_BYTES_CAP(BOCHS_MAGIC_SIZE)];

    vd_text_bytes(p, strnlen((const char *)p, size), text, sizeof(text));
    vd_fact_str(obj, key, text);
}

static void publish(struct vd_ctx *ctx, const uint8_t *raw, const struct bochs_header *h)
{
    struct vd_fact *obj = vd_fact_object(ctx->details, "header");
    char version[16];

    publish_string(obj, "magic", raw + BOCHS_MAGIC_AT, BOCHS_MAGIC_SIZE);
    publish_string(obj, "type", raw + BOCHS_TYPE_AT, BOCHS_TYPE_SIZE);
    publish_string(obj, "subtype", raw + BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE);
    snprintf(version, sizeof(version), "%" PRIu32 ".%" PRIu32, h->version >> 16,
             h->version & 0xFFFFu);
    vd_fact_str(obj, "version", version);
    vd_fact_u64(obj, "header_size", h->header_size);
    vd_fact_u64(obj, "catalog_entries", h->catalog);
    vd_fact_u64(obj, "bitmap_size", h->bitmap);
    vd_fact_u64(obj, "extent_size", h->extent);
    vd_fact_u64(obj, "disk_size", h->disk);
    if (h->has_timestamp) {
        publish_timestamp(obj, h->timestamp);
    }
}

bool bochs_header_check(struct vd_ctx *ctx, const uint8_t raw[BOCHS_HEADER_SIZE],
                        const struct bochs_header *h)
{
    bool usable;

    publish(ctx, raw, h);
    check_identity(ctx, raw, h);
    check_header_size(ctx, h);
    usable = check_extent(ctx, h);
    check_disk_catalog(ctx, h);
    return usable;
}
