/*
 * The immutable result of analyzing one image: everything a reporter renders. Reporters
 * depend on this and on core only, never on a format.
 */
#ifndef VD_RESULT_H
#define VD_RESULT_H

#include <stdbool.h>

#include "vd_custody.h"
#include "vd_digest.h"
#include "vd_facts.h"
#include "vd_findings.h"
#include "vd_format.h"
#include "vd_hash_stream.h"
#include "vd_source.h"

enum vd_verdict {
    VD_VERDICT_CLEAN,
    VD_VERDICT_WARNINGS,
    VD_VERDICT_ERRORS,
    VD_VERDICT_UNRECOGNIZED,
    VD_VERDICT_UNREADABLE,
};
#define VD_VERDICT_COUNT 5

struct vd_image_result;

/* One ancestor of an image: found by the chain resolver, analyzed in full on its own. */
struct vd_chain_link {
    struct vd_image_result *result; /* the parent's own analysis: findings, verdict, facts */
    char *asked;                    /* the child's path hint that led to it, or NULL (search) */
    bool identity_match;
    struct vd_identity expected; /* what the child recorded */
};

struct vd_image_result {
    char *path;            /* as given on the command line; reporters sanitize it */
    enum vd_status status; /* tool failure, VD_OK when the analysis ran to its end */
    int err_no;            /* errno behind VD_E_IO, or 0 */
    bool recognized;
    struct vd_source_stat stat; /* fstat at the open */
    bool have_stat;
    struct vd_source_stat stat_after; /* fstat when the analysis ended */
    bool have_stat_after;
    /* The size of the file as its structures were read: stat.size, or more when a replayed
     * journal grows the file (VHDX log); findings and data extents lie inside it. */
    uint64_t read_size;
    struct vd_time started; /* this image's analysis, wall clock */
    struct vd_time finished;
    struct vd_image_info info;
    struct vd_fact *details;
    struct vd_fact *semantics;
    struct vd_digests container;
    struct vd_digests virtual_disk;
    struct vd_piecewise piecewise; /* count == 0: none */
    bool mapped;                   /* the analysis' map visitor saw the whole disk */
    struct vd_chain_link *chain;   /* [i]: the (i + 1)-th ancestor */
    size_t chain_count;
    bool chain_complete; /* every parent found and matching: the merged disk is readable */
    bool parent_as_zero; /* --no-parent over an incomplete chain: missing sectors read zero */
    struct vd_findings findings;
    enum vd_verdict verdict;
};

const char *vd_verdict_name(enum vd_verdict verdict);
/* Sets result->verdict from the status and the findings. */
void vd_result_settle(struct vd_image_result *result);
/* DESIGN.md exit status of one result: 0 clean/warnings, 1 errors, 2 not analyzable. */
int vd_result_exit_status(const struct vd_image_result *result);
void vd_result_free(struct vd_image_result *result);

#endif
