#include "vhdx_bat.h"

#include <inttypes.h>
#include <string.h>

#include "vd_bytes.h"
#include "vd_checked.h"

/* VHDX-16: ChunkRatio = 2^23 * LogicalSectorSize / BlockSize (§2.5). */
static uint64_t entries_needed(const struct vhdx_bat *bat, bool differencing)
{
    uint64_t pb = bat->payload_blocks;

    if (pb == 0) {
        return 0;
    }
    if (differencing) {
        return vd_div_round_up(pb, bat->chunk_ratio) * (bat->chunk_ratio + 1);
    }
    return pb + (pb - 1) / bat->chunk_ratio;
}

void vhdx_bat_init(struct vd_ctx *ctx, struct vhdx_bat *bat, const struct vhdx_region *region,
                   const struct vhdx_metadata *md)
{
    uint64_t in_region = region->length / VHDX_BAT_ENTRY_SIZE;
    uint64_t in_file = region->offset < ctx->file_size
                           ? (ctx->file_size - region->offset) / VHDX_BAT_ENTRY_SIZE
                           : 0;

    memset(bat, 0, sizeof(*bat));
    bat->offset = region->offset;
    bat->block_size = md->block_size;
    bat->chunk_ratio = ((uint64_t)VHDX_CHUNK_SECTORS * md->logical_sector_size) / md->block_size;
    bat->payload_blocks = vd_div_round_up(md->virtual_size, md->block_size);
    bat->entries = entries_needed(bat, md->has_parent);
    if (bat->entries > in_region) {
        vd_report(ctx, VD_F_VHDX_BAT_REGION_TOO_SMALL,
                  VD_LOC("vhdx.region_table", -1, region->entry_at + VHDX_REGION_ENTRY_LENGTH, 4),
                  "the disk needs %" PRIu64 " BAT entries (%" PRIu64 " bytes); the region holds "
                  "%" PRIu64,
                  bat->entries, bat->entries * VHDX_BAT_ENTRY_SIZE, in_region);
    }
    bat->readable = bat->entries < in_region ? bat->entries : in_region;
    bat->readable = bat->readable < in_file ? bat->readable : in_file;
}

enum vd_status vhdx_bat_window(struct vd_ctx *ctx, struct vhdx_bat *bat, uint64_t index,
                               const uint8_t **raw, size_t *avail)
{
    if (index < bat->window_first || index - bat->window_first >= bat->window_count) {
        uint64_t per_window = sizeof(bat->window) / VHDX_BAT_ENTRY_SIZE;
        uint64_t first = index - index % per_window;
        uint64_t count = bat->readable - first < per_window ? bat->readable - first : per_window;
        enum vd_status st = vd_ctx_read(ctx, bat->offset + first * VHDX_BAT_ENTRY_SIZE, bat->window,
                                        (size_t)count * VHDX_BAT_ENTRY_SIZE);
        if (st != VD_OK) {
            bat->window_count = 0;
            return st;
        }
        bat->window_first = first;
        bat->window_count = (uint32_t)count;
    }
    *raw = bat->window + (index - bat->window_first) * VHDX_BAT_ENTRY_SIZE;
    *avail = (size_t)(bat->window_count - (index - bat->window_first));
    return VD_OK;
}

void vhdx_bat_decode(const struct vhdx_bat *bat, uint64_t index, uint64_t raw,
                     struct vhdx_bat_entry *out)
{
    out->raw = raw;
    out->state = (unsigned)(raw & VHDX_BAT_STATE_MASK);
    out->file_offset = (raw >> VHDX_BAT_OFFSET_SHIFT) << VHDX_BAT_OFFSET_SHIFT;
    out->at = bat->offset + index * VHDX_BAT_ENTRY_SIZE;
}

enum vd_status vhdx_bat_get(struct vd_ctx *ctx, struct vhdx_bat *bat, uint64_t index,
                            struct vhdx_bat_entry *out)
{
    const uint8_t *raw;
    size_t avail;
    enum vd_status st;

    if (index >= bat->readable) {
        memset(out, 0, sizeof(*out));
        return VD_OK;
    }
    st = vhdx_bat_window(ctx, bat, index, &raw, &avail);
    if (st == VD_OK) {
        vhdx_bat_decode(bat, index, vd_load_le64(raw), out);
    }
    return st;
}
