/*
 * The contract between the engine and a format driver (one const struct per format,
 * listed in formats/vd_registry.c), and the per-image context a driver works in.
 *
 *   probe(head, tail, size)  pure, no I/O: 0 = not mine, 1..100 = confidence
 *   open   decodes the fixed headers, fills ctx->info, publishes facts
 *   walk   visits every table entry / bitmap / log record, emits findings, claims ranges
 *   map    virtual offset -> the extent that starts there (data at a file offset, zero,
 *          unallocated or parent); the engine hashes and serves the disk from it
 *   close  frees the driver state (NULL-safe)
 *
 * A driver returns VD_OK for a damaged image whenever it could report the damage as
 * findings; VD_E_CORRUPT only after a fatal finding says why nothing more is usable.
 */
#ifndef VD_FORMAT_H
#define VD_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_extents.h"
#include "vd_facts.h"
#include "vd_findings.h"
#include "vd_limits.h"
#include "vd_overlay.h"
#include "vd_parent.h"
#include "vd_source.h"
#include "vd_status.h"

struct vd_probe_input {
    const uint8_t *head; /* first head_len bytes of the file */
    size_t head_len;
    const uint8_t *tail; /* last tail_len bytes of the file */
    size_t tail_len;
    uint64_t file_size;
};

#define VD_PROBE_HEAD (320u * 1024u) /* through the second VHDX region table */
#define VD_PROBE_TAIL 4096u

/* What the driver found the image to be; reporters render it as "image". */
struct vd_image_info {
    const char *format;  /* driver name */
    const char *variant; /* "fixed", "dynamic", "differencing", ... (static) */
    bool has_virtual_size;
    uint64_t virtual_size;
    uint32_t logical_sector_size; /* 0 = not applicable */
    uint64_t block_size;          /* 0 = not applicable */
    bool mappable;                /* map() can serve the whole virtual disk */
    bool needs_parent;            /* some extents come from a parent image */
    struct vd_identity identity;  /* what a child of this image records about it */
    struct vd_parent_ref parent;  /* needs_parent: what the parent must be, where it is */
};

enum vd_extent_kind {
    VD_EXTENT_DATA,        /* bytes at file_offset in this image */
    VD_EXTENT_ZERO,        /* explicitly zero */
    VD_EXTENT_UNALLOCATED, /* never written: reads as zero */
    VD_EXTENT_PARENT,      /* comes from the parent image */
};

struct vd_extent {
    uint64_t offset; /* virtual */
    uint64_t length;
    enum vd_extent_kind kind;
    uint64_t file_offset; /* DATA only */
    unsigned depth;       /* 0: this image; n: its n-th ancestor (set by the engine) */
};

/* Which state of a journaled format is read (VHDX log, MS-VHDX §2.3.3). */
enum vd_log_view {
    VD_LOG_VIEW_REPLAYED, /* the pending log applied in memory, as Hyper-V presents the disk */
    VD_LOG_VIEW_ON_DISK,  /* the bytes as they are, ignoring a pending log */
};

static inline void vd_extent_set(struct vd_extent *out, uint64_t offset, uint64_t length,
                                 enum vd_extent_kind kind, uint64_t file_offset)
{
    *out = (struct vd_extent){offset, length, kind, file_offset, 0};
}

struct vd_ctx;

/*
 * Sets out to `length` virtual bytes at `offset` stored from file offset `at` on; the part
 * past the end of the (possibly replayed) file is cut off, or, when `at` itself lies past
 * it, the extent reads as zero (unallocated). Callers report the truncation.
 */
void vd_extent_file_data(const struct vd_ctx *ctx, struct vd_extent *out, uint64_t offset,
                         uint64_t length, uint64_t at);

struct vd_ctx {
    const struct vd_source *src;
    uint64_t file_size; /* the size of the file as read (grown by an overlay) */
    const struct vd_limits *limits;
    struct vd_findings *findings;
    struct vd_extents *extents;
    struct vd_fact *details;   /* image.details */
    struct vd_fact *semantics; /* read_semantics */
    struct vd_image_info *info;
    enum vd_log_view log_view;
    /* When set by a driver, every read goes through it (journal replayed in memory). */
    const struct vd_overlay *overlay;
};

struct vd_format_driver {
    const char *name;
    const char *description;
    int (*probe)(const struct vd_probe_input *in);
    enum vd_status (*open)(struct vd_ctx *ctx, void **state);
    enum vd_status (*walk)(struct vd_ctx *ctx, void *state);
    enum vd_status (*map)(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out);
    void (*close)(void *state);
};

/* Records a finding in the image's list. */
void vd_report(struct vd_ctx *ctx, enum vd_finding_id id, struct vd_loc loc, const char *fmt, ...)
    VD_PRINTF(4, 5);
/* The same with expected / actual values (strings, may be NULL). */
void vd_report_values(struct vd_ctx *ctx, enum vd_finding_id id, struct vd_loc loc,
                      const char *expected, const char *actual, const char *fmt, ...)
    VD_PRINTF(6, 7);

/*
 * An allocation failed where the analysis could go on without it (a claim, a parent path,
 * a decoded string): the result then ends with VD_E_NOMEM rather than pass for a complete
 * analysis whose findings may be missing.
 */
void vd_ctx_nomem(struct vd_ctx *ctx);

/*
 * Reads exactly len bytes of the evidence, through the overlay when one is installed;
 * the range must lie inside ctx->file_size.
 */
VD_MUST_CHECK enum vd_status vd_ctx_read(struct vd_ctx *ctx, uint64_t offset, void *buf,
                                         size_t len);

#endif
