#include "vd_analyze.h"

#include <pthread.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_extents.h"
#include "vd_probe.h"
#include "vd_virtual.h"

/* The container digest runs on its own thread while the main one walks and maps. */
struct container_job {
    const struct vd_source *src;
    unsigned mask;
    struct vd_digests out;
    enum vd_status status;
    pthread_t thread;
    bool started;
};

static void *container_hash_thread(void *arg)
{
    struct container_job *job = arg;
    struct vd_digest_set set;
    uint64_t size = vd_source_size(job->src);
    uint8_t *buf = vd_malloc(VD_IO_CHUNK);

    job->status = buf == NULL ? VD_E_NOMEM : vd_digest_set_init(&set, job->mask);
    if (job->status != VD_OK) {
        vd_free(buf);
        return NULL;
    }
    for (uint64_t off = 0; off < size && job->status == VD_OK;) {
        size_t n = size - off < VD_IO_CHUNK ? (size_t)(size - off) : VD_IO_CHUNK;
        job->status = vd_source_read(job->src, off, buf, n);
        if (job->status == VD_OK) {
            vd_digest_set_update(&set, buf, n);
        }
        off += n;
    }
    if (job->status == VD_OK) {
        job->status = vd_digest_set_final(&set, &job->out);
    }
    vd_digest_set_fini(&set);
    vd_free(buf);
    return NULL;
}

static void container_start(struct container_job *job)
{
    job->status = VD_OK;
    job->started = pthread_create(&job->thread, NULL, container_hash_thread, job) == 0;
    if (!job->started) {
        container_hash_thread(job); /* no thread available: hash inline */
    }
}

static void container_join(struct container_job *job)
{
    if (job->started) {
        pthread_join(job->thread, NULL);
        job->started = false;
    }
}

static enum vd_status hash_virtual(struct vd_ctx *ctx, const struct vd_format_driver *drv,
                                   void *state, unsigned mask, struct vd_digests *out)
{
    struct vd_digest_set set;
    enum vd_status st = vd_digest_set_init(&set, mask);

    if (st != VD_OK) {
        return st;
    }
    st = vd_virtual_hash(ctx, drv, state, &set);
    if (st == VD_OK) {
        st = vd_digest_set_final(&set, out);
    }
    vd_digest_set_fini(&set);
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
    if (st == VD_OK && ctx->info->needs_parent) {
        vd_report(ctx, VD_F_IMAGE_PARENT_UNRESOLVED, VD_LOC("image", -1, 0, 0),
                  "parent images are not resolved by this version of vdcheck; sectors "
                  "that come from the parent are unknown, so no virtual-disk hash is given");
    } else if (st == VD_OK && opt->hash_mask != 0 && ctx->info->mappable &&
               ctx->findings->by_severity[VD_SEV_FATAL] == 0) {
        st = hash_virtual(ctx, drv, state, opt->hash_mask, &result->virtual_disk);
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
    struct container_job job = {.src = src, .mask = opt->hash_mask};
    const struct vd_format_driver *drv = NULL;
    const struct vd_format_driver *other = NULL;
    struct vd_extents extents;
    struct vd_ctx ctx;

    if (r == NULL) {
        return NULL;
    }
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
        container_start(&job);
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
    container_join(&job);
    if (opt->hash_mask != 0 && r->status == VD_OK) {
        r->status = job.status;
        r->container = job.out;
    }
    if (r->status == VD_OK || r->status == VD_E_CORRUPT) {
        enum vd_status again = vd_source_check_unchanged(src);
        if (again != VD_OK) {
            r->status = again;
        }
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
