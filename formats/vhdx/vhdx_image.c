/*
 * VHDX open / walk / map. The order follows MS-VHDX §2.3.3: choose the current header,
 * replay a pending log (here in memory: ctx->overlay), and only then read the region
 * table, the metadata and the BAT, through the replayed view.
 */
#include "vhdx_image.h"

#include <inttypes.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bits.h"
#include "vd_bytes.h"
#include "vd_guid.h"
#include "vd_checked.h"
#include "vhdx_layout.h"
#include "vhdx_parent_locator.h"

int vhdx_probe(const struct vd_probe_input *in)
{
    if (in->head_len >= 8 && memcmp(in->head, VHDX_FILE_ID_SIGNATURE, 8) == 0) {
        return 100;
    }
    /* A damaged identifier: the headers or region tables still say VHDX. */
    for (uint64_t at = VHDX_HEADER1_OFFSET; at <= VHDX_HEADER2_OFFSET; at += VHDX_HEADER_SLOT) {
        if (in->head_len >= at + 4 && memcmp(in->head + at, VHDX_HEADER_SIGNATURE, 4) == 0) {
            return 70;
        }
    }
    for (uint64_t at = VHDX_REGION1_OFFSET; at <= VHDX_REGION2_OFFSET;
         at += VHDX_REGION_TABLE_SIZE) {
        if (in->head_len >= at + 4 && memcmp(in->head + at, VHDX_REGION_SIGNATURE, 4) == 0) {
            return 60;
        }
    }
    return 0;
}

static void check_file_size(struct vd_ctx *ctx)
{
    if (ctx->file_size < VHDX_HEADER_SECTION_SIZE) {
        vd_report(ctx, VD_F_VHDX_FILE_TOO_SMALL, VD_LOC("vhdx.file", -1, 0, ctx->file_size),
                  "%" PRIu64 " bytes cannot hold the 1 MiB header section", ctx->file_size);
    } else if (ctx->file_size % VHDX_MiB != 0) {
        vd_report(ctx, VD_F_VHDX_FILE_SIZE_UNALIGNED,
                  VD_LOC("vhdx.file", -1, ctx->file_size - ctx->file_size % VHDX_MiB,
                         ctx->file_size % VHDX_MiB),
                  "file size %" PRIu64 " is not a multiple of 1 MiB", ctx->file_size);
    }
}

/* Replays a pending log in memory; from here on every read sees the replayed file. */
static enum vd_status open_log(struct vd_ctx *ctx, struct vhdx_image *img)
{
    int cur = img->headers.current;
    enum vd_status st;

    vd_overlay_init(&img->overlay, ctx->file_size);
    st = vhdx_log_check(ctx, &img->headers.h[cur], vhdx_header_offset(cur), &img->overlay,
                        &img->log);
    if (st == VD_OK && img->log.replayed) {
        ctx->overlay = &img->overlay;
        ctx->file_size = img->overlay.size;
    }
    return st;
}

static void publish_info(struct vd_ctx *ctx, struct vhdx_image *img)
{
    const struct vhdx_metadata *md = &img->md;

    ctx->info->variant = img->differencing            ? "differencing"
                         : md->leave_blocks_allocated ? "fixed"
                                                      : "dynamic";
    ctx->info->has_virtual_size = md->items[VHDX_ITEM_VIRTUAL_DISK_SIZE].present;
    ctx->info->virtual_size = md->virtual_size;
    ctx->info->logical_sector_size = md->logical_sector_size;
    ctx->info->block_size = md->block_size;
    ctx->info->mappable = img->bat_usable;
    ctx->info->needs_parent = img->differencing;
    vd_fact_str(ctx->semantics, "unallocated", img->differencing ? "parent" : "zero");
    if (img->headers.current >= 0) {
        /* A child's parent_linkage names this: the current header's DataWriteGuid. */
        char guid[VD_GUID_TEXT_LEN];
        vd_guid_format(img->headers.h[img->headers.current].data_write_guid, VD_GUID_MS_MIXED,
                       guid);
        vd_identity_add(&ctx->info->identity, "data_write_guid", guid);
    }
    vd_fact_str(ctx->semantics, "vhdx_undefined_blocks", "zero");
}

