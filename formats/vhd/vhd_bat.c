#include "vhd_bat.h"

#include <inttypes.h>

#include "vd_bytes.h"
#include "vd_checked.h"
#include "vhd_layout.h"

void vhd_bat_init(struct vd_ctx *ctx, struct vhd_bat *bat, uint64_t offset, uint32_t entries,
                  uint64_t needed)
{
    uint64_t bytes = (uint64_t)entries * 4;
    uint64_t avail = offset < ctx->file_size ? ctx->file_size - offset : 0;
    uint64_t claimed;

    bat->offset = offset;
    bat->entries = entries;
    bat->readable = (uint32_t)(bytes <= avail ? entries : avail / 4);
    bat->window_first = 0;
    bat->window_count = 0;
    /*
     * The table occupies whole sectors (VHD spec, Block Allocation Table). A table cut off
     * by EOF is reported here; of it only the entries the disk needs are taken as a table,
     * since what follows in the file is something else.
     */
    claimed = vd_div_round_up(bytes, VHD_SECTOR) * VHD_SECTOR;
    if (claimed > avail) {
        claimed =
            vd_div_round_up((needed < bat->readable ? needed : bat->readable) * 4, VHD_SECTOR) *
            VHD_SECTOR;
        claimed = claimed < avail ? claimed : avail;
    }
    vd_claim(ctx, "vhd.bat", -1, offset, claimed, offset, bytes);
    if (bat->readable < entries) {
        vd_report(ctx, VD_F_VHD_BAT_TRUNCATED, VD_LOC("vhd.bat", bat->readable, offset, bytes),
                  "the %" PRIu32 "-entry BAT needs %" PRIu64 " bytes at 0x%" PRIx64
                  "; only %" PRIu32 " entries lie inside the file",
                  entries, (uint64_t)entries * 4, offset, bat->readable);
    }
}

enum vd_status vhd_bat_get(struct vd_ctx *ctx, struct vhd_bat *bat, uint32_t index, uint32_t *entry)
{
    if (index < bat->window_first || index - bat->window_first >= bat->window_count) {
        uint32_t per_window = (uint32_t)(sizeof(bat->window) / 4);
        uint32_t first = index - index % per_window;
        uint32_t count = bat->readable - first < per_window ? bat->readable - first : per_window;
        enum vd_status st =
            vd_ctx_read(ctx, vhd_bat_entry_offset(bat, first), bat->window, (size_t)count * 4);
        if (st != VD_OK) {
            bat->window_count = 0;
            return st;
        }
        bat->window_first = first;
        bat->window_count = count;
    }
    *entry = vd_load_be32(bat->window + (size_t)(index - bat->window_first) * 4);
    return VD_OK;
}
