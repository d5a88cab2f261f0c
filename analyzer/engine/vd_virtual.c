#include "vd_virtual.h"

#include "vd_layer.h"
#include "vd_limits.h"

/* One layer's map at offset, checked: a map that makes no progress would hang or misread. */
static enum vd_status layer_map(struct vd_layer *l, uint64_t offset, uint64_t end,
                                struct vd_extent *out)
{
    enum vd_status st = l->drv->map(&l->ctx, l->state, offset, out);

    if (st != VD_OK) {
        return st;
    }
    if (out->offset != offset || out->length == 0 ||
        out->length > l->ctx.info->virtual_size - offset) {
        return VD_E_INTERNAL;
    }
    out->length = out->length < end - offset ? out->length : end - offset;
    return VD_OK;
}

enum vd_status vd_disk_map(const struct vd_disk *disk, uint64_t offset, struct vd_extent *out)
{
    uint64_t end = disk->layers[0]->ctx.info->virtual_size;

    for (unsigned depth = 0; depth < disk->count; depth++) {
        struct vd_layer *l = disk->layers[depth];
        if (offset >= l->ctx.info->virtual_size) {
            /* A parent shorter than its child: the sectors past its end read as zero. */
            vd_extent_set(out, offset, end - offset, VD_EXTENT_UNALLOCATED, 0);
            out->depth = depth;
            return VD_OK;
        }
        enum vd_status st = layer_map(l, offset, end, out);
        if (st != VD_OK) {
            return st;
        }
        out->depth = depth;
        if (out->kind != VD_EXTENT_PARENT) {
            return VD_OK;
        }
        end = offset + out->length; /* what falls through is at most this extent */
    }
    if (disk->parent_as_zero) {
        out->kind = VD_EXTENT_UNALLOCATED;
    }
    return VD_OK;
}

static bool extent_continues(const struct vd_extent *run, const struct vd_extent *next)
{
    if (run->kind != next->kind || run->depth != next->depth) {
        return false;
    }
    return run->kind != VD_EXTENT_DATA || run->file_offset + run->length == next->file_offset;
}

enum vd_status vd_virtual_extents(const struct vd_disk *disk, vd_extent_visit visit, void *arg)
{
    uint64_t size = disk->layers[0]->ctx.info->virtual_size;
    struct vd_extent run = {0};
    bool have_run = false;

    for (uint64_t offset = 0; offset < size;) {
        struct vd_extent next;
        enum vd_status st = vd_disk_map(disk, offset, &next);
        if (st != VD_OK) {
            return st;
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
    const struct vd_disk *disk;
    struct vd_hash_stream *stream;
};

static enum vd_status hash_extent(void *arg, const struct vd_extent *extent)
{
    const struct hash_job *job = arg;
    struct vd_hash_stream *stream = job->stream;
    struct vd_ctx *ctx;

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
    ctx = &job->disk->layers[extent->depth]->ctx;
    for (uint64_t done = 0; done < extent->length;) {
        uint64_t left = extent->length - done;
        size_t n = left < VD_IO_CHUNK ? (size_t)left : VD_IO_CHUNK;
        enum vd_status st =
            vd_ctx_read(ctx, extent->file_offset + done, vd_hash_stream_buffer(stream), n);
        if (st != VD_OK) {
            return st;
        }
        vd_hash_stream_commit(stream, n);
        done += n;
    }
    return VD_OK;
}

enum vd_status vd_virtual_hash(const struct vd_disk *disk, struct vd_hash_stream *stream)
{
    struct hash_job job = {disk, stream};

    return vd_virtual_extents(disk, hash_extent, &job);
}
