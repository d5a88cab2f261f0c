#include "vhd_dynamic_header.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"
#include "vd_text.h"
#include "vhd_footer.h"

bool vhd_dyn_has_cookie(const uint8_t raw[VHD_DYN_SIZE])
{
    return memcmp(raw + VHD_DYN_COOKIE, "cxsparse", 8) == 0;
}

void vhd_dyn_decode(const uint8_t raw[VHD_DYN_SIZE], struct vhd_dynamic_header *out)
{
    out->data_offset = vd_load_be64(raw + VHD_DYN_DATA_OFFSET);
    out->table_offset = vd_load_be64(raw + VHD_DYN_TABLE_OFFSET);
    out->version = vd_load_be32(raw + VHD_DYN_VERSION);
    out->max_table_entries = vd_load_be32(raw + VHD_DYN_MAX_TABLE_ENTRIES);
    out->block_size = vd_load_be32(raw + VHD_DYN_BLOCK_SIZE);
    out->checksum = vd_load_be32(raw + VHD_DYN_CHECKSUM);
    memcpy(out->parent_uuid, raw + VHD_DYN_PARENT_UUID, 16);
    out->parent_timestamp = vd_load_be32(raw + VHD_DYN_PARENT_TIMESTAMP);
}

uint64_t vhd_bitmap_bytes(uint32_t block_size)
{
    uint64_t bits = block_size / VHD_SECTOR;
    return vd_div_round_up(vd_div_round_up(bits, 8), VHD_SECTOR) * VHD_SECTOR;
}

bool vhd_dyn_parent_name(const uint8_t raw[VHD_DYN_SIZE], char *out, size_t cap)
{
    return vd_text_utf16(raw + VHD_DYN_PARENT_NAME, VHD_DYN_LOCATORS - VHD_DYN_PARENT_NAME, true,
                         out, cap);
}

static void report_nonzero(struct vd_ctx *ctx, enum vd_finding_id id, uint64_t at,
                           const uint8_t *raw, size_t from, size_t len, const char *what)
{
    uint64_t first = 0;
    uint64_t last = 0;

    if (vd_nonzero_span(raw + from, len, &first, &last)) {
        vd_report(ctx, id, VD_LOC("vhd.dynamic_header", -1, at + from + first, last - first + 1),
                  "%s: bytes %" PRIu64 "..%" PRIu64 " of the dynamic header are not zero", what,
                  from + first, from + last);
    }
}

static void check_checksum(struct vd_ctx *ctx, uint64_t at, const uint8_t raw[VHD_DYN_SIZE],
                           const struct vhd_dynamic_header *h)
{
    uint32_t computed = vhd_checksum(raw, VHD_DYN_SIZE, VHD_DYN_CHECKSUM);
    char expected[16];
    char actual[16];

    if (computed == h->checksum) {
        return;
    }
    snprintf(expected, sizeof(expected), "0x%08" PRIx32, computed);
    snprintf(actual, sizeof(actual), "0x%08" PRIx32, h->checksum);
    vd_report_values(ctx, VD_F_VHD_DYN_CHECKSUM,
                     VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_CHECKSUM, 4), expected, actual,
                     "stored checksum 0x%08" PRIx32 ", computed 0x%08" PRIx32, h->checksum,
                     computed);
}

/* VHD-17 and VHD-18: without a usable table offset and block size there is no BAT. */
static bool check_table_geometry(struct vd_ctx *ctx, uint64_t at,
                                 const struct vhd_dynamic_header *h, uint64_t current_size)
{
    bool usable = true;
    char actual[24];
    uint64_t needed;

    snprintf(actual, sizeof(actual), "0x%" PRIx64, h->table_offset);
    if (h->table_offset == 0 || h->table_offset >= ctx->file_size) {
        vd_report_values(ctx, VD_F_VHD_DYN_TABLE_OFFSET,
                         VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_TABLE_OFFSET, 8),
                         "inside the file", actual,
                         "BAT offset 0x%" PRIx64 " in a %" PRIu64 "-byte file", h->table_offset,
                         ctx->file_size);
        usable = false;
    } else if (h->table_offset % VHD_SECTOR != 0) {
        vd_report_values(ctx, VD_F_VHD_DYN_TABLE_UNALIGNED,
                         VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_TABLE_OFFSET, 8),
                         "a multiple of 512", actual,
                         "BAT offset 0x%" PRIx64 " is not sector-aligned", h->table_offset);
    }
    if (!vd_is_pow2_u64(h->block_size) || h->block_size < VHD_SECTOR) {
        snprintf(actual, sizeof(actual), "%" PRIu32, h->block_size);
        vd_report_values(ctx, VD_F_VHD_DYN_BLOCK_SIZE,
                         VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_BLOCK_SIZE, 4),
                         "a power of two >= 512", actual, "block size %" PRIu32, h->block_size);
        return false;
    }
    needed = vd_div_round_up(current_size, h->block_size);
    snprintf(actual, sizeof(actual), "%" PRIu32, h->max_table_entries);
    if (h->max_table_entries < needed) {
        char expected[24];
        snprintf(expected, sizeof(expected), ">= %" PRIu64, needed);
        vd_report_values(ctx, VD_F_VHD_DYN_TABLE_TOO_SMALL,
                         VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_MAX_TABLE_ENTRIES, 4),
                         expected, actual,
                         "%" PRIu32 " BAT entries cover less than the %" PRIu64 " blocks of the "
                         "disk; the rest reads as zero",
                         h->max_table_entries, needed);
    } else if (h->max_table_entries > needed) {
        vd_report(ctx, VD_F_VHD_DYN_TABLE_TOO_LARGE,
                  VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_MAX_TABLE_ENTRIES, 4),
                  "%" PRIu32 " BAT entries for a disk of %" PRIu64 " blocks", h->max_table_entries,
                  needed);
    }
    return usable;
}

