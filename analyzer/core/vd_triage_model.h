/*
 * The result of `vdcheck triage`: fuzzer inputs grouped into buckets by what happened to
 * them. Built by the engine (vd_triage.h), rendered by reports/ (report_triage), so it
 * lives in core like vd_result.
 */
#ifndef VD_TRIAGE_MODEL_H
#define VD_TRIAGE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_digest.h"

/* What analyzing one input in an isolated child came to. */
enum vd_triage_outcome {
    VD_TRIAGE_CLEAN,        /* no error or fatal finding (warnings may remain) */
    VD_TRIAGE_FINDINGS,     /* error or fatal findings: their ids key the bucket */
    VD_TRIAGE_UNRECOGNIZED, /* no format recognized the input */
    VD_TRIAGE_CRASH,        /* the child died by a signal, or ended without its result */
    VD_TRIAGE_TIMEOUT,      /* wall or CPU time limit */
    VD_TRIAGE_OOM,          /* out of memory under the address-space limit */
};
#define VD_TRIAGE_OUTCOME_COUNT 6

const char *vd_triage_outcome_name(enum vd_triage_outcome outcome);

struct vd_triage_input {
    char *path;
    uint64_t size;
    uint8_t sha256[32];
    size_t same_as;   /* the input with the same bytes that was analyzed (itself if this one) */
    size_t next_same; /* the next input with the same bytes, VD_TRIAGE_NONE after the last */
};
#define VD_TRIAGE_NONE SIZE_MAX

struct vd_triage_bucket {
    char *key; /* "format/outcome/ids-or-signal", stable across runs */
    enum vd_triage_outcome outcome;
    char *format; /* NULL when no format recognized the input (or it died first) */
    char **ids;   /* sorted error/fatal finding ids (findings) */
    size_t id_count;
    char *signal;    /* crash: "SIGSEGV", or "exit 1" for a child that ended unasked */
    size_t *members; /* analyzed inputs (indices), in path order */
    size_t count;
    size_t representative; /* the smallest member (then the first by path) */
};

struct vd_triage_report {
    struct vd_triage_input *inputs; /* every input, sorted by path */
    size_t input_count;
    size_t unique_count;              /* distinct contents, each analyzed once */
    size_t skipped;                   /* files that could not be read, links, special files */
    size_t unreadable_roots;          /* folders named on the command line that could not be read */
    struct vd_triage_bucket *buckets; /* largest first, then by key */
    size_t bucket_count;
    double timeout_s;
    uint64_t memory_limit; /* bytes, 0: none */
    bool memory_enforced;  /* false in sanitizer builds: their shadow memory needs the space */
};

void vd_triage_report_free(struct vd_triage_report *report);
/* Frees the n strings of a finding-id list and the list itself. */
void vd_triage_ids_free(char **ids, size_t n);

#endif
