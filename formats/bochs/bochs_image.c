/*
 * Bochs redolog open / walk / map. Disk extent k is stored extent catalog[k]: its bitmap
 * at data_offset + catalog[k] x stride, its data bitmap_blocks sectors later; a sector
 * whose bit (LSB first) is clear was never written (Bochs redolog_t::read, BX-06, BX-08).
 */
#include "bochs_image.h"

#include <inttypes.h>
#include <string.h>

#include "bochs_catalog.h"
#include "vd_alloc.h"
#include "vd_bits.h"
#include "vd_block_use.h"
#include "vd_bytes.h"
#include "vd_checked.h"

/* The magic, else (a damaged magic) the type and a known version. */
int bochs_probe(const struct vd_probe_input *in)
{
    static const char magic[] = BOCHS_MAGIC;
    static const char type[] = BOCHS_TYPE_REDOLOG;
    bool has_type = in->head_len >= BOCHS_TYPE_AT + sizeof(type) &&
                    memcmp(in->head + BOCHS_TYPE_AT, type, sizeof(type)) == 0;
    uint32_t version;

    if (in->head_len >= sizeof(magic) && memcmp(in->head, magic, sizeof(magic)) == 0) {
        return has_type ? 100 : 60;
    }
    if (!has_type || in->head_len < BOCHS_VERSION_AT + 4) {
        return 0;
    }
    version = vd_load_le32(in->head + BOCHS_VERSION_AT);
    return version == BOCHS_VERSION_2 || version == BOCHS_VERSION_1 ? 30 : 0;
}

static const char *variant_name(enum bochs_mode mode)
{
    switch (mode) {
    case BOCHS_MODE_UNDOABLE:
        return "undoable";
    case BOCHS_MODE_VOLATILE:
        return "volatile";
    default:
        return "growing";
    }
}

/* File offset of stored extent `entry` (its bitmap); false when it does not fit 64 bits. */
static bool extent_at(const struct bochs_image *img, uint32_t entry, uint64_t *at)
{
    return !vd_ckd_index_u64(at, img->data_offset, entry, img->stride);
}

enum vd_status bochs_open(struct vd_ctx *ctx, void **state)
{
    struct bochs_image *img;
    enum vd_status st;

    *state = NULL;
    ctx->info->logical_sector_size = BOCHS_SECTOR;
    if (ctx->file_size < BOCHS_HEADER_SIZE) {
        vd_report(ctx, VD_F_BOCHS_FILE_TOO_SMALL, VD_LOC("bochs.file", -1, 0, ctx->file_size),
                  "%" PRIu64 " bytes cannot hold the 512-byte header", ctx->file_size);
        return VD_E_CORRUPT;
    }
    img = vd_calloc_array(1, sizeof(*img));
    if (img == NULL) {
        return VD_E_NOMEM;
    }
    vd_bitmap_cache_init(&img->bitmap, 0); /* sized once the block size is known */
    *state = img;
    st = vd_ctx_read(ctx, 0, img->raw, BOCHS_HEADER_SIZE);
    if (st != VD_OK) {
        return st;
    }
    vd_claim(ctx, "bochs.header", -1, 0, BOCHS_HEADER_SIZE, 0, 0);
    if (!bochs_header_decode(ctx, img->raw, &img->hdr)) {
        return VD_E_CORRUPT;
    }
    img->usable = bochs_header_check(ctx, img->raw, &img->hdr);
    img->has_base = img->hdr.mode == BOCHS_MODE_UNDOABLE || img->hdr.mode == BOCHS_MODE_VOLATILE;
    ctx->info->variant = variant_name(img->hdr.mode);
    ctx->info->has_virtual_size = true;
    ctx->info->virtual_size = img->hdr.disk;
    ctx->info->block_size = img->hdr.extent;
    ctx->info->needs_parent = img->has_base;
    vd_fact_str(ctx->semantics, "bochs_bitmap", "honored");
    vd_fact_str(ctx->semantics, "unallocated", img->has_base ? "parent" : "zero");
    img->data_offset = BOCHS_HEADER_SIZE + (uint64_t)img->hdr.catalog * 4;
    bochs_catalog_init(ctx, &img->catalog, img->hdr.catalog);
    if (!img->usable) {
        return VD_OK;
    }
    img->stride = bochs_stride(&img->hdr);
    img->bitmap_bytes = vd_div_round_up(img->hdr.extent / BOCHS_SECTOR, 8);
    img->extents_needed = vd_div_round_up(img->hdr.disk, img->hdr.extent);
    /* A disk the catalog does not cover (too small, cut off) is not hashed (see VDI). */
    ctx->info->mappable = img->catalog.readable >= img->extents_needed;
    vd_bitmap_cache_init(&img->bitmap, (size_t)img->bitmap_bytes);
    return VD_OK;
}

