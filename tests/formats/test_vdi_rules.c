/*
 * One test per VDI rule (VDI-01..VDI-12, ../shared/reference/checks.md §4.3): build a valid
 * image from named fields, change one field, and expect exactly the finding ids at exactly
 * the offsets of the bytes at fault. Virtual-disk hashes are computed here from the
 * fixture's description (the block pattern and the map layout), never from vdcheck.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_bytes.h"
#include "vd_test.h"
#include "vd_test_corpus.h"
#include "vd_test_image.h"
#include "vdi_fixture.h"
#include "vdi_layout.h"

#define SHA256_MASK (1u << VD_DIGEST_SHA256)

struct fx {
    struct vdi_fixture f;
    struct vdi_fixture_image img;
    struct vd_image_result *r;
};

static void fx_build(struct fx *x)
{
    vdi_fixture_free(&x->img);
    if (!vdi_fixture_build(&x->f, &x->img)) {
        abort();
    }
}

static struct fx fx_new(uint32_t type)
{
    struct fx x;

    memset(&x, 0, sizeof(x));
    vdi_fixture_defaults(&x.f, type);
    fx_build(&x);
    return x;
}

static const struct vd_image_result *fx_run_hash(struct fx *x, unsigned mask)
{
    vd_result_free(x->r);
    x->r = vd_test_analyze(x->img.data, x->img.len, mask);
    return x->r;
}

static const struct vd_image_result *fx_run(struct fx *x)
{
    return fx_run_hash(x, 0);
}

static void fx_free(struct fx *x)
{
    vd_result_free(x->r);
    vdi_fixture_free(&x->img);
}

static void put32(struct fx *x, uint64_t at, uint32_t v)
{
    vd_store_le32(x->img.data + at, v);
}

static void put64(struct fx *x, uint64_t at, uint64_t v)
{
    vd_store_le64(x->img.data + at, v);
}

/* Grows (zero-filled) or shrinks the file. */
static void fx_resize(struct fx *x, size_t len)
{
    uint8_t *p = realloc(x->img.data, len);

    if (p == NULL) {
        abort();
    }
    if (len > x->img.len) {
        memset(p + x->img.len, 0, len - x->img.len);
    }
    x->img.data = p;
    x->img.len = len;
}

/* The one finding `id` has exactly `length` bytes. */
static void expect_length(const struct vd_image_result *r, const char *id, uint64_t length)
{
    size_t seen = 0;

    for (size_t i = 0; i < r->findings.count; i++) {
        const struct vd_finding *f = &r->findings.items[i];
        if (strcmp(vd_catalog_get(f->id)->id, id) == 0) {
            EXPECT_U64(f->loc.length, length);
            seen++;
        }
    }
    EXPECT_U64(seen, 1);
}

/* ---- the virtual disk, built from the fixture's description ---- */

/* disk_size bytes: 'D' blocks hold their pattern, everything else reads as zero. */
static uint8_t *expected_disk(const struct vdi_fixture *f, uint32_t blocks)
{
    uint8_t *disk = calloc(1, (size_t)f->disk_size + 1);
    size_t len = strlen(f->layout);

    if (disk == NULL) {
        abort();
    }
    for (uint32_t i = 0; i < len && i < blocks; i++) {
        uint64_t first = (uint64_t)i * f->block_size;
        if (f->layout[i] != 'D') {
            continue;
        }
        for (uint64_t o = 0; o < f->block_size && first + o < f->disk_size; o++) {
            disk[first + o] = vdi_fixture_pattern(i, o);
        }
    }
    return disk;
}

static void expect_virtual_hash(struct fx *x)
{
    uint8_t *disk = expected_disk(&x->f, x->img.blocks);
    char want[65];

    vd_test_sha256_hex(disk, (size_t)x->f.disk_size, want);
    free(disk);
    EXPECT((x->r->virtual_disk.mask & SHA256_MASK) != 0);
    EXPECT_STR(x->r->virtual_disk.hex[VD_DIGEST_SHA256], want);
    EXPECT_U64(x->r->info.virtual_size, x->f.disk_size);
}

/* ---- clean fixtures ---- */

