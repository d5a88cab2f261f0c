/*
 * Explicit little/big-endian loads from byte buffers. Every byte is widened to the
 * target type before shifting: uint8_t promotes to int, and shifting into its sign bit
 * is undefined. No packed structs, no pointer casts, no alignment assumptions.
 * The stores exist for test fixtures and for rebuilding a checksummed field.
 */
#ifndef VD_BYTES_H
#define VD_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t vd_load_be16(const uint8_t *p)
{
    return (uint16_t)(((uint32_t)p[0] << 8) | (uint32_t)p[1]);
}

static inline uint32_t vd_load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline uint64_t vd_load_be64(const uint8_t *p)
{
    return ((uint64_t)vd_load_be32(p) << 32) | (uint64_t)vd_load_be32(p + 4);
}

static inline uint16_t vd_load_le16(const uint8_t *p)
{
    return (uint16_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8));
}

static inline uint32_t vd_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t vd_load_le64(const uint8_t *p)
{
    return (uint64_t)vd_load_le32(p) | ((uint64_t)vd_load_le32(p + 4) << 32);
}

static inline void vd_store_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void vd_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void vd_store_be64(uint8_t *p, uint64_t v)
{
    vd_store_be32(p, (uint32_t)(v >> 32));
    vd_store_be32(p + 4, (uint32_t)v);
}

static inline void vd_store_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void vd_store_le32(uint8_t *p, uint32_t v)
{
    vd_store_le16(p, (uint16_t)v);
    vd_store_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void vd_store_le64(uint8_t *p, uint64_t v)
{
    vd_store_le32(p, (uint32_t)v);
    vd_store_le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * True when every byte of p[0..len) is zero: the first is, and the buffer equals itself
 * shifted by one byte (memcmp keeps this fast in unoptimized sanitizer builds).
 */
static inline int vd_all_zero(const uint8_t *p, uint64_t len)
{
    return len == 0 || (p[0] == 0 && memcmp(p, p + 1, (size_t)(len - 1)) == 0);
}

/* First and last non-zero byte of p[0..len) (reserved fields); false when all zero. */
static inline int vd_nonzero_span(const uint8_t *p, uint64_t len, uint64_t *first, uint64_t *last)
{
    int any = 0;

    for (uint64_t i = 0; i < len; i++) {
        if (p[i] != 0) {
            if (!any) {
                *first = i;
            }
            *last = i;
            any = 1;
        }
    }
    return any;
}

#endif
