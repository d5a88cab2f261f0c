/* The JSON report (json-c), following the contract "vdcheck.report/1" of DESIGN.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"
#include "vd_alloc.h"
#include "vd_text.h"

static json_object *json_u64(uint64_t v)
{
    return json_object_new_uint64(v);
}

static json_object *json_fact(const struct vd_fact *f)
{
    json_object *obj;

    switch (f->kind) {
    case VD_FACT_OBJECT:
    case VD_FACT_ARRAY:
        obj = f->kind == VD_FACT_OBJECT ? json_object_new_object() : json_object_new_array();
        for (const struct vd_fact *c = f->first; c != NULL; c = c->next) {
            if (f->kind == VD_FACT_OBJECT) {
                json_object_object_add(obj, c->key, json_fact(c));
            } else {
                json_object_array_add(obj, json_fact(c));
            }
        }
        return obj;
    case VD_FACT_STRING:
        return json_object_new_string(f->string);
    case VD_FACT_U64:
        return json_u64(f->u64);
    case VD_FACT_I64:
        return json_object_new_int64(f->i64);
    case VD_FACT_BOOL:
        return json_object_new_boolean(f->boolean);
    }
    return NULL;
}

/* Untrusted or non-UTF-8 text (a path from argv) as a JSON string. */
static json_object *json_text(const char *s)
{
    size_t len = strlen(s);
    char *buf = vd_malloc(VD_TEXT_BYTES_CAP(len));
    json_object *obj;

    if (buf == NULL) {
        return NULL;
    }
    vd_text_bytes((const uint8_t *)s, len, buf, VD_TEXT_BYTES_CAP(len));
    obj = json_object_new_string(buf);
    vd_free(buf);
    return obj;
}

static json_object *json_time(int64_t sec, long nsec)
{
    char base[32];
    char full[48];

    vd_text_time_utc(sec, base);
    /* Insert the nanoseconds before the final "Z": chain of custody wants the exact value. */
    snprintf(full, sizeof(full), "%.*s.%09ldZ", (int)(strlen(base) - 1), base, nsec);
    return json_object_new_string(full);
}

static json_object *json_source(const struct vd_image_result *r)
{
    json_object *src = json_object_new_object();

    json_object_object_add(src, "path", json_text(r->path));
    if (r->have_stat) {
        json_object_object_add(src, "file_size", json_u64(r->stat.size));
        if (r->stat.is_file) {
            json_object_object_add(src, "mtime", json_time(r->stat.mtime_sec, r->stat.mtime_nsec));
        }
    }
    return src;
}

static json_object *json_image(const struct vd_image_result *r)
{
    json_object *img = json_object_new_object();
    const struct vd_image_info *info = &r->info;

    json_object_object_add(img, "format", json_object_new_string(info->format));
    if (info->variant != NULL) {
        json_object_object_add(img, "variant", json_object_new_string(info->variant));
    }
    if (info->has_virtual_size) {
        json_object_object_add(img, "virtual_size", json_u64(info->virtual_size));
    }
    if (info->logical_sector_size != 0) {
        json_object_object_add(img, "logical_sector_size", json_u64(info->logical_sector_size));
    }
    if (info->block_size != 0) {
        json_object_object_add(img, "block_size", json_u64(info->block_size));
    }
    json_object_object_add(img, "details", json_fact(r->details));
    return img;
}

static json_object *json_digests(const struct vd_digests *d)
{
    json_object *obj = json_object_new_object();

    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        if (d->mask & (1u << a)) {
            json_object_object_add(obj, vd_digest_name((enum vd_digest_alg)a),
                                   json_object_new_string(d->hex[a]));
        }
    }
    return obj;
}

static json_object *json_finding(const struct vd_finding *f)
{
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "id", json_object_new_string(vd_catalog_get(f->id)->id));
    json_object_object_add(obj, "severity", json_object_new_string(vd_severity_name(f->severity)));
    json_object_object_add(obj, "structure", json_object_new_string(f->loc.structure));
    json_object_object_add(obj, "index", json_object_new_int64(f->loc.index));
    json_object_object_add(obj, "offset", json_u64(f->loc.offset));
    json_object_object_add(obj, "length", json_u64(f->loc.length));
    if (f->expected[0] != '\0') {
        json_object_object_add(obj, "expected", json_object_new_string(f->expected));
    }
    if (f->actual[0] != '\0') {
        json_object_object_add(obj, "actual", json_object_new_string(f->actual));
    }
    json_object_object_add(obj, "message", json_object_new_string(f->message));
    return obj;
}

static json_object *json_report(const struct vd_image_result *r, const struct report_options *opt)
{
    json_object *root = json_object_new_object();
    json_object *tool = json_object_new_object();
    json_object *findings = json_object_new_array();
    json_object *summary = json_object_new_object();

    json_object_object_add(root, "schema", json_object_new_string(REPORT_SCHEMA));
    json_object_object_add(tool, "name", json_object_new_string("vdcheck"));
    json_object_object_add(tool, "version", json_object_new_string(opt->tool_version));
    json_object_object_add(root, "tool", tool);
    json_object_object_add(root, "source", json_source(r));
    if (r->recognized) {
        json_object_object_add(root, "image", json_image(r));
        if (r->semantics->first != NULL) {
            json_object_object_add(root, "read_semantics", json_fact(r->semantics));
        }
    }
    if (r->container.mask != 0 || r->virtual_disk.mask != 0) {
        json_object *hashes = json_object_new_object();
        if (r->container.mask != 0) {
            json_object_object_add(hashes, "container", json_digests(&r->container));
        }
        if (r->virtual_disk.mask != 0) {
            json_object_object_add(hashes, "virtual", json_digests(&r->virtual_disk));
        }
        json_object_object_add(root, "hashes", hashes);
    }
    for (size_t i = 0; i < r->findings.count; i++) {
        json_object_array_add(findings, json_finding(&r->findings.items[i]));
    }
    json_object_object_add(root, "findings", findings);
    for (int s = VD_SEV_FATAL; s >= VD_SEV_INFO; s--) {
        json_object_object_add(summary, vd_severity_name((enum vd_severity)s),
                               json_u64(r->findings.by_severity[s]));
    }
    json_object_object_add(root, "summary", summary);
    if (r->status != VD_OK) {
        json_object *error = json_object_new_object();
        json_object_object_add(error, "status", json_object_new_string(vd_status_str(r->status)));
        if (r->err_no != 0) {
            json_object_object_add(error, "message", json_object_new_string(strerror(r->err_no)));
        }
        json_object_object_add(root, "error", error);
    }
    json_object_object_add(root, "verdict", json_object_new_string(vd_verdict_name(r->verdict)));
    return root;
}

static int json_write(FILE *out, const struct vd_image_result *r, const struct report_options *opt)
{
    json_object *root = json_report(r, opt);
    int flags =
        JSON_C_TO_STRING_NOSLASHESCAPE |
        (opt->compact ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
    const char *text = json_object_to_json_string_ext(root, flags);
    int rc = text != NULL && fprintf(out, "%s\n", text) >= 0 ? 0 : -1;

    json_object_put(root);
    return rc;
}

const struct vd_reporter report_json = {
    .name = "json",
    .image = json_write,
};
