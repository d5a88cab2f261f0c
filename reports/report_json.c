/* The JSON report (json-c), following the contract "vdcheck.report/1" of DESIGN.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"
#include "report_internal.h"
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
json_object *report_json_text(const char *s)
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

/* Chain of custody wants the exact value: RFC 3339 UTC with nanoseconds. */
static json_object *json_time(int64_t sec, long nsec)
{
    struct vd_time t = {sec, nsec};
    char text[48];

    vd_time_format(&t, text);
    return json_object_new_string(text);
}

static json_object *json_stat(const struct vd_source_stat *st)
{
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "size", json_u64(st->size));
    json_object_object_add(obj, "device", json_u64(st->device));
    json_object_object_add(obj, "inode", json_u64(st->inode));
    json_object_object_add(obj, "mtime", json_time(st->mtime_sec, st->mtime_nsec));
    json_object_object_add(obj, "ctime", json_time(st->ctime_sec, st->ctime_nsec));
    json_object_object_add(obj, "atime", json_time(st->atime_sec, st->atime_nsec));
    return obj;
}

static void json_add_text(json_object *obj, const char *key, const char *text)
{
    if (text != NULL && text[0] != '\0') {
        json_object_object_add(obj, key, report_json_text(text));
    }
}

/* The evidence's fstat record at the open and at the end of the analysis. */
static json_object *json_evidence(const struct vd_image_result *r)
{
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "before", json_stat(&r->stat));
    if (r->have_stat_after) {
        json_object_object_add(obj, "after", json_stat(&r->stat_after));
    }
    json_object_object_add(
        obj, "unchanged", json_object_new_boolean(r->have_stat_after && r->status != VD_E_CHANGED));
    json_object_object_add(obj, "noatime", json_object_new_boolean(r->stat.noatime));
    return obj;
}

static json_object *json_custody(const struct vd_image_result *r, const struct vd_custody *c)
{
    json_object *obj = json_object_new_object();

    if (c != NULL) {
        json_object *argv = json_object_new_array();
        json_object *host = json_object_new_object();
        for (int i = 0; i < c->argc; i++) {
            json_object_array_add(argv, report_json_text(c->argv[i]));
        }
        json_object_object_add(obj, "command_line", argv);
        json_add_text(host, "name", c->host);
        json_add_text(host, "os", c->os_name);
        json_add_text(host, "release", c->os_release);
        json_add_text(host, "version", c->os_version);
        json_add_text(host, "machine", c->machine);
        json_object_object_add(obj, "host", host);
        json_object_object_add(obj, "uid", json_u64(c->uid));
        json_add_text(obj, "case", c->case_id);
        json_add_text(obj, "examiner", c->examiner);
        json_add_text(obj, "note", c->note);
    }
    json_object_object_add(obj, "started", json_time(r->started.sec, r->started.nsec));
    json_object_object_add(obj, "finished", json_time(r->finished.sec, r->finished.nsec));
    if (r->have_stat && r->stat.is_file) {
        json_object_object_add(obj, "evidence", json_evidence(r));
    }
    return obj;
}

static json_object *json_tool(const struct report_options *opt)
{
    json_object *tool = json_object_new_object();

    json_object_object_add(tool, "name", json_object_new_string("vdcheck"));
    json_object_object_add(tool, "version", json_object_new_string(opt->tool_version));
    if (opt->custody != NULL) {
        json_object *build = json_object_new_object();
        json_add_text(build, "compiler", opt->custody->compiler);
        json_add_text(build, "type", opt->custody->build_type);
        json_add_text(build, "crypto", opt->custody->crypto_library);
        json_object_object_add(build, "json", json_object_new_string(json_c_version()));
        json_object_object_add(tool, "build", build);
    }
    return tool;
}

static json_object *json_piecewise(const struct vd_piecewise *pw)
{
    json_object *obj = json_object_new_object();
    json_object *windows = json_object_new_array_ext((int)pw->count);

    json_object_object_add(obj, "algorithm", json_object_new_string(vd_digest_name(pw->alg)));
    json_object_object_add(obj, "size", json_u64(pw->window));
    for (size_t i = 0; i < pw->count; i++) {
        json_object *w = json_object_new_object();
        char hex[VD_DIGEST_HEX_MAX];
        vd_piecewise_hex(pw, i, hex);
        json_object_object_add(w, "offset", json_u64((uint64_t)i * pw->window));
        json_object_object_add(w, "length", json_u64(vd_piecewise_length(pw, i)));
        json_object_object_add(w, "digest", json_object_new_string(hex));
        json_object_array_add(windows, w);
    }
    json_object_object_add(obj, "windows", windows);
    return obj;
}

