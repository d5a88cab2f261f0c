/*
 * VHD open / walk / map. Which footer is used follows VHD-15: the one at the end of the
 * file when it is valid, else the copy at offset 0 (dynamic disks), and the report says so.
 */
#include "vhd_image.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"
#include "vd_text.h"
#include "vhd_parent_locator.h"
#include "vhd_sector_bitmap.h"

int vhd_probe(const struct vd_probe_input *in)
{
    if (in->tail_len >= VHD_FOOTER_SIZE &&
        memcmp(in->tail + in->tail_len - VHD_FOOTER_SIZE, "conectix", 8) == 0) {
        return 100;
    }
    /* Virtual PC's 511-byte footer (VHD-01 quirk). */
    if (in->file_size % VHD_SECTOR == VHD_SECTOR - 1 && in->tail_len >= VHD_FOOTER_SIZE - 1 &&
        memcmp(in->tail + in->tail_len - (VHD_FOOTER_SIZE - 1), "conectix", 8) == 0) {
        return 95;
    }
    /* A dynamic disk whose end is missing still has its footer copy at offset 0. */
    if (in->head_len >= 8 && memcmp(in->head, "conectix", 8) == 0) {
        return 60;
    }
    return 0;
}

/* The two footer candidates and what their cookie and checksum say. */
struct footer_candidates {
    uint8_t end[VHD_FOOTER_SIZE];
    uint8_t copy[VHD_FOOTER_SIZE];
    uint64_t end_at;
    bool end_cookie, end_sum;
    bool copy_present, copy_cookie, copy_sum, copy_sparse;
};

static bool footer_sum_ok(const uint8_t raw[VHD_FOOTER_SIZE])
{
    return vd_load_be32(raw + VHD_FOOTER_CHECKSUM) ==
           vhd_checksum(raw, VHD_FOOTER_SIZE, VHD_FOOTER_CHECKSUM);
}

static bool type_is_sparse(uint32_t type)
{
    return type == VHD_TYPE_DYNAMIC || type == VHD_TYPE_DIFFERENCING;
}

static enum vd_status footer_candidates_read(struct vd_ctx *ctx, struct footer_candidates *c)
{
    uint64_t size = ctx->file_size;
    size_t end_len = VHD_FOOTER_SIZE;
    enum vd_status st;

    memset(c, 0, sizeof(*c));
    if (size % VHD_SECTOR == VHD_SECTOR - 1) {
        end_len = VHD_FOOTER_SIZE - 1; /* Virtual PC short footer: the last byte is missing */
    }
    c->end_at = size - end_len;
    st = vd_ctx_read(ctx, c->end_at, c->end, end_len);
    if (st != VD_OK) {
        return st;
    }
    c->end_cookie = vhd_footer_has_cookie(c->end);
    c->end_sum = c->end_cookie && footer_sum_ok(c->end);
    if (end_len < VHD_FOOTER_SIZE && c->end_cookie) {
        vd_report(ctx, VD_F_VHD_FILE_SHORT_FOOTER, VD_LOC("vhd.footer", -1, c->end_at, end_len),
                  "the footer at the end of the file is 511 bytes long");
    } else if (size % VHD_SECTOR != 0) {
        vd_report(ctx, VD_F_VHD_FILE_SIZE_UNALIGNED, VD_LOC("vhd.file", -1, 0, size),
                  "file size %" PRIu64 " is not a multiple of 512", size);
    }
    if (c->end_at >= VHD_FOOTER_SIZE) {
        st = vd_ctx_read(ctx, 0, c->copy, VHD_FOOTER_SIZE);
        if (st != VD_OK) {
            return st;
        }
        c->copy_present = true;
        c->copy_cookie = vhd_footer_has_cookie(c->copy);
        c->copy_sum = c->copy_cookie && footer_sum_ok(c->copy);
        c->copy_sparse = type_is_sparse(vd_load_be32(c->copy + VHD_FOOTER_DISK_TYPE));
    }
    return VD_OK;
}

/* First and last differing byte of the two copies, for the mismatch finding. */
static void copy_difference(const struct footer_candidates *c, size_t *first, size_t *last)
{
    *first = VHD_FOOTER_SIZE;
    *last = 0;
    for (size_t i = 0; i < VHD_FOOTER_SIZE; i++) {
        if (c->end[i] != c->copy[i]) {
            *first = *first == VHD_FOOTER_SIZE ? i : *first;
            *last = i;
        }
    }
}

