#include "vdi_header.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"
#include "vd_text.h"

static const struct vdi_fields fields_v0 = {
    .type = VDI0_TYPE_AT,
    .flags = VDI0_FLAGS_AT,
    .comment = VDI0_COMMENT_AT,
    .legacy_geometry = VDI0_LEGACY_GEOMETRY_AT,
    .disk_size = VDI0_DISK_SIZE_AT,
    .block_size = VDI0_BLOCK_SIZE_AT,
    .blocks = VDI0_BLOCKS_AT,
    .blocks_allocated = VDI0_BLOCKS_ALLOCATED_AT,
    .uuid_create = VDI0_UUID_CREATE_AT,
    .uuid_modify = VDI0_UUID_MODIFY_AT,
    .uuid_link = VDI0_UUID_LINK_AT,
};

static const struct vdi_fields fields_v1 = {
    .type = VDI1_TYPE_AT,
    .flags = VDI1_FLAGS_AT,
    .comment = VDI1_COMMENT_AT,
    .legacy_geometry = VDI1_LEGACY_GEOMETRY_AT,
    .blocks_offset = VDI1_BLOCKS_OFFSET_AT,
    .data_offset = VDI1_DATA_OFFSET_AT,
    .disk_size = VDI1_DISK_SIZE_AT,
    .block_size = VDI1_BLOCK_SIZE_AT,
    .block_extra = VDI1_BLOCK_EXTRA_AT,
    .blocks = VDI1_BLOCKS_AT,
    .blocks_allocated = VDI1_BLOCKS_ALLOCATED_AT,
    .uuid_create = VDI1_UUID_CREATE_AT,
    .uuid_modify = VDI1_UUID_MODIFY_AT,
    .uuid_link = VDI1_UUID_LINK_AT,
    .uuid_parent_modify = VDI1_UUID_PARENT_MODIFY_AT,
};

#define VDI_LOC(field, len) VD_LOC("vdi.header", -1, (field), (len))

/* v0 has no offsets: the map follows the header, the data the map (VDICore.h). */
static void decode_v0(const uint8_t *raw, struct vdi_header *h)
{
    h->at = &fields_v0;
    h->size = VDI0_HEADER_SIZE;
    h->claim_end = VDI_PREHEADER_SIZE + VDI0_HEADER_SIZE;
    h->blocks_offset = h->claim_end;
    h->data_offset = h->blocks_offset + (uint64_t)vd_load_le32(raw + VDI0_BLOCKS_AT) * 4;
}

static void decode_v1(const uint8_t *raw, uint64_t file_size, struct vdi_header *h)
{
    h->at = &fields_v1;
    h->size = vd_load_le32(raw + VDI1_HEADER_SIZE_AT);
    /*
     * Only geometry the file holds is read: a cbHeader of VDIHEADER1PLUS in a file that ends
     * before the LCHS geometry checked zeros past EOF (found by tests/fuzz); the header's
     * claim still reports that it runs past the end of the file.
     */
    h->has_lchs = h->size >= VDI1_HEADER_PLUS && file_size >= VDI_HEADER_READ;
    h->blocks_offset = vd_load_le32(raw + VDI1_BLOCKS_OFFSET_AT);
    h->data_offset = vd_load_le32(raw + VDI1_DATA_OFFSET_AT);
    h->block_extra = vd_load_le32(raw + VDI1_BLOCK_EXTRA_AT);
    h->uuid_parent_modify = raw + VDI1_UUID_PARENT_MODIFY_AT;
    if (h->has_lchs) {
        h->lchs_sector_size =
            vd_load_le32(raw + VDI1_LCHS_GEOMETRY_AT + VDI_GEOMETRY_SECTOR_SIZE_AT);
    }
    /* The header is what cbHeader says when that is sane, else the fields read. */
    h->claim_end = VDI_PREHEADER_SIZE + (h->has_lchs ? VDI1_HEADER_PLUS : VDI1_HEADER_MIN);
    if (h->size >= VDI1_HEADER_MIN && VDI_PREHEADER_SIZE + (uint64_t)h->size <= h->blocks_offset) {
        h->claim_end = VDI_PREHEADER_SIZE + (uint64_t)h->size;
    }
}

