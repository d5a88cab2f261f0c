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

/* Reports overlaps, duplicates and slack. Reads slack bytes to tell zero from data. */
VD_MUST_CHECK enum vd_status vd_extents_finish(struct vd_ctx *ctx);

#endif