VD_TEST(vdi_fixture_normal_is_clean)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    EXPECT_NO_FINDINGS(fx_run_hash(&x, SHA256_MASK));
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    EXPECT_STR(x.r->info.format, "vdi");
    EXPECT_STR(x.r->info.variant, "dynamic");
    EXPECT_STR(vd_test_detail_str(x.r, "header", "version"), "1.1");
    EXPECT_U64(vd_test_detail_u64(x.r, "header", "header_size"), 0x190);
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_fixture_qemu_header_0x180_is_clean)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.header_size = VDI1_HEADER_MIN;
    fx_build(&x);
    EXPECT_NO_FINDINGS(fx_run_hash(&x, SHA256_MASK));
    EXPECT_U64(vd_test_detail_u64(x.r, "header", "header_size"), 0x180);
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_fixture_fixed_is_clean)
{
    struct fx x = fx_new(VDI_TYPE_FIXED);
    EXPECT_NO_FINDINGS(fx_run_hash(&x, SHA256_MASK));
    EXPECT_STR(x.r->info.variant, "static");
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_allocated", NULL), 4);
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* Undo and diff images need a parent: no hash, the parent's identity in details.parent. */
static void expect_child(uint32_t type, const char *variant)
{
    struct fx x = fx_new(type);
    char text[37];

    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"image.parent.unresolved", 0},
                    {"vdi.compat.qemu", x.img.at.uuid_link},
                    {"vdi.compat.qemu", x.img.at.uuid_parent_modify});
    EXPECT_STR(x.r->info.variant, variant);
    EXPECT(x.r->info.needs_parent);
    EXPECT_U64(x.r->virtual_disk.mask & SHA256_MASK, 0);
    vdi_fixture_uuid_text(x.f.uuid_link, text);
    EXPECT_STR(vd_test_detail_str(x.r, "parent", "uuid_create"), text);
    EXPECT_STR(vd_test_detail_str(x.r, "header", "uuid_link"), text);
    vdi_fixture_uuid_text(x.f.uuid_parent_modify, text);
    EXPECT_STR(vd_test_detail_str(x.r, "parent", "uuid_modify"), text);
    EXPECT_STR(vd_test_detail_str(x.r, "header", "uuid_parent_modify"), text);
    vdi_fixture_uuid_text(x.f.uuid_create, text);
    EXPECT_STR(vd_test_detail_str(x.r, "header", "uuid_create"), text);
    fx_free(&x);
}

VD_TEST(vdi_fixture_diff_needs_parent)
{
    expect_child(VDI_TYPE_DIFF, "differencing");
}

VD_TEST(vdi_fixture_undo_needs_parent)
{
    expect_child(VDI_TYPE_UNDO, "undo");
}

VD_TEST(vdi_fixture_uuids_are_mixed_endian)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    fx_run(&x);
    EXPECT_STR(vd_test_detail_str(x.r, "header", "uuid_create"),
               "10111213-1415-1617-1819-1a1b1c1d1e1f");
    EXPECT_STR(vd_test_detail_str(x.r, "header", "uuid_modify"),
               "30313233-3435-3637-3839-3a3b3c3d3e3f");
    EXPECT(x.img.data[VDI1_UUID_CREATE_AT] == 0x13 && x.img.data[VDI1_UUID_CREATE_AT + 4] == 0x15);
    fx_free(&x);
}

/* Version 0: no offsets, map right after the 0x15C-byte header, data right after the map. */
VD_TEST(vdi_fixture_v0_is_read)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.version = 0x00000002u;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.compat.qemu", VDI_VERSION_AT});
    EXPECT_STR(vd_test_detail_str(x.r, "header", "version"), "0.2");
    EXPECT_U64(vd_test_detail_u64(x.r, "header", "blocks_offset"), 0x1A4);
    EXPECT_U64(vd_test_detail_u64(x.r, "header", "data_offset"), 0x1A4 + 16);
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_allocated", NULL), 2);
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_fixture_v0_fixed_is_read)
{
    struct fx x = fx_new(VDI_TYPE_FIXED);
    x.f.version = 0x00000002u;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.compat.qemu", VDI_VERSION_AT});
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_fixture_v1_0_is_read)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.version = 0x00010000u;
    x.f.header_size = VDI1_HEADER_MIN;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.compat.qemu", VDI_VERSION_AT});
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* ---- contents: counts, hashes, layouts ---- */

