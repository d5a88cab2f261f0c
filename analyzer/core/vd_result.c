#include "vd_result.h"

#include "vd_alloc.h"

const char *vd_verdict_name(enum vd_verdict verdict)
{
    switch (verdict) {
    case VD_VERDICT_CLEAN:
        return "clean";
    case VD_VERDICT_WARNINGS:
        return "warnings";
    case VD_VERDICT_ERRORS:
        return "errors";
    case VD_VERDICT_UNRECOGNIZED:
        return "unrecognized";
    case VD_VERDICT_UNREADABLE:
        return "unreadable";
    }
    return "unknown";
}

void vd_result_settle(struct vd_image_result *result)
{
    const size_t *n = result->findings.by_severity;

    /* A change is a finding about an image; before any format recognized the file, it
     * only means the file could not be analyzed. */
    if (result->status != VD_OK && result->status != VD_E_CORRUPT &&
        (result->status != VD_E_CHANGED || !result->recognized)) {
        result->verdict = VD_VERDICT_UNREADABLE;
    } else if (!result->recognized) {
        result->verdict = VD_VERDICT_UNRECOGNIZED;
    } else if (n[VD_SEV_FATAL] + n[VD_SEV_ERROR] > 0) {
        result->verdict = VD_VERDICT_ERRORS;
    } else if (n[VD_SEV_WARNING] > 0) {
        result->verdict = VD_VERDICT_WARNINGS;
    } else {
        result->verdict = VD_VERDICT_CLEAN;
    }
}

static int verdict_exit_status(enum vd_verdict verdict)
{
    switch (verdict) {
    case VD_VERDICT_CLEAN:
    case VD_VERDICT_WARNINGS:
        return 0;
    case VD_VERDICT_ERRORS:
        return 1;
    case VD_VERDICT_UNRECOGNIZED:
    case VD_VERDICT_UNREADABLE:
        return 2;
    }
    return 2;
}

int vd_result_exit_status(const struct vd_image_result *result)
{
    int worst = verdict_exit_status(result->verdict);

    /* A damaged ancestor damages the disk the guest sees: errors there count too. */
    for (size_t i = 0; i < result->chain_count; i++) {
        int s = verdict_exit_status(result->chain[i].result->verdict);
        worst = s == 1 && worst == 0 ? 1 : worst;
    }
    return worst;
}

void vd_result_free(struct vd_image_result *result)
{
    if (result == NULL) {
        return;
    }
    vd_free(result->path);
    vd_facts_free(result->details);
    vd_facts_free(result->semantics);
    vd_findings_fini(&result->findings);
    vd_piecewise_fini(&result->piecewise);
    vd_parent_ref_fini(&result->info.parent);
    for (size_t i = 0; i < result->chain_count; i++) {
        vd_result_free(result->chain[i].result);
        vd_free(result->chain[i].asked);
    }
    vd_free(result->chain);
    vd_free(result);
}