/* VHD-15: the copy at offset 0 of a dynamic or differencing disk. */
static void check_footer_copy(struct vd_ctx *ctx, const struct footer_candidates *c)
{
    size_t first;
    size_t last;

    if (!c->copy_cookie) {
        vd_report(ctx, VD_F_VHD_FOOTER_COPY_MISSING,
                  VD_LOC("vhd.footer_copy", -1, 0, VHD_FOOTER_SIZE),
                  "offset 0 holds no footer copy");
        return;
    }
    vd_claim(ctx, "vhd.footer_copy", -1, 0, VHD_FOOTER_SIZE, 0, VHD_FOOTER_SIZE);
    if (!c->copy_sum) {
        vhd_footer_check_checksum(ctx, "vhd.footer_copy", 0, c->copy);
    }
    if (!c->end_cookie) {
        return;
    }
    copy_difference(c, &first, &last);
    if (first < VHD_FOOTER_SIZE) {
        vd_report(ctx, VD_F_VHD_FOOTER_COPY_MISMATCH,
                  VD_LOC("vhd.footer_copy", -1, first, last - first + 1),
                  "the copy at offset 0 differs from the footer at 0x%" PRIx64 " in bytes %zu..%zu",
                  c->end_at, first, last);
    }
}

/*
 * Picks the footer to trust: a valid end footer, else a valid copy, else whichever has
 * its cookie. Reports the end footer's defects and the copy's (VHD-02, VHD-03, VHD-15).
 */
static bool footer_choose(struct vd_ctx *ctx, const struct footer_candidates *c,
                          struct vhd_image *img, const uint8_t **raw)
{
    bool use_copy;

    if (c->end_cookie && c->end_sum) {
        use_copy = false;
    } else if (c->copy_sum && c->copy_sparse) {
        use_copy = true;
    } else if (c->end_cookie) {
        use_copy = false;
    } else {
        use_copy = c->copy_cookie && c->copy_sparse;
    }
    if (!c->end_cookie) {
        char cookie[VD_TEXT_BYTES_CAP(8)];
        vd_text_bytes(c->end, 8, cookie, sizeof(cookie));
        vd_report_values(ctx, VD_F_VHD_FOOTER_COOKIE, VD_LOC("vhd.footer", -1, c->end_at, 8),
                         "conectix", cookie, "no footer at the end of the file (0x%" PRIx64 ")",
                         c->end_at);
    } else {
        vd_claim(ctx, "vhd.footer", -1, c->end_at, ctx->file_size - c->end_at, c->end_at, 8);
        if (!c->end_sum) {
            vhd_footer_check_checksum(ctx, "vhd.footer", c->end_at, c->end);
        }
    }
    if (!c->end_cookie && !use_copy) {
        vd_report(ctx, VD_F_VHD_FOOTER_UNUSABLE, VD_LOC("vhd.footer", -1, c->end_at, 8),
                  "neither the end of the file nor offset 0 holds a usable footer");
        return false;
    }
    if (use_copy) {
        vd_report(ctx, VD_F_VHD_FOOTER_COPY_USED,
                  VD_LOC("vhd.footer", -1, c->end_at, ctx->file_size - c->end_at),
                  "the footer at the end is unusable: the copy at offset 0 is used "
                  "(the file may be truncated)");
    }
    *raw = use_copy ? c->copy : c->end;
    img->footer_at = use_copy ? 0 : c->end_at;
    img->data_end = c->end_cookie ? c->end_at : ctx->file_size;
    vhd_footer_decode(*raw, &img->footer);
    if (type_is_sparse(img->footer.disk_type) && c->copy_present) {
        check_footer_copy(ctx, c);
    } else if (type_is_sparse(img->footer.disk_type)) {
        vd_report(ctx, VD_F_VHD_FOOTER_COPY_MISSING, VD_LOC("vhd.footer_copy", -1, 0, 0),
                  "the file is too small to hold a footer copy");
    }
    return true;
}

static void publish_semantics(struct vd_ctx *ctx, const struct vhd_image *img)
{
    vd_fact_str(ctx->semantics, "vhd_size", "current_size");
    if (img->sparse) {
        vd_fact_str(ctx->semantics, "vhd_bitmap", "honored");
    }
    vd_fact_str(ctx->semantics, "unallocated", img->differencing ? "parent" : "zero");
}

