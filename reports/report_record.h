/*
 * What an earlier JSON report (vdcheck.report/1) recorded about one image: the facts and
 * digests `vdcheck verify` checks again. The report is a file the examiner gives us, not
 * evidence; it is still untrusted input, so every field is type-checked.
 */
#ifndef REPORT_RECORD_H
#define REPORT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_digest.h"
#include "vd_format.h"
#include "vd_hash_stream.h"

struct report_record {
    char *path;    /* source.path */
    char *tool;    /* "vdcheck 0.1.0" */
    char *started; /* custody.started, when present */
    bool has_file_size;
    uint64_t file_size;
    char *format; /* image.format, NULL when the image was not recognized */
    char *variant;
    bool has_virtual_size;
    uint64_t virtual_size;
    enum vd_log_view log_view; /* read_semantics.vhdx_log.view */
    bool parent_as_zero;       /* read_semantics.parent: the report was made with --no-parent */
    struct vd_digests container;
    struct vd_digests virtual_disk;
    struct vd_piecewise piecewise; /* count == 0: none */
};

/*
 * Parses the text of a report file (reporters never open files: the caller reads it). A
 * file of several reports (one JSON object per line) yields the one whose source.path is
 * `image`, or else the only one with the same file name. Returns 0, or -1 with a reason in
 * err.
 */
int report_record_parse(const char *text, size_t len, const char *image, struct report_record *out,
                        char *err, size_t err_cap);
void report_record_fini(struct report_record *rec);

#endif
