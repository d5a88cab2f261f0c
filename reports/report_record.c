/* Reading a JSON report back (json-c) for `vdcheck verify`. */
#include "report_record.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"
#include "vd_alloc.h"
#include "vd_checked.h"

static json_object *member(json_object *obj, const char *key, json_type type)
{
    json_object *v = NULL;

    if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type)) {
        return NULL;
    }
    return v;
}

static char *member_str(json_object *obj, const char *key)
{
    json_object *v = member(obj, key, json_type_string);

    return v != NULL ? vd_strdup(json_object_get_string(v)) : NULL;
}

static bool member_u64(json_object *obj, const char *key, uint64_t *out)
{
    json_object *v = member(obj, key, json_type_int);

    if (v == NULL || json_object_get_int64(v) < 0) {
        return false;
    }
    *out = json_object_get_uint64(v);
    return true;
}

/*
 * The keys verify reads, with the type each must have when present. A key of another type
 * (or a negative size) is an unusable report, not a missing key: otherwise a report whose
 * digests were replaced by a string would "verify" with that check silently dropped.
 */
static const struct {
    const char *parent; /* NULL: the root; "a" or "a.b" */
    const char *key;
    json_type type;
} typed_keys[] = {
    {NULL, "source", json_type_object},
    {"source", "path", json_type_string},
    {"source", "file_size", json_type_int},
    {NULL, "tool", json_type_object},
    {"tool", "version", json_type_string},
    {NULL, "custody", json_type_object},
    {"custody", "started", json_type_string},
    {NULL, "image", json_type_object},
    {"image", "format", json_type_string},
    {"image", "variant", json_type_string},
    {"image", "virtual_size", json_type_int},
    {NULL, "hashes", json_type_object},
    {"hashes", "container", json_type_object},
    {"hashes", "virtual", json_type_object},
    {NULL, "piecewise", json_type_object},
    {NULL, "read_semantics", json_type_object},
    {"read_semantics", "vhdx_log", json_type_object},
    {"read_semantics", "parent", json_type_string},
    {"read_semantics.vhdx_log", "view", json_type_string},
};

/* The object at "a" or "a.b" below root, or NULL. */
static json_object *object_at(json_object *root, const char *path)
{
    char first[32];
    const char *dot;

    if (path == NULL) {
        return root;
    }
    dot = strchr(path, '.');
    if (dot == NULL) {
        return member(root, path, json_type_object);
    }
    snprintf(first, sizeof(first), "%.*s", (int)(dot - path), path);
    return member(member(root, first, json_type_object), dot + 1, json_type_object);
}

static bool types_usable(json_object *root, char *err, size_t cap)
{
    for (size_t i = 0; i < VD_ARRAY_LEN(typed_keys); i++) {
        json_object *parent = object_at(root, typed_keys[i].parent);
        json_object *v = NULL;
        if (parent == NULL || !json_object_object_get_ex(parent, typed_keys[i].key, &v)) {
            continue;
        }
        if (!json_object_is_type(v, typed_keys[i].type) ||
            (typed_keys[i].type == json_type_int && json_object_get_int64(v) < 0)) {
            snprintf(err, cap, "%s%s%s is not a%s %s",
                     typed_keys[i].parent ? typed_keys[i].parent : "",
                     typed_keys[i].parent ? "." : "", typed_keys[i].key,
                     typed_keys[i].type == json_type_object ? "n" : "",
                     typed_keys[i].type == json_type_object   ? "object"
                     : typed_keys[i].type == json_type_string ? "string"
                                                              : "non-negative integer");
            return false;
        }
    }
    return true;
}

static bool hex_decode(const char *hex, uint8_t *out, size_t len)
{
    if (strlen(hex) != 2 * len) {
        return false;
    }
    for (size_t i = 0; i < 2 * len; i++) {
        char c = hex[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) {
            return false;
        }
        out[i / 2] = (uint8_t)(i % 2 == 0 ? v << 4 : out[i / 2] | v);
    }
    return true;
}

