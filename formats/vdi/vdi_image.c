/*
 * VDI open / walk / map. Virtual block b lives at data_offset + map[b] * stride +
 * cbBlockExtra (VirtualBox VDICore.h: the extra data precedes each block's data).
 */
#include "vdi_image.h"

#include <inttypes.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_block_use.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_guid.h"

int vdi_probe(const struct vd_probe_input *in)
{
    static const char text_end[] = "Disk Image >>>\n";

    if (in->head_len >= VDI_PREHEADER_SIZE &&
        vd_load_le32(in->head + VDI_SIGNATURE_AT) == VDI_SIGNATURE) {
        return 100;
    }
    /* A damaged signature: the text every writer puts first still says VDI. */
    if (in->head_len >= VDI_PREHEADER_SIZE && memcmp(in->head, "<<< ", 4) == 0) {
        size_t len = strnlen((const char *)in->head, VDI_TEXT_SIZE);
        if (len > sizeof(text_end) - 1 &&
            memcmp(in->head + len - (sizeof(text_end) - 1), text_end, sizeof(text_end) - 1) == 0) {
            return 40;
        }
    }
    return 0;
}

static const char *variant_name(uint32_t type)
{
    switch (type) {
    case VDI_TYPE_FIXED:
        return "static";
    case VDI_TYPE_UNDO:
        return "undo";
    case VDI_TYPE_DIFF:
        return "differencing";
    default:
        return "dynamic";
    }
}

/* A child's link names this image by its creation UUID and the modify UUID it had (VDI-08). */
static void publish_identity(struct vd_ctx *ctx, const struct vdi_header *h)
{
    char text[VD_GUID_TEXT_LEN];

    vd_guid_format(h->uuid_create, VD_GUID_MS_MIXED, text);
    vd_identity_add(&ctx->info->identity, "uuid_create", text);
    vd_guid_format(h->uuid_modify, VD_GUID_MS_MIXED, text);
    vd_identity_add(&ctx->info->identity, "uuid_modify", text);
}

/* VDI stores no path to the parent: it is found among the images of the folder by UUID. */
static void publish_parent(struct vd_ctx *ctx, const struct vdi_header *h)
{
    struct vd_fact *parent = vd_fact_object(ctx->details, "parent");
    char text[VD_GUID_TEXT_LEN];

    vd_guid_format(h->uuid_link, VD_GUID_MS_MIXED, text);
    vd_fact_str(parent, "uuid_create", text); /* must equal the parent's creation UUID */
    vd_identity_expect(&ctx->info->parent.expect, "uuid_create", text, "vdi.header",
                       h->at->uuid_link, 16);
    if (h->uuid_parent_modify != NULL) {
        vd_guid_format(h->uuid_parent_modify, VD_GUID_MS_MIXED, text);
        vd_fact_str(parent, "uuid_modify", text); /* must equal the parent's modify UUID */
        vd_identity_expect(&ctx->info->parent.expect, "uuid_modify", text, "vdi.header",
                           h->at->uuid_parent_modify, 16);
    }
    ctx->info->parent.search_folder = true;
}

/* File offset of data block `entry`'s data; false when it does not fit in 64 bits. */
static bool block_data_at(const struct vdi_image *img, uint32_t entry, uint64_t *at)
{
    return !vd_ckd_index_u64(at, img->hdr.data_offset + img->hdr.block_extra, entry, img->stride);
}

/*
 * Writers align the block map and the data to sectors or 1 MiB (VDI-04); the gaps before
 * them are taken as padding when they hold zeros, else left to the slack accounting.
 * VDI-12: the file must reach offData even with no block allocated. A file that ends in
 * the gap after the map is reported beyond EOF (at the field that puts the data there);
 * one that ends inside the map already has vdi.map.truncated.
 */
static enum vd_status claim_paddings(struct vd_ctx *ctx, const struct vdi_header *h)
{
    uint64_t map_end = h->blocks_offset + (uint64_t)h->blocks * 4;
    uint32_t data_field = h->at->data_offset != 0 ? h->at->data_offset : h->at->blocks;
    enum vd_status st = VD_OK;

    if (h->blocks_offset > h->claim_end) {
        st = vd_claim_padding(ctx, "vdi.header_padding", h->claim_end,
                              h->blocks_offset - h->claim_end);
    }
    if (st != VD_OK || h->data_offset <= map_end || map_end > ctx->file_size) {
        return st;
    }
    if (h->data_offset > ctx->file_size) {
        (void)vd_claim(ctx, "vdi.map_padding", -1, map_end, h->data_offset - map_end, data_field,
                       4);
        return VD_OK;
    }
    return vd_claim_padding(ctx, "vdi.map_padding", map_end, h->data_offset - map_end);
}

