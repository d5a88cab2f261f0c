#include "vd_crc32c.h"

#include <pthread.h>

#define CRC32C_POLY 0x82F63B78u

/* table[k][b]: the CRC of byte b followed by k zero bytes (slicing by 8). */
static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t crc = b;
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1u) ? (crc >> 1) ^ CRC32C_POLY : crc >> 1;
        }
        table[0][b] = crc;
    }
    for (uint32_t b = 0; b < 256; b++) {
        for (size_t k = 1; k < 8; k++) {
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xFFu];
        }
    }
}

uint32_t vd_crc32c_update(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;

    pthread_once(&table_once, table_init);
    crc = ~crc;
    while (len >= 8) {
        /* The loads spelled out: unoptimized (sanitizer) builds would call vd_load_le32. */
        uint32_t lo =
            ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24) ^
            crc;
        uint32_t hi =
            (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        crc = table[7][lo & 0xFFu] ^ table[6][(lo >> 8) & 0xFFu] ^ table[5][(lo >> 16) & 0xFFu] ^
              table[4][lo >> 24] ^ table[3][hi & 0xFFu] ^ table[2][(hi >> 8) & 0xFFu] ^
              table[1][(hi >> 16) & 0xFFu] ^ table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len-- > 0) {
        crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xFFu];
    }
    return ~crc;
}

uint32_t vd_crc32c_zeros(uint32_t crc, size_t len)
{
    static const uint8_t zeros[64];

    while (len > 0) {
        size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
        crc = vd_crc32c_update(crc, zeros, n);
        len -= n;
    }
    return crc;
}

uint32_t vd_crc32c_sealed(const uint8_t *data, size_t len, size_t field)
{
    uint32_t crc = vd_crc32c_update(0, data, field);
    crc = vd_crc32c_zeros(crc, 4);
    return vd_crc32c_update(crc, data + field + 4, len - field - 4);
}
