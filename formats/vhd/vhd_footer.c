#include "vhd_footer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vd_bytes.h"
#include "vd_guid.h"
#include "vd_text.h"

/* Timestamps up to a day ahead of the clock are tolerated (clock skew between hosts). */
#define VHD_FUTURE_SLACK_SECONDS 86400

uint32_t vhd_checksum(const uint8_t *raw, size_t len, size_t checksum_at)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        if (i < checksum_at || i >= checksum_at + 4) {
            sum += raw[i];
        }
    }
    return ~sum;
}

bool vhd_footer_has_cookie(const uint8_t raw[VHD_FOOTER_SIZE])
{
    return memcmp(raw + VHD_FOOTER_COOKIE, "conectix", 8) == 0;
}

void vhd_footer_decode(const uint8_t raw[VHD_FOOTER_SIZE], struct vhd_footer *out)
{
    out->features = vd_load_be32(raw + VHD_FOOTER_FEATURES);
    out->version = vd_load_be32(raw + VHD_FOOTER_VERSION);
    out->data_offset = vd_load_be64(raw + VHD_FOOTER_DATA_OFFSET);
    out->timestamp = vd_load_be32(raw + VHD_FOOTER_TIMESTAMP);
    memcpy(out->creator_app, raw + VHD_FOOTER_CREATOR_APP, 4);
    out->creator_version = vd_load_be32(raw + VHD_FOOTER_CREATOR_VERSION);
    memcpy(out->creator_os, raw + VHD_FOOTER_CREATOR_OS, 4);
    out->original_size = vd_load_be64(raw + VHD_FOOTER_ORIGINAL_SIZE);
    out->current_size = vd_load_be64(raw + VHD_FOOTER_CURRENT_SIZE);
    out->cylinders = vd_load_be16(raw + VHD_FOOTER_CYLINDERS);
    out->heads = raw[VHD_FOOTER_HEADS];
    out->sectors = raw[VHD_FOOTER_SECTORS];
    out->disk_type = vd_load_be32(raw + VHD_FOOTER_DISK_TYPE);
    out->checksum = vd_load_be32(raw + VHD_FOOTER_CHECKSUM);
    memcpy(out->uuid, raw + VHD_FOOTER_UUID, 16);
    out->saved_state = raw[VHD_FOOTER_SAVED_STATE];
}

bool vhd_footer_check_checksum(struct vd_ctx *ctx, const char *structure, uint64_t at,
                               const uint8_t raw[VHD_FOOTER_SIZE])
{
    uint32_t stored = vd_load_be32(raw + VHD_FOOTER_CHECKSUM);
    uint32_t computed = vhd_checksum(raw, VHD_FOOTER_SIZE, VHD_FOOTER_CHECKSUM);
    char expected[16];
    char actual[16];

    if (stored == computed) {
        return true;
    }
    snprintf(expected, sizeof(expected), "0x%08" PRIx32, computed);
    snprintf(actual, sizeof(actual), "0x%08" PRIx32, stored);
    vd_report_values(ctx, VD_F_VHD_FOOTER_CHECKSUM,
                     VD_LOC(structure, -1, at + VHD_FOOTER_CHECKSUM, 4), expected, actual,
                     "stored checksum 0x%08" PRIx32 ", computed 0x%08" PRIx32, stored, computed);
    return false;
}

uint64_t vhd_footer_chs_size(const struct vhd_footer *f)
{
    return (uint64_t)f->cylinders * f->heads * f->sectors * VHD_SECTOR;
}

/*
 * QEMU's vpc driver trusts current_size for the creators below (and for the maximum
 * CHS geometry, which cannot express larger disks); for every other creator, Virtual PC
 * and QEMU's own "qemu" among them, it derives the size from CHS.
 */
bool vhd_footer_qemu_uses_chs(const struct vhd_footer *f)
{
    static const char size_creators[][4] = {
        {'w', 'i', 'n', ' '}, {'q', 'e', 'm', '2'}, {'d', '2', 'v', ' '},
        {'t', 'a', 'p', 0},   {'C', 'T', 'X', 'S'}, {'w', 'a', 0, 0},
    };

    if ((uint64_t)f->cylinders * f->heads * f->sectors == VHD_MAX_CHS_SECTORS) {
        return false;
    }
    for (size_t i = 0; i < VD_ARRAY_LEN(size_creators); i++) {
        if (memcmp(f->creator_app, size_creators[i], 4) == 0) {
            return false;
        }
    }
    return true;
}

