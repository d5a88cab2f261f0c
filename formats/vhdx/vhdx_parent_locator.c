#include "vhdx_parent_locator.h"

#include <inttypes.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"
#include "vd_text.h"
#include "vhdx_layout.h"

/* §2.6.2.6.1: the keys MS-VHDX defines. */
static const char *const known_keys[] = {"parent_linkage", "parent_linkage2", "relative_path",
                                         "volume_path", "absolute_win32_path"};

/* One decoded key/value pair. */
struct kv {
    char *key;
    char *value;
    uint64_t entry_at;
};

/* The static spelling of a known key (chain hints keep it), or NULL. */
static const char *known_key(const char *key)
{
    for (size_t i = 0; i < VD_ARRAY_LEN(known_keys); i++) {
        if (strcmp(key, known_keys[i]) == 0) {
            return known_keys[i];
        }
    }
    return NULL;
}

/*
 * What the chain resolver needs: parent_linkage (and parent_linkage2, an alternative) is
 * the DataWriteGuid the parent must carry (§2.6.2.6.1), as "{GUID}"; the paths are hints.
 */
static void publish_link(struct vd_ctx *ctx, const char *key, const char *value, uint64_t entry_at)
{
    uint8_t raw[16];
    char text[VD_GUID_TEXT_LEN];
    size_t len = strlen(value);

    if (strncmp(key, "parent_linkage", 14) == 0) {
        if (len == VD_GUID_TEXT_LEN + 1 && value[0] == '{' && value[len - 1] == '}') {
            char inner[VD_GUID_TEXT_LEN];
            memcpy(inner, value + 1, len - 2);
            inner[len - 2] = '\0';
            if (vd_guid_parse(inner, VD_GUID_MS_MIXED, raw)) {
                vd_guid_format(raw, VD_GUID_MS_MIXED, text);
                vd_identity_expect(&ctx->info->parent.expect, "data_write_guid", text,
                                   "vhdx.parent_locator", entry_at, VHDX_LOCATOR_ENTRY_SIZE);
            }
        }
        return;
    }
    if (!vd_parent_hint_add(&ctx->info->parent, key, value)) {
        vd_ctx_nomem(ctx);
    }
}

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" as Hyper-V writes parent_linkage. */
static bool is_braced_guid(const char *s)
{
    uint8_t raw[16];
    char inner[VD_GUID_TEXT_LEN];
    size_t len = strlen(s);

    if (len != VD_GUID_TEXT_LEN + 1 || s[0] != '{' || s[len - 1] != '}') {
        return false;
    }
    memcpy(inner, s + 1, VD_GUID_TEXT_LEN - 1);
    inner[VD_GUID_TEXT_LEN - 1] = '\0';
    return vd_guid_parse(inner, VD_GUID_MS_MIXED, raw);
}

/* Decodes one UTF-16LE string of the item; NULL when it is out of bounds or odd. */
static char *string_at(struct vd_ctx *ctx, const uint8_t *item, uint32_t length, uint32_t offset,
                       uint16_t size, uint64_t entry_at, uint32_t i)
{
    size_t cap = VD_TEXT_UTF16_CAP((size_t)size / 2);
    char *out;

    if (size == 0 || size % 2 != 0 || offset < VHDX_LOCATOR_HEADER_SIZE ||
        !vd_range_fits(offset, size, length)) {
        vd_report(ctx, VD_F_VHDX_LOCATOR_ENTRY_BOUNDS,
                  VD_LOC("vhdx.parent_locator", i, entry_at, VHDX_LOCATOR_ENTRY_SIZE),
                  "entry %" PRIu32 ": %" PRIu16 " bytes at %" PRIu32 " do not fit the %" PRIu32
                  "-byte locator",
                  i, size, offset, length);
        return NULL;
    }
    out = vd_malloc(cap);
    if (out == NULL) {
        vd_ctx_nomem(ctx); /* not a bad entry: the entry is skipped for want of memory */
    } else if (!vd_text_utf16(item + offset, size, false, out, cap)) {
        vd_report(ctx, VD_F_VHDX_LOCATOR_ENCODING,
                  VD_LOC("vhdx.parent_locator", i, entry_at, VHDX_LOCATOR_ENTRY_SIZE),
                  "entry %" PRIu32 " holds invalid UTF-16 (replaced by U+FFFD)", i);
    }
    return out;
}

