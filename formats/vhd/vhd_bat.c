#include "vhd_bat.h"

#include <inttypes.h>

#include "vd_checked.h"
#include "vhd_layout.h"

void vhd_bat_init(struct vd_ctx *ctx, struct vd_table32 *bat, uint64_t offset, uint32_t entries,
                  uint64_t needed)
{
    uint64_t bytes = (uint64_t)entries * 4;
    uint64_t avail = offset < ctx->file_size ? ctx->file_size - offset : 0;
    uint64_t claimed;

    vd_table32_init(ctx, bat, offset, entries, true);
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
    /* An overlap is blamed on the table, as far as the file holds it: the whole declared
     * table ran up to 16 GiB past the end of the file (found by tests/fuzz). */
    vd_claim(ctx, "vhd.bat", -1, offset, claimed, offset, bytes < claimed ? bytes : claimed);
    if (bat->readable < entries) {
        vd_report(ctx, VD_F_VHD_BAT_TRUNCATED, VD_LOC("vhd.bat", bat->readable, offset, bytes),
                  "the %" PRIu32 "-entry BAT needs %" PRIu64 " bytes at 0x%" PRIx64
                  "; only %" PRIu32 " entries lie inside the file",
                  entries, (uint64_t)entries * 4, offset, bat->readable);
    }
}
