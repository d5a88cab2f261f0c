#include "vd_extents.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_format.h"
#include "vd_limits.h"

void vd_extents_init(struct vd_extents *ext, size_t limit)
{
    memset(ext, 0, sizeof(*ext));
    ext->limit = limit;
}

void vd_extents_fini(struct vd_extents *ext)
{
    vd_free(ext->items);
    memset(ext, 0, sizeof(*ext));
}

static struct vd_claim *extents_slot(struct vd_ctx *ctx)
{
    struct vd_extents *ext = ctx->extents;
    void *items = ext->items;

    if (ext->incomplete) {
        return NULL;
    }
    if (ext->count == ext->limit) {
        ext->incomplete = true;
        vd_report(ctx, VD_F_IMAGE_EXTENT_LIMIT, VD_LOC("image", -1, 0, 0),
                  "more than %zu allocated ranges; overlap and slack checks stop here", ext->limit);
        return NULL;
    }
    if (vd_grow(&items, &ext->cap, ext->count, 64, ext->limit, sizeof(*ext->items)) != 0) {
        ext->incomplete = true;
        vd_ctx_nomem(ctx); /* below the limit: out of memory */
        return NULL;
    }
    ext->items = items;
    return &ext->items[ext->count++];
}

bool vd_claim(struct vd_ctx *ctx, const char *structure, int64_t index, uint64_t offset,
              uint64_t length, uint64_t ref_offset, uint64_t ref_length)
{
    struct vd_claim *c;
    bool inside = vd_range_fits(offset, length, ctx->file_size);

    if (!inside) {
        vd_report(ctx, VD_F_IMAGE_EXTENT_BEYOND_EOF,
                  VD_LOC(structure, index, ref_offset, ref_length),
                  "%s at 0x%" PRIx64 " (+%" PRIu64 " bytes) ends past the end of the file "
                  "(%" PRIu64 " bytes)",
                  structure, offset, length, ctx->file_size);
        length = offset >= ctx->file_size ? 0 : ctx->file_size - offset;
    }
    if (length == 0) {
        return inside;
    }
    c = extents_slot(ctx);
    if (c != NULL) {
        *c = (struct vd_claim){offset,     length,     structure,          index,
                               ref_offset, ref_length, ctx->extents->count};
    }
    return inside;
}

void vd_claim_trailing(struct vd_ctx *ctx, enum vd_finding_id id, const char *structure,
                       uint64_t end)
{
    if (ctx->file_size <= end) {
        return;
    }
    vd_report(ctx, id, VD_LOC(structure, -1, end, ctx->file_size - end),
              "%" PRIu64 " bytes follow the end of the image data at 0x%" PRIx64,
              ctx->file_size - end, end);
    vd_claim(ctx, structure, -1, end, ctx->file_size - end, end, 0);
}

enum vd_status vd_claim_padding(struct vd_ctx *ctx, const char *structure, uint64_t offset,
                                uint64_t length)
{
    uint8_t *buf;
    bool zero = true;
    enum vd_status st = VD_OK;

    if (length == 0 || !vd_range_fits(offset, length, ctx->file_size)) {
        return VD_OK;
    }
    buf = vd_malloc(VD_TABLE_CHUNK);
    if (buf == NULL) {
        return VD_E_NOMEM;
    }
    for (uint64_t done = 0; done < length && zero && st == VD_OK; done += VD_TABLE_CHUNK) {
        size_t n = length - done < VD_TABLE_CHUNK ? (size_t)(length - done) : VD_TABLE_CHUNK;
        st = vd_ctx_read(ctx, offset + done, buf, n);
        zero = st == VD_OK && vd_all_zero(buf, n);
    }
    vd_free(buf);
    if (st == VD_OK && zero) {
        vd_claim(ctx, structure, -1, offset, length, offset, 0);
    }
    return st;
}