bool vdi_header_decode(struct vd_ctx *ctx, const uint8_t *raw, struct vdi_header *h)
{
    uint32_t major;

    memset(h, 0, sizeof(*h));
    h->signature = vd_load_le32(raw + VDI_SIGNATURE_AT);
    h->version = vd_load_le32(raw + VDI_VERSION_AT);
    major = h->version >> 16;
    if (major == 0) {
        decode_v0(raw, h);
    } else if (major == 1) {
        decode_v1(raw, ctx->file_size, h);
    } else {
        vd_report(ctx, VD_F_VDI_PREHEADER_VERSION, VD_LOC("vdi.preheader", -1, VDI_VERSION_AT, 4),
                  "version 0x%08" PRIx32 " (major %" PRIu32 ") has no known header layout",
                  h->version, major);
        return false;
    }
    h->type = vd_load_le32(raw + h->at->type);
    h->flags = vd_load_le32(raw + h->at->flags);
    h->disk_size = vd_load_le64(raw + h->at->disk_size);
    h->block_size = vd_load_le32(raw + h->at->block_size);
    h->blocks = vd_load_le32(raw + h->at->blocks);
    h->blocks_allocated = vd_load_le32(raw + h->at->blocks_allocated);
    h->legacy_sector_size =
        vd_load_le32(raw + h->at->legacy_geometry + VDI_GEOMETRY_SECTOR_SIZE_AT);
    h->uuid_create = raw + h->at->uuid_create;
    h->uuid_modify = raw + h->at->uuid_modify;
    h->uuid_link = raw + h->at->uuid_link;
    return true;
}

/* VDI-01: signature and the informational text ("<<< Oracle VM VirtualBox Disk Image >>>"). */
static void check_preheader(struct vd_ctx *ctx, const uint8_t *raw, const struct vdi_header *h)
{
    size_t len = strnlen((const char *)raw, VDI_TEXT_SIZE);
    static const char open[] = "<<< ";
    static const char close[] = " >>>\n";

    if (h->signature != VDI_SIGNATURE) {
        char actual[16];
        snprintf(actual, sizeof(actual), "0x%08" PRIx32, h->signature);
        vd_report_values(ctx, VD_F_VDI_PREHEADER_SIGNATURE,
                         VD_LOC("vdi.preheader", -1, VDI_SIGNATURE_AT, 4), "0xbeda107f", actual,
                         "the signature is 0x%08" PRIx32, h->signature);
    }
    if (len == VDI_TEXT_SIZE || len < sizeof(open) - 1 + sizeof(close) - 1 ||
        memcmp(raw, open, sizeof(open) - 1) != 0 ||
        memcmp(raw + len - (sizeof(close) - 1), close, sizeof(close) - 1) != 0) {
        vd_report(ctx, VD_F_VDI_PREHEADER_TEXT, VD_LOC("vdi.preheader", -1, 0, VDI_TEXT_SIZE),
                  "the pre-header text is not \"<<< ... >>>\\n\" followed by a NUL");
    }
}

/* VDI-02 (v1 only) and VDI-04: header size, where the map and the data start. */
static void check_offsets(struct vd_ctx *ctx, const struct vdi_header *h)
{
    uint64_t header_end = VDI_PREHEADER_SIZE + (uint64_t)VDI1_HEADER_MIN;
    uint64_t map_end = h->blocks_offset + (uint64_t)h->blocks * 4;

    if (h->at == &fields_v1 && h->size < VDI1_HEADER_MIN) {
        vd_report(ctx, VD_F_VDI_HEADER_SIZE, VDI_LOC(VDI1_HEADER_SIZE_AT, 4),
                  "cbHeader is 0x%" PRIx32 ", below sizeof(VDIHEADER1) = 0x180", h->size);
    } else if (h->at == &fields_v1 && VDI_PREHEADER_SIZE + (uint64_t)h->size > h->blocks_offset &&
               h->blocks_offset >= header_end) {
        vd_report(ctx, VD_F_VDI_HEADER_SIZE, VDI_LOC(VDI1_HEADER_SIZE_AT, 4),
                  "cbHeader 0x%" PRIx32 " runs into the block map at 0x%" PRIx64, h->size,
                  h->blocks_offset);
    }
    if (h->at != &fields_v1) {
        return;
    }
    if (h->blocks_offset < header_end) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCKS_OFFSET, VDI_LOC(VDI1_BLOCKS_OFFSET_AT, 4),
                  "the block map at 0x%" PRIx64 " starts before the header ends (0x%" PRIx64 ")",
                  h->blocks_offset, header_end);
    } else if (h->blocks_offset % VDI_SECTOR != 0) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCKS_OFFSET_UNALIGNED, VDI_LOC(VDI1_BLOCKS_OFFSET_AT, 4),
                  "the block map offset 0x%" PRIx64 " is not a multiple of 512", h->blocks_offset);
    }
    if (h->data_offset < map_end) {
        vd_report(ctx, VD_F_VDI_HEADER_DATA_OFFSET, VDI_LOC(VDI1_DATA_OFFSET_AT, 4),
                  "data at 0x%" PRIx64 " starts before the %" PRIu32
                  "-entry block map ends (0x%" PRIx64 ")",
                  h->data_offset, h->blocks, map_end);
    } else if (h->data_offset % VDI_SECTOR != 0) {
        vd_report(ctx, VD_F_VDI_HEADER_DATA_OFFSET_UNALIGNED, VDI_LOC(VDI1_DATA_OFFSET_AT, 4),
                  "the data offset 0x%" PRIx64 " is not a multiple of 512", h->data_offset);
    }
}

