/*
 * Bitmaps stored least significant bit first (bit 0 of byte 0 is item 0), as VHDX sector
 * bitmaps (MS-VHDX §2.5.1.2) and Bochs redolog extent bitmaps use them.
 */
#ifndef VD_BITS_H
#define VD_BITS_H

#include <stdbool.h>
#include <stdint.h>

static inline bool vd_bits_lsb_test(const uint8_t *bits, uint64_t i)
{
    return (((unsigned)bits[i / 8] >> (i % 8)) & 1u) != 0;
}

/* Bits set among [first, first + count). */
uint64_t vd_bits_lsb_count(const uint8_t *bits, uint64_t first, uint64_t count);

/* Length of the run of equal bits starting at `first`, at most `max` (>= 1); *set = its value. */
uint64_t vd_bits_lsb_run(const uint8_t *bits, uint64_t first, uint64_t max, bool *set);

#endif
