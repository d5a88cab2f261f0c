/*
 * Byte-range accounting, generic for every format. A driver claims each range of the
 * file it interprets (headers, tables, blocks), naming the bytes that point at it (for a
 * block: its table entry). At the end the core reports, without any format knowledge,
 * claims that run past EOF, claims that overlap or duplicate each other, and the space
 * no claim covers (slack), whose content it inspects.
 */
#ifndef VD_EXTENTS_H
#define VD_EXTENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_findings.h"
#include "vd_status.h"

struct vd_ctx;

struct vd_claim {
    uint64_t offset;
    uint64_t length;
    const char *structure; /* static, e.g. "vhd.block" */
    int64_t index;         /* table index or -1 */
    uint64_t ref_offset;   /* the bytes at fault when this claim conflicts */
    uint64_t ref_length;
    size_t seq; /* claim order, to keep sorting stable */
};

struct vd_extents {
    struct vd_claim *items;
    size_t count;
    size_t cap;
    size_t limit;
    bool incomplete; /* the limit was hit or memory ran out: no slack verdicts */
};

void vd_extents_init(struct vd_extents *ext, size_t limit);
void vd_extents_fini(struct vd_extents *ext);

/*
 * Claims [offset, offset + length) for structure/index. ref_* locate the bytes that put
 * the range there (the structure itself when it sits at a fixed place). A range past EOF
 * is reported at once (image.extent.beyond_eof) and only its part inside the file is kept.
 * Returns false when (part of) the range lies outside the file.
 */
bool vd_claim(struct vd_ctx *ctx, const char *structure, int64_t index, uint64_t offset,
              uint64_t length, uint64_t ref_offset, uint64_t ref_length);

/*
 * Claims a gap the format reserves (alignment padding, a reserved area) when it holds only
 * zeros; otherwise leaves it to the slack accounting, which then reports the data in it.
 * A range that is empty or not wholly inside the file is left alone.
 */
VD_MUST_CHECK enum vd_status vd_claim_padding(struct vd_ctx *ctx, const char *structure,
                                              uint64_t offset, uint64_t length);

/*
 * When the file runs on past `end` (the end of the last structure or block the format
 * places), reports finding `id` over the excess and claims it as `structure`, so that the
 * slack accounting does not report the same bytes again.
 */
void vd_claim_trailing(struct vd_ctx *ctx, enum vd_finding_id id, const char *structure,
                       uint64_t end);

/* Reports overlaps, duplicates and slack. Reads slack bytes to tell zero from data. */
VD_MUST_CHECK enum vd_status vd_extents_finish(struct vd_ctx *ctx);

#endif