static void kv_check(struct vd_ctx *ctx, struct kv *all, uint32_t n, struct vd_fact *parent)
{
    struct kv *kv = &all[n];

    for (uint32_t j = 0; j < n; j++) {
        if (all[j].key != NULL && strcmp(all[j].key, kv->key) == 0) {
            vd_report(ctx, VD_F_VHDX_LOCATOR_KEY_DUPLICATE,
                      VD_LOC("vhdx.parent_locator", n, kv->entry_at, VHDX_LOCATOR_ENTRY_SIZE),
                      "key %s appears twice; the first is used", kv->key);
            return;
        }
    }
    const char *key = known_key(kv->key);
    if (key == NULL) {
        vd_report(ctx, VD_F_VHDX_LOCATOR_UNKNOWN_KEY,
                  VD_LOC("vhdx.parent_locator", n, kv->entry_at, VHDX_LOCATOR_ENTRY_SIZE),
                  "unknown key %s", kv->key);
        return;
    }
    if (strncmp(kv->key, "parent_linkage", 14) == 0 && !is_braced_guid(kv->value)) {
        vd_report_values(ctx, VD_F_VHDX_LOCATOR_LINKAGE_FORMAT,
                         VD_LOC("vhdx.parent_locator", n, kv->entry_at, VHDX_LOCATOR_ENTRY_SIZE),
                         "{GUID}", kv->value, "%s is not a braced GUID", kv->key);
    }
    vd_fact_str(parent, key, kv->value); /* facts keep the key pointer: the static spelling */
    publish_link(ctx, key, kv->value, kv->entry_at);
}

static bool has_key(const struct kv *all, uint32_t n, const char *key)
{
    for (uint32_t i = 0; i < n; i++) {
        if (all[i].key != NULL && all[i].value != NULL && strcmp(all[i].key, key) == 0) {
            return true;
        }
    }
    return false;
}

static void header_check(struct vd_ctx *ctx, uint64_t at, const uint8_t *item, uint32_t length,
                         uint32_t *count)
{
    uint8_t type[16];

    (void)vd_guid_parse(VHDX_GUID_PARENT_LOCATOR_TYPE, VD_GUID_MS_MIXED, type);
    if (memcmp(item + VHDX_LOCATOR_TYPE, type, 16) != 0) {
        char found[VD_GUID_TEXT_LEN];
        vd_guid_format(item + VHDX_LOCATOR_TYPE, VD_GUID_MS_MIXED, found);
        vd_report_values(ctx, VD_F_VHDX_LOCATOR_TYPE, VD_LOC("vhdx.parent_locator", -1, at, 16),
                         "b04aefb7-d19e-4a81-b789-25b8e9445913", found,
                         "the locator type is not the VHDX parent locator");
    }
    if (vd_load_le16(item + VHDX_LOCATOR_RESERVED) != 0) {
        vd_report(ctx, VD_F_VHDX_LOCATOR_RESERVED,
                  VD_LOC("vhdx.parent_locator", -1, at + VHDX_LOCATOR_RESERVED, 2),
                  "reserved field is not zero");
    }
    *count = vd_load_le16(item + VHDX_LOCATOR_COUNT);
    if ((uint64_t)*count * VHDX_LOCATOR_ENTRY_SIZE > length - VHDX_LOCATOR_HEADER_SIZE) {
        uint32_t fit = (length - VHDX_LOCATOR_HEADER_SIZE) / VHDX_LOCATOR_ENTRY_SIZE;
        vd_report(ctx, VD_F_VHDX_LOCATOR_COUNT,
                  VD_LOC("vhdx.parent_locator", -1, at + VHDX_LOCATOR_COUNT, 2),
                  "KeyValueCount %" PRIu32 " does not fit; %" PRIu32 " entries are read", *count,
                  fit);
        *count = fit;
    }
}

