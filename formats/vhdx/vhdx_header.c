#include "vhdx_header.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"
#include "vd_text.h"
#include "vhdx_sealed.h"

enum vd_status vhdx_file_id_check(struct vd_ctx *ctx)
{
    uint8_t id[VHDX_FILE_ID_CREATOR + VHDX_FILE_ID_CREATOR_SIZE];
    char creator[VD_TEXT_UTF16_CAP(VHDX_FILE_ID_CREATOR_SIZE / 2)];
    size_t len = ctx->file_size < sizeof(id) ? (size_t)ctx->file_size : sizeof(id);
    enum vd_status st;

    memset(id, 0, sizeof(id));
    st = vd_ctx_read(ctx, VHDX_FILE_ID_OFFSET, id, len);
    if (st != VD_OK) {
        return st;
    }
    if (memcmp(id, VHDX_FILE_ID_SIGNATURE, 8) != 0) {
        char found[VD_TEXT_BYTES_CAP(8)];
        vd_text_bytes(id, 8, found, sizeof(found));
        vd_report_values(ctx, VD_F_VHDX_FILE_ID_SIGNATURE, VD_LOC("vhdx.file_id", -1, 0, 8),
                         VHDX_FILE_ID_SIGNATURE, found, "the file does not start with vhdxfile");
    }
    if (!vd_text_utf16(id + VHDX_FILE_ID_CREATOR, VHDX_FILE_ID_CREATOR_SIZE, false, creator,
                       sizeof(creator))) {
        vd_report(ctx, VD_F_VHDX_FILE_ID_CREATOR,
                  VD_LOC("vhdx.file_id", -1, VHDX_FILE_ID_CREATOR, VHDX_FILE_ID_CREATOR_SIZE),
                  "invalid UTF-16 units in the creator were replaced by U+FFFD");
    }
    vd_fact_str(ctx->details, "creator", creator);
    vd_claim(ctx, "vhdx.file_id", -1, 0, VHDX_FILE_ID_SIZE, 0, 8);
    return VD_OK;
}

enum vd_status vhdx_reserved_area_claim(struct vd_ctx *ctx)
{
    return vd_claim_padding(ctx, "vhdx.header_section", VHDX_RESERVED_AREA_OFFSET,
                            VHDX_RESERVED_AREA_SIZE);
}

static void header_decode(const uint8_t *raw, struct vhdx_header *h)
{
    h->sequence = vd_load_le64(raw + VHDX_HEADER_SEQUENCE);
    memcpy(h->file_write_guid, raw + VHDX_HEADER_FILE_WRITE_GUID, 16);
    memcpy(h->data_write_guid, raw + VHDX_HEADER_DATA_WRITE_GUID, 16);
    memcpy(h->log_guid, raw + VHDX_HEADER_LOG_GUID, 16);
    h->log_version = vd_load_le16(raw + VHDX_HEADER_LOG_VERSION);
    h->version = vd_load_le16(raw + VHDX_HEADER_VERSION);
    h->log_length = vd_load_le32(raw + VHDX_HEADER_LOG_LENGTH);
    h->log_offset = vd_load_le64(raw + VHDX_HEADER_LOG_OFFSET);
}

/* §2.2.2: signature and checksum decide whether a header may be used at all. */
static const struct vhdx_sealed_kind header_kind = {
    .structure = "vhdx.header",
    .name = "header",
    .signature = VHDX_HEADER_SIGNATURE,
    .size = VHDX_HEADER_SIZE,
    .checksum_at = VHDX_HEADER_CHECKSUM,
    .bad_signature = VD_F_VHDX_HEADER_SIGNATURE,
    .bad_checksum = VD_F_VHDX_HEADER_CHECKSUM,
};

/* Field rules of a header whose checksum holds (VHDX-02). */
static void header_check_fields(struct vd_ctx *ctx, int index, const uint8_t *raw,
                                const struct vhdx_header *h)
{
    uint64_t at = vhdx_header_offset(index);
    uint64_t first = 0;
    uint64_t last = 0;

    if (h->version != 1) {
        vd_report(ctx, VD_F_VHDX_HEADER_VERSION,
                  VD_LOC("vhdx.header", index, at + VHDX_HEADER_VERSION, 2),
                  "header %d Version is %u", index + 1, h->version);
    }
    if (h->log_version != 0) {
        vd_report(ctx, VD_F_VHDX_HEADER_LOG_VERSION,
                  VD_LOC("vhdx.header", index, at + VHDX_HEADER_LOG_VERSION, 2),
                  "header %d LogVersion is %u", index + 1, h->log_version);
    }
    if (h->log_length % VHDX_MiB != 0) {
        vd_report(ctx, VD_F_VHDX_HEADER_LOG_LENGTH,
                  VD_LOC("vhdx.header", index, at + VHDX_HEADER_LOG_LENGTH, 4),
                  "header %d LogLength is %" PRIu32, index + 1, h->log_length);
    }
    if (h->log_offset < VHDX_MiB || h->log_offset % VHDX_MiB != 0) {
        vd_report(ctx, VD_F_VHDX_HEADER_LOG_OFFSET,
                  VD_LOC("vhdx.header", index, at + VHDX_HEADER_LOG_OFFSET, 8),
                  "header %d LogOffset is 0x%" PRIx64, index + 1, h->log_offset);
    }
    if (vd_nonzero_span(raw + VHDX_HEADER_RESERVED, VHDX_HEADER_RESERVED_SIZE, &first, &last)) {
        vd_report(ctx, VD_F_VHDX_HEADER_RESERVED,
                  VD_LOC("vhdx.header", index, at + VHDX_HEADER_RESERVED + first, last - first + 1),
                  "header %d has non-zero reserved bytes", index + 1);
    }
}

