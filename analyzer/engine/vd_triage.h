/*
 * `vdcheck triage`: every input (a fuzzer's crashes, hangs or queue) is analyzed in a
 * forked child under an address-space limit, a CPU-time limit and a wall-clock timeout,
 * so that no input can take the run down, and the inputs are bucketed by what happened:
 * (format, outcome, the sorted set of error/fatal finding ids, or the signal).
 *
 * Identical inputs (same sha256) are analyzed once; the others are listed as duplicates.
 * The parent reads each input once through vd_source to hash it, and never analyzes.
 */
#ifndef VD_TRIAGE_H
#define VD_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_analyze.h"
#include "vd_triage_model.h"

struct vd_triage_options {
    struct vd_analyze_options analyze;
    unsigned jobs;         /* children at once, >= 1 */
    double timeout_s;      /* wall clock per input; the CPU limit is 1 to 2 s more */
    uint64_t memory_limit; /* RLIMIT_AS of a child in bytes, 0 for none */
    /* Test hook: runs in the child, before the analysis (a test makes it crash or spin). */
    void (*child_hook)(const char *path, void *arg);
    void *child_arg;
    /* Called in the parent after each input is settled (progress), may be NULL. */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

/*
 * Triage every regular file under the roots (links are not followed) into *out. Files
 * that cannot be read are counted in skipped and named on stderr. VD_E_NOMEM when memory
 * ran out, VD_E_IO when no child could be started (fork or pipe failed).
 */
VD_MUST_CHECK enum vd_status vd_triage(const char *const *roots, size_t root_count,
                                       const struct vd_triage_options *opt,
                                       struct vd_triage_report **out);

#endif
