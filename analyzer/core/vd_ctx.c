#include "vd_format.h"

#include <stdio.h>

__attribute__((format(printf, 6, 0))) static void report_v(struct vd_ctx *ctx,
                                                           enum vd_finding_id id, struct vd_loc loc,
                                                           const char *expected, const char *actual,
                                                           const char *fmt, va_list ap)
{
    char message[sizeof(((struct vd_finding *)0)->message)];

    if (ctx->findings->count >= ctx->findings->limit) {
        /*
         * Counted, not kept: no message to format. Millions of table entries can each be a
         * finding, and formatting them all took most of the analysis (found by tests/fuzz).
         */
        vd_findings_add(ctx->findings, id, loc, NULL, NULL, "%s", "");
        return;
    }
    vsnprintf(message, sizeof(message), fmt, ap);
    vd_findings_add(ctx->findings, id, loc, expected, actual, "%s", message);
}

void vd_report(struct vd_ctx *ctx, enum vd_finding_id id, struct vd_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_v(ctx, id, loc, NULL, NULL, fmt, ap);
    va_end(ap);
}

void vd_report_values(struct vd_ctx *ctx, enum vd_finding_id id, struct vd_loc loc,
                      const char *expected, const char *actual, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_v(ctx, id, loc, expected, actual, fmt, ap);
    va_end(ap);
}

void vd_ctx_nomem(struct vd_ctx *ctx)
{
    ctx->findings->nomem = true; /* the engine turns it into the result's status */
}

enum vd_status vd_ctx_read(struct vd_ctx *ctx, uint64_t offset, void *buf, size_t len)
{
    if (ctx->overlay != NULL) {
        return vd_overlay_read(ctx->overlay, ctx->src, offset, buf, len);
    }
    return vd_source_read(ctx->src, offset, buf, len);
}

void vd_extent_file_data(const struct vd_ctx *ctx, struct vd_extent *out, uint64_t offset,
                         uint64_t length, uint64_t at)
{
    if (at >= ctx->file_size) {
        vd_extent_set(out, offset, length, VD_EXTENT_UNALLOCATED, 0);
    } else {
        uint64_t avail = ctx->file_size - at;
        vd_extent_set(out, offset, length < avail ? length : avail, VD_EXTENT_DATA, at);
    }
}
