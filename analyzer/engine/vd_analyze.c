#include "vd_analyze.h"

#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_checked.h"
#include "vd_extents.h"
#include "vd_chain.h"
#include "vd_layer.h"
#include "vd_virtual.h"

/*
 * The container is read on its own thread into its own hash stream, while the main thread
 * walks, maps and hashes the virtual disk: two passes at once, each feeding every digest.
 */
struct container_job {
    const struct vd_source *src;
    struct vd_hash_stream *stream;
    enum vd_status status;
    pthread_t thread;
    bool started;
};

static void *container_read_thread(void *arg)
{
    struct container_job *job = arg;
    uint64_t size = vd_source_size(job->src);

    for (uint64_t off = 0; off < size && job->status == VD_OK;) {
        size_t n = size - off < VD_IO_CHUNK ? (size_t)(size - off) : VD_IO_CHUNK;
        job->status = vd_source_read(job->src, off, vd_hash_stream_buffer(job->stream), n);
        if (job->status == VD_OK) {
            vd_hash_stream_commit(job->stream, n);
        }
        off += n;
    }
    return NULL;
}

static void container_start(struct container_job *job, const struct vd_analyze_options *opt)
{
    struct vd_hash_stream_config cfg = {.mask = opt->hash_mask, .progress = opt->progress};

    vd_progress_add_total(opt->progress, vd_source_size(job->src));
    job->status = vd_hash_stream_start(&cfg, &job->stream);
    if (job->status != VD_OK) {
        return;
    }
    job->started = pthread_create(&job->thread, NULL, container_read_thread, job) == 0;
    if (!job->started) {
        container_read_thread(job); /* no thread available: read inline */
    }
}

static enum vd_status container_finish(struct container_job *job, struct vd_digests *out)
{
    if (job->started) {
        pthread_join(job->thread, NULL);
        job->started = false;
    }
    if (job->stream != NULL) {
        enum vd_status st =
            vd_hash_stream_finish(job->stream, job->status == VD_OK ? out : NULL, NULL);
        job->stream = NULL;
        job->status = job->status == VD_OK ? st : job->status;
    }
    return job->status;
}

/* The piecewise windows asked for, unless the disk would need more than the limit. */
static void piecewise_config(struct vd_ctx *ctx, const struct vd_analyze_options *opt,
                             struct vd_hash_stream_config *cfg)
{
    uint64_t windows;

    if (opt->piecewise_size == 0) {
        return;
    }
    windows = vd_div_round_up(ctx->info->virtual_size, opt->piecewise_size);
    if (windows > ctx->limits->max_windows) {
        vd_report(ctx, VD_F_IMAGE_PIECEWISE_SKIPPED, VD_LOC("image", -1, 0, 0),
                  "no piecewise digests: %" PRIu64 " windows of %" PRIu64
                  " bytes, more than the limit of %" PRIu64,
                  windows, opt->piecewise_size, ctx->limits->max_windows);
        return;
    }
    cfg->window = opt->piecewise_size;
    cfg->window_alg = opt->piecewise_alg;
}

static enum vd_status hash_virtual(struct vd_ctx *ctx, const struct vd_disk *disk,
                                   const struct vd_analyze_options *opt,
                                   struct vd_image_result *result)
{
    struct vd_hash_stream_config cfg = {
        .mask = opt->hash_mask, .length = ctx->info->virtual_size, .progress = opt->progress};
    struct vd_hash_stream *stream = NULL;
    enum vd_status st;

    piecewise_config(ctx, opt, &cfg);
    vd_progress_add_total(opt->progress, ctx->info->virtual_size);
    st = vd_hash_stream_start(&cfg, &stream);
    if (st != VD_OK) {
        return st;
    }
    st = vd_virtual_hash(disk, stream);
    /* On a failed pass the stream is only torn down: a partial digest is never reported. */
    enum vd_status finished =
        vd_hash_stream_finish(stream, st == VD_OK ? &result->virtual_disk : NULL,
                              st == VD_OK ? &result->piecewise : NULL);
    return st != VD_OK ? st : finished;
}

/* The map visitor of `vdcheck map`: only over a disk the structures fully describe. */
static enum vd_status visit_map(struct vd_ctx *ctx, const struct vd_disk *disk,
                                const struct vd_analyze_options *opt,
                                struct vd_image_result *result)
{
    enum vd_status st;

    if (opt->map_begin != NULL) {
        opt->map_begin(opt->map_arg, ctx->info);
    }
    st = vd_virtual_extents(disk, opt->map_visit, opt->map_arg);
    result->mapped = st == VD_OK;
    return st;
}

