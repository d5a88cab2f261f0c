/*
 * Overflow-checked arithmetic with C23 ckd_* semantics: the result is stored and the
 * function returns true when the mathematical result did not fit. Every offset or size
 * derived from file contents goes through these; an overflow becomes a finding.
 */
#ifndef VD_CHECKED_H
#define VD_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

static inline bool vd_ckd_add_u64(uint64_t *r, uint64_t a, uint64_t b)
{
    return __builtin_add_overflow(a, b, r);
}

static inline bool vd_ckd_sub_u64(uint64_t *r, uint64_t a, uint64_t b)
{
    return __builtin_sub_overflow(a, b, r);
}

static inline bool vd_ckd_mul_u64(uint64_t *r, uint64_t a, uint64_t b)
{
    return __builtin_mul_overflow(a, b, r);
}

/* *r = base + n * size; true on overflow (then *r is unspecified). */
static inline bool vd_ckd_index_u64(uint64_t *r, uint64_t base, uint64_t n, uint64_t size)
{
    return vd_ckd_mul_u64(r, n, size) || vd_ckd_add_u64(r, base, *r);
}

/* True when [off, off+len) lies inside [0, limit), without overflow. */
static inline bool vd_range_fits(uint64_t off, uint64_t len, uint64_t limit)
{
    uint64_t end;
    return !vd_ckd_add_u64(&end, off, len) && end <= limit;
}

static inline bool vd_is_pow2_u64(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* ceil(a / b) for b > 0, without the overflow of a + b - 1. */
static inline uint64_t vd_div_round_up(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

#endif
