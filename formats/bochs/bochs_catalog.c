#include "bochs_catalog.h"

#include <inttypes.h>

#include "bochs_layout.h"

void bochs_catalog_init(struct vd_ctx *ctx, struct vd_table32 *cat, uint32_t entries)
{
    uint64_t bytes = (uint64_t)entries * 4;

    vd_table32_init(ctx, cat, BOCHS_HEADER_SIZE, entries, false);
    if (cat->readable < entries) {
        vd_report(ctx, VD_F_BOCHS_CATALOG_TRUNCATED,
                  VD_LOC("bochs.catalog", cat->readable, BOCHS_HEADER_SIZE, bytes),
                  "the %" PRIu32 "-entry catalog needs %" PRIu64 " bytes at 512; only %" PRIu32
                  " entries lie inside the %" PRIu64
                  "-byte file; the extents of the others are unknown",
                  entries, bytes, cat->readable, ctx->file_size);
    }
    vd_claim(ctx, "bochs.catalog", -1, BOCHS_HEADER_SIZE, (uint64_t)cat->readable * 4,
             BOCHS_CATALOG_AT, 4);
}