/* Why the layers found cannot be mapped, or NULL when they can. */
static const char *unmappable_reason(const struct vd_layer *top, const struct vd_chain *chain)
{
    if (top->ctx.findings->by_severity[VD_SEV_FATAL] != 0) {
        return "a fatal finding leaves the disk undescribed";
    }
    if (!top->ctx.info->mappable) {
        return "the image's structures do not describe the whole disk";
    }
    for (size_t i = 1; i < chain->count; i++) {
        if (!vd_layer_readable(chain->layers[i])) {
            return "a parent's structures do not describe its whole disk";
        }
    }
    return NULL;
}

/*
 * The merged disk: mapped for `vdcheck map` (an unresolved parent shows as parent
 * extents), hashed for --hash when every sector is known: the chain is complete, or
 * --no-parent reads a missing parent's sectors as zero.
 */
static enum vd_status read_disk(struct vd_layer *top, struct vd_chain *chain,
                                const struct vd_analyze_options *opt)
{
    struct vd_image_result *r = top->result;
    const char *why = unmappable_reason(top, chain);
    bool unresolved = r->info.needs_parent && !r->chain_complete;
    struct vd_disk disk = {chain->layers, chain->count, unresolved && opt->no_parent};
    enum vd_status st = VD_OK;

    if (unresolved) {
        r->parent_as_zero = disk.parent_as_zero && why == NULL;
        vd_report(&top->ctx, VD_F_IMAGE_PARENT_UNRESOLVED, VD_LOC("image", -1, 0, 0), "%s",
                  r->parent_as_zero ? "--no-parent: the missing parent's sectors read as zero"
                                    : "sectors that come from the parent are unknown");
        if (r->parent_as_zero) {
            vd_fact_str(r->semantics, "parent", "read_as_zero");
        }
    }
    if (why == NULL && opt->map_visit != NULL) {
        st = visit_map(&top->ctx, &disk, opt, r);
    }
    if (st != VD_OK || opt->hash_mask == 0 || (unresolved && !opt->no_parent)) {
        return st; /* image.parent.unresolved says why there is no virtual hash */
    }
    if (why != NULL) {
        vd_report(&top->ctx, VD_F_IMAGE_VIRTUAL_UNHASHED, VD_LOC("image", -1, 0, 0),
                  "no virtual-disk hash: %s", why);
        return VD_OK;
    }
    return hash_virtual(&top->ctx, &disk, opt, r);
}

struct vd_image_result *vd_analyze_source(const struct vd_source *src, const char *label,
                                          const struct vd_analyze_options *opt)
{
    struct vd_image_result *r = vd_layer_result_new(label, opt);
    struct container_job job = {.src = src};
    struct vd_layer top = {0};
    struct vd_chain chain;

    if (r == NULL) {
        return NULL;
    }
    if (opt->hash_mask != 0) {
        container_start(&job, opt);
    }
    vd_layer_open(&top, src, r, opt);
    vd_layer_walk(&top);
    enum vd_status st = r->status == VD_OK ? vd_chain_resolve(&chain, &top, opt) : VD_OK;
    if (r->status == VD_OK && st == VD_OK && top.drv != NULL) {
        st = read_disk(&top, &chain, opt);
    }
    if (r->status == VD_OK) {
        r->status = st;
        vd_chain_finish(&chain);
    }
    if (opt->hash_mask != 0) {
        enum vd_status hashed = container_finish(&job, &r->container);
        r->status = r->status == VD_OK ? hashed : r->status;
    }
    vd_layer_finish(&top);
    return r;
}

struct vd_image_result *vd_analyze_unopened(const char *path, enum vd_status status, int err_no,
                                            const struct vd_analyze_options *opt)
{
    struct vd_image_result *r = vd_layer_result_new(path, opt);

    if (r != NULL) {
        vd_time_now(&r->started);
        r->finished = r->started;
        r->status = status;
        r->err_no = err_no;
        vd_result_settle(r);
    }
    return r;
}

struct vd_image_result *vd_analyze_path(const char *path, const struct vd_analyze_options *opt)
{
    struct vd_source *src = NULL;
    struct vd_image_result *r;
    int err_no = 0;
    enum vd_status st = vd_source_open_file(path, &src, &err_no);

    if (st != VD_OK) {
        return vd_analyze_unopened(path, st, err_no, opt);
    }
    r = vd_analyze_source(src, path, opt);
    vd_source_close(src);
    return r;
}
