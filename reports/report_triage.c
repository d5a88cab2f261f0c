/*
 * The triage report: JSON (schema vdcheck.triage/1, docs/triage.md) and text, one line per
 * bucket, largest first. Paths are the inputs' as walked, sanitized like any untrusted text.
 */
#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>

#include "report.h"
#include "report_internal.h"

static json_object *json_duplicates(const struct vd_triage_report *t,
                                    const struct vd_triage_bucket *b)
{
    json_object *list = json_object_new_array();

    for (size_t k = 0; k < b->count; k++) {
        size_t member = b->members[k];
        for (size_t d = t->inputs[member].next_same; d != VD_TRIAGE_NONE;
             d = t->inputs[d].next_same) {
            json_object *dup = json_object_new_object();
            json_object_object_add(dup, "file", report_json_text(t->inputs[d].path));
            json_object_object_add(dup, "same_as", report_json_text(t->inputs[member].path));
            json_object_array_add(list, dup);
        }
    }
    return list;
}

/* Every input a bucket holds: its members and their duplicates. */
static size_t bucket_inputs(const struct vd_triage_report *t, const struct vd_triage_bucket *b)
{
    size_t n = 0;

    for (size_t k = 0; k < b->count; k++) {
        for (size_t d = b->members[k]; d != VD_TRIAGE_NONE; d = t->inputs[d].next_same) {
            n++;
        }
    }
    return n;
}

static json_object *json_bucket(const struct vd_triage_report *t, const struct vd_triage_bucket *b)
{
    json_object *obj = json_object_new_object();
    json_object *ids = json_object_new_array();
    json_object *files = json_object_new_array();
    const struct vd_triage_input *rep = &t->inputs[b->representative];

    json_object_object_add(obj, "key", report_json_text(b->key));
    json_object_object_add(obj, "outcome",
                           json_object_new_string(vd_triage_outcome_name(b->outcome)));
    if (b->format != NULL) {
        json_object_object_add(obj, "format", json_object_new_string(b->format));
    }
    for (size_t i = 0; i < b->id_count; i++) {
        json_object_array_add(ids, json_object_new_string(b->ids[i]));
    }
    json_object_object_add(obj, "ids", ids);
    if (b->signal != NULL) {
        json_object_object_add(obj, "signal", json_object_new_string(b->signal));
    }
    json_object_object_add(obj, "count", json_object_new_int64((int64_t)b->count));
    json_object_object_add(obj, "inputs", json_object_new_int64((int64_t)bucket_inputs(t, b)));
    for (size_t k = 0; k < b->count; k++) {
        json_object_array_add(files, report_json_text(t->inputs[b->members[k]].path));
    }
    json_object_object_add(obj, "files", files);
    json_object_object_add(obj, "duplicates", json_duplicates(t, b));
    json_object_object_add(obj, "representative", report_json_text(rep->path));
    json_object_object_add(obj, "representative_size", json_object_new_int64((int64_t)rep->size));
    return obj;
}

static json_object *json_limits(const struct vd_triage_report *t)
{
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "timeout_seconds", json_object_new_double(t->timeout_s));
    if (t->memory_limit != 0) {
        json_object_object_add(obj, "memory_bytes",
                               json_object_new_int64((int64_t)t->memory_limit));
    }
    json_object_object_add(obj, "memory_enforced", json_object_new_boolean(t->memory_enforced));
    return obj;
}

int report_triage_json(FILE *out, const struct vd_triage_report *t)
{
    json_object *root = json_object_new_object();
    json_object *buckets = json_object_new_array();
    const char *text;
    int rc;

    json_object_object_add(root, "schema", json_object_new_string(REPORT_TRIAGE_SCHEMA));
    json_object_object_add(root, "inputs", json_object_new_int64((int64_t)t->input_count));
    json_object_object_add(root, "unique", json_object_new_int64((int64_t)t->unique_count));
    json_object_object_add(root, "skipped", json_object_new_int64((int64_t)t->skipped));
    json_object_object_add(root, "limits", json_limits(t));
    for (size_t b = 0; b < t->bucket_count; b++) {
        json_object_array_add(buckets, json_bucket(t, &t->buckets[b]));
    }
    json_object_object_add(root, "buckets", buckets);
    text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
    rc = text != NULL && fprintf(out, "%s\n", text) >= 0 ? 0 : -1;
    json_object_put(root);
    return rc;
}

/*
 * count (distinct inputs), inputs with duplicates, outcome, format, ids or signal, and
 * the smallest input to start from.
 */
int report_triage_text(FILE *out, const struct vd_triage_report *t)
{
    fprintf(out, "%zu inputs, %zu distinct, %zu skipped, %zu buckets\n", t->input_count,
            t->unique_count, t->skipped, t->bucket_count);
    for (size_t i = 0; i < t->bucket_count; i++) {
        const struct vd_triage_bucket *b = &t->buckets[i];
        const struct vd_triage_input *rep = &t->inputs[b->representative];
        fprintf(out, "%6zu %6zu  %-12s %-5s ", b->count, bucket_inputs(t, b),
                vd_triage_outcome_name(b->outcome), b->format != NULL ? b->format : "-");
        if (b->signal != NULL) {
            fputs(b->signal, out);
        }
        for (size_t k = 0; k < b->id_count; k++) {
            fprintf(out, "%s%s", k == 0 ? "" : ",", b->ids[k]);
        }
        if (b->signal == NULL && b->id_count == 0) {
            fputc('-', out);
        }
        fputs("  smallest: ", out);
        report_text_untrusted(out, rep->path);
        fprintf(out, " (%" PRIu64 " bytes)\n", rep->size);
    }
    return ferror(out) ? -1 : 0;
}
