/*
 * Findings: file defects, each an instance of one catalog entry, located at the bytes at
 * fault. The list keeps the first `limit` findings and counts all of them.
 */
#ifndef VD_FINDINGS_H
#define VD_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"

enum vd_severity {
    VD_SEV_INFO,
    VD_SEV_WARNING,
    VD_SEV_ERROR,
    VD_SEV_FATAL,
};
#define VD_SEV_COUNT 4

enum vd_finding_id {
#define VD_FINDING(e, id, sev, summary, spec) VD_F_##e,
#include "vd_finding_catalog.def"
#undef VD_FINDING
    VD_F__COUNT
};

struct vd_catalog_entry {
    const char *id;
    enum vd_severity severity;
    const char *summary;
    const char *spec;
};

const struct vd_catalog_entry *vd_catalog_get(enum vd_finding_id id);
/* Returns VD_F__COUNT when the dotted id is unknown. */
enum vd_finding_id vd_catalog_find(const char *dotted_id);
const char *vd_severity_name(enum vd_severity severity);

/* Where a finding points: the structure, its table index (-1 if none) and its bytes. */
struct vd_loc {
    const char *structure; /* static string, e.g. "vhd.bat" */
    int64_t index;
    uint64_t offset;
    uint64_t length;
};

#define VD_LOC(structure, index, offset, length)                                                   \
    ((struct vd_loc){(structure), (index), (offset), (length)})

struct vd_finding {
    enum vd_finding_id id;
    enum vd_severity severity;
    struct vd_loc loc;
    char expected[64]; /* empty when not applicable */
    char actual[64];
    char message[192];
};

struct vd_findings {
    struct vd_finding *items;
    size_t count;
    size_t cap;
    size_t limit;   /* keep at most this many */
    size_t dropped; /* found beyond the limit */
    size_t by_severity[VD_SEV_COUNT];
    bool nomem; /* an allocation failed: the list is incomplete */
};

void vd_findings_init(struct vd_findings *list, size_t limit);
void vd_findings_fini(struct vd_findings *list);

/* expected/actual may be NULL. The message is printf-formatted and truncated to fit. */
void vd_findings_add(struct vd_findings *list, enum vd_finding_id id, struct vd_loc loc,
                     const char *expected, const char *actual, const char *fmt, ...)
    VD_PRINTF(6, 7);

enum vd_severity vd_findings_worst(const struct vd_findings *list, bool *any);
size_t vd_findings_count_id(const struct vd_findings *list, enum vd_finding_id id);

#endif
