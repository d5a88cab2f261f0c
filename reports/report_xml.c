/*
 * The XML report: a DFXML document (metadata, creator, source with the container's digests)
 * whose last element is vdcheck's own report in the vdcheck namespace. docs/dfxml.xsd and
 * docs/vdcheck.xsd describe it, docs/report-format.md explains it. It carries the facts of
 * the JSON report under the same rule: what does not apply is left out.
 *
 * libxml2's xmlTextWriter writes straight to the stream, so a disk with a million piecewise
 * windows never holds its whole report in memory. The first failed libxml2 call (out of
 * memory, write error) turns every later call into a no-op and the report into -1.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlversion.h>
#include <libxml/xmlwriter.h>

#include "report.h"
#include "vd_alloc.h"
#include "vd_text.h"

#define XML_NS_DFXML "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
#define XML_NS_DC    "http://purl.org/dc/elements/1.1/"
#define XML_NS_VD    "https://vdcheck.invalid/ns/report/1"

/* Element prefixes: DFXML is the document's default namespace. */
#define XML_DFXML NULL
#define XML_DC    "dc"
#define XML_VD    "vdcheck"

struct xml_out {
    xmlTextWriterPtr w;
    bool failed;
};

static void xml_check(struct xml_out *x, int rc)
{
    if (rc < 0) {
        x->failed = true;
    }
}

/* ---- text XML 1.0 can carry ---- */

/*
 * Bytes of the UTF-8 character at p when XML 1.0's Char production allows it, else 0.
 * Sanitized text (vd_text_*) can still hold U+FFFE, U+FFFF, a tab or a newline, and a
 * finding's expected/actual value may end in a character cut by truncation.
 */
static size_t xml_char_len(const unsigned char *p, size_t avail)
{
    uint32_t cp;
    size_t n = vd_utf8_decode(p, avail, &cp);

    if (n == 0 || cp == 0xfffe || cp == 0xffff) {
        return 0;
    }
    return cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r' ? n : 0;
}

/* A copy of s in which every byte XML 1.0 cannot carry became U+FFFD; NULL: no memory. */
static char *xml_clean(const char *s)
{
    size_t len = strlen(s);
    size_t o = 0;
    char *out;

    if (len > (SIZE_MAX - 1) / 3) {
        return NULL;
    }
    out = vd_malloc(3 * len + 1);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len;) {
        size_t n = xml_char_len((const unsigned char *)s + i, len - i);
        if (n == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return out;
}

static bool xml_is_clean(const char *s)
{
    size_t len = strlen(s);

    for (size_t i = 0; i < len;) {
        size_t n = xml_char_len((const unsigned char *)s + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

/*
 * Bytes from the command line or the system (a path, a host name) as text: the JSON report's
 * rule, valid printable UTF-8 or "hex:...", so both reports spell a file name alike. A name
 * that is valid UTF-8 but not XML (U+FFFE, U+FFFF) goes out as hex too: replacing a character
 * would make two file names look the same. out holds VD_TEXT_BYTES_CAP(strlen(s)).
 */
static void xml_bytes_into(const char *s, char *out, size_t cap)
{
    size_t len = strlen(s);

    vd_text_bytes((const uint8_t *)s, len, out, cap);
    if (!xml_is_clean(out)) {
        memcpy(out, "hex:", 4);
        vd_text_hex((const uint8_t *)s, len, out + 4);
    }
}

/* xml_bytes_into a new buffer; NULL when out of memory. */
static char *xml_bytes_text(const char *s)
{
    size_t cap = VD_TEXT_BYTES_CAP(strlen(s));
    char *buf = vd_malloc(cap);

    if (buf != NULL) {
        xml_bytes_into(s, buf, cap);
    }
    return buf;
}

/* ---- writer primitives ---- */

static void xml_start(struct xml_out *x, const char *prefix, const char *name)
{
    if (!x->failed) {
        xml_check(x, xmlTextWriterStartElementNS(x->w, BAD_CAST prefix, BAD_CAST name, NULL));
    }
}

static void xml_end(struct xml_out *x)
{
    if (!x->failed) {
        xml_check(x, xmlTextWriterEndElement(x->w));
    }
}

/* Attribute values are vdcheck's own words and numbers, never text from the image. */
static void xml_attr(struct xml_out *x, const char *name, const char *value)
{
    if (!x->failed) {
        xml_check(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST value));
    }
}

static void xml_attr_u64(struct xml_out *x, const char *name, uint64_t value)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRIu64, value);
    xml_attr(x, name, num);
}

static void xml_attr_i64(struct xml_out *x, const char *name, int64_t value)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRId64, value);
    xml_attr(x, name, num);
}