static void open_fixed(struct vd_ctx *ctx, struct vhd_image *img)
{
    uint64_t size = img->footer.current_size;
    uint64_t data = img->data_end;

    if (data < size) {
        vd_report(ctx, VD_F_VHD_FIXED_TRUNCATED,
                  VD_LOC("vhd.footer", -1, img->footer_at + VHD_FOOTER_CURRENT_SIZE, 8),
                  "%" PRIu64 " data bytes before the footer, current_size is %" PRIu64
                  "; the missing %" PRIu64 " bytes read as zero",
                  data, size, size - data);
    } else if (data > size) {
        vd_report(ctx, VD_F_VHD_FIXED_TRAILING_DATA, VD_LOC("vhd.data", -1, size, data - size),
                  "%" PRIu64 " bytes between the end of the disk and the footer", data - size);
    }
    vd_claim(ctx, "vhd.data", -1, 0, data < size ? data : size, 0, 0);
    ctx->info->variant = "fixed";
}

/*
 * VHD-23: a child records its parent's footer Unique Id and Time Stamp; the chain resolver
 * compares the two sets by name.
 */
static void publish_identity(struct vd_identity *id, const uint8_t uuid[16], uint32_t timestamp)
{
    char text[VD_GUID_TEXT_LEN];
    char when[16];

    vd_guid_format(uuid, VD_GUID_BYTES, text);
    vd_identity_add(id, "uuid", text);
    snprintf(when, sizeof(when), "%" PRIu32, timestamp);
    vd_identity_add(id, "timestamp", when);
}

static void publish_parent(struct vd_ctx *ctx, struct vd_fact *parent, const struct vhd_image *img,
                           const char *name)
{
    char text[VD_GUID_TEXT_LEN];
    char when[32];

    vd_guid_format(img->dyn.parent_uuid, VD_GUID_BYTES, text);
    vd_fact_str(parent, "uuid", text);
    vd_fact_u64(parent, "timestamp", img->dyn.parent_timestamp);
    vd_text_time_utc(VHD_EPOCH_UNIX + (int64_t)img->dyn.parent_timestamp, when);
    vd_fact_str(parent, "timestamp_utc", when);
    vd_fact_str(parent, "name", name);
    vd_identity_expect(&ctx->info->parent.expect, "uuid", text, "vhd.dynamic_header",
                       img->dyn_at + VHD_DYN_PARENT_UUID, 16);
    /* diskpart records no time stamp (0, vhd.dyn.parent_timestamp_zero): nothing to compare. */
    if (img->dyn.parent_timestamp != 0) {
        snprintf(when, sizeof(when), "%" PRIu32, img->dyn.parent_timestamp);
        vd_identity_expect(&ctx->info->parent.expect, "timestamp", when, "vhd.dynamic_header",
                           img->dyn_at + VHD_DYN_PARENT_TIMESTAMP, 4);
    }
    if (name[0] != '\0') {
        if (!vd_parent_hint_add(&ctx->info->parent, "parent name", name)) {
            vd_ctx_nomem(ctx);
        }
    }
}

static enum vd_status open_sparse(struct vd_ctx *ctx, struct vhd_image *img)
{
    struct vd_fact *dyn_facts;
    struct vd_fact *parent = NULL;
    char name[VD_TEXT_UTF16_CAP(256)];
    uint64_t avail;
    enum vd_status st;

