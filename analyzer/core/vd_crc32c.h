/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as VHDX uses it for headers,
 * region tables and log entries (MS-VHDX §2.2.2: "CRC-32C ... with the Checksum field
 * taken as zero"). Table-driven, slicing by 8: no dependency beyond libc.
 */
#ifndef VD_CRC32C_H
#define VD_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed pieces in order; the result of the last call is the CRC. */
uint32_t vd_crc32c_update(uint32_t crc, const void *data, size_t len);

static inline uint32_t vd_crc32c(const void *data, size_t len)
{
    return vd_crc32c_update(0, data, len);
}

/*
 * The CRC of data[0..len) with the 4-byte checksum field at `field` taken as zero, as VHDX
 * seals its headers, region tables and log entries.
 */
uint32_t vd_crc32c_sealed(const uint8_t *data, size_t len, size_t field);

/* The CRC of len zero bytes continuing from crc (for checksum fields taken as zero). */
uint32_t vd_crc32c_zeros(uint32_t crc, size_t len);

#endif