static int claim_order(const void *a, const void *b)
{
    const struct vd_claim *x = a;
    const struct vd_claim *y = b;

    if (x->offset != y->offset) {
        return x->offset < y->offset ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/*
 * Two claims conflict. The one to blame is a table-placed range (it has an index: a block
 * some entry points at) rather than a structure at a fixed place; between equals, the
 * later one. Returns the claim blamed.
 */
static const struct vd_claim *report_conflict(struct vd_ctx *ctx, const struct vd_claim *earlier,
                                              const struct vd_claim *later,
                                              const struct vd_claim *last_blamed)
{
    bool duplicate = earlier->offset == later->offset && earlier->length == later->length &&
                     strcmp(earlier->structure, later->structure) == 0;
    const struct vd_claim *blame = later;
    const struct vd_claim *other = earlier;
    char other_name[96];

    if (later->index < 0 && earlier->index >= 0) {
        blame = earlier;
        other = later;
    }
    if (blame == last_blamed && !duplicate) {
        return blame; /* one finding per misplaced range, however much it covers */
    }
    if (other->index >= 0) {
        snprintf(other_name, sizeof(other_name), "%s[%" PRId64 "]", other->structure, other->index);
    } else {
        snprintf(other_name, sizeof(other_name), "%s", other->structure);
    }
    vd_report(ctx, duplicate ? VD_F_IMAGE_EXTENT_DUPLICATE : VD_F_IMAGE_EXTENT_OVERLAP,
              VD_LOC(blame->structure, blame->index, blame->ref_offset, blame->ref_length),
              "%s at 0x%" PRIx64 " (+%" PRIu64 ") %s %s at 0x%" PRIx64 " (+%" PRIu64 ")",
              blame->structure, blame->offset, blame->length,
              duplicate ? "is the same block as" : "overlaps", other_name, other->offset,
              other->length);
    return blame;
}

/*
 * Filler is what writers pad with: every 512-byte piece uniformly 0x00 or 0xFF. A piece is
 * uniform when it equals itself shifted by one byte; memcmp keeps this fast in the
 * unoptimized sanitizer builds that sweep thousands of images.
 */
static bool piece_is_filler(const uint8_t *p, size_t len)
{
    return (p[0] == 0x00 || p[0] == 0xff) && (len < 2 || memcmp(p, p + 1, len - 1) == 0);
}

/*
 * Reads [offset, offset+length) and reports it as filler or as slack holding data,
 * naming the first piece that is not filler.
 */
static enum vd_status report_gap(struct vd_ctx *ctx, uint64_t offset, uint64_t length)
{
    uint8_t *buf = vd_malloc(VD_TABLE_CHUNK);
    uint64_t first_data = UINT64_MAX;
    enum vd_status st = VD_OK;

    if (buf == NULL) {
        return VD_E_NOMEM;
    }
    for (uint64_t done = 0; done < length && first_data == UINT64_MAX;) {
        size_t n = length - done < VD_TABLE_CHUNK ? (size_t)(length - done) : VD_TABLE_CHUNK;
        st = vd_ctx_read(ctx, offset + done, buf, n);
        if (st != VD_OK) {
            goto out;
        }
        for (size_t i = 0; i < n; i += 512) {
            if (!piece_is_filler(buf + i, n - i < 512 ? n - i : 512)) {
                first_data = offset + done + i;
                break;
            }
        }
        done += n;
    }
    if (first_data == UINT64_MAX) {
        vd_report(ctx, VD_F_IMAGE_SLACK, VD_LOC("image.slack", -1, offset, length),
                  "%" PRIu64 " unused bytes of 0x00 / 0xFF filler", length);
    } else {
        vd_report(ctx, VD_F_IMAGE_SLACK_NONZERO, VD_LOC("image.slack", -1, offset, length),
                  "%" PRIu64 " unused bytes hold data; the first at or after 0x%" PRIx64, length,
                  first_data);
    }
out:
    vd_free(buf);
    return st;
}

enum vd_status vd_extents_finish(struct vd_ctx *ctx)
{
    struct vd_extents *ext = ctx->extents;
    const struct vd_claim *cover = NULL; /* the claim reaching furthest so far */
    const struct vd_claim *blamed = NULL;
    uint64_t cover_end = 0;
    /*
     * Unwalked space is not slack: after a fatal finding the walk stopped early, and when
     * the disk cannot be mapped its blocks were never claimed.
     */
    bool slack =
        !ext->incomplete && ctx->findings->by_severity[VD_SEV_FATAL] == 0 && ctx->info->mappable;
    enum vd_status st = VD_OK;

    if (ext->count > 0) {
        qsort(ext->items, ext->count, sizeof(*ext->items), claim_order);
    }
    for (size_t i = 0; i < ext->count; i++) {
        const struct vd_claim *c = &ext->items[i];
        uint64_t end = c->offset + c->length; /* fits: claims are clipped to the file */

        if (c->offset < cover_end) {
            blamed = report_conflict(ctx, cover, c, blamed);
        } else if (c->offset > cover_end && slack) {
            st = report_gap(ctx, cover_end, c->offset - cover_end);
            if (st != VD_OK) {
                return st;
            }
        }
        if (end > cover_end) {
            cover_end = end;
            cover = c;
        }
    }
    if (cover_end < ctx->file_size && slack) {
        st = report_gap(ctx, cover_end, ctx->file_size - cover_end);
    }
    return st;
}