VD_TEST(vdi_free_and_zero_blocks_are_counted_apart)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.disk_size = 7u << 20;
    x.f.layout = "zD..zzD";
    fx_build(&x);
    EXPECT_NO_FINDINGS(fx_run_hash(&x, SHA256_MASK));
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_allocated", NULL), 2);
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_free", NULL), 2);
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_zero", NULL), 3);
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_needed", NULL), 7);
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* The map, not the file order, says where a block is. */
VD_TEST(vdi_data_blocks_in_reverse_order)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "DDzD";
    x.f.reverse_data = true;
    fx_build(&x);
    EXPECT(x.img.entry[0] == 2 && x.img.entry[3] == 0);
    EXPECT_NO_FINDINGS(fx_run_hash(&x, SHA256_MASK));
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* VDI-07: the declared size is hashed, not QEMU's round-up nor VirtualBox's round-down. */
VD_TEST(vdi_07_odd_disk_size_hashes_declared_bytes)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.disk_size = (4u << 20) - 1000;
    x.f.layout = "D.zD";
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK),
                    {"vdi.header.disk_size_unaligned", x.img.at.disk_size});
    expect_length(x.r, "vdi.header.disk_size_unaligned", 8);
    EXPECT_U64(vd_test_detail_u64(x.r, "header", "disk_size_qemu"), (4u << 20) - 512);
    EXPECT_U64(vd_test_detail_u64(x.r, "header", "disk_size_virtualbox"), (4u << 20) - 1024);
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* cbBlockExtra bytes (0xEE here) precede each block's data and are not disk data. */
VD_TEST(vdi_block_extra_precedes_data)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.block_extra = 512;
    x.f.layout = "DD.D";
    fx_build(&x);
    EXPECT_U64(x.img.stride, (1u << 20) + 512);
    EXPECT(x.img.data[x.img.block_at[1]] == VDI_FIXTURE_EXTRA_BYTE);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.compat.qemu", x.img.at.block_extra});
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* Block sizes other than 1 MiB: VirtualBox reads them, QEMU does not. */
static void expect_block_size(uint32_t block_size, bool in_range)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.block_size = block_size;
    x.f.disk_size = 5 * (uint64_t)block_size - 512;
    x.f.layout = "Dz.DD";
    fx_build(&x);
    fprintf(stderr, "  block size %u\n", block_size);
    if (in_range) {
        EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.compat.qemu", x.img.at.block_size});
    } else {
        EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.compat.qemu", x.img.at.block_size},
                        {"vdi.header.block_size_range", x.img.at.block_size});
    }
    EXPECT_U64(x.r->info.block_size, block_size);
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_allocated", NULL), 3);
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_block_sizes_4k_64k_2m)
{
    expect_block_size(4096, false);
    expect_block_size(64u << 10, false);
    expect_block_size(128u << 10, true);
    expect_block_size(2u << 20, true);
}

/* ---- VDI-01: pre-header ---- */

VD_TEST(vdi_01_file_too_small)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.img.len = 0x100; /* the pre-header and a part of the header */
    EXPECT_FINDINGS(fx_run(&x), {"vdi.file.too_small", 0});
    expect_length(x.r, "vdi.file.too_small", 0x100);
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vdi_01_file_too_small_v0)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.version = 0x00000002u;
    fx_build(&x);
    x.img.len = VDI_PREHEADER_SIZE + VDI0_HEADER_SIZE - 1;
    EXPECT_FINDINGS(fx_run(&x), {"vdi.file.too_small", 0});
    fx_free(&x);
}

VD_TEST(vdi_01_signature)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, VDI_SIGNATURE_AT, 0xBEDA1070u);
    /* The text still says VDI: read on, and the rest is valid. */
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.preheader.signature", VDI_SIGNATURE_AT});
    expect_length(x.r, "vdi.preheader.signature", 4);
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_01_text)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.img.data[1] = 'X'; /* "<X< Oracle ..." */
    EXPECT_FINDINGS(fx_run(&x), {"vdi.preheader.text", 0});
    expect_length(x.r, "vdi.preheader.text", 64);
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN); /* informational only */
    fx_free(&x);
}

VD_TEST(vdi_01_text_and_signature_both_gone_is_unrecognized)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.img.data[0] = 'X';
    put32(&x, VDI_SIGNATURE_AT, 0);
    EXPECT_NO_FINDINGS(fx_run(&x));
    EXPECT_U64(x.r->verdict, VD_VERDICT_UNRECOGNIZED);
    fx_free(&x);
}

VD_TEST(vdi_01_version)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, VDI_VERSION_AT, 0x00020001u);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.preheader.version", VDI_VERSION_AT});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* ---- VDI-02 .. VDI-05: header size, type, flags, offsets, sector sizes ---- */