enum vd_status vhdx_open(struct vd_ctx *ctx, void **state)
{
    struct vhdx_image *img = vd_calloc_array(1, sizeof(*img));
    enum vd_status st;

    *state = img;
    if (img == NULL) {
        return VD_E_NOMEM;
    }
    vd_bitmap_cache_init(&img->bitmap, VHDX_SECTOR_BITMAP_SIZE);
    check_file_size(ctx);
    st = vhdx_file_id_check(ctx);
    if (st == VD_OK) {
        st = vhdx_reserved_area_claim(ctx);
    }
    if (st == VD_OK) {
        st = vhdx_headers_load(ctx, &img->headers);
    }
    if (st != VD_OK || img->headers.current < 0) {
        return st != VD_OK ? st : VD_E_CORRUPT;
    }
    vhdx_headers_publish(ctx->details, &img->headers);
    st = open_log(ctx, img);
    if (st == VD_OK) {
        st = vhdx_regions_load(ctx, &img->regions);
    }
    if (st != VD_OK || img->regions.table < 0 || !img->regions.metadata.present) {
        return st != VD_OK ? st : VD_E_CORRUPT;
    }
    st = vhdx_metadata_load(ctx, &img->regions.metadata, &img->md);
    if (st != VD_OK) {
        return st;
    }
    vhdx_metadata_publish(ctx->details, &img->md);
    img->differencing = img->md.has_parent;
    if (img->md.items[VHDX_ITEM_PARENT_LOCATOR].present) {
        st = vhdx_locator_check(ctx, img->md.items[VHDX_ITEM_PARENT_LOCATOR].at,
                                img->md.items[VHDX_ITEM_PARENT_LOCATOR].length);
    }
    img->bat_usable =
        st == VD_OK && img->md.usable && img->regions.bat.present && !img->regions.unsupported;
    if (img->bat_usable) {
        vhdx_bat_init(ctx, &img->bat, &img->regions.bat, &img->md);
    }
    publish_info(ctx, img);
    return st;
}

/* What the walk counts, and the chunk whose payload entries it is in. */
struct walk {
    uint64_t by_state[8];
    uint64_t chunk;
    uint64_t chunk_partial; /* PARTIALLY_PRESENT payload blocks seen in `chunk` */
    uint64_t partial_present_sectors;
    uint64_t past_end; /* allocated padding entries past the disk end (reported once) */
};

static void report_entry(struct vd_ctx *ctx, enum vd_finding_id id, const struct vhdx_bat_entry *e,
                         uint64_t index, const char *what)
{
    vd_report(ctx, id, VD_LOC("vhdx.bat", (int64_t)index, e->at, VHDX_BAT_ENTRY_SIZE),
              "BAT entry %" PRIu64 " (0x%016" PRIx64 "): %s", index, e->raw, what);
}

/*
 * VHDX-17, VHDX-19: reserved bits, and the offset of entries whose FileOffsetMB is
 * reserved: NOT_PRESENT and ZERO (§2.5.1.1; UNDEFINED and UNMAPPED may keep an offset).
 */
static void check_entry_bits(struct vd_ctx *ctx, const struct vhdx_bat_entry *e, uint64_t index,
                             bool offset_reserved)
{
    if ((e->raw & VHDX_BAT_RESERVED_MASK) != 0) {
        report_entry(ctx, VD_F_VHDX_BAT_ENTRY_RESERVED, e, index, "reserved bits 3-19 are set");
    }
    if (offset_reserved && e->file_offset != 0) {
        report_entry(ctx, VD_F_VHDX_BAT_OFFSET_NOT_PRESENT, e, index,
                     "FileOffsetMB is set for a block without data");
    }
}

