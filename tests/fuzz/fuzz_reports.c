/*
 * fuzz_reports: the image the input describes (raw, or sparse: fuzz_common.h), and its
 * re-sealed copy, analyzed as `vdcheck check` would (every driver probed, the log replayed),
 * then rendered by the text, JSON (pretty and compact) and XML reporters into
 * memory. JSON must parse with json-c (strict, UTF-8 validated) and agree with the result;
 * XML must parse with libxml2 and validate against docs/vdcheck.xsd; the text report must be
 * UTF-8 without control bytes other than newlines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "fuzz_common.h"
#include "report.h"

#ifndef FUZZ_XSD
#error "FUZZ_XSD names docs/vdcheck.xsd"
#endif

static xmlSchemaPtr schema;
static xmlSchemaValidCtxtPtr schema_ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(FUZZ_XSD);
    FUZZ_ASSERT(pctx != NULL, "cannot read %s", FUZZ_XSD);
    schema = xmlSchemaParse(pctx);
    xmlSchemaFreeParserCtxt(pctx);
    FUZZ_ASSERT(schema != NULL, "cannot parse %s", FUZZ_XSD);
    schema_ctx = xmlSchemaNewValidCtxt(schema);
    FUZZ_ASSERT(schema_ctx != NULL, "xmlSchemaNewValidCtxt");
    return 0;
}

/* Renders r with reporter rep into a NUL-terminated buffer (*len bytes). */
static char *render(const struct vd_reporter *rep, const struct vd_image_result *r, bool compact,
                    size_t *len)
{
    const struct report_options opt = {.tool_version = "fuzz", .compact = compact};
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);

    FUZZ_ASSERT(out != NULL, "open_memstream");
    int rc = rep->image(out, r, &opt);
    FUZZ_ASSERT(fclose(out) == 0 && buf != NULL, "closing the memory stream");
    FUZZ_ASSERT(rc == 0, "the %s reporter failed", rep->name);
    return buf;
}

static const char *json_str(json_object *obj, const char *key)
{
    json_object *v = NULL;

    FUZZ_ASSERT(json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string),
                "JSON report without the string \"%s\"", key);
    return json_object_get_string(v);
}

static void check_json(const char *text, size_t len, const struct vd_image_result *r, bool compact)
{
    struct json_tokener *tok = json_tokener_new();
    json_object *root;
    json_object *v = NULL;

    FUZZ_ASSERT(tok != NULL, "json_tokener_new");
    FUZZ_ASSERT(len <= INT32_MAX, "a %zu-byte report", len);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    root = json_tokener_parse_ex(tok, text, (int)len);
    FUZZ_ASSERT(root != NULL, "the JSON report does not parse: %s",
                json_tokener_error_desc(json_tokener_get_error(tok)));
    FUZZ_ASSERT(json_tokener_get_parse_end(tok) + (compact ? 1 : 0) >= len,
                "text after the JSON value");
    json_tokener_free(tok);
    if (compact) {
        FUZZ_ASSERT(memchr(text, '\n', len - 1) == NULL && text[len - 1] == '\n',
                    "a compact report is not one line");
    }
    FUZZ_ASSERT(json_object_is_type(root, json_type_object), "the JSON report is no object");
    FUZZ_ASSERT(strcmp(json_str(root, "schema"), REPORT_SCHEMA) == 0, "schema");
    FUZZ_ASSERT(strcmp(json_str(root, "verdict"), vd_verdict_name(r->verdict)) == 0,
                "JSON verdict %s, the result's %s", json_str(root, "verdict"),
                vd_verdict_name(r->verdict));
    FUZZ_ASSERT(json_object_object_get_ex(root, "findings", &v) &&
                    json_object_is_type(v, json_type_array) &&
                    json_object_array_length(v) == r->findings.count,
                "JSON findings differ from the result's %zu", r->findings.count);
    for (size_t i = 0; i < r->findings.count; i++) {
        json_object *f = json_object_array_get_idx(v, i);
        const char *id = json_str(f, "id");
        FUZZ_ASSERT(vd_catalog_find(id) == r->findings.items[i].id, "JSON finding %zu is %s", i,
                    id);
    }
    FUZZ_ASSERT(json_object_object_get_ex(root, "summary", &v), "JSON report without a summary");
    for (int s = 0; s < VD_SEV_COUNT; s++) {
        json_object *n = NULL;
        FUZZ_ASSERT(json_object_object_get_ex(v, vd_severity_name((enum vd_severity)s), &n) &&
                        (uint64_t)json_object_get_uint64(n) == r->findings.by_severity[s],
                    "JSON summary %s", vd_severity_name((enum vd_severity)s));
    }
    json_object_put(root);
}

static void check_xml(const char *text, size_t len)
{
    FUZZ_ASSERT(len <= INT32_MAX, "a %zu-byte report", len);
    xmlDocPtr doc = xmlReadMemory(text, (int)len, "report.xml", NULL, XML_PARSE_NONET);

    FUZZ_ASSERT(doc != NULL, "the XML report is not well-formed");
    FUZZ_ASSERT(xmlSchemaValidateDoc(schema_ctx, doc) == 0,
                "the XML report does not validate against docs/vdcheck.xsd");
    xmlFreeDoc(doc);
}

static void check_text(const char *text, size_t len)
{
    FUZZ_ASSERT(len > 0 && fuzz_utf8_valid(text, len), "the text report is not UTF-8");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        FUZZ_ASSERT(c == '\n' || (c >= 0x20 && c != 0x7F),
                    "control byte 0x%02x at %zu of the text report", c, i);
    }
}

static void check(const uint8_t *data, size_t size)
{
    const struct fuzz_run run = {.log_view = VD_LOG_VIEW_REPLAYED, .hash = true};
    struct vd_image_result *r = fuzz_analyze(data, size, &run);
    char *out;
    size_t len = 0;

    if (r == NULL) {
        return;
    }
    if (schema == NULL) {
        LLVMFuzzerInitialize(NULL, NULL); /* a driver that does not call it */
    }
    out = render(&report_json, r, false, &len);
    check_json(out, len, r, false);
    free(out);
    out = render(&report_json, r, true, &len);
    check_json(out, len, r, true);
    free(out);
    out = render(&report_xml, r, false, &len);
    check_xml(out, len);
    free(out);
    out = render(&report_text, r, false, &len);
    check_text(out, len);
    free(out);
    vd_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_each_image(data, size, check);
    return 0;
}