VD_TEST(vdi_02_header_size_small)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.header_size = VDI1_HEADER_MIN; /* no LCHS geometry to fall outside the header */
    fx_build(&x);
    put32(&x, x.img.at.header_size, 0x170);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.size", x.img.at.header_size});
    fx_free(&x);
}

VD_TEST(vdi_02_header_size_runs_into_map)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.header_size, 0x200);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.size", x.img.at.header_size});
    fx_free(&x);
}

VD_TEST(vdi_03_type)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.type, 5);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.header.type", x.img.at.type});
    EXPECT_STR(vd_test_detail_str(x.r, "header", "type_name"), "unknown");
    expect_virtual_hash(&x); /* read as a normal image */
    fx_free(&x);
}

VD_TEST(vdi_03_flags)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.flags, 0x00000001u);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.flags", x.img.at.flags});
    fx_free(&x);
}

VD_TEST(vdi_03_flags_inside_mask_are_clean)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.flags, 0x00030100u);
    EXPECT_NO_FINDINGS(fx_run(&x));
    fx_free(&x);
}

VD_TEST(vdi_04_blocks_offset_inside_header)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "....";
    x.f.blocks_offset = 0x100;
    x.f.data_offset = 0x200;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.blocks_offset", x.img.at.blocks_offset},
                    {"image.extent.overlap", 0x100},
                    {"image.slack", x.img.header_end}); /* zeros up to the data at 0x200 */
    fx_free(&x);
}

VD_TEST(vdi_04_data_offset_inside_map)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.data_offset = 0x208; /* the map runs to 0x210 */
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.data_offset", x.img.at.data_offset},
                    {"image.extent.overlap", 0x200}); /* the data block over the map */
    fx_free(&x);
}

VD_TEST(vdi_04_blocks_offset_unaligned)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.blocks_offset = 0x204;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK),
                    {"vdi.header.blocks_offset_unaligned", x.img.at.blocks_offset});
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_04_data_offset_unaligned)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.data_offset = 0x404;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK),
                    {"vdi.header.data_offset_unaligned", x.img.at.data_offset});
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* VirtualBox puts the map and the data at 1 MiB boundaries: zero gaps are padding. */
VD_TEST(vdi_04_virtualbox_offsets_are_clean)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.blocks_offset = 1u << 20;
    x.f.data_offset = 2u << 20;
    fx_build(&x);
    EXPECT_NO_FINDINGS(fx_run_hash(&x, SHA256_MASK));
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* Data in the gaps before the map and before the data is slack, reported where it is. */
VD_TEST(vdi_04_data_in_header_padding_is_slack)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.img.data[0x1F0] = 0x42;
    EXPECT_FINDINGS(fx_run(&x), {"image.slack.nonzero", x.img.header_end});
    expect_length(x.r, "image.slack.nonzero", 0x200 - x.img.header_end);
    fx_free(&x);
}

VD_TEST(vdi_04_data_in_map_padding_is_slack)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.img.data[0x300] = 0x42;
    EXPECT_FINDINGS(fx_run(&x), {"image.slack.nonzero", 0x210});
    expect_length(x.r, "image.slack.nonzero", 0x400 - 0x210);
    fx_free(&x);
}

VD_TEST(vdi_05_lchs_sector_size)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.lchs_sector_size, 4096);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.sector_size", x.img.at.lchs_sector_size});
    fx_free(&x);
}

VD_TEST(vdi_05_lchs_ignored_without_it)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.header_size = VDI1_HEADER_MIN;
    fx_build(&x);
    put32(&x, VDI1_LCHS_GEOMETRY_AT + VDI_GEOMETRY_SECTOR_SIZE_AT, 0); /* already 0: padding */
    EXPECT_NO_FINDINGS(fx_run(&x));
    fx_free(&x);
}

VD_TEST(vdi_05_legacy_sector_size)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.legacy_sector_size, 0);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.legacy_sector_size", x.img.at.legacy_sector_size});
    fx_free(&x);
}

/* ---- VDI-06 / VDI-07: sizes ---- */

VD_TEST(vdi_06_disk_size_zero)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "....";
    fx_build(&x);
    put64(&x, x.img.at.disk_size, 0);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.disk_size_zero", x.img.at.disk_size});
    fx_free(&x);
}

VD_TEST(vdi_06_block_size_zero)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.block_size, 0);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.block_size", x.img.at.block_size},
                    {"vdi.compat.qemu", x.img.at.block_size});
    EXPECT(!x.r->info.mappable); /* nothing is placed, so there is no slack verdict */
    fx_free(&x);
}