/*
 * VHDX-21: claims an allocated block (payload or sector bitmap) for overlap accounting.
 * `needed` is how much of it holds disk bytes: a file that ends after those (QEMU leaves
 * the last block partial) is a quirk; one that ends before them has lost data.
 */
static void claim_block(struct vd_ctx *ctx, const struct vhdx_bat_entry *e, uint64_t index,
                        const char *structure, uint64_t length, uint64_t needed)
{
    uint64_t end;

    if (e->file_offset < VHDX_HEADER_SECTION_SIZE || vd_ckd_add_u64(&end, e->file_offset, length)) {
        report_entry(ctx, VD_F_VHDX_BAT_BLOCK_OFFSET, e, index,
                     "the block lies in the header section or past 2^64");
        return;
    }
    if (end > ctx->file_size && e->file_offset + needed <= ctx->file_size) {
        report_entry(ctx, VD_F_VHDX_BAT_BLOCK_PARTIAL, e, index,
                     "the file ends inside this block, after its last disk byte");
        length = ctx->file_size - e->file_offset;
    }
    vd_claim(ctx, structure, (int64_t)index, e->file_offset, length, e->at, VHDX_BAT_ENTRY_SIZE);
}

/* VHDX-18: a payload entry's state for the disk type; true when it places a block. */
static bool payload_state_check(struct vd_ctx *ctx, const struct vhdx_image *img,
                                const struct vhdx_bat_entry *e, uint64_t index)
{
    switch (e->state) {
    case VHDX_PAYLOAD_FULLY_PRESENT:
        return true;
    case VHDX_PAYLOAD_PARTIALLY_PRESENT:
        if (img->differencing) {
            return true;
        }
        report_entry(ctx, VD_F_VHDX_BAT_PAYLOAD_STATE, e, index,
                     "PARTIALLY_PRESENT in a disk without a parent");
        return false;
    case VHDX_PAYLOAD_UNMAPPED_DRAFT:
        report_entry(ctx, VD_F_VHDX_BAT_PAYLOAD_UNMAPPED_DRAFT, e, index,
                     "state 5 (UNMAPPED in the 0.95 draft, reserved in 1.0): read as zero");
        return false;
    case 4:
        report_entry(ctx, VD_F_VHDX_BAT_PAYLOAD_STATE, e, index, "reserved state 4");
        return false;
    default:
        return false;
    }
}

static void walk_payload(struct vd_ctx *ctx, struct vhdx_image *img, const struct vhdx_bat_entry *e,
                         uint64_t index, uint64_t block, struct walk *w)
{
    bool places;

    w->by_state[e->state]++;
    if (block >= img->bat.payload_blocks) {
        /* Differencing layouts pad the last chunk: those entries describe no disk bytes. */
        if (e->state != VHDX_PAYLOAD_NOT_PRESENT && w->past_end++ == 0) {
            report_entry(ctx, VD_F_VHDX_BAT_PAST_DISK_END, e, index,
                         "the entry lies beyond the disk size");
        }
        return;
    }
    places = payload_state_check(ctx, img, e, index);
    check_entry_bits(ctx, e, index,
                     e->state == VHDX_PAYLOAD_NOT_PRESENT || e->state == VHDX_PAYLOAD_ZERO);
    if (places) {
        uint64_t disk_left = img->md.virtual_size - block * img->bat.block_size;
        claim_block(ctx, e, index, "vhdx.block", img->bat.block_size,
                    disk_left < img->bat.block_size ? disk_left : img->bat.block_size);
    }
    if (places && e->state == VHDX_PAYLOAD_PARTIALLY_PRESENT) {
        w->chunk_partial++;
    }
}