struct bochs_walk {
    uint64_t allocated, sectors_present;
    struct vd_tally past_end;
    struct vd_block_use use;
};

/* Sectors of disk extent `index` that lie inside the disk. */
static uint64_t extent_disk_sectors(const struct bochs_image *img, uint32_t index)
{
    uint64_t start = (uint64_t)index * img->hdr.extent;
    uint64_t left = vd_div_round_up(img->hdr.disk - start, BOCHS_SECTOR);
    uint64_t per = img->hdr.extent / BOCHS_SECTOR;
    return left < per ? left : per;
}

/* BX-08 on a loaded bitmap: counts present sectors, flags bits past the disk end. */
static void check_bitmap(struct vd_ctx *ctx, struct bochs_image *img, struct bochs_walk *w,
                         uint32_t index, uint64_t at)
{
    uint64_t per = img->hdr.extent / BOCHS_SECTOR;
    uint64_t inside = extent_disk_sectors(img, index);
    uint64_t beyond = vd_bits_lsb_count(img->bitmap.bits, inside, per - inside);

    w->sectors_present += vd_bits_lsb_count(img->bitmap.bits, 0, inside);
    if (beyond > 0) {
        vd_report(ctx, VD_F_BOCHS_BITMAP_PAST_DISK_END,
                  VD_LOC("bochs.bitmap", index, at + inside / 8, img->bitmap_bytes - inside / 8),
                  "the bitmap of extent %" PRIu32 " marks %" PRIu64
                  " sectors beyond the disk end as written",
                  index, beyond);
    }
}

static enum vd_status walk_allocated(struct vd_ctx *ctx, struct bochs_image *img,
                                     struct bochs_walk *w, uint32_t index, uint32_t entry)
{
    uint64_t entry_at = vd_table32_entry_offset(&img->catalog, index);
    uint64_t at;
    bool loaded;
    enum vd_status st;

    if (index >= img->extents_needed) {
        vd_tally_note(&w->past_end, index);
    }
    if (entry >= img->hdr.catalog) {
        vd_report(ctx, VD_F_BOCHS_CATALOG_ENTRY_RANGE, VD_LOC("bochs.catalog", index, entry_at, 4),
                  "entry %" PRIu32 " points at stored extent %" PRIu32 ", beyond the %" PRIu32
                  " a catalog of this size allows",
                  index, entry, img->hdr.catalog);
    }
    if (!vd_block_use_take(&w->use, ctx, index, entry_at, entry, &at)) {
        return VD_OK;
    }
    if (index >= img->extents_needed) {
        return VD_OK;
    }
    /* A bitmap inside the file is checked even when the extent's data is cut off. */
    st = vd_bitmap_cache_load(ctx, &img->bitmap, entry, at, &loaded);
    if (st == VD_OK && loaded) {
        check_bitmap(ctx, img, w, index, at);
    }
    return st;
}