/* VDI-03 and VDI-05. */
static void check_type_flags_sectors(struct vd_ctx *ctx, const struct vdi_header *h)
{
    if (h->type < VDI_TYPE_NORMAL || h->type > VDI_TYPE_DIFF) {
        vd_report(ctx, VD_F_VDI_HEADER_TYPE, VDI_LOC(h->at->type, 4),
                  "image type %" PRIu32 " is unknown; read as a normal image", h->type);
    }
    if ((h->flags & ~VDI_FLAGS_MASK) != 0) {
        vd_report(ctx, VD_F_VDI_HEADER_FLAGS, VDI_LOC(h->at->flags, 4),
                  "flags 0x%08" PRIx32 " set bits outside 0x%08" PRIx32, h->flags,
                  (uint32_t)VDI_FLAGS_MASK);
    }
    if (h->has_lchs && h->lchs_sector_size != VDI_SECTOR) {
        vd_report(ctx, VD_F_VDI_HEADER_SECTOR_SIZE,
                  VDI_LOC(VDI1_LCHS_GEOMETRY_AT + VDI_GEOMETRY_SECTOR_SIZE_AT, 4),
                  "LCHS sector size is %" PRIu32, h->lchs_sector_size);
    }
    if (h->legacy_sector_size != VDI_SECTOR) {
        vd_report(ctx, VD_F_VDI_HEADER_LEGACY_SECTOR_SIZE,
                  VDI_LOC(h->at->legacy_geometry + VDI_GEOMETRY_SECTOR_SIZE_AT, 4),
                  "legacy geometry sector size is %" PRIu32, h->legacy_sector_size);
    }
}

/* VDI-06 and VDI-07: the sizes. Returns true when blocks can be located. */
static bool check_sizes(struct vd_ctx *ctx, const struct vdi_header *h)
{
    bool usable = true;
    uint64_t capacity = (uint64_t)h->blocks * h->block_size;

    if (h->disk_size == 0) {
        vd_report(ctx, VD_F_VDI_HEADER_DISK_SIZE_ZERO, VDI_LOC(h->at->disk_size, 8),
                  "the disk size is 0");
    } else if (h->disk_size % VDI_SECTOR != 0) {
        vd_report(ctx, VD_F_VDI_HEADER_DISK_SIZE_UNALIGNED, VDI_LOC(h->at->disk_size, 8),
                  "disk size %" PRIu64 " is not a multiple of 512: QEMU reads %" PRIu64
                  " bytes, VirtualBox %" PRIu64 "; vdcheck hashes the declared %" PRIu64,
                  h->disk_size, vd_div_round_up(h->disk_size, VDI_SECTOR) * VDI_SECTOR,
                  h->disk_size / VDI_SECTOR * VDI_SECTOR, h->disk_size);
    }
    if (!vd_is_pow2_u64(h->block_size)) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCK_SIZE, VDI_LOC(h->at->block_size, 4),
                  "block size %" PRIu32 " is not a power of two", h->block_size);
        usable = h->block_size != 0;
    } else if (h->block_size < VDI_BLOCK_SIZE_MIN_WRITTEN ||
               h->block_size > VDI_BLOCK_SIZE_MAX_WRITTEN) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCK_SIZE_RANGE, VDI_LOC(h->at->block_size, 4),
                  "block size %" PRIu32 " is outside 128 KiB .. 128 MiB", h->block_size);
    }
    if (h->block_extra != 0 && !vd_is_pow2_u64(h->block_extra)) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCK_EXTRA, VDI_LOC(h->at->block_extra, 4),
                  "extra data per block %" PRIu32 " is not a power of two", h->block_extra);
    }
    if (h->blocks == 0) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCKS_ZERO, VDI_LOC(h->at->blocks, 4),
                  "the block count is 0");
        usable = false;
    } else if (h->block_size != 0 && capacity < h->disk_size) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCKS_TOO_FEW, VDI_LOC(h->at->blocks, 4),
                  "%" PRIu32 " blocks of %" PRIu32 " bytes hold %" PRIu64
                  " bytes, less than the %" PRIu64 "-byte disk; the disk is not hashed",
                  h->blocks, h->block_size, capacity, h->disk_size);
    } else if (h->block_size != 0 && h->disk_size != 0 &&
               h->blocks > vd_div_round_up(h->disk_size, h->block_size)) {
        vd_report(ctx, VD_F_VDI_HEADER_BLOCKS_EXCESS, VDI_LOC(h->at->blocks, 4),
                  "%" PRIu32 " blocks where the %" PRIu64 "-byte disk needs %" PRIu64, h->blocks,
                  h->disk_size, vd_div_round_up(h->disk_size, h->block_size));
    }
    if (h->blocks_allocated > h->blocks) {
        vd_report(ctx, VD_F_VDI_HEADER_ALLOCATED_EXCEEDS, VDI_LOC(h->at->blocks_allocated, 4),
                  "%" PRIu32 " blocks allocated out of %" PRIu32, h->blocks_allocated, h->blocks);
    }
    return usable;
}

