#include "vd_analyze.h"

#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_checked.h"
#include "vd_extents.h"
#include "vd_probe.h"
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

static enum vd_status hash_virtual(struct vd_ctx *ctx, const struct vd_format_driver *drv,
                                   void *state, const struct vd_analyze_options *opt,
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
    st = vd_virtual_hash(ctx, drv, state, stream);
    /* On a failed pass the stream is only torn down: a partial digest is never reported. */
    enum vd_status finished =
        vd_hash_stream_finish(stream, st == VD_OK ? &result->virtual_disk : NULL,
                              st == VD_OK ? &result->piecewise : NULL);
    return st != VD_OK ? st : finished;
}

/* The map visitor of `vdcheck map`: only over a disk the structures fully describe. */
static enum vd_status visit_map(struct vd_ctx *ctx, const struct vd_format_driver *drv, void *state,
                                const struct vd_analyze_options *opt,
                                struct vd_image_result *result)
{
    enum vd_status st;

    if (ctx->findings->by_severity[VD_SEV_FATAL] != 0 || !ctx->info->mappable) {
        return VD_OK;
    }
    if (opt->map_begin != NULL) {
        opt->map_begin(opt->map_arg, ctx->info);
    }
    st = vd_virtual_extents(ctx, drv, state, opt->map_visit, opt->map_arg);
    result->mapped = st == VD_OK;
    return st;
}

/* open, walk, account, hash: the driver part of the analysis. */
static enum vd_status run_driver(struct vd_ctx *ctx, const struct vd_format_driver *drv,
                                 const struct vd_analyze_options *opt,
                                 struct vd_image_result *result)
{
    void *state = NULL;
    enum vd_status st = drv->open(ctx, &state);

    if (st == VD_OK) {
        st = drv->walk(ctx, state);
    }
    if (st == VD_OK) {
        st = vd_extents_finish(ctx);
    }
    if (st == VD_OK && opt->map_visit != NULL) {
        st = visit_map(ctx, drv, state, opt, result);
    }
    if (st == VD_OK && ctx->info->needs_parent) {
        vd_report(ctx, VD_F_IMAGE_PARENT_UNRESOLVED, VD_LOC("image", -1, 0, 0),
                  "parent images are not resolved by this version of vdcheck; sectors "
                  "that come from the parent are unknown, so no virtual-disk hash is given");
    } else if (st == VD_OK && opt->hash_mask != 0 && ctx->info->mappable &&
               ctx->findings->by_severity[VD_SEV_FATAL] == 0) {
        st = hash_virtual(ctx, drv, state, opt, result);
    } else if (st == VD_OK && opt->hash_mask != 0) {
        /* After a fatal finding the structures cannot be trusted to describe the disk. */
        vd_report(ctx, VD_F_IMAGE_VIRTUAL_UNHASHED, VD_LOC("image", -1, 0, 0),
                  "no virtual-disk hash: %s",
                  ctx->findings->by_severity[VD_SEV_FATAL] != 0
                      ? "a fatal finding leaves the disk undescribed"
                      : "the image's structures do not describe the whole disk");
    }
    drv->close(state);
    return st;
}

static struct vd_image_result *result_new(const char *label, const struct vd_analyze_options *opt)
{
    struct vd_image_result *r = vd_calloc_array(1, sizeof(*r));

    if (r == NULL) {
        return NULL;
    }
    vd_findings_init(&r->findings, opt->limits.max_findings);
    r->path = vd_strdup(label);
    r->details = vd_facts_new();
    r->semantics = vd_facts_new();
    if (r->path == NULL || r->details == NULL || r->semantics == NULL) {
        vd_result_free(r);
        return NULL;
    }
    return r;
}

struct vd_image_result *vd_analyze_source(const struct vd_source *src, const char *label,
                                          const struct vd_analyze_options *opt)
{
    struct vd_image_result *r = result_new(label, opt);
    struct container_job job = {.src = src};
    const struct vd_format_driver *drv = NULL;
    const struct vd_format_driver *other = NULL;
    struct vd_extents extents;
    struct vd_ctx ctx;

    if (r == NULL) {
        return NULL;
    }
    vd_time_now(&r->started);
    r->stat = *vd_source_stat(src);
    r->have_stat = true;
    vd_extents_init(&extents, opt->limits.max_claims);
    ctx = (struct vd_ctx){.src = src,
                          .file_size = vd_source_size(src),
                          .limits = &opt->limits,
                          .findings = &r->findings,
                          .extents = &extents,
                          .details = r->details,
                          .semantics = r->semantics,
                          .info = &r->info,
                          .log_view = opt->log_view};
    if (opt->hash_mask != 0) {
        container_start(&job, opt);
    }
    r->status = vd_probe(src, &drv, &other);
    if (r->status == VD_OK && drv != NULL) {
        r->recognized = true;
        r->info.format = drv->name;
        if (other != NULL) {
            vd_report(&ctx, VD_F_IMAGE_PROBE_AMBIGUOUS, VD_LOC("image", -1, 0, 0),
                      "recognized as %s, but %s also claims it", drv->name, other->name);
        }
        r->status = run_driver(&ctx, drv, opt, r);
    }
    if (opt->hash_mask != 0) {
        enum vd_status hashed = container_finish(&job, &r->container);
        r->status = r->status == VD_OK ? hashed : r->status;
    }
    /* fstat after, whatever happened: the custody record shows both. */
    enum vd_status again = vd_source_check_unchanged(src, &r->stat_after);
    r->have_stat_after = again == VD_OK || again == VD_E_CHANGED;
    if (again != VD_OK && (r->status == VD_OK || r->status == VD_E_CORRUPT)) {
        r->status = again;
    }
    if (r->status == VD_E_CHANGED) {
        vd_report(&ctx, VD_F_IMAGE_SOURCE_CHANGED, VD_LOC("image", -1, 0, 0),
                  "size, times or identity of the file changed while it was read");
    }
    if (r->findings.dropped > 0) {
        r->findings.limit++; /* room for the one finding that says so */
        vd_report(&ctx, VD_F_IMAGE_FINDINGS_TRUNCATED, VD_LOC("image", -1, 0, 0),
                  "%zu findings were not kept", r->findings.dropped);
    }
    if (r->findings.nomem || vd_facts_nomem(r->details) || vd_facts_nomem(r->semantics)) {
        r->status = VD_E_NOMEM;
    }
    vd_extents_fini(&extents);
    vd_time_now(&r->finished);
    vd_result_settle(r);
    return r;
}

struct vd_image_result *vd_analyze_path(const char *path, const struct vd_analyze_options *opt)
{
    struct vd_source *src = NULL;
    struct vd_image_result *r;
    int err_no = 0;
    enum vd_status st = vd_source_open_file(path, &src, &err_no);

    if (st != VD_OK) {
        r = result_new(path, opt);
        if (r != NULL) {
            vd_time_now(&r->started);
            r->finished = r->started;
            r->status = st;
            r->err_no = err_no;
            vd_result_settle(r);
        }
        return r;
    }
    r = vd_analyze_source(src, path, opt);
    vd_source_close(src);
    return r;
}