static void walk_report(struct vd_ctx *ctx, const struct bochs_image *img,
                        const struct bochs_walk *w)
{
    if (w->past_end.count > 0) {
        vd_report(ctx, VD_F_BOCHS_CATALOG_PAST_DISK_END,
                  VD_LOC("bochs.catalog", (int64_t)w->past_end.first,
                         vd_table32_entry_offset(&img->catalog, (uint32_t)w->past_end.first), 4),
                  "%" PRIu64 " entries beyond the disk's %" PRIu64
                  " extents are allocated, the first is entry %" PRIu64,
                  w->past_end.count, img->extents_needed, w->past_end.first);
    }
    vd_claim_trailing(ctx, VD_F_BOCHS_FILE_TRAILING_DATA, "bochs.trailing", w->use.end); /* BX-07 */
    vd_fact_u64(ctx->details, "extents_needed", img->extents_needed);
    vd_fact_u64(ctx->details, "extents_allocated", w->allocated);
    vd_fact_u64(ctx->details, "sectors_present", w->sectors_present);
}

enum vd_status bochs_walk(struct vd_ctx *ctx, void *state)
{
    struct bochs_image *img = state;
    struct bochs_walk w = {0};
    enum vd_status st;

    if (!img->usable) {
        return VD_OK;
    }
    st = vd_block_use_init(&w.use, ctx,
                           &(struct vd_block_layout){img->data_offset, img->stride, "bochs.catalog",
                                                     "bochs.extent", VD_F_BOCHS_CATALOG_DUPLICATE});
    for (uint32_t i = 0; st == VD_OK && i < img->catalog.readable; i++) {
        uint32_t entry;
        st = vd_table32_get(ctx, &img->catalog, i, &entry);
        if (st == VD_OK && entry != BOCHS_ENTRY_FREE) {
            w.allocated++;
            st = walk_allocated(ctx, img, &w, i, entry);
        }
    }
    if (st == VD_OK) {
        walk_report(ctx, img, &w);
    }
    vd_block_use_fini(&w.use);
    return st;
}

enum vd_status bochs_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out)
{
    struct bochs_image *img = state;
    uint64_t es = img->hdr.extent;
    uint64_t index = offset / es;
    uint64_t start = index * es;
    uint64_t end = img->hdr.disk - start < es ? img->hdr.disk : start + es;
    enum vd_extent_kind absent = img->has_base ? VD_EXTENT_PARENT : VD_EXTENT_UNALLOCATED;
    uint32_t entry;
    uint64_t at;
    uint64_t sector;
    uint64_t run;
    bool loaded;
    bool set;
    enum vd_status st;

    /* Called only when mappable: the catalog holds every extent of the disk. */
    st = vd_table32_get(ctx, &img->catalog, (uint32_t)index, &entry);
    if (st != VD_OK) {
        return st;
    }
    if (entry == BOCHS_ENTRY_FREE || !extent_at(img, entry, &at)) {
        vd_extent_set(out, offset, end - offset, absent, 0);
        return VD_OK;
    }
    st = vd_bitmap_cache_load(ctx, &img->bitmap, entry, at, &loaded);
    if (st != VD_OK) {
        return st;
    }
    if (!loaded) {
        vd_extent_set(out, offset, end - offset, VD_EXTENT_UNALLOCATED, 0);
        return VD_OK;
    }
    sector = (offset - start) / BOCHS_SECTOR;
    run = vd_bits_lsb_run(img->bitmap.bits, sector,
                          vd_div_round_up(end - start, BOCHS_SECTOR) - sector, &set);
    if (start + (sector + run) * BOCHS_SECTOR < end) {
        end = start + (sector + run) * BOCHS_SECTOR;
    }
    if (!set) {
        vd_extent_set(out, offset, end - offset, absent, 0);
    } else {
        vd_extent_file_data(ctx, out, offset, end - offset,
                            at + img->hdr.bitmap_blocks * BOCHS_SECTOR + (offset - start));
    }
    return VD_OK;
}

void bochs_close(void *state)
{
    struct bochs_image *img = state;

    if (img != NULL) {
        vd_bitmap_cache_fini(&img->bitmap);
        vd_free(img);
    }
}