/*
 * Text content, made valid for XML 1.0 first. A newline goes out as a character reference,
 * so that every newline in the output is layout: compact reports stay one per line.
 */
static void xml_text(struct xml_out *x, const char *s)
{
    char *clean;
    char *seg;

    if (x->failed) {
        return;
    }
    clean = xml_clean(s);
    if (clean == NULL) {
        x->failed = true;
        return;
    }
    for (seg = clean; !x->failed;) {
        char *nl = strchr(seg, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        if (seg[0] != '\0') {
            xml_check(x, xmlTextWriterWriteString(x->w, BAD_CAST seg));
        }
        if (nl == NULL) {
            break;
        }
        if (!x->failed) {
            xml_check(x, xmlTextWriterWriteRaw(x->w, BAD_CAST "&#10;"));
        }
        seg = nl + 1;
    }
    vd_free(clean);
}

static void xml_leaf(struct xml_out *x, const char *prefix, const char *name, const char *text)
{
    xml_start(x, prefix, name);
    xml_text(x, text);
    xml_end(x);
}

/* A leaf left out when there is nothing to say. */
static void xml_leaf_opt(struct xml_out *x, const char *prefix, const char *name, const char *text)
{
    if (text != NULL && text[0] != '\0') {
        xml_leaf(x, prefix, name, text);
    }
}

/* A leaf of untrusted bytes (xml_bytes_text), left out when empty or absent. */
static void xml_leaf_bytes(struct xml_out *x, const char *prefix, const char *name,
                           const char *bytes)
{
    char *text;

    if (x->failed || bytes == NULL || bytes[0] == '\0') {
        return;
    }
    text = xml_bytes_text(bytes);
    if (text == NULL) {
        x->failed = true;
        return;
    }
    xml_leaf(x, prefix, name, text);
    vd_free(text);
}

static void xml_leaf_u64(struct xml_out *x, const char *prefix, const char *name, uint64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRIu64, v);
    xml_leaf(x, prefix, name, num);
}

static void xml_leaf_bool(struct xml_out *x, const char *prefix, const char *name, bool v)
{
    xml_leaf(x, prefix, name, v ? "true" : "false");
}

/* Chain of custody wants the exact value: RFC 3339 UTC with nanoseconds. */
static void xml_leaf_time(struct xml_out *x, const char *prefix, const char *name, int64_t sec,
                          long nsec)
{
    struct vd_time t = {sec, nsec};
    char text[48];

    vd_time_format(&t, text);
    xml_leaf(x, prefix, name, text);
}

/* ---- format facts: one element per kind, keys in @name ---- */

static const char *xml_fact_element(enum vd_fact_kind kind)
{
    switch (kind) {
    case VD_FACT_OBJECT:
        return "object";
    case VD_FACT_ARRAY:
        return "array";
    case VD_FACT_STRING:
        return "string";
    case VD_FACT_U64:
        return "u64";
    case VD_FACT_I64:
        return "i64";
    case VD_FACT_BOOL:
        return "bool";
    }
    return "string";
}

static void xml_fact_children(struct xml_out *x, const struct vd_fact *parent);

/* named: f is an object's member (an array's members have no key, as in JSON). */
static void xml_fact(struct xml_out *x, const struct vd_fact *f, bool named)
{
    char num[24];

    xml_start(x, XML_VD, xml_fact_element(f->kind));
    if (named && f->key != NULL) {
        xml_attr(x, "name", f->key);
    }
    switch (f->kind) {
    case VD_FACT_OBJECT:
    case VD_FACT_ARRAY:
        xml_fact_children(x, f);
        break;
    case VD_FACT_STRING:
        xml_text(x, f->string != NULL ? f->string : "");
        break;
    case VD_FACT_U64:
        snprintf(num, sizeof(num), "%" PRIu64, f->u64);
        xml_text(x, num);
        break;
    case VD_FACT_I64:
        snprintf(num, sizeof(num), "%" PRId64, f->i64);
        xml_text(x, num);
        break;
    case VD_FACT_BOOL:
        xml_text(x, f->boolean ? "true" : "false");
        break;
    }
    xml_end(x);
}