/* VHDX-22: present sectors of the chunk's partial blocks, and bits past the disk end. */
static enum vd_status bitmap_check(struct vd_ctx *ctx, struct vhdx_image *img,
                                   const struct vhdx_bat_entry *sb, uint64_t chunk, struct walk *w)
{
    uint64_t spb = img->bat.block_size / img->md.logical_sector_size;
    uint64_t disk_sectors = img->md.virtual_size / img->md.logical_sector_size;
    uint64_t chunk_first = chunk * VHDX_CHUNK_SECTORS;
    bool loaded;
    enum vd_status st;

    if (sb->file_offset < VHDX_HEADER_SECTION_SIZE) {
        return VD_OK;
    }
    st = vd_bitmap_cache_load(ctx, &img->bitmap, chunk, sb->file_offset, &loaded);
    if (st != VD_OK || !loaded) {
        return st;
    }
    for (uint64_t b = 0; b < img->bat.chunk_ratio && st == VD_OK && w->chunk_partial > 0; b++) {
        uint64_t block = chunk * img->bat.chunk_ratio + b;
        struct vhdx_bat_entry e;
        if (block >= img->bat.payload_blocks) {
            break;
        }
        st = vhdx_bat_get(ctx, &img->bat, vhdx_bat_payload_index(&img->bat, block), &e);
        if (st == VD_OK && e.state == VHDX_PAYLOAD_PARTIALLY_PRESENT) {
            w->partial_present_sectors += vd_bits_lsb_count(img->bitmap.bits, b * spb, spb);
        }
    }
    if (st == VD_OK && disk_sectors < chunk_first + VHDX_CHUNK_SECTORS) {
        uint64_t from = disk_sectors > chunk_first ? disk_sectors - chunk_first : 0;
        uint64_t set = vd_bits_lsb_count(img->bitmap.bits, from, VHDX_CHUNK_SECTORS - from);
        if (set > 0) {
            vd_report(ctx, VD_F_VHDX_BITMAP_BEYOND_DISK,
                      VD_LOC("vhdx.sector_bitmap", (int64_t)chunk, sb->file_offset + from / 8,
                             VHDX_SECTOR_BITMAP_SIZE - from / 8),
                      "%" PRIu64 " sectors past the disk end are marked present", set);
        }
    }
    return st;
}

/* VHDX-20: a sector bitmap entry, once the chunk's payload entries have been seen. */
static enum vd_status walk_bitmap(struct vd_ctx *ctx, struct vhdx_image *img,
                                  const struct vhdx_bat_entry *e, uint64_t index, uint64_t chunk,
                                  struct walk *w)
{
    bool present = e->state == VHDX_SB_PRESENT;

    check_entry_bits(ctx, e, index, e->state == VHDX_SB_NOT_PRESENT);
    if (e->state != VHDX_SB_NOT_PRESENT && !present) {
        report_entry(ctx, VD_F_VHDX_BAT_SB_STATE, e, index, "invalid sector bitmap state");
    } else if (present && !img->differencing) {
        report_entry(ctx, VD_F_VHDX_BAT_SB_PRESENT_NONDIFF, e, index,
                     "sector bitmap block present in a disk without a parent");
    } else if (!present && w->chunk_partial > 0) {
        report_entry(ctx, VD_F_VHDX_BAT_SB_MISSING, e, index,
                     "the chunk has partially present blocks but no sector bitmap");
    }
    if (present) {
        claim_block(ctx, e, index, "vhdx.sector_bitmap", VHDX_SECTOR_BITMAP_SIZE,
                    VHDX_SECTOR_BITMAP_SIZE);
    }
    return present && img->differencing ? bitmap_check(ctx, img, e, chunk, w) : VD_OK;
}

