/* The VHD Hard Disk Footer: decode, checksum, field checks. */
#ifndef VHD_FOOTER_H
#define VHD_FOOTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_format.h"
#include "vhd_layout.h"

struct vhd_footer {
    uint32_t features;
    uint32_t version;
    uint64_t data_offset;
    uint32_t timestamp;
    uint8_t creator_app[4];
    uint32_t creator_version;
    uint8_t creator_os[4];
    uint64_t original_size;
    uint64_t current_size;
    uint16_t cylinders;
    uint8_t heads;
    uint8_t sectors;
    uint32_t disk_type;
    uint32_t checksum;
    uint8_t uuid[16];
    uint8_t saved_state;
};

/* Ones' complement of the byte sum of len bytes, the 4 at checksum_at taken as zero. */
uint32_t vhd_checksum(const uint8_t *raw, size_t len, size_t checksum_at);

bool vhd_footer_has_cookie(const uint8_t raw[VHD_FOOTER_SIZE]);
void vhd_footer_decode(const uint8_t raw[VHD_FOOTER_SIZE], struct vhd_footer *out);

/* Reports a bad checksum of the footer at `at`; returns true when it matches. */
bool vhd_footer_check_checksum(struct vd_ctx *ctx, const char *structure, uint64_t at,
                               const uint8_t raw[VHD_FOOTER_SIZE]);

/*
 * Field checks of the footer used (VHD-04..VHD-13). Returns false after a fatal finding
 * (unknown disk type).
 */
bool vhd_footer_check(struct vd_ctx *ctx, uint64_t at, const uint8_t raw[VHD_FOOTER_SIZE],
                      const struct vhd_footer *f);

/* C x H x S x 512: the size a CHS-trusting reader sees. */
uint64_t vhd_footer_chs_size(const struct vhd_footer *f);
/* True when QEMU takes the disk size from CHS rather than current_size (creator rule). */
bool vhd_footer_qemu_uses_chs(const struct vhd_footer *f);
/* Publishes the footer's facts under parent. */
void vhd_footer_publish(struct vd_fact *parent, const struct vhd_footer *f);

#endif
