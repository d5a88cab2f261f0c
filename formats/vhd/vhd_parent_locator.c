#include "vhd_parent_locator.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_text.h"

void vhd_locator_decode(const uint8_t raw[VHD_LOC_SIZE], struct vhd_parent_locator *out)
{
    out->platform_code = vd_load_be32(raw + VHD_LOC_PLATFORM_CODE);
    out->data_space = vd_load_be32(raw + VHD_LOC_DATA_SPACE);
    out->data_length = vd_load_be32(raw + VHD_LOC_DATA_LENGTH);
    out->reserved = vd_load_be32(raw + VHD_LOC_RESERVED);
    out->data_offset = vd_load_be64(raw + VHD_LOC_DATA_OFFSET);
}

static const char *platform_name(uint32_t code)
{
    switch (code) {
    case VHD_PLATFORM_WI2R:
        return "Wi2r";
    case VHD_PLATFORM_WI2K:
        return "Wi2k";
    case VHD_PLATFORM_W2RU:
        return "W2ru";
    case VHD_PLATFORM_W2KU:
        return "W2ku";
    case VHD_PLATFORM_MAC:
        return "Mac ";
    case VHD_PLATFORM_MACX:
        return "MacX";
    default:
        return NULL;
    }
}

/*
 * The spec counts data space in sectors; Virtual PC and Hyper-V write bytes (VHD-22
 * quirk). A value that is a whole number of sectors of at least one sector is taken as
 * bytes; anything else as sectors.
 */
static uint64_t locator_space_bytes(const struct vhd_parent_locator *l, bool *in_bytes)
{
    *in_bytes = l->data_space >= VHD_SECTOR && l->data_space % VHD_SECTOR == 0;
    return *in_bytes ? l->data_space : (uint64_t)l->data_space * VHD_SECTOR;
}

/* Decodes a locator path into out; returns false when it is not valid in its encoding. */
static bool locator_text(uint32_t code, const uint8_t *data, size_t len, char *out, size_t cap)
{
    switch (code) {
    case VHD_PLATFORM_W2RU:
    case VHD_PLATFORM_W2KU:
        return vd_text_utf16(data, len, false, out, cap);
    case VHD_PLATFORM_MAC: {
        /* A Mac OS alias record is binary: keep it as hex. */
        size_t n = len < (cap - 5) / 2 ? len : (cap - 5) / 2;
        memcpy(out, "hex:", 4);
        vd_text_hex(data, n, out + 4);
        return true;
    }
    default:
        return vd_text_bytes(data, len, out, cap);
    }
}

static const char *path_basename(const char *path)
{
    const char *base = path;

    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '\\' || *p == '/' || *p == ':') {
            base = p + 1;
        }
    }
    return base;
}

/* Reads, decodes and publishes the path of one locator whose data lies in the file. */
static enum vd_status locator_path(struct vd_ctx *ctx, int index, const char *name,
                                   const struct vhd_parent_locator *l, const char *parent_name,
                                   struct vd_fact *item)
{
    size_t len =
        l->data_length < ctx->limits->max_text ? l->data_length : (size_t)ctx->limits->max_text;
    size_t cap = VD_TEXT_BYTES_CAP(len) > VD_TEXT_UTF16_CAP(len) ? VD_TEXT_BYTES_CAP(len)
                                                                 : VD_TEXT_UTF16_CAP(len);
    uint8_t *data = vd_malloc(len);
    char *text = vd_malloc(cap);
    enum vd_status st = VD_E_NOMEM;

    if (data == NULL || text == NULL) {
        goto out;
    }
    st = vd_ctx_read(ctx, l->data_offset, data, len);
    if (st != VD_OK) {
        goto out;
    }
    if (!locator_text(l->platform_code, data, len, text, cap)) {
        vd_report(ctx, VD_F_VHD_LOCATOR_ENCODING,
                  VD_LOC("vhd.parent_locator", index, l->data_offset, len),
                  "the %s path is not valid text", name);
    }
    vd_fact_str(item, "path", text);
    if (!vd_parent_hint_add(&ctx->info->parent, name, text)) {
        vd_ctx_nomem(ctx);
    }
    if (l->platform_code != VHD_PLATFORM_MAC && parent_name[0] != '\0' &&
        strcasecmp(path_basename(text), path_basename(parent_name)) != 0) {
        /* Windows stores a full path as the parent name, others a file name: compare names. */
        vd_report(ctx, VD_F_VHD_LOCATOR_NAME_MISMATCH,
                  VD_LOC("vhd.parent_locator", index, l->data_offset, len),
                  "locator names \"%.60s\", the header names \"%.60s\"", path_basename(text),
                  path_basename(parent_name));
    }
out:
    vd_free(data);
    vd_free(text);
    return st;
}

