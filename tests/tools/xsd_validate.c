/*
 * xsd_validate SCHEMA.xsd DOC.xml...: validates each document against an XML Schema with
 * libxml2, the way the tests check every XML report vdcheck writes.
 *
 * The schema is loaded from its path, so relative xs:import schemaLocation values resolve
 * (docs/vdcheck.xsd imports docs/dfxml.xsd). Network access is refused for schemas and
 * documents alike. libxml2 prints each error on stderr; one line per document goes to stdout.
 *
 * Exit status: 0 every document is valid; 1 some document is invalid or not well-formed;
 * 2 the schema or a document could not be read (wins over 1); 64 usage.
 */
#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>

enum {
    XSD_VALID = 0,
    XSD_INVALID = 1,
    XSD_UNREADABLE = 2,
    XSD_USAGE = 64,
};

static int xsd_worst(int a, int b)
{
    return a > b ? a : b;
}

static xmlSchemaPtr xsd_load(const char *path)
{
    xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(path);
    xmlSchemaPtr schema;

    if (pctx == NULL) {
        return NULL;
    }
    schema = xmlSchemaParse(pctx);
    xmlSchemaFreeParserCtxt(pctx);
    return schema;
}

/* A document that cannot be opened is unreadable; one that does not parse is invalid. */
static int xsd_check(xmlSchemaValidCtxtPtr vctx, const char *path)
{
    FILE *f = fopen(path, "rb");
    xmlDocPtr doc;
    int rc;

    if (f == NULL) {
        perror(path);
        return XSD_UNREADABLE;
    }
    fclose(f);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    if (doc == NULL) {
        printf("%s: not well-formed\n", path);
        return XSD_INVALID;
    }
    rc = xmlSchemaValidateDoc(vctx, doc);
    xmlFreeDoc(doc);
    if (rc < 0) {
        printf("%s: validation could not run\n", path);
        return XSD_UNREADABLE;
    }
    printf("%s: %s\n", path, rc == 0 ? "valid" : "INVALID");
    return rc == 0 ? XSD_VALID : XSD_INVALID;
}

int main(int argc, char **argv)
{
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vctx;
    int status = XSD_VALID;

    if (argc < 3) {
        fprintf(stderr, "usage: xsd_validate SCHEMA.xsd DOC.xml...\n");
        return XSD_USAGE;
    }
    LIBXML_TEST_VERSION
    xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
    schema = xsd_load(argv[1]);
    if (schema == NULL) {
        fprintf(stderr, "%s: cannot load the schema\n", argv[1]);
        xmlCleanupParser();
        return XSD_UNREADABLE;
    }
    vctx = xmlSchemaNewValidCtxt(schema);
    if (vctx == NULL) {
        fprintf(stderr, "out of memory\n");
        xmlSchemaFree(schema);
        xmlCleanupParser();
        return XSD_UNREADABLE;
    }
    for (int i = 2; i < argc; i++) {
        status = xsd_worst(status, xsd_check(vctx, argv[i]));
    }
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
    xmlCleanupParser();
    return status;
}
