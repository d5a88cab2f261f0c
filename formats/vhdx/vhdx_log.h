/*
 * The VHDX log (MS-VHDX §2.3): rules VHDX-24 to VHDX-30. Every entry carrying the
 * header's LogGuid is checked; the active sequence is found as §2.3.3 describes; a
 * pending sequence is replayed into an in-memory overlay, never onto the evidence.
 */
#ifndef VHDX_LOG_H
#define VHDX_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vd_overlay.h"
#include "vhdx_header.h"

struct vhdx_log_state {
    bool pending;         /* an active sequence exists */
    bool replayed;        /* ... and it was applied to the overlay */
    uint64_t entries;     /* entries in the active sequence */
    uint64_t descriptors; /* their descriptors */
};

/*
 * Checks the log of the current header. When a sequence is pending and ctx->log_view asks
 * for the replayed view, fills `ov` (initialized by the caller) with its writes.
 */
VD_MUST_CHECK enum vd_status vhdx_log_check(struct vd_ctx *ctx, const struct vhdx_header *h,
                                            uint64_t header_at, struct vd_overlay *ov,
                                            struct vhdx_log_state *out);

#endif