/* VDI-08: which UUIDs must and must not be set for the image type. */
static void check_uuids(struct vd_ctx *ctx, const struct vdi_header *h)
{
    bool child = vdi_type_has_parent(h->type);

    if (vd_guid_is_null(h->uuid_create)) {
        vd_report(ctx, VD_F_VDI_HEADER_UUID_CREATE_NULL, VDI_LOC(h->at->uuid_create, 16),
                  "the creation UUID is null");
    }
    if (vd_guid_is_null(h->uuid_modify)) {
        vd_report(ctx, VD_F_VDI_HEADER_UUID_MODIFY_NULL, VDI_LOC(h->at->uuid_modify, 16),
                  "the modification UUID is null");
    }
    if (child && vd_guid_is_null(h->uuid_link)) {
        vd_report(ctx, VD_F_VDI_HEADER_UUID_LINK_NULL, VDI_LOC(h->at->uuid_link, 16),
                  "type %" PRIu32 " image with a null linkage UUID", h->type);
    }
    if (!child && !vd_guid_is_null(h->uuid_link)) {
        vd_report(ctx, VD_F_VDI_HEADER_UUID_LINK_UNEXPECTED, VDI_LOC(h->at->uuid_link, 16),
                  "a type %" PRIu32 " image carries a linkage UUID", h->type);
    }
    if (!child && h->uuid_parent_modify != NULL && !vd_guid_is_null(h->uuid_parent_modify)) {
        vd_report(ctx, VD_F_VDI_HEADER_UUID_LINK_UNEXPECTED, VDI_LOC(h->at->uuid_parent_modify, 16),
                  "a type %" PRIu32 " image carries a parent-modification UUID", h->type);
    }
}

/* Facts on why QEMU (block/vdi.c) would refuse an image VirtualBox may read. */
static void note_qemu_limits(struct vd_ctx *ctx, const struct vdi_header *h)
{
    if (h->version != 0x00010001u) {
        vd_report(ctx, VD_F_VDI_COMPAT_QEMU, VD_LOC("vdi.preheader", -1, VDI_VERSION_AT, 4),
                  "QEMU reads only version 1.1, this is 0x%08" PRIx32, h->version);
    }
    if (h->block_size != VDI_BLOCK_SIZE_DEFAULT) {
        vd_report(ctx, VD_F_VDI_COMPAT_QEMU, VDI_LOC(h->at->block_size, 4),
                  "QEMU reads only 1 MiB blocks, this image has %" PRIu32 "-byte blocks",
                  h->block_size);
    }
    if (h->block_extra != 0) {
        vd_report(ctx, VD_F_VDI_COMPAT_QEMU, VDI_LOC(h->at->block_extra, 4),
                  "QEMU ignores the %" PRIu32 " bytes of extra data per block and reads every "
                  "block from the wrong offset",
                  h->block_extra);
    }
    if (h->blocks > VDI_QEMU_BLOCKS_MAX) {
        vd_report(ctx, VD_F_VDI_COMPAT_QEMU, VDI_LOC(h->at->blocks, 4),
                  "QEMU refuses more than %" PRIu32 " blocks (%" PRIu32 ")",
                  (uint32_t)VDI_QEMU_BLOCKS_MAX, h->blocks);
    }
    if (h->disk_size > VDI_QEMU_DISK_MAX) {
        vd_report(ctx, VD_F_VDI_COMPAT_QEMU, VDI_LOC(h->at->disk_size, 8),
                  "QEMU refuses disks above 0x%" PRIx64 " bytes (0x%" PRIx64 ")",
                  (uint64_t)VDI_QEMU_DISK_MAX, h->disk_size);
    }
    if (!vd_guid_is_null(h->uuid_link)) {
        vd_report(ctx, VD_F_VDI_COMPAT_QEMU, VDI_LOC(h->at->uuid_link, 16),
                  "QEMU refuses images with a linkage UUID (no VDI differencing support)");
    }
    if (h->uuid_parent_modify != NULL && !vd_guid_is_null(h->uuid_parent_modify)) {
        vd_report(ctx, VD_F_VDI_COMPAT_QEMU, VDI_LOC(h->at->uuid_parent_modify, 16),
                  "QEMU refuses images with a parent-modification UUID");
    }
}