static void check_data_offset(struct vd_ctx *ctx, uint64_t at, const struct vhd_footer *f)
{
    struct vd_loc loc = VD_LOC("vhd.footer", -1, at + VHD_FOOTER_DATA_OFFSET, 8);
    char actual[24];

    snprintf(actual, sizeof(actual), "0x%" PRIx64, f->data_offset);
    if (f->disk_type == VHD_TYPE_FIXED) {
        if (f->data_offset == 0xFFFFFFFFu) {
            vd_report_values(ctx, VD_F_VHD_FOOTER_DATA_OFFSET_32BIT, loc, "0xffffffffffffffff",
                             actual, "fixed disk data offset has only its low 32 bits set");
        } else if (f->data_offset != VHD_OFFSET_NONE) {
            vd_report_values(ctx, VD_F_VHD_FOOTER_DATA_OFFSET, loc, "0xffffffffffffffff", actual,
                             "a fixed disk has no dynamic header");
        }
        return;
    }
    if (f->data_offset % VHD_SECTOR != 0 || f->data_offset == VHD_OFFSET_NONE) {
        vd_report_values(ctx, VD_F_VHD_FOOTER_DATA_OFFSET, loc, "a multiple of 512", actual,
                         "dynamic header offset is not a sector offset");
    }
}

static void check_sizes(struct vd_ctx *ctx, uint64_t at, const struct vhd_footer *f)
{
    uint64_t chs = vhd_footer_chs_size(f);
    bool qemu_chs = vhd_footer_qemu_uses_chs(f);
    char creator[VD_TEXT_BYTES_CAP(4)];

    vd_text_bytes(f->creator_app, 4, creator, sizeof(creator));
    /* The maximum geometry means "too large for CHS" (VHD spec appendix), not a size. */
    if (chs > f->current_size &&
        (uint64_t)f->cylinders * f->heads * f->sectors != VHD_MAX_CHS_SECTORS) {
        vd_report(ctx, VD_F_VHD_FOOTER_GEOMETRY,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_CYLINDERS, 4),
                  "CHS %u/%u/%u addresses %" PRIu64 " bytes, more than current_size %" PRIu64,
                  f->cylinders, f->heads, f->sectors, chs, f->current_size);
    }
    if (chs != f->current_size) {
        vd_report(ctx, VD_F_VHD_FOOTER_SIZE_CHS_MISMATCH,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_CURRENT_SIZE, 12),
                  "current_size %" PRIu64 " (used by vdcheck), CHS %u/%u/%u = %" PRIu64
                  "; QEMU uses %s for creator \"%s\"",
                  f->current_size, f->cylinders, f->heads, f->sectors, chs,
                  qemu_chs ? "CHS" : "current_size", creator);
    }
    if (f->current_size % VHD_SECTOR != 0) {
        vd_report(ctx, VD_F_VHD_FOOTER_SIZE_UNALIGNED,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_CURRENT_SIZE, 8),
                  "current_size %" PRIu64 " is not a whole number of sectors", f->current_size);
    }
    if (f->current_size > VHD_MAX_SIZE) {
        vd_report(ctx, VD_F_VHD_FOOTER_SIZE_TOO_LARGE,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_CURRENT_SIZE, 8),
                  "current_size %" PRIu64 " exceeds 2040 GiB", f->current_size);
    }
}