/* §2.2.2: the valid header with the larger sequence number is current. */
static void header_choose(struct vd_ctx *ctx, struct vhdx_headers *hs)
{
    if (!hs->valid[0] && !hs->valid[1]) {
        hs->current = -1;
        vd_report(ctx, VD_F_VHDX_HEADER_NONE_VALID,
                  VD_LOC("vhdx.header", -1, VHDX_HEADER1_OFFSET, 2 * VHDX_HEADER_SLOT),
                  "no valid header: the file is corrupt (MS-VHDX §2.2.2)");
        return;
    }
    if (hs->valid[0] != hs->valid[1]) {
        int bad = hs->valid[0] ? 1 : 0;
        hs->current = 1 - bad;
        vd_report(ctx, VD_F_VHDX_HEADER_TORN,
                  VD_LOC("vhdx.header", bad, vhdx_header_offset(bad), VHDX_HEADER_SIZE),
                  "header %d is invalid; header %d (sequence %" PRIu64 ") is used", bad + 1,
                  hs->current + 1, hs->h[hs->current].sequence);
        return;
    }
    if (hs->h[0].sequence != hs->h[1].sequence) {
        hs->current = hs->h[0].sequence > hs->h[1].sequence ? 0 : 1;
        return;
    }
    hs->current = 0;
    if (memcmp(hs->raw[0], hs->raw[1], VHDX_HEADER_SIZE) == 0) {
        vd_report(ctx, VD_F_VHDX_HEADER_IDENTICAL,
                  VD_LOC("vhdx.header", 1, VHDX_HEADER2_OFFSET + VHDX_HEADER_SEQUENCE, 8),
                  "both headers are identical with sequence %" PRIu64, hs->h[0].sequence);
    } else {
        vd_report(ctx, VD_F_VHDX_HEADER_SEQUENCE_TIE,
                  VD_LOC("vhdx.header", 1, VHDX_HEADER2_OFFSET + VHDX_HEADER_SEQUENCE, 8),
                  "both headers have sequence %" PRIu64 " but differ; header 1 is used",
                  hs->h[0].sequence);
    }
}

enum vd_status vhdx_headers_load(struct vd_ctx *ctx, struct vhdx_headers *hs)
{
    memset(hs, 0, sizeof(*hs));
    for (int i = 0; i < 2; i++) {
        uint64_t at = vhdx_header_offset(i);
        enum vd_status st;
        if (!vd_range_fits(at, VHDX_HEADER_SIZE, ctx->file_size)) {
            continue; /* vhdx.file.too_small says why */
        }
        st = vd_ctx_read(ctx, at, hs->raw[i], VHDX_HEADER_SIZE);
        if (st != VD_OK) {
            return st;
        }
        vd_claim(ctx, "vhdx.header", -1, at, VHDX_HEADER_SLOT, at, 4);
        hs->valid[i] = vhdx_sealed_verify(ctx, &header_kind, i, at, hs->raw[i]);
        header_decode(hs->raw[i], &hs->h[i]);
        if (hs->valid[i]) {
            header_check_fields(ctx, i, hs->raw[i], &hs->h[i]);
        }
    }
    header_choose(ctx, hs);
    return VD_OK;
}

static void header_publish(struct vd_fact *obj, const struct vhdx_header *h, bool valid)
{
    char guid[VD_GUID_TEXT_LEN];

    vd_fact_bool(obj, "valid", valid);
    vd_fact_u64(obj, "sequence", h->sequence);
    vd_guid_format(h->file_write_guid, VD_GUID_MS_MIXED, guid);
    vd_fact_str(obj, "file_write_guid", guid);
    vd_guid_format(h->data_write_guid, VD_GUID_MS_MIXED, guid);
    vd_fact_str(obj, "data_write_guid", guid);
    vd_guid_format(h->log_guid, VD_GUID_MS_MIXED, guid);
    vd_fact_str(obj, "log_guid", guid);
    vd_fact_u64(obj, "log_offset", h->log_offset);
    vd_fact_u64(obj, "log_length", h->log_length);
    vd_fact_u64(obj, "version", h->version);
}

void vhdx_headers_publish(struct vd_fact *details, const struct vhdx_headers *hs)
{
    struct vd_fact *list = vd_fact_array(details, "headers");

    for (int i = 0; i < 2; i++) {
        struct vd_fact *obj = vd_fact_object(list, NULL);
        vd_fact_u64(obj, "offset", vhdx_header_offset(i));
        header_publish(obj, &hs->h[i], hs->valid[i]);
        vd_fact_bool(obj, "current", hs->current == i);
    }
}