    img->sparse = true;
    img->differencing = img->footer.disk_type == VHD_TYPE_DIFFERENCING;
    ctx->info->variant = img->differencing ? "differencing" : "dynamic";
    img->dyn_at = img->footer.data_offset;
    if (img->dyn_at >= ctx->file_size) {
        vd_report(ctx, VD_F_VHD_DYN_UNREADABLE,
                  VD_LOC("vhd.footer", -1, img->footer_at + VHD_FOOTER_DATA_OFFSET, 8),
                  "the dynamic header at 0x%" PRIx64 " lies outside the %" PRIu64 "-byte file",
                  img->dyn_at, ctx->file_size);
        return VD_E_CORRUPT;
    }
    /* A file cut inside the header still shows its leading fields: check what is there. */
    avail =
        ctx->file_size - img->dyn_at < VHD_DYN_SIZE ? ctx->file_size - img->dyn_at : VHD_DYN_SIZE;
    if (avail < VHD_DYN_SIZE) {
        vd_report(ctx, VD_F_VHD_DYN_UNREADABLE,
                  VD_LOC("vhd.dynamic_header", -1, img->dyn_at, avail),
                  "the file ends %" PRIu64 " bytes into the 1024-byte dynamic header", avail);
    }
    st = vd_ctx_read(ctx, img->dyn_at, img->dyn_raw, (size_t)avail);
    if (st != VD_OK) {
        return st;
    }
    vd_claim(ctx, "vhd.dynamic_header", -1, img->dyn_at, avail,
             img->footer_at + VHD_FOOTER_DATA_OFFSET, 8);
    vhd_dyn_decode(img->dyn_raw, &img->dyn);
    img->bat_usable = vhd_dyn_check(ctx, img->dyn_at, img->dyn_raw, &img->dyn, img->virtual_size,
                                    img->differencing, avail == VHD_DYN_SIZE);
    if (!vhd_dyn_has_cookie(img->dyn_raw)) {
        return VD_E_CORRUPT;
    }
    dyn_facts = vd_fact_object(ctx->details, "dynamic_header");
    vd_fact_u64(dyn_facts, "offset", img->dyn_at);
    vd_fact_u64(dyn_facts, "table_offset", img->dyn.table_offset);
    vd_fact_u64(dyn_facts, "max_table_entries", img->dyn.max_table_entries);
    vd_fact_u64(dyn_facts, "block_size", img->dyn.block_size);
    vhd_dyn_parent_name(img->dyn_raw, name, sizeof(name));
    if (img->differencing) {
        parent = vd_fact_object(ctx->details, "parent");
        publish_parent(ctx, parent, img, name);
    }
    st = vhd_locators_walk(ctx, img->dyn_at, img->dyn_raw, img->differencing, img->data_end, name,
                           parent);
    if (st != VD_OK || !img->bat_usable) {
        return st;
    }
    ctx->info->block_size = img->dyn.block_size;
    img->sectors_per_block = img->dyn.block_size / VHD_SECTOR;
    img->bitmap_bytes = vhd_bitmap_bytes(img->dyn.block_size);
    img->blocks_needed = vd_div_round_up(img->virtual_size, img->dyn.block_size);
    vd_bitmap_cache_init(&img->bitmap, (size_t)img->bitmap_bytes);
    vhd_bat_init(ctx, &img->bat, img->dyn.table_offset, img->dyn.max_table_entries,
                 img->blocks_needed);
    return VD_OK;
}

enum vd_status vhd_open(struct vd_ctx *ctx, void **state)
{
    struct footer_candidates cand;
    struct vhd_image *img;
    const uint8_t *raw = NULL;
    enum vd_status st;

    *state = NULL;
    ctx->info->logical_sector_size = VHD_SECTOR;
    if (ctx->file_size < VHD_FOOTER_SIZE) {
        vd_report(ctx, VD_F_VHD_FILE_TOO_SMALL, VD_LOC("vhd.file", -1, 0, ctx->file_size),
                  "%" PRIu64 " bytes cannot hold a 512-byte footer", ctx->file_size);
        return VD_E_CORRUPT;
    }
    img = vd_calloc_array(1, sizeof(*img));
    if (img == NULL) {
        return VD_E_NOMEM;
    }
    vd_bitmap_cache_init(&img->bitmap, 0); /* sized once the block size is known */
    *state = img;
    st = footer_candidates_read(ctx, &cand);
    if (st != VD_OK) {
        return st;
    }
    if (!footer_choose(ctx, &cand, img, &raw)) {
        return VD_E_CORRUPT;
    }
    vd_fact_str(ctx->details, "footer_used", img->footer_at == 0 ? "copy_at_0" : "end");
    vhd_footer_publish(vd_fact_object(ctx->details, "footer"), &img->footer);
    publish_identity(&ctx->info->identity, img->footer.uuid, img->footer.timestamp);
    if (!vhd_footer_check(ctx, img->footer_at, raw, &img->footer)) {
        return VD_E_CORRUPT;
    }
    img->virtual_size = img->footer.current_size;
    ctx->info->has_virtual_size = true;
    ctx->info->virtual_size = img->virtual_size;
    if (img->footer.disk_type == VHD_TYPE_FIXED) {
        open_fixed(ctx, img);
    } else {
        st = open_sparse(ctx, img);
    }
    publish_semantics(ctx, img);
    ctx->info->mappable = st == VD_OK && (!img->sparse || img->bat_usable);
    ctx->info->needs_parent = img->differencing;
    return st;
}