VD_TEST(vdi_06_block_size_not_power_of_two)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "....";
    x.f.block_size = 0x100000 - 512;
    x.f.blocks = 5;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.block_size", x.img.at.block_size},
                    {"vdi.compat.qemu", x.img.at.block_size});
    fx_free(&x);
}

VD_TEST(vdi_06_blocks_zero)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "";
    x.f.blocks = 0;
    fx_build(&x);
    put32(&x, x.img.at.blocks, 0);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.blocks_zero", x.img.at.blocks});
    EXPECT(!x.r->info.mappable);
    fx_free(&x);
}

VD_TEST(vdi_06_blocks_too_few)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.blocks = 3;
    x.f.layout = "D.z";
    fx_build(&x);
    /* The last MiB has no map entry: its content is unknown, so no virtual hash. */
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.header.blocks_too_few", x.img.at.blocks},
                    {"image.virtual.unhashed", 0});
    EXPECT_U64(x.r->virtual_disk.mask, 0);
    fx_free(&x);
}

VD_TEST(vdi_06_blocks_excess)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.blocks = 5;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.header.blocks_excess", x.img.at.blocks});
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_06_block_extra_not_power_of_two)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.block_extra = 3;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.header.block_extra", x.img.at.block_extra},
                    {"vdi.compat.qemu", x.img.at.block_extra});
    expect_virtual_hash(&x);
    fx_free(&x);
}

/* ---- VDI-08: UUIDs ---- */

VD_TEST(vdi_08_uuid_create_null)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    memset(x.img.data + x.img.at.uuid_create, 0, 16);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.uuid_create_null", x.img.at.uuid_create});
    expect_length(x.r, "vdi.header.uuid_create_null", 16);
    fx_free(&x);
}

VD_TEST(vdi_08_uuid_modify_null)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    memset(x.img.data + x.img.at.uuid_modify, 0, 16);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.uuid_modify_null", x.img.at.uuid_modify});
    fx_free(&x);
}

VD_TEST(vdi_08_link_in_normal_image)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.img.data[x.img.at.uuid_link + 15] = 1;
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.uuid_link_unexpected", x.img.at.uuid_link},
                    {"vdi.compat.qemu", x.img.at.uuid_link});
    fx_free(&x);
}

VD_TEST(vdi_08_parent_modify_in_fixed_image)
{
    struct fx x = fx_new(VDI_TYPE_FIXED);
    x.img.data[x.img.at.uuid_parent_modify] = 1;
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.uuid_link_unexpected", x.img.at.uuid_parent_modify},
                    {"vdi.compat.qemu", x.img.at.uuid_parent_modify});
    fx_free(&x);
}

VD_TEST(vdi_08_diff_without_link)
{
    struct fx x = fx_new(VDI_TYPE_DIFF);
    memset(x.img.data + x.img.at.uuid_link, 0, 16);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.uuid_link_null", x.img.at.uuid_link},
                    {"vdi.compat.qemu", x.img.at.uuid_parent_modify},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

/* ---- VDI-09 .. VDI-12: the map and the data ---- */

VD_TEST(vdi_09_allocated_exceeds_blocks)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.blocks_allocated, 5);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.header.allocated_exceeds", x.img.at.blocks_allocated},
                    {"vdi.map.allocated_count", x.img.at.blocks_allocated});
    fx_free(&x);
}

VD_TEST(vdi_09_allocated_count)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, x.img.at.blocks_allocated, 3); /* the map has 2 */
    EXPECT_FINDINGS(fx_run(&x), {"vdi.map.allocated_count", x.img.at.blocks_allocated});
    fx_free(&x);
}

VD_TEST(vdi_10_map_truncated)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "D...";
    fx_build(&x);
    x.img.len = (size_t)vdi_fixture_entry_at(&x.img, 2); /* entries 2 and 3 are cut off */
    EXPECT_FINDINGS(fx_run(&x), {"vdi.map.truncated", x.img.blocks_offset},
                    {"image.extent.beyond_eof", vdi_fixture_entry_at(&x.img, 0)});
    expect_length(x.r, "vdi.map.truncated", 16);
    EXPECT_U64(vd_test_detail_u64(x.r, "blocks_free", NULL), 3);
    fx_free(&x);
}

