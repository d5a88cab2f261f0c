#include "vd_layer.h"

#include "vd_alloc.h"
#include "vd_probe.h"

struct vd_image_result *vd_layer_result_new(const char *label, const struct vd_analyze_options *opt)
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

void vd_layer_open(struct vd_layer *l, const struct vd_source *src, struct vd_image_result *r,
                   const struct vd_analyze_options *opt)
{
    const struct vd_format_driver *other = NULL;
    const struct vd_format_driver *const only[] = {opt->only_driver, NULL};

    l->src = src;
    l->result = r;
    vd_time_now(&r->started);
    r->stat = *vd_source_stat(src);
    r->have_stat = true;
    vd_extents_init(&l->extents, opt->limits.max_claims);
    l->ctx = (struct vd_ctx){.src = src,
                             .file_size = vd_source_size(src),
                             .limits = &opt->limits,
                             .findings = &r->findings,
                             .extents = &l->extents,
                             .details = r->details,
                             .semantics = r->semantics,
                             .info = &r->info,
                             .log_view = opt->log_view};
    r->status = opt->only_driver != NULL ? vd_probe_among(src, only, &l->drv, &other)
                                         : vd_probe(src, &l->drv, &other);
    if (r->status != VD_OK || l->drv == NULL) {
        l->drv = NULL;
        return;
    }
    r->recognized = true;
    r->info.format = l->drv->name;
    if (other != NULL) {
        vd_report(&l->ctx, VD_F_IMAGE_PROBE_AMBIGUOUS, VD_LOC("image", -1, 0, 0),
                  "recognized as %s, but %s also claims it", l->drv->name, other->name);
    }
    r->status = l->drv->open(&l->ctx, &l->state);
    l->opened = true;
}

void vd_layer_walk(struct vd_layer *l)
{
    if (l->drv == NULL || l->result->status != VD_OK) {
        return;
    }
    l->result->status = l->drv->walk(&l->ctx, l->state);
    if (l->result->status == VD_OK) {
        l->result->status = vd_extents_finish(&l->ctx);
    }
}

bool vd_layer_readable(const struct vd_layer *l)
{
    return l->drv != NULL && l->result->status == VD_OK && l->ctx.info->mappable &&
           l->ctx.findings->by_severity[VD_SEV_FATAL] == 0;
}

void vd_layer_finish(struct vd_layer *l)
{
    struct vd_image_result *r = l->result;
    enum vd_status again;

    r->read_size = l->ctx.file_size;
    if (l->opened) {
        l->drv->close(l->state);
        l->opened = false;
        l->state = NULL;
    }
    /* fstat after, whatever happened: the custody record shows both. */
    again = vd_source_check_unchanged(l->src, &r->stat_after);
    r->have_stat_after = again == VD_OK || again == VD_E_CHANGED;
    if (again != VD_OK && (r->status == VD_OK || r->status == VD_E_CORRUPT)) {
        r->status = again;
    }
    if (r->status == VD_E_CHANGED) {
        vd_report(&l->ctx, VD_F_IMAGE_SOURCE_CHANGED, VD_LOC("image", -1, 0, 0),
                  "size, times or identity of the file changed while it was read");
    }
    if (r->findings.dropped > 0) {
        r->findings.limit++; /* room for the one finding that says so */
        vd_report(&l->ctx, VD_F_IMAGE_FINDINGS_TRUNCATED, VD_LOC("image", -1, 0, 0),
                  "%zu findings were not kept", r->findings.dropped);
    }
    if (r->findings.nomem || vd_facts_nomem(r->details) || vd_facts_nomem(r->semantics)) {
        r->status = VD_E_NOMEM;
    }
    vd_extents_fini(&l->extents);
    vd_source_close(l->owned_src);
    l->owned_src = NULL;
    vd_time_now(&r->finished);
    vd_result_settle(r);
}
