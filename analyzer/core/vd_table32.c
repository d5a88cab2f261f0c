#include "vd_table32.h"

#include "vd_bytes.h"

void vd_table32_init(const struct vd_ctx *ctx, struct vd_table32 *t, uint64_t offset,
                     uint32_t entries, bool big_endian)
{
    uint64_t bytes = (uint64_t)entries * 4;
    uint64_t avail = offset < ctx->file_size ? ctx->file_size - offset : 0;

    t->offset = offset;
    t->entries = entries;
    t->readable = (uint32_t)(bytes <= avail ? entries : avail / 4);
    t->big_endian = big_endian;
    t->window_first = 0;
    t->window_count = 0;
}

enum vd_status vd_table32_get(struct vd_ctx *ctx, struct vd_table32 *t, uint32_t index,
                              uint32_t *entry)
{
    const uint8_t *p;

    if (index < t->window_first || index - t->window_first >= t->window_count) {
        uint32_t per_window = (uint32_t)(sizeof(t->window) / 4);
        uint32_t first = index - index % per_window;
        uint32_t count = t->readable - first < per_window ? t->readable - first : per_window;
        enum vd_status st;
        if (index >= t->readable) {
            return VD_E_INTERNAL;
        }
        st = vd_ctx_read(ctx, vd_table32_entry_offset(t, first), t->window, (size_t)count * 4);
        if (st != VD_OK) {
            t->window_count = 0;
            return st;
        }
        t->window_first = first;
        t->window_count = count;
    }
    p = t->window + (size_t)(index - t->window_first) * 4;
    *entry = t->big_endian ? vd_load_be32(p) : vd_load_le32(p);
    return VD_OK;
}