static void xml_fact_children(struct xml_out *x, const struct vd_fact *parent)
{
    for (const struct vd_fact *c = parent->first; c != NULL && !x->failed; c = c->next) {
        xml_fact(x, c, parent->kind == VD_FACT_OBJECT);
    }
}

/* An object fact as the element `name` (details, read_semantics). */
static void xml_fact_object(struct xml_out *x, const char *name, const struct vd_fact *obj)
{
    xml_start(x, XML_VD, name);
    if (obj != NULL) {
        xml_fact_children(x, obj);
    }
    xml_end(x);
}

/* ---- digests ---- */

/*
 * DFXML's hashdigest types stop at sha256: sha512 is vdcheck:hashdigest, written after the
 * DFXML ones (the enum's order, which the schemas rely on).
 */
static void xml_hashdigest(struct xml_out *x, enum vd_digest_alg alg, const char *hex)
{
    xml_start(x, alg == VD_DIGEST_SHA512 ? XML_VD : XML_DFXML, "hashdigest");
    xml_attr(x, "type", vd_digest_name(alg));
    xml_text(x, hex);
    xml_end(x);
}

static void xml_digests(struct xml_out *x, const struct vd_digests *d)
{
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        if (d->mask & (1u << a)) {
            xml_hashdigest(x, (enum vd_digest_alg)a, d->hex[a]);
        }
    }
}

/* One DFXML byte_run per window; img_offset is the offset in the virtual disk. */
static void xml_piecewise(struct xml_out *x, const struct vd_piecewise *pw)
{
    char hex[VD_DIGEST_HEX_MAX];

    xml_start(x, XML_VD, "piecewise");
    xml_attr(x, "algorithm", vd_digest_name(pw->alg));
    xml_attr_u64(x, "size", pw->window);
    xml_start(x, XML_DFXML, "byte_runs");
    for (size_t i = 0; i < pw->count && !x->failed; i++) {
        vd_piecewise_hex(pw, i, hex);
        xml_start(x, XML_DFXML, "byte_run");
        xml_attr_u64(x, "img_offset", (uint64_t)i * pw->window);
        xml_attr_u64(x, "len", vd_piecewise_length(pw, i));
        xml_hashdigest(x, pw->alg, hex);
        xml_end(x);
    }
    xml_end(x);
    xml_end(x);
}

static void xml_virtual_disk(struct xml_out *x, const struct vd_image_result *r)
{
    xml_start(x, XML_VD, "virtual_disk");
    xml_digests(x, &r->virtual_disk);
    if (r->piecewise.count != 0) {
        xml_piecewise(x, &r->piecewise);
    }
    xml_end(x);
}

/* ---- the DFXML part ---- */

static void xml_metadata(struct xml_out *x)
{
    xml_start(x, XML_DFXML, "metadata");
    xml_leaf(x, XML_DC, "type", "Disk Image Validation");
    xml_end(x);
}

static void xml_library(struct xml_out *x, const char *name, const char *version)
{
    if (version == NULL || version[0] == '\0') {
        return;
    }
    xml_start(x, XML_DFXML, "library");
    xml_attr(x, "name", name);
    xml_attr(x, "version", version);
    xml_end(x);
}

static void xml_build_environment(struct xml_out *x, const struct vd_custody *c)
{
    xml_start(x, XML_DFXML, "build_environment");
    xml_leaf_opt(x, XML_DFXML, "compiler", c->compiler);
    xml_leaf_opt(x, XML_VD, "build_type", c->build_type);
    xml_library(x, "OpenSSL", c->crypto_library);
    xml_library(x, "json-c", json_c_version());
    xml_library(x, "libxml2", LIBXML_DOTTED_VERSION);
    xml_end(x);
}

/* DFXML keeps the command line as one string: the arguments, each sanitized, spaced. */
static void xml_command_line(struct xml_out *x, const struct vd_custody *c)
{
    size_t cap = 1;
    size_t o = 0;
    char *line;

    for (int i = 0; i < c->argc; i++) {
        cap += VD_TEXT_BYTES_CAP(strlen(c->argv[i])) + 1;
    }
    line = vd_malloc(cap);
    if (line == NULL) {
        x->failed = true;
        return;
    }
    line[0] = '\0';
    for (int i = 0; i < c->argc; i++) {
        if (i > 0) {
            line[o++] = ' ';
        }
        xml_bytes_into(c->argv[i], line + o, cap - o);
        o += strlen(line + o);
    }
    line[o] = '\0';
    xml_leaf(x, XML_DFXML, "command_line", line);
    vd_free(line);
}