static void check_parent_fields(struct vd_ctx *ctx, uint64_t at, const uint8_t raw[VHD_DYN_SIZE],
                                const struct vhd_dynamic_header *h, bool differencing)
{
    char name[VD_TEXT_UTF16_CAP(256)];
    bool name_valid = vhd_dyn_parent_name(raw, name, sizeof(name));

    if (!differencing) {
        report_nonzero(ctx, VD_F_VHD_DYN_PARENT_FIELDS, at, raw, VHD_DYN_PARENT_UUID,
                       VHD_DYN_RESERVED1 - VHD_DYN_PARENT_UUID, "parent id and timestamp");
        report_nonzero(ctx, VD_F_VHD_DYN_PARENT_FIELDS, at, raw, VHD_DYN_PARENT_NAME,
                       VHD_DYN_RESERVED2 - VHD_DYN_PARENT_NAME, "parent name and locators");
        return;
    }
    if (vd_guid_is_null(h->parent_uuid)) {
        vd_report(ctx, VD_F_VHD_DYN_PARENT_UUID_NULL,
                  VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_PARENT_UUID, 16),
                  "the parent cannot be identified");
    }
    if (h->parent_timestamp == 0) {
        vd_report(ctx, VD_F_VHD_DYN_PARENT_TIMESTAMP_ZERO,
                  VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_PARENT_TIMESTAMP, 4),
                  "parent timestamp is zero");
    } else if (VHD_EPOCH_UNIX + (int64_t)h->parent_timestamp > (int64_t)time(NULL) + 86400) {
        vd_report(ctx, VD_F_VHD_DYN_PARENT_TIMESTAMP,
                  VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_PARENT_TIMESTAMP, 4),
                  "parent timestamp %" PRIu32 " is in the future", h->parent_timestamp);
    }
    if (!name_valid || name[0] == '\0') {
        vd_report(ctx, VD_F_VHD_DYN_PARENT_NAME,
                  VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_PARENT_NAME, 512), "parent name %s",
                  name[0] == '\0' ? "is empty" : "is not valid UTF-16BE");
    }
}

bool vhd_dyn_check(struct vd_ctx *ctx, uint64_t at, const uint8_t raw[VHD_DYN_SIZE],
                   const struct vhd_dynamic_header *h, uint64_t current_size, bool differencing,
                   bool complete)
{
    char actual[24];

    if (!vhd_dyn_has_cookie(raw)) {
        char cookie[VD_TEXT_BYTES_CAP(8)];
        vd_text_bytes(raw + VHD_DYN_COOKIE, 8, cookie, sizeof(cookie));
        vd_report_values(ctx, VD_F_VHD_DYN_COOKIE, VD_LOC("vhd.dynamic_header", -1, at, 8),
                         "cxsparse", cookie, "no dynamic disk header at 0x%" PRIx64, at);
        return false;
    }
    if (complete) {
        check_checksum(ctx, at, raw, h); /* a cut-off header cannot be verified */
    }
    if (h->version != VHD_VERSION_1_0) {
        snprintf(actual, sizeof(actual), "0x%08" PRIx32, h->version);
        vd_report_values(ctx, VD_F_VHD_DYN_VERSION,
                         VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_VERSION, 4), "0x00010000",
                         actual, "header version 0x%08" PRIx32, h->version);
    }
    if (h->data_offset != VHD_OFFSET_NONE) {
        snprintf(actual, sizeof(actual), "0x%" PRIx64, h->data_offset);
        vd_report_values(ctx, VD_F_VHD_DYN_DATA_OFFSET,
                         VD_LOC("vhd.dynamic_header", -1, at + VHD_DYN_DATA_OFFSET, 8),
                         "0xffffffffffffffff", actual, "data offset 0x%" PRIx64, h->data_offset);
    }
    report_nonzero(ctx, VD_F_VHD_DYN_RESERVED, at, raw, VHD_DYN_RESERVED1, 4, "reserved");
    report_nonzero(ctx, VD_F_VHD_DYN_RESERVED, at, raw, VHD_DYN_RESERVED2, 256, "reserved");
    check_parent_fields(ctx, at, raw, h, differencing);
    return check_table_geometry(ctx, at, h, current_size);
}