/* Sectors of block `index` that lie inside the disk size. */
static uint64_t block_disk_sectors(const struct vhd_image *img, uint32_t index)
{
    uint64_t start = (uint64_t)index * img->dyn.block_size;
    uint64_t left;

    if (start >= img->virtual_size) {
        return 0;
    }
    left = vd_div_round_up(img->virtual_size - start, VHD_SECTOR);
    return left < img->sectors_per_block ? left : img->sectors_per_block;
}

/*
 * Examining a block reads its bitmap and the data its clear bits leave: bytes of the block
 * inside the file. Blocks that do not overlap hold at most the file's bytes between them,
 * so the blocks examined may hold twice that; past it, blocks share bytes (the accounting
 * reports image.extent.overlap / duplicate) and the rest are claimed but not examined again,
 * counted in details.blocks_not_examined. Without the bound, n entries naming one block made
 * the walk read n times the file (found by tests/fuzz).
 */
static bool examine_budget(const struct vd_ctx *ctx, const struct vhd_image *img,
                           uint64_t bitmap_at, uint64_t *examined)
{
    uint64_t in_file = bitmap_at < ctx->file_size ? ctx->file_size - bitmap_at : 0;
    uint64_t budget = ctx->file_size * 2 > ctx->file_size ? ctx->file_size * 2 : UINT64_MAX;

    if (in_file > img->bitmap_bytes + img->dyn.block_size) {
        in_file = img->bitmap_bytes + img->dyn.block_size;
    }
    if (in_file > budget - *examined) {
        return false;
    }
    *examined += in_file;
    return true;
}

static enum vd_status walk_block(struct vd_ctx *ctx, struct vhd_image *img, uint32_t index,
                                 uint32_t entry, uint8_t *scratch, struct vd_tally *past,
                                 uint64_t *examined, uint64_t *not_examined)
{
    struct vhd_block_loc b;
    bool loaded;
    enum vd_status st;

    b.index = index;
    b.entry_at = vd_table32_entry_offset(&img->bat, index);
    b.bitmap_at = (uint64_t)entry * VHD_SECTOR;
    b.data_at = b.bitmap_at + img->bitmap_bytes;
    b.sectors = img->sectors_per_block;
    b.disk_sectors = block_disk_sectors(img, index);
    vd_claim(ctx, "vhd.block", index, b.bitmap_at, img->bitmap_bytes + img->dyn.block_size,
             b.entry_at, 4);
    if (index >= img->blocks_needed) {
        vd_tally_note(past, index); /* VHD-26: one finding for all, at the first */
        return VD_OK;
    }
    if (!examine_budget(ctx, img, b.bitmap_at, examined)) {
        (*not_examined)++;
        return VD_OK;
    }
    st = vd_bitmap_cache_load(ctx, &img->bitmap, index, b.bitmap_at, &loaded);
    if (st != VD_OK || !loaded) {
        return st;
    }
    return vhd_bitmap_check(ctx, &b, img->bitmap.bits, scratch, VD_TABLE_CHUNK);
}

/*
 * Entries to visit. A table cut off by EOF is followed by whatever the file holds next,
 * not by BAT entries: then only the entries the disk size needs are read.
 */
static uint32_t walk_entries(const struct vhd_image *img)
{
    if (img->bat.readable < img->bat.entries && img->blocks_needed < img->bat.readable) {
        return (uint32_t)img->blocks_needed;
    }
    return img->bat.readable;
}

enum vd_status vhd_walk(struct vd_ctx *ctx, void *state)
{
    struct vhd_image *img = state;
    uint8_t *scratch = NULL;
    uint64_t allocated = 0;
    uint64_t examined = 0;
    uint64_t not_examined = 0;
    struct vd_tally past = {0};
    enum vd_status st = VD_OK;

