/*
 * One pass over a byte stream feeding every requested digest at once.
 *
 * The producer (the thread reading the container or walking the virtual disk) fills the
 * stream's buffers; one worker thread per digest, plus one for the piecewise windows,
 * consumes each buffer in turn. Digests therefore run in parallel with each other and
 * with the reads, and an extra digest costs a core's time, not another pass. A run of
 * zeros travels as a length, so unallocated extents cost no I/O and no buffer.
 *
 * The producer calls buffer/commit (or zeros) in stream order, then finish, from one
 * thread. Memory is bounded: VD_HASH_STREAM_SLOTS buffers of VD_IO_CHUNK bytes.
 */
#ifndef VD_HASH_STREAM_H
#define VD_HASH_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_digest.h"
#include "vd_progress.h"
#include "vd_status.h"

#define VD_HASH_STREAM_SLOTS 4

/* Per-window digests of a stream: window i covers [i * window, min((i + 1) * window, total)). */
struct vd_piecewise {
    enum vd_digest_alg alg;
    uint64_t window;
    uint64_t total;
    size_t count;
    uint8_t *digests; /* count * vd_digest_size(alg) bytes */
};

struct vd_hash_stream_config {
    unsigned mask;   /* whole-stream digests, (1u << alg) bits */
    uint64_t window; /* piecewise window size; 0 = no piecewise digests */
    enum vd_digest_alg window_alg;
    uint64_t length;              /* bytes the stream will carry (sizes the window table) */
    struct vd_progress *progress; /* may be NULL */
};

struct vd_hash_stream;

/* Starts the workers. Fails with VD_E_NOMEM when memory or threads are not available. */
VD_MUST_CHECK enum vd_status vd_hash_stream_start(const struct vd_hash_stream_config *cfg,
                                                  struct vd_hash_stream **out);
/* The next buffer to fill (VD_IO_CHUNK bytes, 4 KiB aligned); waits while all are in use. */
uint8_t *vd_hash_stream_buffer(struct vd_hash_stream *hs);
/* The buffer from vd_hash_stream_buffer now holds len bytes of the stream. */
void vd_hash_stream_commit(struct vd_hash_stream *hs, size_t len);
/* len zero bytes of the stream, without a buffer. */
void vd_hash_stream_zeros(struct vd_hash_stream *hs, uint64_t len);
/*
 * Waits for the workers, writes the digests (and, when asked, the windows: free them with
 * vd_piecewise_fini) and frees the stream. out and piecewise may be NULL to abandon it.
 */
VD_MUST_CHECK enum vd_status vd_hash_stream_finish(struct vd_hash_stream *hs,
                                                   struct vd_digests *out,
                                                   struct vd_piecewise *piecewise);

void vd_piecewise_fini(struct vd_piecewise *pw);
/* Window i's digest as hex (out holds VD_DIGEST_HEX_MAX). */
void vd_piecewise_hex(const struct vd_piecewise *pw, size_t i, char *out);
/* Window i's length (the last one may be short). */
uint64_t vd_piecewise_length(const struct vd_piecewise *pw, size_t i);

#endif