/* A scan document's creator is written before its end is known: finished is NULL then. */
static void xml_execution_environment(struct xml_out *x, const struct vd_time *started,
                                      const struct vd_time *finished, const struct vd_custody *c)
{
    xml_start(x, XML_DFXML, "execution_environment");
    if (c != NULL) {
        xml_leaf_bytes(x, XML_DFXML, "os_sysname", c->os_name);
        xml_leaf_bytes(x, XML_DFXML, "os_release", c->os_release);
        xml_leaf_bytes(x, XML_DFXML, "os_version", c->os_version);
        xml_leaf_bytes(x, XML_DFXML, "host", c->host);
        xml_leaf_bytes(x, XML_DFXML, "arch", c->machine);
        xml_leaf_u64(x, XML_DFXML, "uid", c->uid);
        xml_command_line(x, c);
    }
    xml_leaf_time(x, XML_DFXML, "start_time", started->sec, started->nsec);
    if (finished != NULL) {
        xml_leaf_time(x, XML_DFXML, "end_time", finished->sec, finished->nsec);
    }
    xml_end(x);
}

static void xml_creator(struct xml_out *x, const struct vd_time *started,
                        const struct vd_time *finished, const struct report_options *opt)
{
    xml_start(x, XML_DFXML, "creator");
    xml_leaf(x, XML_DFXML, "program", "vdcheck");
    xml_leaf(x, XML_DFXML, "version", opt->tool_version);
    if (opt->custody != NULL) {
        xml_build_environment(x, opt->custody);
    }
    xml_execution_environment(x, started, finished, opt->custody);
    xml_end(x);
}

/* The container file: the path as given, its size and its digests. */
static void xml_source(struct xml_out *x, const struct vd_image_result *r)
{
    char *name = xml_bytes_text(r->path);

    if (name == NULL) {
        x->failed = true;
        return;
    }
    xml_start(x, XML_DFXML, "source");
    xml_leaf(x, XML_DFXML, "image_filename", name);
    if (r->have_stat) {
        xml_leaf_u64(x, XML_DFXML, "image_size", r->stat.size);
    }
    xml_digests(x, &r->container);
    xml_end(x);
    vd_free(name);
}

/* ---- the vdcheck part ---- */

static void xml_image(struct xml_out *x, const struct vd_image_result *r)
{
    const struct vd_image_info *info = &r->info;

    xml_start(x, XML_VD, "image");
    xml_leaf(x, XML_VD, "format", info->format);
    xml_leaf_opt(x, XML_VD, "variant", info->variant);
    if (info->has_virtual_size) {
        xml_leaf_u64(x, XML_VD, "virtual_size", info->virtual_size);
    }
    if (info->logical_sector_size != 0) {
        xml_leaf_u64(x, XML_VD, "logical_sector_size", info->logical_sector_size);
    }
    if (info->block_size != 0) {
        xml_leaf_u64(x, XML_VD, "block_size", info->block_size);
    }
    xml_fact_object(x, "details", r->details);
    xml_end(x);
}

static void xml_stat(struct xml_out *x, const char *name, const struct vd_source_stat *st)
{
    xml_start(x, XML_VD, name);
    xml_leaf_u64(x, XML_VD, "size", st->size);
    xml_leaf_u64(x, XML_VD, "device", st->device);
    xml_leaf_u64(x, XML_VD, "inode", st->inode);
    xml_leaf_time(x, XML_VD, "mtime", st->mtime_sec, st->mtime_nsec);
    xml_leaf_time(x, XML_VD, "ctime", st->ctime_sec, st->ctime_nsec);
    xml_leaf_time(x, XML_VD, "atime", st->atime_sec, st->atime_nsec);
    xml_end(x);
}

/* The evidence's fstat record at the open and at the end of the analysis. */
static void xml_evidence(struct xml_out *x, const struct vd_image_result *r)
{
    xml_start(x, XML_VD, "evidence");
    xml_stat(x, "before", &r->stat);
    if (r->have_stat_after) {
        xml_stat(x, "after", &r->stat_after);
    }
    xml_leaf_bool(x, XML_VD, "unchanged", r->have_stat_after && r->status != VD_E_CHANGED);
    xml_leaf_bool(x, XML_VD, "noatime", r->stat.noatime);
    xml_end(x);
}

