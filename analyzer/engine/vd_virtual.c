#include "vd_virtual.h"

#include "vd_limits.h"

static bool extent_continues(const struct vd_extent *run, const struct vd_extent *next)
{
    if (run->kind != next->kind) {
        return false;
    }
    return run->kind != VD_EXTENT_DATA || run->file_offset + run->length == next->file_offset;
}

enum vd_status vd_virtual_extents(struct vd_ctx *ctx, const struct vd_format_driver *drv,
                                  void *state, vd_extent_visit visit, void *arg)
{
    uint64_t size = ctx->info->virtual_size;
    struct vd_extent run = {0};
    bool have_run = false;

    for (uint64_t offset = 0; offset < size;) {
        struct vd_extent next;
        enum vd_status st = drv->map(ctx, state, offset, &next);
        if (st != VD_OK) {
            return st;
        }
        /* A map that makes no progress or overshoots would hang or misread. */
        if (next.offset != offset || next.length == 0 || next.length > size - offset) {
            return VD_E_INTERNAL;
        }
        if (have_run && extent_continues(&run, &next)) {
            run.length += next.length;
        } else {
            if (have_run) {
                st = visit(arg, &run);
                if (st != VD_OK) {
                    return st;
                }
            }
            run = next;
            have_run = true;
        }
        offset += next.length;
    }
    return have_run ? visit(arg, &run) : VD_OK;
}

struct hash_job {
    struct vd_ctx *ctx;
    struct vd_hash_stream *stream;
};

static enum vd_status hash_extent(void *arg, const struct vd_extent *extent)
{
    const struct hash_job *job = arg;
    struct vd_hash_stream *stream = job->stream;

    switch (extent->kind) {
    case VD_EXTENT_ZERO:
    case VD_EXTENT_UNALLOCATED:
        vd_hash_stream_zeros(stream, extent->length);
        return VD_OK;
    case VD_EXTENT_PARENT:
        return VD_E_UNSUPPORTED;
    case VD_EXTENT_DATA:
        break;
    }
    for (uint64_t done = 0; done < extent->length;) {
        uint64_t left = extent->length - done;
        size_t n = left < VD_IO_CHUNK ? (size_t)left : VD_IO_CHUNK;
        enum vd_status st =
            vd_ctx_read(job->ctx, extent->file_offset + done, vd_hash_stream_buffer(stream), n);
        if (st != VD_OK) {
            return st;
        }
        vd_hash_stream_commit(stream, n);
        done += n;
    }
    return VD_OK;
}

enum vd_status vd_virtual_hash(struct vd_ctx *ctx, const struct vd_format_driver *drv, void *state,
                               struct vd_hash_stream *stream)
{
    struct hash_job job = {ctx, stream};

    return vd_virtual_extents(ctx, drv, state, hash_extent, &job);
}
