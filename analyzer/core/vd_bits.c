#include "vd_bits.h"

#include "vd_bytes.h"

uint64_t vd_bits_lsb_count(const uint8_t *bits, uint64_t first, uint64_t count)
{
    uint64_t n = 0;
    uint64_t i = first;
    uint64_t end = first + count;

    for (; i < end && i % 8 != 0; i++) {
        n += vd_bits_lsb_test(bits, i);
    }
    for (; i + 8 <= end; i += 8) {
        if (i % 8192 == 0 && i + 8192 <= end && vd_all_zero(bits + i / 8, 1024)) {
            i += 8192 - 8; /* a clear KiB: a VHDX chunk past the disk end is 1 MiB of them */
            continue;
        }
        n += (uint64_t)__builtin_popcount(bits[i / 8]);
    }
    for (; i < end; i++) {
        n += vd_bits_lsb_test(bits, i);
    }
    return n;
}

uint64_t vd_bits_lsb_run(const uint8_t *bits, uint64_t first, uint64_t max, bool *set)
{
    uint64_t n = 1;

    *set = vd_bits_lsb_test(bits, first);
    while (n < max) {
        uint64_t i = first + n;
        uint8_t whole = *set ? 0xFF : 0x00;
        if (i % 8 == 0 && n + 8 <= max && bits[i / 8] == whole) {
            n += 8;
        } else if (vd_bits_lsb_test(bits, i) == *set) {
            n++;
        } else {
            break;
        }
    }
    return n;
}