static void publish_walk(struct vd_ctx *ctx, const struct vhdx_image *img, const struct walk *w)
{
    struct vd_fact *bat = vd_fact_object(ctx->details, "bat");

    vd_fact_u64(bat, "offset", img->bat.offset);
    vd_fact_u64(bat, "entries", img->bat.entries);
    vd_fact_u64(bat, "chunk_ratio", img->bat.chunk_ratio);
    vd_fact_u64(bat, "payload_blocks", img->bat.payload_blocks);
    vd_fact_u64(bat, "not_present", w->by_state[VHDX_PAYLOAD_NOT_PRESENT]);
    vd_fact_u64(bat, "undefined", w->by_state[VHDX_PAYLOAD_UNDEFINED]);
    vd_fact_u64(bat, "zero", w->by_state[VHDX_PAYLOAD_ZERO]);
    vd_fact_u64(bat, "unmapped",
                w->by_state[VHDX_PAYLOAD_UNMAPPED] + w->by_state[VHDX_PAYLOAD_UNMAPPED_DRAFT]);
    vd_fact_u64(bat, "fully_present", w->by_state[VHDX_PAYLOAD_FULLY_PRESENT]);
    vd_fact_u64(bat, "partially_present", w->by_state[VHDX_PAYLOAD_PARTIALLY_PRESENT]);
    vd_fact_u64(bat, "partially_present_sectors", w->partial_present_sectors);
}

/* One entry, in table order; the cursor advances by counting, never by dividing. */
struct cursor {
    uint64_t index;
    uint64_t block;
    uint64_t in_chunk;
};

static enum vd_status walk_entry(struct vd_ctx *ctx, struct vhdx_image *img, struct cursor *c,
                                 uint64_t raw, struct walk *w)
{
    struct vhdx_bat_entry e;
    enum vd_status st = VD_OK;

    vhdx_bat_decode(&img->bat, c->index, raw, &e);
    if (c->in_chunk == img->bat.chunk_ratio) {
        st = walk_bitmap(ctx, img, &e, c->index, w->chunk, w);
        w->chunk++;
        w->chunk_partial = 0;
        c->in_chunk = 0;
    } else {
        walk_payload(ctx, img, &e, c->index, c->block++, w);
        c->in_chunk++;
    }
    c->index++;
    return st;
}

enum vd_status vhdx_walk(struct vd_ctx *ctx, void *state)
{
    struct vhdx_image *img = state;
    struct cursor c = {0, 0, 0};
    struct walk w;
    enum vd_status st = VD_OK;

    if (!img->bat_usable) {
        return VD_OK;
    }
    memset(&w, 0, sizeof(w));
    while (c.index < img->bat.readable && st == VD_OK) {
        const uint8_t *raw;
        size_t avail;
        st = vhdx_bat_window(ctx, &img->bat, c.index, &raw, &avail);
        for (size_t k = 0; k < avail && st == VD_OK; k++) {
            uint64_t v = vd_load_le64(raw + k * VHDX_BAT_ENTRY_SIZE);
            /* The common unallocated payload entry has nothing to check: count it. */
            if (c.in_chunk != img->bat.chunk_ratio && c.block < img->bat.payload_blocks &&
                (v == VHDX_PAYLOAD_ZERO || v == VHDX_PAYLOAD_NOT_PRESENT)) {
                w.by_state[v]++;
                c.block++;
                c.in_chunk++;
                c.index++;
            } else {
                uint64_t window = img->bat.window_first;
                st = walk_entry(ctx, img, &c, v, &w);
                if (img->bat.window_first != window) {
                    break; /* a sector bitmap check moved the window: raw is stale */
                }
            }
        }
    }
    publish_walk(ctx, img, &w);
    return st;
}