static bool xml_has_text(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Who ran vdcheck is in DFXML's <creator>; the case and the evidence record go here. */
static void xml_custody(struct xml_out *x, const struct vd_image_result *r,
                        const struct vd_custody *c)
{
    bool evidence = r->have_stat && r->stat.is_file;
    bool named = c != NULL &&
                 (xml_has_text(c->case_id) || xml_has_text(c->examiner) || xml_has_text(c->note));

    if (!evidence && !named) {
        return;
    }
    xml_start(x, XML_VD, "custody");
    if (c != NULL) {
        xml_leaf_bytes(x, XML_VD, "case", c->case_id);
        xml_leaf_bytes(x, XML_VD, "examiner", c->examiner);
        xml_leaf_bytes(x, XML_VD, "note", c->note);
    }
    if (evidence) {
        xml_evidence(x, r);
    }
    xml_end(x);
}

static void xml_finding(struct xml_out *x, const struct vd_finding *f)
{
    xml_start(x, XML_VD, "finding");
    xml_attr(x, "id", vd_catalog_get(f->id)->id);
    xml_attr(x, "severity", vd_severity_name(f->severity));
    xml_attr(x, "structure", f->loc.structure);
    xml_attr_i64(x, "index", f->loc.index);
    xml_attr_u64(x, "offset", f->loc.offset);
    xml_attr_u64(x, "length", f->loc.length);
    xml_leaf_opt(x, XML_VD, "expected", f->expected);
    xml_leaf_opt(x, XML_VD, "actual", f->actual);
    xml_leaf(x, XML_VD, "message", f->message);
    xml_end(x);
}

static void xml_findings(struct xml_out *x, const struct vd_findings *list)
{
    xml_start(x, XML_VD, "findings");
    for (size_t i = 0; i < list->count && !x->failed; i++) {
        xml_finding(x, &list->items[i]);
    }
    xml_end(x);
}

static void xml_summary(struct xml_out *x, const struct vd_findings *list)
{
    xml_start(x, XML_VD, "summary");
    for (int s = VD_SEV_FATAL; s >= VD_SEV_INFO; s--) {
        xml_attr_u64(x, vd_severity_name((enum vd_severity)s), list->by_severity[s]);
    }
    xml_end(x);
}

/* A tool failure, as opposed to a file defect. */
static void xml_error(struct xml_out *x, const struct vd_image_result *r)
{
    xml_start(x, XML_VD, "error");
    xml_leaf(x, XML_VD, "status", vd_status_str(r->status));
    if (r->err_no != 0) {
        xml_leaf(x, XML_VD, "message", strerror(r->err_no));
    }
    xml_end(x);
}

/*
 * One name the child recorded for its parent: every value it accepts (several are
 * alternatives), then the parent's value under that name (the accepted one when it has
 * several), as in the JSON report's identity entries.
 */
static void xml_identity(struct xml_out *x, const struct vd_identity *expect,
                         const struct vd_identity *actual)
{
    for (size_t i = 0; i < expect->count && !x->failed; i++) {
        const char *name = expect->values[i].name;
        const char *shown = NULL;
        bool first = true;
        for (size_t j = 0; j < i && first; j++) {
            first = strcmp(expect->values[j].name, name) != 0;
        }
        if (!first) {
            continue;
        }
        for (size_t j = i; j < expect->count && shown == NULL; j++) {
            if (strcmp(expect->values[j].name, name) == 0 &&
                vd_identity_has(actual, name, expect->values[j].value)) {
                shown = expect->values[j].value;
            }
        }
        xml_start(x, XML_VD, "identity");
        xml_attr(x, "name", name);
        xml_attr(x, "match", shown != NULL ? "true" : "false");
        for (size_t j = i; j < expect->count; j++) {
            if (strcmp(expect->values[j].name, name) == 0) {
                xml_leaf(x, XML_VD, "expected", expect->values[j].value);
            }
        }
        if (shown == NULL) {
            shown = vd_identity_get(actual, name);
        }
        if (shown != NULL) {
            xml_leaf(x, XML_VD, "actual", shown);
        }
        xml_end(x);
    }
}

/* One ancestor: how it was found and what it is, with its own analysis. */
static void xml_link(struct xml_out *x, const struct vd_chain_link *link, size_t depth)
{
    const struct vd_image_result *p = link->result;

    xml_start(x, XML_VD, "link");
    xml_attr_u64(x, "depth", depth);
    xml_attr(x, "identity_match", link->identity_match ? "true" : "false");
    xml_leaf_bytes(x, XML_VD, "path", p->path);
    xml_leaf_bytes(x, XML_VD, "asked", link->asked);
    if (p->have_stat) {
        xml_leaf_u64(x, XML_VD, "file_size", p->stat.size);
    }
    if (p->recognized) {
        xml_leaf(x, XML_VD, "format", p->info.format);
        xml_leaf_opt(x, XML_VD, "variant", p->info.variant);
        if (p->info.has_virtual_size) {
            xml_leaf_u64(x, XML_VD, "virtual_size", p->info.virtual_size);
        }
    }
    xml_identity(x, &link->expected, &p->info.identity);
    if (p->recognized) {
        xml_fact_object(x, "details", p->details);
    }
    xml_findings(x, &p->findings);
    xml_summary(x, &p->findings);
    if (p->status != VD_OK) {
        xml_error(x, p);
    }
    xml_leaf(x, XML_VD, "verdict", vd_verdict_name(p->verdict));
    xml_end(x);
}

/* The parents of a child image, nearest first; complete: the merged disk is readable. */
static void xml_chain(struct xml_out *x, const struct vd_image_result *r)
{
    xml_start(x, XML_VD, "chain");
    xml_attr(x, "complete", r->chain_complete ? "true" : "false");
    for (size_t i = 0; i < r->chain_count && !x->failed; i++) {
        xml_link(x, &r->chain[i], i + 1);
    }
    xml_end(x);
}

static void xml_report(struct xml_out *x, const struct vd_image_result *r,
                       const struct report_options *opt)
{
    xml_start(x, XML_VD, "report");
    xml_attr(x, "schema", REPORT_SCHEMA);
    if (r->recognized) {
        xml_image(x, r);
        if (r->info.needs_parent) {
            xml_chain(x, r);
        }
        if (r->semantics != NULL && r->semantics->first != NULL) {
            xml_fact_object(x, "read_semantics", r->semantics);
        }
    }
    xml_custody(x, r, opt->custody);
    if (r->virtual_disk.mask != 0 || r->piecewise.count != 0) {
        xml_virtual_disk(x, r);
    }
    xml_findings(x, &r->findings);
    xml_summary(x, &r->findings);
    if (r->status != VD_OK) {
        xml_error(x, r);
    }
    xml_leaf(x, XML_VD, "verdict", vd_verdict_name(r->verdict));
    xml_end(x);
}

/* <dfxml> with its namespaces; indented unless compact (one document per line). */
static void xml_open_dfxml(struct xml_out *x, bool indent)
{
    if (indent) {
        xml_check(x, xmlTextWriterSetIndent(x->w, 1));
        xml_check(x, xmlTextWriterSetIndentString(x->w, BAD_CAST "  "));
        /*
         * The declaration is followed by a newline of its own, so compact reports (several
         * images, one document per line) leave it out: UTF-8 and XML 1.0 are the defaults.
         */
        if (!x->failed) {
            xml_check(x, xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL));
        }
    }
    if (!x->failed) {
        xml_check(x,
                  xmlTextWriterStartElementNS(x->w, NULL, BAD_CAST "dfxml", BAD_CAST XML_NS_DFXML));
    }
    xml_attr(x, "version", "1.0");
    xml_attr(x, "xmlns:" XML_DC, XML_NS_DC);
    xml_attr(x, "xmlns:" XML_VD, XML_NS_VD);
    xml_metadata(x);
}