/* hashes.container / hashes.virtual: every known algorithm with a well-formed hex value. */
static bool load_digests(json_object *obj, struct vd_digests *out, char *err, size_t cap)
{
    memset(out, 0, sizeof(*out));
    if (obj == NULL) {
        return true;
    }
    json_object_object_foreach(obj, key, value)
    {
        enum vd_digest_alg alg;
        uint8_t raw[VD_DIGEST_MAX];
        if (!vd_digest_lookup(key, strlen(key), &alg) ||
            !json_object_is_type(value, json_type_string) ||
            !hex_decode(json_object_get_string(value), raw, vd_digest_size(alg))) {
            snprintf(err, cap, "hashes: \"%s\" is not a known digest in lower-case hex", key);
            return false;
        }
        snprintf(out->hex[alg], sizeof(out->hex[alg]), "%s", json_object_get_string(value));
        out->mask |= 1u << alg;
    }
    return true;
}

static bool load_window(json_object *w, struct vd_piecewise *pw, size_t i)
{
    uint64_t offset = 0;
    uint64_t length = 0;
    json_object *digest = member(w, "digest", json_type_string);

    return member_u64(w, "offset", &offset) && member_u64(w, "length", &length) && digest != NULL &&
           offset == (uint64_t)i * pw->window && length == vd_piecewise_length(pw, i) &&
           hex_decode(json_object_get_string(digest), pw->digests + i * vd_digest_size(pw->alg),
                      vd_digest_size(pw->alg));
}

/* piecewise: windows must tile the virtual disk in order, as vdcheck writes them. */
static bool load_piecewise(json_object *obj, uint64_t virtual_size, struct vd_piecewise *pw,
                           char *err, size_t cap)
{
    json_object *alg_name = member(obj, "algorithm", json_type_string);
    json_object *windows = member(obj, "windows", json_type_array);
    uint64_t count;

    memset(pw, 0, sizeof(*pw));
    if (obj == NULL) {
        return true;
    }
    if (alg_name == NULL || windows == NULL || !member_u64(obj, "size", &pw->window) ||
        pw->window == 0 ||
        !vd_digest_lookup(json_object_get_string(alg_name),
                          strlen(json_object_get_string(alg_name)), &pw->alg)) {
        snprintf(err, cap, "piecewise: algorithm, size or windows missing or malformed");
        return false;
    }
    pw->total = virtual_size;
    count = vd_div_round_up(virtual_size, pw->window);
    if (count != json_object_array_length(windows)) {
        snprintf(err, cap, "piecewise: %zu windows do not tile a %llu-byte disk",
                 json_object_array_length(windows), (unsigned long long)virtual_size);
        return false;
    }
    pw->count = (size_t)count;
    pw->digests = vd_calloc_array(pw->count, vd_digest_size(pw->alg));
    if (pw->digests == NULL) {
        snprintf(err, cap, "out of memory");
        return false;
    }
    for (size_t i = 0; i < pw->count; i++) {
        if (!load_window(json_object_array_get_idx(windows, i), pw, i)) {
            snprintf(err, cap, "piecewise: window %zu is malformed or out of order", i);
            return false;
        }
    }
    return true;
}

static int load_report(json_object *root, struct report_record *rec, char *err, size_t cap)
{
    json_object *source = member(root, "source", json_type_object);
    json_object *image = member(root, "image", json_type_object);
    json_object *hashes = member(root, "hashes", json_type_object);
    json_object *tool = member(root, "tool", json_type_object);
    json_object *log =
        member(member(root, "read_semantics", json_type_object), "vhdx_log", json_type_object);
    json_object *view = member(log, "view", json_type_string);
    json_object *parent =
        member(member(root, "read_semantics", json_type_object), "parent", json_type_string);

    if (!types_usable(root, err, cap)) {
        return -1;
    }
    rec->path = member_str(source, "path");
    rec->tool = member_str(tool, "version");
    rec->started = member_str(member(root, "custody", json_type_object), "started");
    rec->has_file_size = member_u64(source, "file_size", &rec->file_size);
    rec->format = member_str(image, "format");
    rec->variant = member_str(image, "variant");
    rec->has_virtual_size = member_u64(image, "virtual_size", &rec->virtual_size);
    rec->log_view = view != NULL && strcmp(json_object_get_string(view), "on-disk") == 0
                        ? VD_LOG_VIEW_ON_DISK
                        : VD_LOG_VIEW_REPLAYED;
    rec->parent_as_zero =
        parent != NULL && strcmp(json_object_get_string(parent), "read_as_zero") == 0;
    if (rec->path == NULL) {
        snprintf(err, cap, "the report has no source.path");
        return -1;
    }
    if (!load_digests(member(hashes, "container", json_type_object), &rec->container, err, cap) ||
        !load_digests(member(hashes, "virtual", json_type_object), &rec->virtual_disk, err, cap)) {
        return -1;
    }
    json_object *pw = member(root, "piecewise", json_type_object);
    if (pw != NULL && !rec->has_virtual_size) {
        snprintf(err, cap, "piecewise digests without image.virtual_size");
        return -1;
    }
    return load_piecewise(pw, rec->virtual_size, &rec->piecewise, err, cap) ? 0 : -1;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

static const char *report_path(json_object *root)
{
    json_object *p = member(member(root, "source", json_type_object), "path", json_type_string);

    return p != NULL ? json_object_get_string(p) : "";
}

/* Picks the report of `image` among those in the file (see report_record_parse). */
static json_object *pick(json_object **all, size_t n, const char *image)
{
    json_object *by_name = NULL;
    size_t same_name = 0;

    if (n == 1) {
        return all[0];
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(report_path(all[i]), image) == 0) {
            return all[i];
        }
        if (strcmp(base_name(report_path(all[i])), base_name(image)) == 0) {
            by_name = all[i];
            same_name++;
        }
    }
    return same_name == 1 ? by_name : NULL;
}

