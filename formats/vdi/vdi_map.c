#include "vdi_map.h"

#include <inttypes.h>

#include "vdi_layout.h"

void vdi_map_init(struct vd_ctx *ctx, struct vd_table32 *map, uint64_t offset, uint32_t entries)
{
    uint64_t bytes = (uint64_t)entries * 4;

    vd_table32_init(ctx, map, offset, entries, false);
    if (map->readable < entries) {
        vd_report(ctx, VD_F_VDI_MAP_TRUNCATED, VD_LOC("vdi.map", map->readable, offset, bytes),
                  "the %" PRIu32 "-entry block map needs %" PRIu64 " bytes at 0x%" PRIx64
                  "; only %" PRIu32 " entries lie inside the %" PRIu64
                  "-byte file; the blocks of the others are unknown",
                  entries, bytes, offset, map->readable, ctx->file_size);
    }
    /*
     * Only the part inside the file: the truncation is reported above, not again. A map that
     * starts past EOF has no such part, and claiming its empty range there would report
     * image.extent.beyond_eof a second time, past the file (found by tests/fuzz).
     */
    if (map->readable > 0) {
        vd_claim(ctx, "vdi.map", -1, offset, (uint64_t)map->readable * 4, offset, 4);
    }
}