static json_object *json_source(const struct vd_image_result *r)
{
    json_object *src = json_object_new_object();

    json_object_object_add(src, "path", report_json_text(r->path));
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

static json_object *json_findings(const struct vd_findings *list)
{
    json_object *findings = json_object_new_array();

    for (size_t i = 0; i < list->count; i++) {
        json_object_array_add(findings, json_finding(&list->items[i]));
    }
    return findings;
}

static json_object *json_summary(const struct vd_findings *list)
{
    json_object *summary = json_object_new_object();

    for (int s = VD_SEV_FATAL; s >= VD_SEV_INFO; s--) {
        json_object_object_add(summary, vd_severity_name((enum vd_severity)s),
                               json_u64(list->by_severity[s]));
    }
    return summary;
}

/* A tool failure, as opposed to a file defect. */
static json_object *json_error(const struct vd_image_result *r)
{
    json_object *error = json_object_new_object();

    json_object_object_add(error, "status", json_object_new_string(vd_status_str(r->status)));
    if (r->err_no != 0) {
        json_object_object_add(error, "message", json_object_new_string(strerror(r->err_no)));
    }
    return error;
}

/*
 * What the child recorded about its parent against what the parent shows, one entry per
 * name in the child's order: "expected" lists every value the child accepts (several are
 * alternatives), "actual" is the parent's value under that name (the accepted one when it has
 * several), "match" whether it is among the expected ones (the engine's rule).
 */
static json_object *json_identity(const struct vd_identity *expect,
                                  const struct vd_identity *actual)
{
    json_object *list = json_object_new_array();

    for (size_t i = 0; i < expect->count; i++) {
        const char *name = expect->values[i].name;
        const char *shown = NULL;
        bool first = true;
        json_object *entry;
        json_object *values;
        for (size_t j = 0; j < i && first; j++) {
            first = strcmp(expect->values[j].name, name) != 0;
        }
        if (!first) {
            continue;
        }
        entry = json_object_new_object();
        values = json_object_new_array();
        for (size_t j = i; j < expect->count; j++) {
            if (strcmp(expect->values[j].name, name) != 0) {
                continue;
            }
            json_object_array_add(values, json_object_new_string(expect->values[j].value));
            if (shown == NULL && vd_identity_has(actual, name, expect->values[j].value)) {
                shown = expect->values[j].value;
            }
        }
        json_object_object_add(entry, "name", json_object_new_string(name));
        json_object_object_add(entry, "expected", values);
        if (shown == NULL) {
            const char *got = vd_identity_get(actual, name);
            if (got != NULL) {
                json_object_object_add(entry, "actual", json_object_new_string(got));
            }
        } else {
            json_object_object_add(entry, "actual", json_object_new_string(shown));
        }
        json_object_object_add(entry, "match", json_object_new_boolean(shown != NULL));
        json_object_array_add(list, entry);
    }
    return list;
}

/* One ancestor: how it was found and what it is, with its own analysis. */
static json_object *json_link(const struct vd_chain_link *link, size_t depth)
{
    const struct vd_image_result *p = link->result;
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "depth", json_u64(depth));
    json_object_object_add(obj, "path", report_json_text(p->path));
    if (link->asked != NULL) {
        json_object_object_add(obj, "asked", report_json_text(link->asked));
    }
    if (p->have_stat) {
        json_object_object_add(obj, "file_size", json_u64(p->stat.size));
    }
    if (p->recognized) {
        json_object_object_add(obj, "format", json_object_new_string(p->info.format));
        if (p->info.variant != NULL) {
            json_object_object_add(obj, "variant", json_object_new_string(p->info.variant));
        }
        if (p->info.has_virtual_size) {
            json_object_object_add(obj, "virtual_size", json_u64(p->info.virtual_size));
        }
    }
    json_object_object_add(obj, "identity_match", json_object_new_boolean(link->identity_match));
    json_object_object_add(obj, "identity", json_identity(&link->expected, &p->info.identity));
    json_object_object_add(obj, "verdict", json_object_new_string(vd_verdict_name(p->verdict)));
    json_object_object_add(obj, "summary", json_summary(&p->findings));
    json_object_object_add(obj, "findings", json_findings(&p->findings));
    if (p->status != VD_OK) {
        json_object_object_add(obj, "error", json_error(p));
    }
    if (p->recognized) {
        json_object_object_add(obj, "details", json_fact(p->details));
    }
    return obj;
}

static json_object *json_chain(const struct vd_image_result *r)
{
    json_object *chain = json_object_new_array_ext((int)r->chain_count);

    for (size_t i = 0; i < r->chain_count; i++) {
        json_object_array_add(chain, json_link(&r->chain[i], i + 1));
    }
    return chain;
}

static json_object *json_report(const struct vd_image_result *r, const struct report_options *opt)
{
    json_object *root = json_object_new_object();

    json_object_object_add(root, "schema", json_object_new_string(REPORT_SCHEMA));
    json_object_object_add(root, "tool", json_tool(opt));
    json_object_object_add(root, "source", json_source(r));
    json_object_object_add(root, "custody", json_custody(r, opt->custody));
    if (r->recognized) {
        json_object_object_add(root, "image", json_image(r));
        if (r->info.needs_parent) {
            json_object_object_add(root, "chain", json_chain(r));
            json_object_object_add(root, "chain_complete",
                                   json_object_new_boolean(r->chain_complete));
        }
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
    if (r->piecewise.count != 0) {
        json_object_object_add(root, "piecewise", json_piecewise(&r->piecewise));
    }
    json_object_object_add(root, "findings", json_findings(&r->findings));
    json_object_object_add(root, "summary", json_summary(&r->findings));
    if (r->status != VD_OK) {
        json_object_object_add(root, "error", json_error(r));
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

/* `scan --json`: every report is one line (NDJSON), whatever the options said. */
static int json_scan_image(FILE *out, const struct vd_image_result *r,
                           const struct report_options *opt)
{
    struct report_options line = *opt;

    line.compact = true;
    return json_write(out, r, &line);
}

const struct vd_reporter report_json = {
    .name = "json",
    .image = json_write,
    .scan_image = json_scan_image,
};