struct xml_image_job {
    const struct vd_image_result *r;
    const struct report_options *opt;
};

static void xml_document(struct xml_out *x, const void *arg)
{
    const struct xml_image_job *job = arg;

    xml_open_dfxml(x, !job->opt->compact);
    xml_creator(x, &job->r->started, &job->r->finished, job->opt);
    xml_source(x, job->r);
    xml_report(x, job->r, job->opt);
    xml_end(x);
    if (!x->failed) {
        xml_check(x, xmlTextWriterEndDocument(x->w));
    }
}

/* Runs body with a writer on out; 0, or -1 when a libxml2 call or the stream failed. */
static int xml_run(FILE *out, void (*body)(struct xml_out *x, const void *arg), const void *arg)
{
    /* The buffer writes through to out and flushes it when closed; out stays open. */
    xmlOutputBufferPtr buf = xmlOutputBufferCreateFile(out, NULL);
    struct xml_out x = {NULL, false};

    if (buf == NULL) {
        return -1;
    }
    x.w = xmlNewTextWriter(buf);
    if (x.w == NULL) {
        xmlOutputBufferClose(buf);
        return -1;
    }
    body(&x, arg);
    if (!x.failed) {
        xml_check(&x, xmlTextWriterFlush(x.w));
    }
    xmlFreeTextWriter(x.w); /* closes buf */
    if (fflush(out) != 0 || ferror(out)) {
        x.failed = true;
    }
    return x.failed ? -1 : 0;
}