VD_TEST(vdi_10_entry_range)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    fx_resize(&x, x.img.len + x.img.stride); /* a third data block the header does not count */
    put32(&x, vdi_fixture_entry_at(&x.img, 3), 2);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.map.entry_range", vdi_fixture_entry_at(&x.img, 3)},
                    {"image.slack.nonzero", x.img.block_at[3]});
    fx_free(&x);
}

VD_TEST(vdi_10_duplicate)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    put32(&x, vdi_fixture_entry_at(&x.img, 3), 0); /* block 3 now shares block 0's data */
    EXPECT_FINDINGS(fx_run(&x), {"vdi.map.duplicate", vdi_fixture_entry_at(&x.img, 3)},
                    {"vdi.file.trailing_data", x.img.block_at[3]});
    fx_free(&x);
}

VD_TEST(vdi_10_block_beyond_eof)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.img.len -= 4096; /* the last block (virtual block 3) is cut short */
    /* Its remaining bytes are the block's, not trailing data. */
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.beyond_eof", vdi_fixture_entry_at(&x.img, 3)});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vdi_10_past_disk_end)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.blocks = 5;
    x.f.layout = "D.zDD";
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK), {"vdi.header.blocks_excess", x.img.at.blocks},
                    {"vdi.map.past_disk_end", vdi_fixture_entry_at(&x.img, 4)});
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_11_fixed_not_identity)
{
    struct fx x = fx_new(VDI_TYPE_FIXED);
    x.f.reverse_data = true;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_hash(&x, SHA256_MASK),
                    {"vdi.map.fixed_not_identity", vdi_fixture_entry_at(&x.img, 0)});
    expect_virtual_hash(&x);
    fx_free(&x);
}

VD_TEST(vdi_11_fixed_with_free_block)
{
    struct fx x = fx_new(VDI_TYPE_FIXED);
    x.f.layout = "DD.";
    x.f.blocks = 4;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.map.fixed_not_identity", vdi_fixture_entry_at(&x.img, 2)});
    fx_free(&x);
}

VD_TEST(vdi_12_trailing_data)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    size_t end = x.img.len;
    fx_resize(&x, end + 1000);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.file.trailing_data", end});
    expect_length(x.r, "vdi.file.trailing_data", 1000);
    fx_free(&x);
}

VD_TEST(vdi_12_trailing_data_without_blocks)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "....";
    fx_build(&x);
    fx_resize(&x, x.img.len + 512);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.file.trailing_data", x.img.data_offset});
    fx_free(&x);
}

/* VDI-12: with no block allocated the file must still reach offData. */
VD_TEST(vdi_12_file_ends_before_data)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "....";
    fx_build(&x);
    x.img.len = 0x300; /* the map (0x200..0x210) is whole, the data would start at 0x400 */
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.beyond_eof", x.img.at.data_offset});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* ---- vdi.compat.qemu: each reason QEMU refuses an image VirtualBox reads ---- */

VD_TEST(vdi_compat_qemu_too_many_blocks)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.layout = "";
    fx_build(&x);
    x.img.len = (size_t)vdi_fixture_entry_at(&x.img, 4); /* the four free entries */
    put32(&x, x.img.at.blocks, VDI_QEMU_BLOCKS_MAX + 1);
    EXPECT_FINDINGS(fx_run(&x), {"vdi.compat.qemu", x.img.at.blocks},
                    {"vdi.header.blocks_excess", x.img.at.blocks},
                    {"vdi.header.data_offset", x.img.at.data_offset},
                    {"vdi.map.truncated", x.img.blocks_offset});
    fx_free(&x);
}

VD_TEST(vdi_compat_qemu_disk_too_large)
{
    struct fx x = fx_new(VDI_TYPE_NORMAL);
    x.f.block_size = 128u << 20;
    x.f.disk_size = VDI_QEMU_DISK_MAX + (128u << 20);
    x.f.layout = "";
    x.f.data_offset = 0x300;
    fx_build(&x);
    /* 2^22 blocks of 128 MiB; the file holds the first 64 map entries (all free). */
    x.img.len = 0x300;
    EXPECT_FINDINGS(fx_run(&x), {"vdi.compat.qemu", x.img.at.block_size},
                    {"vdi.compat.qemu", x.img.at.disk_size},
                    {"vdi.map.truncated", x.img.blocks_offset},
                    {"vdi.header.data_offset", x.img.at.data_offset});
    EXPECT_U64(x.r->info.virtual_size, VDI_QEMU_DISK_MAX + (128u << 20));
    fx_free(&x);
}
