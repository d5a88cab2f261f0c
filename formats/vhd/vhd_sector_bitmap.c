#include "vhd_sector_bitmap.h"

#include <inttypes.h>

#include "vd_bytes.h"
#include "vd_checked.h"
#include "vhd_layout.h"

uint64_t vhd_bitmap_run(const uint8_t *bitmap, uint64_t from, uint64_t limit, bool *set)
{
    uint64_t s = from;
    bool value = vhd_bitmap_test(bitmap, from);
    uint8_t whole = value ? 0xff : 0x00;

    *set = value;
    while (s < limit) {
        if (s % 8 == 0 && limit - s >= 8 && bitmap[s / 8] == whole) {
            s += 8; /* a whole byte of the same bit */
        } else if (vhd_bitmap_test(bitmap, s) == value) {
            s++;
        } else {
            break;
        }
    }
    return s - from;
}

/* Counts the sectors of [first, first+count) of the block that hold non-zero bytes. */
static enum vd_status count_hidden(struct vd_ctx *ctx, const struct vhd_block_loc *b,
                                   uint64_t first, uint64_t count, uint8_t *scratch,
                                   size_t scratch_len, uint64_t *hidden, uint64_t *first_at)
{
    uint64_t at = b->data_at + first * VHD_SECTOR;
    uint64_t len = count * VHD_SECTOR;

    if (at >= ctx->file_size) {
        return VD_OK;
    }
    if (len > ctx->file_size - at) {
        len = ctx->file_size - at; /* the part past EOF was reported by the claim */
    }
    for (uint64_t done = 0; done < len; done += scratch_len) {
        size_t n = len - done < scratch_len ? (size_t)(len - done) : scratch_len;
        enum vd_status st = vd_ctx_read(ctx, at + done, scratch, n);
        if (st != VD_OK) {
            return st;
        }
        for (size_t off = 0; off < n; off += VHD_SECTOR) {
            size_t sl = n - off < VHD_SECTOR ? n - off : VHD_SECTOR;
            if (!vd_all_zero(scratch + off, sl)) {
                if (*hidden == 0) {
                    *first_at = at + done + off;
                }
                (*hidden)++;
            }
        }
    }
    return VD_OK;
}

static enum vd_status check_hidden(struct vd_ctx *ctx, const struct vhd_block_loc *b,
                                   const uint8_t *bitmap, uint8_t *scratch, size_t scratch_len)
{
    uint64_t hidden = 0;
    uint64_t first_at = 0;

    for (uint64_t s = 0; s < b->sectors;) {
        bool set;
        uint64_t n = vhd_bitmap_run(bitmap, s, b->sectors, &set);
        if (!set) {
            enum vd_status st =
                count_hidden(ctx, b, s, n, scratch, scratch_len, &hidden, &first_at);
            if (st != VD_OK) {
                return st;
            }
        }
        s += n;
    }
    if (hidden > 0) {
        /* The sector, or the part of it the file holds when the file ends inside it. */
        uint64_t in_file = ctx->file_size - first_at;
        uint64_t len = in_file < VHD_SECTOR ? in_file : VHD_SECTOR;
        vd_report(ctx, VD_F_VHD_BITMAP_HIDDEN_DATA, VD_LOC("vhd.block", b->index, first_at, len),
                  "block %" PRIu32 ": %" PRIu64 " sector(s) marked absent hold non-zero data; "
                  "the first at 0x%" PRIx64,
                  b->index, hidden, first_at);
    }
    return VD_OK;
}

enum vd_status vhd_bitmap_check(struct vd_ctx *ctx, const struct vhd_block_loc *b,
                                const uint8_t *bitmap, uint8_t *scratch, size_t scratch_len)
{
    uint64_t present = 0;

    for (uint64_t s = 0; s < b->disk_sectors;) {
        bool set;
        uint64_t n = vhd_bitmap_run(bitmap, s, b->disk_sectors, &set);
        present += set ? n : 0;
        s += n;
    }
    if (b->disk_sectors < b->sectors) {
        bool set;
        uint64_t n = vhd_bitmap_run(bitmap, b->disk_sectors, b->sectors, &set);
        if (set || n < b->sectors - b->disk_sectors) {
            vd_report(ctx, VD_F_VHD_BITMAP_BEYOND_DISK,
                      VD_LOC("vhd.sector_bitmap", b->index, b->bitmap_at + b->disk_sectors / 8,
                             vd_div_round_up(b->sectors, 8) - b->disk_sectors / 8),
                      "block %" PRIu32 ": sectors past the disk size (from sector %" PRIu64
                      " of the block) are marked present",
                      b->index, b->disk_sectors);
        }
    }
    if (present == 0) {
        vd_report(
            ctx, VD_F_VHD_BITMAP_EMPTY,
            VD_LOC("vhd.sector_bitmap", b->index, b->bitmap_at, vd_div_round_up(b->sectors, 8)),
            "block %" PRIu32 " is allocated but no sector is marked present", b->index);
    }
    return check_hidden(ctx, b, bitmap, scratch, scratch_len);
}
