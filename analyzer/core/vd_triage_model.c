#include "vd_triage_model.h"

#include "vd_alloc.h"

const char *vd_triage_outcome_name(enum vd_triage_outcome outcome)
{
    static const char *const names[VD_TRIAGE_OUTCOME_COUNT] = {"clean", "findings", "unrecognized",
                                                               "crash", "timeout",  "oom"};

    return (unsigned)outcome < VD_TRIAGE_OUTCOME_COUNT ? names[outcome] : "?";
}

void vd_triage_ids_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        vd_free(ids[i]);
    }
    vd_free(ids);
}

void vd_triage_report_free(struct vd_triage_report *report)
{
    if (report == NULL) {
        return;
    }
    for (size_t i = 0; i < report->input_count; i++) {
        vd_free(report->inputs[i].path);
    }
    for (size_t b = 0; b < report->bucket_count; b++) {
        struct vd_triage_bucket *bucket = &report->buckets[b];
        vd_free(bucket->key);
        vd_free(bucket->format);
        vd_triage_ids_free(bucket->ids, bucket->id_count);
        vd_free(bucket->signal);
        vd_free(bucket->members);
    }
    vd_free(report->inputs);
    vd_free(report->buckets);
    vd_free(report);
}