static int xml_write(FILE *out, const struct vd_image_result *r, const struct report_options *opt)
{
    struct xml_image_job job = {r, opt};

    return xml_run(out, xml_document, &job);
}

/*
 * ---- scan documents ----
 * One DFXML document for a whole scan: the head (metadata, creator), one <fileobject> per
 * file, each on its own line and written on its own (by the scan's workers, in any order
 * of time, placed in walk order), then vdcheck's scan summary and the end of <dfxml>.
 * The head is written with the document element left open, so the writer is never asked
 * to close it: the tail closes it by hand.
 */
struct xml_scan_head {
    const struct vd_time *started;
    const struct report_options *opt;
};

static void xml_scan_head_body(struct xml_out *x, const void *arg)
{
    const struct xml_scan_head *head = arg;

    xml_open_dfxml(x, false);
    xml_creator(x, head->started, NULL, head->opt);
}

static int xml_scan_begin(FILE *out, const struct vd_time *started,
                          const struct report_options *opt)
{
    struct xml_scan_head head = {started, opt};

    if (fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out) == EOF) {
        return -1;
    }
    /* xmlFreeTextWriter would end the open <dfxml>: the head is written whole, then cut. */
    return xml_run(out, xml_scan_head_body, &head) == 0 && fputc('\n', out) != EOF ? 0 : -1;
}

static void xml_fileobject_body(struct xml_out *x, const void *arg)
{
    const struct xml_image_job *job = arg;
    char *name = xml_bytes_text(job->r->path);

    if (name == NULL) {
        x->failed = true;
        return;
    }
    xml_start(x, XML_DFXML, "fileobject");
    xml_leaf(x, XML_DFXML, "filename", name);
    if (job->r->have_stat) {
        xml_leaf_u64(x, XML_DFXML, "filesize", job->r->stat.size);
    }
    xml_digests(x, &job->r->container);
    xml_report(x, job->r, job->opt);
    xml_end(x);
    vd_free(name);
}

static int xml_scan_image(FILE *out, const struct vd_image_result *r,
                          const struct report_options *opt)
{
    struct xml_image_job job = {r, opt};

    return xml_run(out, xml_fileobject_body, &job) == 0 && fputc('\n', out) != EOF ? 0 : -1;
}

static void xml_scan_summary_body(struct xml_out *x, const void *arg)
{
    const struct report_scan_totals *t = arg;

    xml_start(x, XML_VD, "scan_summary");
    xml_leaf_time(x, XML_VD, "end_time", t->finished.sec, t->finished.nsec);
    xml_leaf_u64(x, XML_VD, "files", t->files);
    xml_leaf_u64(x, XML_VD, "bytes", t->bytes);
    xml_leaf_u64(x, XML_VD, "images", t->images);
    xml_leaf_u64(x, XML_VD, "unreadable", t->unreadable);
    xml_leaf_u64(x, XML_VD, "skipped", t->skipped);
    xml_start(x, XML_VD, "verdicts");
    for (int v = 0; v < VD_VERDICT_COUNT; v++) {
        xml_attr_u64(x, vd_verdict_name((enum vd_verdict)v), t->verdicts[v]);
    }
    xml_end(x);
    xml_end(x);
}

static int xml_scan_end(FILE *out, const struct report_scan_totals *totals,
                        const struct report_options *opt)
{
    (void)opt;
    if (xml_run(out, xml_scan_summary_body, totals) != 0) {
        return -1;
    }
    return fputs("\n</dfxml>\n", out) != EOF && fflush(out) == 0 ? 0 : -1;
}

const struct vd_reporter report_xml = {
    .name = "xml",
    .image = xml_write,
    .scan_begin = xml_scan_begin,
    .scan_image = xml_scan_image,
    .scan_end = xml_scan_end,
};