enum vd_status vdi_open(struct vd_ctx *ctx, void **state)
{
    struct vdi_image *img;
    size_t avail;
    uint64_t minimum;
    enum vd_status st;

    *state = NULL;
    ctx->info->logical_sector_size = VDI_SECTOR;
    if (ctx->file_size < VDI_PREHEADER_SIZE) {
        vd_report(ctx, VD_F_VDI_FILE_TOO_SMALL, VD_LOC("vdi.file", -1, 0, ctx->file_size),
                  "%" PRIu64 " bytes cannot hold the 72-byte pre-header", ctx->file_size);
        return VD_E_CORRUPT;
    }
    img = vd_calloc_array(1, sizeof(*img));
    if (img == NULL) {
        return VD_E_NOMEM;
    }
    *state = img;
    avail = ctx->file_size < VDI_HEADER_READ ? (size_t)ctx->file_size : VDI_HEADER_READ;
    st = vd_ctx_read(ctx, 0, img->raw, avail);
    if (st != VD_OK) {
        return st;
    }
    if (!vdi_header_decode(ctx, img->raw, &img->hdr)) {
        return VD_E_CORRUPT;
    }
    minimum =
        VDI_PREHEADER_SIZE + (img->hdr.version >> 16 == 0 ? VDI0_HEADER_SIZE : VDI1_HEADER_MIN);
    if (ctx->file_size < minimum) {
        vd_report(ctx, VD_F_VDI_FILE_TOO_SMALL, VD_LOC("vdi.file", -1, 0, ctx->file_size),
                  "%" PRIu64 " bytes cannot hold the %" PRIu64 "-byte pre-header and header",
                  ctx->file_size, minimum);
        return VD_E_CORRUPT;
    }
    vd_claim(ctx, "vdi.header", -1, 0, img->hdr.claim_end, 0, 0);
    img->map_usable = vdi_header_check(ctx, img->raw, &img->hdr);
    img->has_parent = vdi_type_has_parent(img->hdr.type);
    img->stride = (uint64_t)img->hdr.block_size + img->hdr.block_extra;

    ctx->info->variant = variant_name(img->hdr.type);
    ctx->info->has_virtual_size = true;
    ctx->info->virtual_size = img->hdr.disk_size;
    ctx->info->block_size = img->hdr.block_size;
    ctx->info->needs_parent = img->has_parent;
    vd_fact_str(ctx->semantics, "vdi_size", "declared");
    vd_fact_str(ctx->semantics, "unallocated", img->has_parent ? "parent" : "zero");
    publish_identity(ctx, &img->hdr);
    if (img->has_parent) {
        publish_parent(ctx, &img->hdr);
    }
    if (!img->map_usable) {
        return VD_OK;
    }
    img->blocks_needed = vd_div_round_up(img->hdr.disk_size, img->hdr.block_size);
    vdi_map_init(ctx, &img->map, img->hdr.blocks_offset, img->hdr.blocks);
    /* A disk the map does not cover (too few blocks, map cut off) is not hashed: guessing
     * zeros for it would describe a disk nobody wrote, and may run for ever. */
    ctx->info->mappable = img->map.readable >= img->blocks_needed;
    return claim_paddings(ctx, &img->hdr);
}

/* What the walk counts, and the first offender of each finding reported once. */
struct vdi_walk {
    uint64_t allocated, free, zero;
    struct vd_tally past_end, not_identity;
    struct vd_block_use use;
};

static void walk_allocated(struct vd_ctx *ctx, struct vdi_image *img, struct vdi_walk *w,
                           uint32_t index, uint32_t entry)
{
    uint64_t entry_at = vd_table32_entry_offset(&img->map, index);
    uint64_t at;

    if (index >= img->blocks_needed) {
        vd_tally_note(&w->past_end, index);
    }
    if (entry >= img->hdr.blocks_allocated) {
        vd_report(ctx, VD_F_VDI_MAP_ENTRY_RANGE, VD_LOC("vdi.map", index, entry_at, 4),
                  "entry %" PRIu32 " points at data block %" PRIu32 ", but only %" PRIu32
                  " are allocated",
                  index, entry, img->hdr.blocks_allocated);
    }
    (void)vd_block_use_take(&w->use, ctx, index, entry_at, entry, &at);
}

