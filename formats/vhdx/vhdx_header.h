/*
 * The file type identifier and the two headers (MS-VHDX §2.2.1, §2.2.2): rules VHDX-01
 * to VHDX-04. Both headers are checked; the current one is chosen as §2.2.2 says.
 */
#ifndef VHDX_HEADER_H
#define VHDX_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_format.h"
#include "vhdx_layout.h"

struct vhdx_header {
    uint64_t sequence;
    uint8_t file_write_guid[16];
    uint8_t data_write_guid[16];
    uint8_t log_guid[16];
    uint16_t log_version;
    uint16_t version;
    uint32_t log_length;
    uint64_t log_offset;
};

struct vhdx_headers {
    uint8_t raw[2][VHDX_HEADER_SIZE];
    bool valid[2]; /* signature and CRC-32C hold */
    struct vhdx_header h[2];
    int current; /* index of the current header, -1 when there is none */
};

static inline uint64_t vhdx_header_offset(int index)
{
    return index == 0 ? VHDX_HEADER1_OFFSET : VHDX_HEADER2_OFFSET;
}

/* VHDX-01: the identifier at offset 0; publishes the creator string. */
VD_MUST_CHECK enum vd_status vhdx_file_id_check(struct vd_ctx *ctx);

/*
 * The reserved rest of the header section (§2.2) is claimed when it holds only zeros;
 * anything else there is left unclaimed, so slack accounting reports it as data.
 */
VD_MUST_CHECK enum vd_status vhdx_reserved_area_claim(struct vd_ctx *ctx);

/*
 * Reads and checks both headers and chooses the current one (VHDX-02, VHDX-03). Returns
 * VD_OK with hs->current == -1 after the fatal finding when no header is valid.
 */
VD_MUST_CHECK enum vd_status vhdx_headers_load(struct vd_ctx *ctx, struct vhdx_headers *hs);

/* VHDX-04: the GUIDs and sequence numbers of both headers. */
void vhdx_headers_publish(struct vd_fact *details, const struct vhdx_headers *hs);

#endif
