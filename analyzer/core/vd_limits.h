/* Named resource limits: whatever an image claims, memory and work stay bounded by these. */
#ifndef VD_LIMITS_H
#define VD_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct vd_limits {
    size_t max_findings;  /* findings kept per image (all are counted) */
    size_t max_claims;    /* byte ranges tracked for overlap / slack accounting */
    uint64_t max_text;    /* bytes of a path or name decoded from an image */
    uint64_t max_replay;  /* bytes a journal replay (VHDX log) may hold in memory */
    uint64_t max_windows; /* --piecewise windows kept per image */
};

#define VD_LIMITS_DEFAULT                                                                          \
    ((struct vd_limits){.max_findings = 10000,                                                     \
                        .max_claims = 1u << 20,                                                    \
                        .max_text = 65536,                                                         \
                        .max_replay = 64u << 20,                                                   \
                        .max_windows = 1u << 20})

/* Chunk in which tables (BAT, block maps) are streamed: memory does not grow with them. */
#define VD_TABLE_CHUNK (64u * 1024u)
/* Size of one read when serving or hashing data. */
#define VD_IO_CHUNK (4u * 1024u * 1024u)

#endif