static void report_tally(struct vd_ctx *ctx, const struct vdi_image *img, enum vd_finding_id id,
                         const struct vd_tally *t, const char *what)
{
    if (t->count > 0) {
        vd_report(ctx, id,
                  VD_LOC("vdi.map", (int64_t)t->first,
                         vd_table32_entry_offset(&img->map, (uint32_t)t->first), 4),
                  "%" PRIu64 " entries %s, the first is entry %" PRIu64, t->count, what, t->first);
    }
}

static void walk_report(struct vd_ctx *ctx, const struct vdi_image *img, const struct vdi_walk *w)
{
    const struct vdi_header *h = &img->hdr;

    if (w->allocated != h->blocks_allocated) {
        vd_report(ctx, VD_F_VDI_MAP_ALLOCATED_COUNT,
                  VD_LOC("vdi.header", -1, h->at->blocks_allocated, 4),
                  "cBlocksAllocated is %" PRIu32 ", the map has %" PRIu64 " allocated entries",
                  h->blocks_allocated, w->allocated);
    }
    report_tally(ctx, img, VD_F_VDI_MAP_PAST_DISK_END, &w->past_end,
                 "beyond the disk size are allocated");
    report_tally(ctx, img, VD_F_VDI_MAP_FIXED_NOT_IDENTITY, &w->not_identity,
                 "of the fixed image are not entry i = block i");
    vd_claim_trailing(ctx, VD_F_VDI_FILE_TRAILING_DATA, "vdi.trailing", w->use.end); /* VDI-12 */
    vd_fact_u64(ctx->details, "blocks_needed", img->blocks_needed);
    vd_fact_u64(ctx->details, "blocks_allocated", w->allocated);
    vd_fact_u64(ctx->details, "blocks_free", w->free);
    vd_fact_u64(ctx->details, "blocks_zero", w->zero);
}

enum vd_status vdi_walk(struct vd_ctx *ctx, void *state)
{
    struct vdi_image *img = state;
    struct vdi_walk w = {0};
    enum vd_status st;

    if (!img->map_usable) {
        return VD_OK;
    }
    st = vd_block_use_init(&w.use, ctx,
                           &(struct vd_block_layout){img->hdr.data_offset, img->stride, "vdi.map",
                                                     "vdi.block", VD_F_VDI_MAP_DUPLICATE});
    for (uint32_t i = 0; st == VD_OK && i < img->map.readable; i++) {
        uint32_t entry;
        st = vd_table32_get(ctx, &img->map, i, &entry);
        if (st != VD_OK) {
            break;
        }
        if (img->hdr.type == VDI_TYPE_FIXED && entry != i) {
            vd_tally_note(&w.not_identity, i);
        }
        if (entry == VDI_BLOCK_FREE) {
            w.free++;
        } else if (entry == VDI_BLOCK_ZERO) {
            w.zero++;
        } else {
            w.allocated++;
            walk_allocated(ctx, img, &w, i, entry);
        }
    }
    if (st == VD_OK) {
        w.free += img->map.entries - img->map.readable;
        walk_report(ctx, img, &w);
    }
    vd_block_use_fini(&w.use);
    return st;
}

enum vd_status vdi_map(struct vd_ctx *ctx, void *state, uint64_t offset, struct vd_extent *out)
{
    struct vdi_image *img = state;
    uint64_t bs = img->hdr.block_size;
    uint64_t block = offset / bs;
    uint64_t end = block < UINT64_MAX / bs ? (block + 1) * bs : UINT64_MAX;
    uint64_t at;
    uint32_t entry;
    enum vd_status st;

    if (end > img->hdr.disk_size) {
        end = img->hdr.disk_size;
    }
    /* Called only when mappable: the map holds every block of the disk. */
    st = vd_table32_get(ctx, &img->map, (uint32_t)block, &entry);
    if (st != VD_OK) {
        return st;
    }
    if (entry == VDI_BLOCK_FREE) {
        vd_extent_set(out, offset, end - offset,
                      img->has_parent ? VD_EXTENT_PARENT : VD_EXTENT_UNALLOCATED, 0);
    } else if (entry == VDI_BLOCK_ZERO) {
        vd_extent_set(out, offset, end - offset, VD_EXTENT_ZERO, 0);
    } else if (!block_data_at(img, entry, &at) || at > UINT64_MAX - bs) {
        vd_extent_set(out, offset, end - offset, VD_EXTENT_UNALLOCATED, 0);
    } else {
        vd_extent_file_data(ctx, out, offset, end - offset, at + (offset - block * bs));
    }
    return VD_OK;
}

void vdi_close(void *state)
{
    vd_free(state);
}