/* VHD-22 for one used entry; returns true when its data can be read. */
static bool locator_check(struct vd_ctx *ctx, int index, uint64_t at,
                          const struct vhd_parent_locator *l, uint64_t data_end)
{
    bool in_bytes;
    uint64_t space = locator_space_bytes(l, &in_bytes);

    if (l->reserved != 0) {
        vd_report(ctx, VD_F_VHD_LOCATOR_RESERVED,
                  VD_LOC("vhd.parent_locator", index, at + VHD_LOC_RESERVED, 4),
                  "reserved field 0x%08" PRIx32, l->reserved);
    }
    if (l->data_space == 0 || l->data_length == 0 || l->data_offset == 0) {
        vd_report(ctx, VD_F_VHD_LOCATOR_EMPTY,
                  VD_LOC("vhd.parent_locator", index, at, VHD_LOC_SIZE),
                  "data space %" PRIu32 ", length %" PRIu32 ", offset 0x%" PRIx64, l->data_space,
                  l->data_length, l->data_offset);
        return false;
    }
    if (in_bytes) {
        vd_report(ctx, VD_F_VHD_LOCATOR_SPACE_BYTES,
                  VD_LOC("vhd.parent_locator", index, at + VHD_LOC_DATA_SPACE, 4),
                  "data space %" PRIu32 " read as bytes", l->data_space);
    }
    if (l->data_length > space) {
        vd_report(ctx, VD_F_VHD_LOCATOR_LENGTH,
                  VD_LOC("vhd.parent_locator", index, at + VHD_LOC_DATA_LENGTH, 4),
                  "data length %" PRIu32 " exceeds the data space of %" PRIu64 " bytes",
                  l->data_length, space);
    }
    if (!vd_range_fits(l->data_offset, space, data_end)) {
        vd_report(ctx, VD_F_VHD_LOCATOR_BOUNDS,
                  VD_LOC("vhd.parent_locator", index, at + VHD_LOC_DATA_OFFSET, 8),
                  "data at 0x%" PRIx64 " (+%" PRIu64 ") is not inside the data area (0x%" PRIx64
                  " bytes)",
                  l->data_offset, space, data_end);
    } else {
        vd_claim(ctx, "vhd.parent_locator_data", index, l->data_offset, space, at, VHD_LOC_SIZE);
    }
    return vd_range_fits(l->data_offset, l->data_length, ctx->file_size);
}

enum vd_status vhd_locators_walk(struct vd_ctx *ctx, uint64_t dyn_at,
                                 const uint8_t dyn_raw[VHD_DYN_SIZE], bool differencing,
                                 uint64_t data_end, const char *parent_name,
                                 struct vd_fact *parent_facts)
{
    struct vd_fact *list = differencing ? vd_fact_array(parent_facts, "locators") : NULL;
    uint32_t seen[VHD_LOC_COUNT];
    int used = 0;

    for (int i = 0; i < VHD_LOC_COUNT; i++) {
        const uint8_t *raw = dyn_raw + VHD_DYN_LOCATORS + i * VHD_LOC_SIZE;
        uint64_t at = dyn_at + VHD_DYN_LOCATORS + (uint64_t)i * VHD_LOC_SIZE;
        struct vhd_parent_locator l;
        struct vd_fact *item;
        const char *name;

        vhd_locator_decode(raw, &l);
        if (l.platform_code == VHD_PLATFORM_NONE) {
            /* Non-differencing disks already reported any non-zero locator (VHD-20). */
            if (differencing && !vd_all_zero(raw, VHD_LOC_SIZE)) {
                vd_report(ctx, VD_F_VHD_LOCATOR_UNUSED_NONZERO,
                          VD_LOC("vhd.parent_locator", i, at, VHD_LOC_SIZE),
                          "platform code 0 with non-zero fields");
            }
            continue;
        }
        if (!differencing) {
            continue;
        }
        name = platform_name(l.platform_code);
        if (name == NULL) {
            vd_report(ctx, VD_F_VHD_LOCATOR_PLATFORM,
                      VD_LOC("vhd.parent_locator", i, at + VHD_LOC_PLATFORM_CODE, 4),
                      "platform code 0x%08" PRIx32, l.platform_code);
            continue;
        }
        for (int j = 0; j < used; j++) {
            if (seen[j] == l.platform_code) {
                vd_report(ctx, VD_F_VHD_LOCATOR_DUPLICATE,
                          VD_LOC("vhd.parent_locator", i, at + VHD_LOC_PLATFORM_CODE, 4),
                          "a second %s locator", name);
                break;
            }
        }
        seen[used++] = l.platform_code;
        item = vd_fact_object(list, NULL);
        vd_fact_u64(item, "index", (uint64_t)i);
        vd_fact_str(item, "platform", name);
        vd_fact_u64(item, "data_offset", l.data_offset);
        vd_fact_u64(item, "data_space", l.data_space);
        vd_fact_u64(item, "data_length", l.data_length);
        if (locator_check(ctx, i, at, &l, data_end)) {
            enum vd_status st = locator_path(ctx, i, name, &l, parent_name, item);
            if (st != VD_OK) {
                return st;
            }
        }
    }
    if (differencing && used == 0) {
        vd_report(ctx, VD_F_VHD_LOCATOR_NONE,
                  VD_LOC("vhd.dynamic_header", -1, dyn_at + VHD_DYN_LOCATORS,
                         VHD_LOC_COUNT * VHD_LOC_SIZE),
                  "the parent can only be found by its name");
    }
    return VD_OK;
}