static void publish_uuid(struct vd_fact *obj, const char *key, const uint8_t *raw)
{
    char text[VD_GUID_TEXT_LEN];

    if (raw != NULL) {
        vd_guid_format(raw, VD_GUID_MS_MIXED, text);
        vd_fact_str(obj, key, text);
    }
}

static const char *type_name(uint32_t type)
{
    static const char *const names[] = {"normal", "fixed", "undo", "diff"};
    return type >= VDI_TYPE_NORMAL && type <= VDI_TYPE_DIFF ? names[type - 1] : "unknown";
}

/* A NUL-terminated field as text; the pre-header's closing newline is dropped. */
static void publish_text(struct vd_fact *obj, const char *key, const uint8_t *p, size_t cap)
{
    char text[VD_TEXT_BYTES_CAP(VDI_COMMENT_SIZE)];
    size_t len = strnlen((const char *)p, cap);

    if (len > 0 && p[len - 1] == '\n') {
        len--;
    }
    vd_text_bytes(p, len, text, sizeof(text));
    vd_fact_str(obj, key, text);
}

static void publish(struct vd_ctx *ctx, const uint8_t *raw, const struct vdi_header *h)
{
    struct vd_fact *obj = vd_fact_object(ctx->details, "header");
    char version[16];

    publish_text(obj, "text", raw, VDI_TEXT_SIZE);
    snprintf(version, sizeof(version), "%" PRIu32 ".%" PRIu32, h->version >> 16,
             h->version & 0xFFFFu);
    vd_fact_str(obj, "version", version);
    vd_fact_u64(obj, "header_size", h->size);
    vd_fact_u64(obj, "type", h->type);
    vd_fact_str(obj, "type_name", type_name(h->type));
    vd_fact_u64(obj, "flags", h->flags);
    publish_text(obj, "comment", raw + h->at->comment, VDI_COMMENT_SIZE);
    vd_fact_u64(obj, "blocks_offset", h->blocks_offset);
    vd_fact_u64(obj, "data_offset", h->data_offset);
    vd_fact_u64(obj, "disk_size", h->disk_size);
    if (h->disk_size % VDI_SECTOR != 0) {
        vd_fact_u64(obj, "disk_size_qemu", vd_div_round_up(h->disk_size, VDI_SECTOR) * VDI_SECTOR);
        vd_fact_u64(obj, "disk_size_virtualbox", h->disk_size / VDI_SECTOR * VDI_SECTOR);
    }
    vd_fact_u64(obj, "block_size", h->block_size);
    vd_fact_u64(obj, "block_extra", h->block_extra);
    vd_fact_u64(obj, "blocks", h->blocks);
    vd_fact_u64(obj, "blocks_allocated", h->blocks_allocated);
    publish_uuid(obj, "uuid_create", h->uuid_create);
    publish_uuid(obj, "uuid_modify", h->uuid_modify);
    publish_uuid(obj, "uuid_link", h->uuid_link);
    publish_uuid(obj, "uuid_parent_modify", h->uuid_parent_modify);
}

bool vdi_header_check(struct vd_ctx *ctx, const uint8_t *raw, const struct vdi_header *h)
{
    bool usable;

    publish(ctx, raw, h);
    check_preheader(ctx, raw, h);
    check_offsets(ctx, h);
    check_type_flags_sectors(ctx, h);
    usable = check_sizes(ctx, h);
    check_uuids(ctx, h);
    note_qemu_limits(ctx, h);
    return usable;
}
