/*
 * Reporters render vd_image_result and nothing else: they never call a format driver,
 * so a new format needs no change here.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vd_result.h"
#include "vd_triage_model.h"

struct report_options {
    const char *tool_version;
    bool compact;                     /* JSON: one line per report (NDJSON) */
    const struct vd_custody *custody; /* the run's custody facts; NULL leaves them out */
};

/* What a scan saw, for the end of a scan document. */
struct report_scan_totals {
    struct vd_time started;
    struct vd_time finished;
    uint64_t files;                      /* regular files examined */
    uint64_t bytes;                      /* their sizes */
    uint64_t images;                     /* files some probe recognized */
    uint64_t unreadable;                 /* files and folders that could not be read */
    uint64_t skipped;                    /* links not followed, loops, devices, FIFOs, sockets */
    uint64_t verdicts[VD_VERDICT_COUNT]; /* over the files reported */
};

struct vd_reporter {
    const char *name;
    /* Writes one image's report; returns 0, or -1 when the stream failed. */
    int (*image)(FILE *out, const struct vd_image_result *r, const struct report_options *opt);
    /*
     * `scan`: a document around many images. scan_image renders one image of it and must
     * be safe to call from several threads at once (each on its own stream); scan_begin
     * and scan_end may be NULL (nothing to write).
     */
    int (*scan_begin)(FILE *out, const struct vd_time *started, const struct report_options *opt);
    int (*scan_image)(FILE *out, const struct vd_image_result *r, const struct report_options *opt);
    int (*scan_end)(FILE *out, const struct report_scan_totals *totals,
                    const struct report_options *opt);
};

extern const struct vd_reporter report_text;
extern const struct vd_reporter report_json;
extern const struct vd_reporter report_xml;

/* `vdcheck triage`: JSON (schema vdcheck.triage/1), or text: a line per bucket, largest first. */
int report_triage_json(FILE *out, const struct vd_triage_report *report);
int report_triage_text(FILE *out, const struct vd_triage_report *report);
#define REPORT_TRIAGE_SCHEMA "vdcheck.triage/1"

/* The finding catalog as a Markdown document (docs/findings.md) or as plain text. */
int report_catalog(FILE *out, bool markdown);

#define REPORT_SCHEMA "vdcheck.report/1"

#endif
