/*
 * The seal VHDX puts on its headers and region tables (MS-VHDX §2.2.2, §2.2.3): a 4-byte
 * signature at offset 0 and a CRC-32C over the whole structure with its Checksum field
 * taken as zero. One check for both, so they report alike.
 */
#ifndef VHDX_SEALED_H
#define VHDX_SEALED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_format.h"

struct vhdx_sealed_kind {
    const char *structure; /* finding structure, e.g. "vhdx.header" */
    const char *name;      /* for messages, e.g. "header" */
    const char *signature; /* 4 bytes */
    size_t size;           /* bytes the CRC covers */
    size_t checksum_at;
    enum vd_finding_id bad_signature;
    enum vd_finding_id bad_checksum;
};

/* Copy `index` (0 or 1) at file offset `at`: true when signature and checksum hold. */
bool vhdx_sealed_verify(struct vd_ctx *ctx, const struct vhdx_sealed_kind *kind, int index,
                        uint64_t at, const uint8_t *raw);

#endif
