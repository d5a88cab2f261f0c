/*
 * Bytes to hash and bytes hashed so far, shared between the hashing threads (which add)
 * and whoever draws a progress bar (which reads). Plain C11 atomics: no lock on the hot path.
 */
#ifndef VD_PROGRESS_H
#define VD_PROGRESS_H

#include <stdatomic.h>
#include <stdint.h>

struct vd_progress {
    _Atomic uint64_t total;
    _Atomic uint64_t done;
};

static inline void vd_progress_add_total(struct vd_progress *p, uint64_t n)
{
    if (p != NULL) {
        atomic_fetch_add_explicit(&p->total, n, memory_order_relaxed);
    }
}

static inline void vd_progress_add_done(struct vd_progress *p, uint64_t n)
{
    if (p != NULL) {
        atomic_fetch_add_explicit(&p->done, n, memory_order_relaxed);
    }
}

#endif
