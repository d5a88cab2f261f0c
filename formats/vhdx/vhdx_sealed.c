#include "vhdx_sealed.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_bytes.h"
#include "vd_crc32c.h"
#include "vd_text.h"

bool vhdx_sealed_verify(struct vd_ctx *ctx, const struct vhdx_sealed_kind *kind, int index,
                        uint64_t at, const uint8_t *raw)
{
    uint32_t stored;
    uint32_t computed;
    char expected[16];
    char actual[16];

    if (memcmp(raw, kind->signature, 4) != 0) {
        char found[VD_TEXT_BYTES_CAP(4)];
        vd_text_bytes(raw, 4, found, sizeof(found));
        vd_report_values(ctx, kind->bad_signature, VD_LOC(kind->structure, index, at, 4),
                         kind->signature, found, "%s %d has no \"%s\" signature", kind->name,
                         index + 1, kind->signature);
        return false;
    }
    stored = vd_load_le32(raw + kind->checksum_at);
    computed = vd_crc32c_sealed(raw, kind->size, kind->checksum_at);
    if (stored != computed) {
        snprintf(expected, sizeof(expected), "0x%08" PRIx32, computed);
        snprintf(actual, sizeof(actual), "0x%08" PRIx32, stored);
        vd_report_values(ctx, kind->bad_checksum,
                         VD_LOC(kind->structure, index, at + kind->checksum_at, 4), expected,
                         actual, "%s %d checksum does not match its %zu bytes", kind->name,
                         index + 1, kind->size);
        return false;
    }
    return true;
}