bool vhd_footer_check(struct vd_ctx *ctx, uint64_t at, const uint8_t raw[VHD_FOOTER_SIZE],
                      const struct vhd_footer *f)
{
    size_t first = 0;
    size_t last = 0;
    char actual[24];

    if ((f->features & VHD_FEATURE_RESERVED) == 0 ||
        (f->features & ~(VHD_FEATURE_RESERVED | VHD_FEATURE_TEMPORARY)) != 0) {
        snprintf(actual, sizeof(actual), "0x%08" PRIx32, f->features);
        vd_report_values(ctx, VD_F_VHD_FOOTER_FEATURES,
                         VD_LOC("vhd.footer", -1, at + VHD_FOOTER_FEATURES, 4), "0x00000002",
                         actual, "features 0x%08" PRIx32, f->features);
    }
    if (f->version != VHD_VERSION_1_0) {
        snprintf(actual, sizeof(actual), "0x%08" PRIx32, f->version);
        vd_report_values(ctx, VD_F_VHD_FOOTER_VERSION,
                         VD_LOC("vhd.footer", -1, at + VHD_FOOTER_VERSION, 4), "0x00010000", actual,
                         "file format version 0x%08" PRIx32, f->version);
    }
    if (f->disk_type != VHD_TYPE_FIXED && f->disk_type != VHD_TYPE_DYNAMIC &&
        f->disk_type != VHD_TYPE_DIFFERENCING) {
        snprintf(actual, sizeof(actual), "%" PRIu32, f->disk_type);
        vd_report_values(ctx, VD_F_VHD_FOOTER_DISK_TYPE,
                         VD_LOC("vhd.footer", -1, at + VHD_FOOTER_DISK_TYPE, 4), "2, 3 or 4",
                         actual, "disk type %" PRIu32 " is reserved or unknown", f->disk_type);
        return false;
    }
    check_data_offset(ctx, at, f);
    if (VHD_EPOCH_UNIX + (int64_t)f->timestamp > (int64_t)time(NULL) + VHD_FUTURE_SLACK_SECONDS) {
        char when[32];
        vd_text_time_utc(VHD_EPOCH_UNIX + (int64_t)f->timestamp, when);
        vd_report(ctx, VD_F_VHD_FOOTER_TIMESTAMP_FUTURE,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_TIMESTAMP, 4),
                  "timestamp %s is in the future", when);
    }
    check_sizes(ctx, at, f);
    if (f->saved_state > 1) {
        vd_report(ctx, VD_F_VHD_FOOTER_SAVED_STATE,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_SAVED_STATE, 1),
                  "saved state byte is 0x%02x", f->saved_state);
    }
    if (vd_nonzero_span(raw + VHD_FOOTER_RESERVED, VHD_FOOTER_SIZE - VHD_FOOTER_RESERVED, &first,
                        &last)) {
        vd_report(ctx, VD_F_VHD_FOOTER_RESERVED,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_RESERVED + first, last - first + 1),
                  "reserved bytes %zu..%zu of the footer are not zero", VHD_FOOTER_RESERVED + first,
                  VHD_FOOTER_RESERVED + last);
    }
    if (vd_guid_is_null(f->uuid)) {
        vd_report(ctx, VD_F_VHD_FOOTER_UUID_NULL,
                  VD_LOC("vhd.footer", -1, at + VHD_FOOTER_UUID, 16), "unique id is all zero");
    }
    return true;
}

static const char *disk_type_name(uint32_t type)
{
    switch (type) {
    case VHD_TYPE_FIXED:
        return "fixed";
    case VHD_TYPE_DYNAMIC:
        return "dynamic";
    case VHD_TYPE_DIFFERENCING:
        return "differencing";
    default:
        return "unknown";
    }
}

void vhd_footer_publish(struct vd_fact *parent, const struct vhd_footer *f)
{
    char text[VD_TEXT_BYTES_CAP(4) > VD_GUID_TEXT_LEN ? VD_TEXT_BYTES_CAP(4) : VD_GUID_TEXT_LEN];
    char when[32];
    struct vd_fact *geometry;

    vd_fact_str(parent, "disk_type", disk_type_name(f->disk_type));
    vd_guid_format(f->uuid, VD_GUID_BYTES, text);
    vd_fact_str(parent, "uuid", text);
    vd_text_bytes(f->creator_app, 4, text, sizeof(text));
    vd_fact_str(parent, "creator_app", text);
    snprintf(text, sizeof(text), "0x%08" PRIx32, f->creator_version);
    vd_fact_str(parent, "creator_version", text);
    vd_text_bytes(f->creator_os, 4, text, sizeof(text));
    vd_fact_str(parent, "creator_os", text);
    vd_fact_u64(parent, "timestamp", f->timestamp);
    vd_text_time_utc(VHD_EPOCH_UNIX + (int64_t)f->timestamp, when);
    vd_fact_str(parent, "timestamp_utc", when);
    vd_fact_u64(parent, "original_size", f->original_size);
    vd_fact_u64(parent, "current_size", f->current_size);
    geometry = vd_fact_object(parent, "geometry");
    vd_fact_u64(geometry, "cylinders", f->cylinders);
    vd_fact_u64(geometry, "heads", f->heads);
    vd_fact_u64(geometry, "sectors_per_track", f->sectors);
    vd_fact_u64(parent, "chs_size", vhd_footer_chs_size(f));
    vd_fact_str(parent, "qemu_size_source", vhd_footer_qemu_uses_chs(f) ? "chs" : "current_size");
    vd_fact_u64(parent, "features", f->features);
    vd_fact_u64(parent, "saved_state", f->saved_state);
}