    if (!img->sparse || !img->bat_usable) {
        return VD_OK;
    }
    scratch = vd_malloc(VD_TABLE_CHUNK); /* a read-ahead buffer, not a block: any size works */
    if (scratch == NULL) {
        return VD_E_NOMEM;
    }
    for (uint32_t i = 0; i < walk_entries(img); i++) {
        uint32_t entry;
        st = vd_table32_get(ctx, &img->bat, i, &entry);
        if (st != VD_OK) {
            goto out;
        }
        if (entry == VHD_BAT_UNUSED) {
            continue;
        }
        allocated++;
        st = walk_block(ctx, img, i, entry, scratch, &past, &examined, &not_examined);
        if (st != VD_OK) {
            goto out;
        }
    }
    if (past.count > 0) {
        vd_report(ctx, VD_F_VHD_BAT_PAST_DISK_END,
                  VD_LOC("vhd.bat", (int64_t)past.first,
                         vd_table32_entry_offset(&img->bat, (uint32_t)past.first), 4),
                  "%" PRIu64 " entries from index %" PRIu32 " on are allocated, but the disk "
                  "has only %" PRIu64 " blocks",
                  past.count, (uint32_t)past.first, img->blocks_needed);
    }
    vd_fact_u64(ctx->details, "allocated_blocks", allocated);
    vd_fact_u64(ctx->details, "blocks", img->blocks_needed);
    if (not_examined > 0) {
        vd_fact_u64(ctx->details, "blocks_not_examined", not_examined);
    }
out:
    vd_free(scratch);
    return st;
}

static enum vd_status map_sparse(struct vd_ctx *ctx, struct vhd_image *img, uint64_t offset,
                                 struct vd_extent *out)
{
    uint64_t bs = img->dyn.block_size;
    uint64_t block = offset / bs;
    uint64_t block_end = (block + 1) * bs;
    enum vd_extent_kind absent = img->differencing ? VD_EXTENT_PARENT : VD_EXTENT_UNALLOCATED;
    uint64_t in_block = offset - block * bs;
    uint64_t sector;
    uint64_t run;
    uint64_t bitmap_at;
    uint32_t entry = VHD_BAT_UNUSED;
    bool loaded = false;
    bool set;
    enum vd_status st;

    if (block >= img->bat.readable) {
        /*
         * Past the BAT the file holds (max_table_entries, or EOF) no block is stored: the
         * rest of the disk is one extent. Block by block, a huge current_size behind a short
         * BAT made map and hash loop for years (found by tests/fuzz).
         */
        vd_extent_set(out, offset, img->virtual_size - offset, absent, 0);
        return VD_OK;
    }
    if (block_end > img->virtual_size) {
        block_end = img->virtual_size;
    }
    st = vd_table32_get(ctx, &img->bat, (uint32_t)block, &entry);
    if (st != VD_OK) {
        return st;
    }
    if (entry == VHD_BAT_UNUSED) {
        vd_extent_set(out, offset, block_end - offset, absent, 0);
        return VD_OK;
    }
    bitmap_at = (uint64_t)entry * VHD_SECTOR;
    st = vd_bitmap_cache_load(ctx, &img->bitmap, block, bitmap_at, &loaded);
    if (st != VD_OK) {
        return st;
    }
    if (!loaded) {
        vd_extent_set(out, offset, block_end - offset, VD_EXTENT_UNALLOCATED, 0);
        return VD_OK;
    }
    sector = in_block / VHD_SECTOR;
    run = vhd_bitmap_run(img->bitmap.bits, sector, img->sectors_per_block, &set);
    if ((sector + run) * VHD_SECTOR + block * bs < block_end) {
        block_end = (sector + run) * VHD_SECTOR + block * bs;
    }
    if (!set) {
        vd_extent_set(out, offset, block_end - offset, absent, 0);
    } else {
        vd_extent_file_data(ctx, out, offset, block_end - offset,
                            bitmap_at + img->bitmap_bytes + in_block);
    }
    return VD_OK;
}

enum vd_status vhd_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out)
{
    struct vhd_image *img = state;

    if (img->sparse) {
        return map_sparse(ctx, img, offset, out);
    }
    if (offset < img->data_end) {
        vd_extent_file_data(ctx, out, offset, img->virtual_size - offset, offset);
        if (out->kind == VD_EXTENT_DATA && out->offset + out->length > img->data_end) {
            out->length = img->data_end - out->offset;
        }
    } else {
        vd_extent_set(out, offset, img->virtual_size - offset, VD_EXTENT_UNALLOCATED, 0);
    }
    return VD_OK;
}

void vhd_close(void *state)
{
    struct vhd_image *img = state;

    if (img == NULL) {
        return;
    }
    vd_bitmap_cache_fini(&img->bitmap);
    vd_free(img);
}