/* Parses every JSON value in text (one report, or one per line). */
static size_t parse_all(const char *text, size_t len, json_object **all, size_t max, char *err,
                        size_t cap)
{
    json_tokener *tok = json_tokener_new();
    size_t n = 0;
    size_t at = 0;

    while (tok != NULL && at < len) {
        if (text[at] != '\0' && strchr(" \t\r\n", text[at]) != NULL) {
            at++;
            continue;
        }
        json_object *obj = json_tokener_parse_ex(tok, text + at, (int)(len - at));
        if (obj == NULL || n == max) {
            if (n == max) {
                snprintf(err, cap, "more than %zu reports in one file", max);
            } else {
                enum json_tokener_error e = json_tokener_get_error(tok);
                if (e == json_tokener_continue) {
                    snprintf(err, cap, "the file ends inside a report (truncated)");
                } else {
                    snprintf(err, cap, "not JSON (%s)", json_tokener_error_desc(e));
                }
            }
            json_object_put(obj);
            for (size_t i = 0; i < n; i++) {
                json_object_put(all[i]);
            }
            n = SIZE_MAX;
            break;
        }
        all[n++] = obj;
        at += json_tokener_get_parse_end(tok);
        json_tokener_reset(tok);
    }
    json_tokener_free(tok);
    if (n == 0) {
        snprintf(err, cap, tok == NULL ? "out of memory" : "no report in the file");
    }
    return n;
}

int report_record_parse(const char *text, size_t len, const char *image, struct report_record *out,
                        char *err, size_t err_cap)
{
    enum { MAX_REPORTS = 65536 };
    json_object **all;
    size_t n;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (len > INT32_MAX || (all = vd_calloc_array(MAX_REPORTS, sizeof(*all))) == NULL) {
        snprintf(err, err_cap, "too large or out of memory");
        return -1;
    }
    n = parse_all(text, len, all, MAX_REPORTS, err, err_cap);
    if (n != SIZE_MAX && n > 0) {
        json_object *root = pick(all, n, image);
        json_object *schema = member(root, "schema", json_type_string);
        if (root == NULL) {
            snprintf(err, err_cap, "%zu reports in the file, none for %s", n, image);
        } else if (schema == NULL || strcmp(json_object_get_string(schema), REPORT_SCHEMA) != 0) {
            snprintf(err, err_cap, "not a %s report", REPORT_SCHEMA);
        } else {
            rc = load_report(root, out, err, err_cap);
        }
    }
    for (size_t i = 0; n != SIZE_MAX && i < n; i++) {
        json_object_put(all[i]);
    }
    vd_free(all);
    if (rc != 0) {
        report_record_fini(out);
    }
    return rc;
}

void report_record_fini(struct report_record *rec)
{
    vd_free(rec->path);
    vd_free(rec->tool);
    vd_free(rec->started);
    vd_free(rec->format);
    vd_free(rec->variant);
    vd_piecewise_fini(&rec->piecewise);
    memset(rec, 0, sizeof(*rec));
}