static void entries_walk(struct vd_ctx *ctx, uint64_t at, const uint8_t *item, uint32_t length,
                         uint32_t count, struct kv *all, struct vd_fact *parent)
{
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = item + VHDX_LOCATOR_HEADER_SIZE + (size_t)i * VHDX_LOCATOR_ENTRY_SIZE;
        struct kv *kv = &all[i];

        kv->entry_at = at + VHDX_LOCATOR_HEADER_SIZE + (uint64_t)i * VHDX_LOCATOR_ENTRY_SIZE;
        kv->key = string_at(ctx, item, length, vd_load_le32(e + VHDX_LOCATOR_KEY_OFFSET),
                            vd_load_le16(e + VHDX_LOCATOR_KEY_LENGTH), kv->entry_at, i);
        kv->value = kv->key == NULL
                        ? NULL
                        : string_at(ctx, item, length, vd_load_le32(e + VHDX_LOCATOR_VALUE_OFFSET),
                                    vd_load_le16(e + VHDX_LOCATOR_VALUE_LENGTH), kv->entry_at, i);
        if (kv->value == NULL) {
            VD_FREE_AND_NULL(kv->key);
            continue;
        }
        kv_check(ctx, all, i, parent);
    }
}

enum vd_status vhdx_locator_check(struct vd_ctx *ctx, uint64_t at, uint32_t length)
{
    struct vd_fact *parent = vd_fact_object(ctx->details, "parent");
    uint32_t count = 0;
    struct kv *all = NULL;
    uint8_t *item;
    enum vd_status st;

    length = length > VHDX_METADATA_ITEM_MAX ? VHDX_METADATA_ITEM_MAX : length;
    if (length < VHDX_LOCATOR_HEADER_SIZE || !vd_range_fits(at, length, ctx->file_size)) {
        vd_report(ctx, VD_F_VHDX_LOCATOR_COUNT, VD_LOC("vhdx.parent_locator", -1, at, length),
                  "the %" PRIu32 "-byte locator cannot hold its header", length);
        return VD_OK;
    }
    item = vd_malloc(length);
    if (item == NULL) {
        return VD_E_NOMEM;
    }
    st = vd_ctx_read(ctx, at, item, length);
    if (st == VD_OK) {
        header_check(ctx, at, item, length, &count);
        all = vd_calloc_array(count == 0 ? 1 : count, sizeof(*all));
        st = all == NULL ? VD_E_NOMEM : VD_OK;
    }
    if (st == VD_OK) {
        entries_walk(ctx, at, item, length, count, all, parent);
        if (!has_key(all, count, "parent_linkage")) {
            vd_report(ctx, VD_F_VHDX_LOCATOR_LINKAGE_MISSING,
                      VD_LOC("vhdx.parent_locator", -1, at, VHDX_LOCATOR_HEADER_SIZE),
                      "no parent_linkage: the parent cannot be identified");
        }
        if (!has_key(all, count, "relative_path") && !has_key(all, count, "volume_path") &&
            !has_key(all, count, "absolute_win32_path")) {
            vd_report(ctx, VD_F_VHDX_LOCATOR_NO_PATH,
                      VD_LOC("vhdx.parent_locator", -1, at, VHDX_LOCATOR_HEADER_SIZE),
                      "no path to the parent");
        }
    }
    for (uint32_t i = 0; all != NULL && i < count; i++) {
        vd_free(all[i].key);
        vd_free(all[i].value);
    }
    vd_free(all);
    vd_free(item);
    return st;
}
