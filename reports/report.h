/*
 * Reporters render vd_image_result and nothing else: they never call a format driver,
 * so a new format needs no change here.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "vd_result.h"

struct report_options {
    const char *tool_version;
    bool compact;                     /* JSON: one line per report (NDJSON) */
    const struct vd_custody *custody; /* the run's custody facts; NULL leaves them out */
};

struct vd_reporter {
    const char *name;
    /* Writes one image's report; returns 0, or -1 when the stream failed. */
    int (*image)(FILE *out, const struct vd_image_result *r, const struct report_options *opt);
};

extern const struct vd_reporter report_text;
extern const struct vd_reporter report_json;
extern const struct vd_reporter report_xml;

/* The finding catalog as a Markdown document (docs/findings.md) or as plain text. */
int report_catalog(FILE *out, bool markdown);

#define REPORT_SCHEMA "vdcheck.report/1"

#endif
