/*
 * Checksum re-sealing for the fuzzers. A mutation inside a checksummed structure nearly
 * always breaks its checksum, so without this the fuzzer would mostly explore the
 * "bad checksum" branches. The harnesses analyze the input as it is and then, when this
 * changed anything, a copy with every checksum recomputed, which lets mutations reach the
 * code behind the checks. Written from the specifications (MS-VHDX §2.2.2, §2.2.3, §2.3.1.1;
 * VHD spec "Hard Disk Footer Format" / "Dynamic Disk Header Format", Checksum).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "vd_bytes.h"
#include "vd_crc32c.h"
#include "vhd_layout.h"
#include "vhdx_layout.h"

/*
 * Every function reads the structure at `at` in `in` and, when its stored checksum is not
 * the right one, writes the right one at the same place in `out` (when out is not NULL) and
 * returns true. No checksum covers another one, so reading `in` alone is enough.
 */

/* ---- VHD: ones' complement of the byte sum, the checksum field excluded ---- */

static bool vhd_seal(const uint8_t *in, uint8_t *out, size_t at, size_t len, size_t field)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum += i >= field && i < field + 4 ? 0u : in[at + i];
    }
    if (vd_load_be32(in + at + field) == ~sum) {
        return false;
    }
    if (out != NULL) {
        vd_store_be32(out + at + field, ~sum);
    }
    return true;
}

static bool reseal_vhd(const uint8_t *in, uint8_t *out, size_t size)
{
    bool changed = false;
    size_t footer_at = SIZE_MAX;

    if (size < VHD_FOOTER_SIZE) {
        return false;
    }
    if (memcmp(in, "conectix", 8) == 0) {
        changed |= vhd_seal(in, out, 0, VHD_FOOTER_SIZE, VHD_FOOTER_CHECKSUM);
        footer_at = 0;
    }
    if (memcmp(in + size - VHD_FOOTER_SIZE, "conectix", 8) == 0) {
        footer_at = size - VHD_FOOTER_SIZE;
        changed |= vhd_seal(in, out, footer_at, VHD_FOOTER_SIZE, VHD_FOOTER_CHECKSUM);
    }
    if (footer_at != SIZE_MAX) {
        uint64_t at = vd_load_be64(in + footer_at + VHD_FOOTER_DATA_OFFSET);
        if (at <= size && size - at >= VHD_DYN_SIZE && memcmp(in + at, "cxsparse", 8) == 0) {
            changed |= vhd_seal(in, out, (size_t)at, VHD_DYN_SIZE, VHD_DYN_CHECKSUM);
        }
    }
    return changed;
}

/* ---- VHDX: CRC-32C with the checksum field taken as zero, stored little-endian ---- */

static bool vhdx_seal(const uint8_t *in, uint8_t *out, size_t at, size_t len, size_t field)
{
    uint32_t crc = vd_crc32c_sealed(in + at, len, field);

    if (vd_load_le32(in + at + field) == crc) {
        return false;
    }
    if (out != NULL) {
        vd_store_le32(out + at + field, crc);
    }
    return true;
}

/* The log entries of the header at header_at: every 4 KiB sector that starts with "loge". */
static bool reseal_log(const uint8_t *in, uint8_t *out, size_t size, size_t header_at)
{
    uint64_t at = vd_load_le64(in + header_at + VHDX_HEADER_LOG_OFFSET);
    uint64_t len = vd_load_le32(in + header_at + VHDX_HEADER_LOG_LENGTH);
    bool changed = false;
    uint8_t *entry = NULL;

    if (at > size || len > size - at || len % VHDX_LOG_SECTOR != 0 || len == 0) {
        return false;
    }
    for (uint64_t pos = 0; pos < len; pos += VHDX_LOG_SECTOR) {
        const uint8_t *sector = in + at + pos;
        uint64_t n = vd_load_le32(sector + VHDX_LOG_ENTRY_LENGTH);
        if (memcmp(sector, VHDX_LOG_ENTRY_SIGNATURE, 4) != 0 || n == 0 ||
            n % VHDX_LOG_SECTOR != 0 || n > len) {
            continue;
        }
        if (entry == NULL && (entry = malloc((size_t)len)) == NULL) {
            break;
        }
        /* An entry may wrap around the end of the ring (MS-VHDX §2.3). */
        for (uint64_t i = 0; i < n; i += VHDX_LOG_SECTOR) {
            memcpy(entry + i, in + at + (pos + i) % len, VHDX_LOG_SECTOR);
        }
        uint32_t crc = vd_crc32c_sealed(entry, (size_t)n, VHDX_LOG_ENTRY_CHECKSUM);
        if (vd_load_le32(sector + VHDX_LOG_ENTRY_CHECKSUM) != crc) {
            if (out != NULL) {
                vd_store_le32(out + at + pos + VHDX_LOG_ENTRY_CHECKSUM, crc);
            }
            changed = true;
        }
    }
    free(entry);
    return changed;
}

static bool reseal_vhdx(const uint8_t *in, uint8_t *out, size_t size)
{
    static const size_t headers[] = {VHDX_HEADER1_OFFSET, VHDX_HEADER2_OFFSET};
    static const size_t regions[] = {VHDX_REGION1_OFFSET, VHDX_REGION2_OFFSET};
    bool changed = false;

    for (size_t i = 0; i < 2; i++) {
        if (size >= headers[i] + VHDX_HEADER_SIZE &&
            memcmp(in + headers[i], VHDX_HEADER_SIGNATURE, 4) == 0) {
            changed |= reseal_log(in, out, size, headers[i]);
            changed |= vhdx_seal(in, out, headers[i], VHDX_HEADER_SIZE, VHDX_HEADER_CHECKSUM);
        }
        if (size >= regions[i] + VHDX_REGION_TABLE_SIZE &&
            memcmp(in + regions[i], VHDX_REGION_SIGNATURE, 4) == 0) {
            changed |= vhdx_seal(in, out, regions[i], VHDX_REGION_TABLE_SIZE, VHDX_REGION_CHECKSUM);
        }
    }
    return changed;
}

bool fuzz_reseal(const uint8_t *in, uint8_t *out, size_t size)
{
    bool changed = reseal_vhd(in, out, size);

    changed |= reseal_vhdx(in, out, size);
    return changed;
}