/* A partially present block: a run of sectors from this file or from the parent. */
static enum vd_status map_partial(struct vd_ctx *ctx, struct vhdx_image *img, uint64_t block,
                                  uint64_t offset, uint64_t end, const struct vhdx_bat_entry *e,
                                  struct vd_extent *out)
{
    uint64_t lss = img->md.logical_sector_size;
    uint64_t chunk = block / img->bat.chunk_ratio;
    uint64_t in_block = offset - block * img->bat.block_size;
    uint64_t first = (block % img->bat.chunk_ratio) * (img->bat.block_size / lss) + in_block / lss;
    struct vhdx_bat_entry sb;
    bool loaded = false;
    bool set;
    uint64_t run;
    enum vd_status st = vhdx_bat_get(ctx, &img->bat, vhdx_bat_bitmap_index(&img->bat, chunk), &sb);

    if (st != VD_OK) {
        return st;
    }
    if (sb.state == VHDX_SB_PRESENT && sb.file_offset >= VHDX_HEADER_SECTION_SIZE) {
        st = vd_bitmap_cache_load(ctx, &img->bitmap, chunk, sb.file_offset, &loaded);
    }
    if (st != VD_OK || !loaded) {
        vd_extent_set(out, offset, end - offset, VD_EXTENT_PARENT, 0);
        return st;
    }
    run = vd_bits_lsb_run(img->bitmap.bits, first, vd_div_round_up(end - offset, lss), &set);
    run = run * lss - in_block % lss;
    run = run < end - offset ? run : end - offset;
    if (set) {
        vd_extent_file_data(ctx, out, offset, run, e->file_offset + in_block);
    } else {
        vd_extent_set(out, offset, run, VD_EXTENT_PARENT, 0);
    }
    return VD_OK;
}

enum vd_status vhdx_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out)
{
    struct vhdx_image *img = state;
    uint64_t bs = img->bat.block_size;
    uint64_t block = offset / bs;
    uint64_t end =
        (block + 1) * bs < img->md.virtual_size ? (block + 1) * bs : img->md.virtual_size;
    struct vhdx_bat_entry e;
    enum vd_status st;

    if (vhdx_bat_payload_index(&img->bat, block) >= img->bat.readable) {
        /*
         * Past the BAT the file holds every entry reads as NOT_PRESENT (vhdx_bat_get): the
         * rest of the disk is one extent. Block by block, a huge virtual size behind a short
         * BAT made map and hash loop for years (found by tests/fuzz).
         */
        vd_extent_set(out, offset, img->md.virtual_size - offset,
                      img->differencing ? VD_EXTENT_PARENT : VD_EXTENT_UNALLOCATED, 0);
        return VD_OK;
    }
    st = vhdx_bat_get(ctx, &img->bat, vhdx_bat_payload_index(&img->bat, block), &e);
    if (st != VD_OK) {
        return st;
    }
    switch (e.state) {
    case VHDX_PAYLOAD_FULLY_PRESENT:
        if (e.file_offset >= VHDX_HEADER_SECTION_SIZE) {
            vd_extent_file_data(ctx, out, offset, end - offset,
                                e.file_offset + (offset - block * bs));
            return VD_OK;
        }
        break; /* an impossible placement (vhdx.bat.block_offset): read as zero */
    case VHDX_PAYLOAD_PARTIALLY_PRESENT:
        if (img->differencing) {
            return map_partial(ctx, img, block, offset, end, &e, out);
        }
        break;
    case VHDX_PAYLOAD_ZERO:
        vd_extent_set(out, offset, end - offset, VD_EXTENT_ZERO, 0);
        return VD_OK;
    case VHDX_PAYLOAD_NOT_PRESENT:
        vd_extent_set(out, offset, end - offset,
                      img->differencing ? VD_EXTENT_PARENT : VD_EXTENT_UNALLOCATED, 0);
        return VD_OK;
    default:
        break;
    }
    vd_extent_set(out, offset, end - offset, VD_EXTENT_UNALLOCATED, 0);
    return VD_OK;
}

void vhdx_close(void *state)
{
    struct vhdx_image *img = state;

    if (img == NULL) {
        return;
    }
    vd_bitmap_cache_fini(&img->bitmap);
    vd_overlay_fini(&img->overlay);
    vd_free(img);
}
