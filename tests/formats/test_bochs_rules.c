/*
 * One test per Bochs rule (BX-01..BX-08, docs/formats/bochs.md) and per bochs.* finding
 * id: build a valid redolog from named fields, change one field, and expect exactly the
 * finding ids at exactly the offsets (and, where it matters, the lengths) of the bytes at
 * fault. The virtual-disk hashes are checked against a disk built from the fixture's
 * fields and hashed here with OpenSSL, never against vdcheck's own output.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bochs_fixture.h"
#include "bochs_layout.h"
#include "vd_analyze.h"
#include "vd_bytes.h"
#include "vd_test.h"
#include "vd_test_image.h"

#define SHA256_MASK (1u << VD_DIGEST_SHA256)

struct fx {
    struct bochs_fixture f;
    struct bochs_fixture_image img;
    struct vd_image_result *r;
};

static void fx_build(struct fx *x)
{
    bochs_fixture_free(&x->img);
    if (!bochs_fixture_build(&x->f, &x->img)) {
        abort();
    }
}

static struct fx fx_new(void)
{
    struct fx x;

    memset(&x, 0, sizeof(x));
    bochs_fixture_defaults(&x.f);
    fx_build(&x);
    return x;
}

static const struct vd_image_result *fx_run_mask(struct fx *x, unsigned mask)
{
    vd_result_free(x->r);
    x->r = vd_test_analyze(x->img.data, x->img.len, mask);
    return x->r;
}

static const struct vd_image_result *fx_run(struct fx *x)
{
    return fx_run_mask(x, 0);
}

static void fx_free(struct fx *x)
{
    vd_result_free(x->r);
    bochs_fixture_free(&x->img);
}

static void put32(struct fx *x, uint64_t at, uint32_t v)
{
    vd_store_le32(x->img.data + at, v);
}

/* Appends n bytes of `fill` to the image. */
static void grow(struct fx *x, size_t n, uint8_t fill)
{
    uint8_t *p = realloc(x->img.data, x->img.len + n);
    if (p == NULL) {
        abort();
    }
    memset(p + x->img.len, fill, n);
    x->img.data = p;
    x->img.len += n;
}

/* The one finding `id` at `offset` must cover exactly `length` bytes. */
static void expect_length(const struct vd_image_result *r, const char *id, uint64_t offset,
                          uint64_t length)
{
    enum vd_finding_id fid = vd_catalog_find(id);
    bool found = false;

    for (size_t i = 0; i < r->findings.count; i++) {
        const struct vd_finding *f = &r->findings.items[i];
        if (f->id == fid && f->loc.offset == offset) {
            EXPECT_U64(f->loc.length, length);
            found = true;
        }
    }
    EXPECT(found);
}

/* vdcheck's virtual sha256 equals the sha256 of the disk built from the fields. */
static void expect_disk_of_fields(const struct vd_image_result *r, const struct bochs_fixture *f)
{
    uint8_t *disk = bochs_fixture_raw_disk(f);
    char want[65];

    if (disk == NULL) {
        abort();
    }
    vd_test_sha256_hex(disk, (size_t)f->disk, want);
    EXPECT_U64(r->info.virtual_size, f->disk);
    EXPECT((r->virtual_disk.mask & SHA256_MASK) != 0);
    EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_SHA256], want);
    free(disk);
}

/* ---- clean fixtures ---- */

VD_TEST(bochs_fixture_v2_is_clean)
{
    struct fx x = fx_new();
    EXPECT_NO_FINDINGS(fx_run_mask(&x, SHA256_MASK));
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    EXPECT_STR(x.r->info.format, "bochs");
    EXPECT_STR(x.r->info.variant, "growing");
    EXPECT_U64(x.r->info.block_size, 4096);
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_fixture_v1_is_clean)
{
    struct fx x = fx_new();
    x.f.version = BOCHS_VERSION_1;
    fx_build(&x);
    /* v1 keeps the disk size at 0x54, where v2 has its timestamp. */
    EXPECT_U64(vd_load_le64(x.img.data + BOCHS_V1_DISK_AT), x.f.disk);
    EXPECT_NO_FINDINGS(fx_run_mask(&x, SHA256_MASK));
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_fixture_undoable_needs_base)
{
    struct fx x = fx_new();
    x.f.subtype = BOCHS_SUBTYPE_UNDOABLE;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"image.parent.unresolved", 0},
                    {"bochs.header.needs_base", BOCHS_SUBTYPE_AT},
                    {"bochs.compat.qemu", BOCHS_SUBTYPE_AT});
    EXPECT_STR(x.r->info.variant, "undoable");
    EXPECT(x.r->info.needs_parent);
    EXPECT_U64(x.r->virtual_disk.mask, 0); /* no virtual-disk hash without the base */
    fx_free(&x);
}

VD_TEST(bochs_fixture_volatile_needs_base)
{
    struct fx x = fx_new();
    x.f.subtype = BOCHS_SUBTYPE_VOLATILE;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x), {"image.parent.unresolved", 0},
                    {"bochs.header.needs_base", BOCHS_SUBTYPE_AT},
                    {"bochs.compat.qemu", BOCHS_SUBTYPE_AT});
    EXPECT_STR(x.r->info.variant, "volatile");
    fx_free(&x);
}

VD_TEST(bochs_fixture_empty_is_clean)
{
    struct fx x = fx_new();
    x.f.n_stored = 0;
    fx_build(&x);
    EXPECT_NO_FINDINGS(fx_run_mask(&x, SHA256_MASK));
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

/* ---- BX-01: identity ---- */

VD_TEST(bochs_01_file_too_small)
{
    struct fx x = fx_new();
    x.img.len = 300; /* the magic and type are there, the header is not whole */
    EXPECT_FINDINGS(fx_run(&x), {"bochs.file.too_small", 0});
    expect_length(x.r, "bochs.file.too_small", 0, 300);
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* A damaged magic: the type and a known version still identify the file (probe 30). */
VD_TEST(bochs_01_magic)
{
    struct fx x = fx_new();
    x.img.data[BOCHS_MAGIC_AT + 22] = ' '; /* the terminating NUL */
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.magic", BOCHS_MAGIC_AT});
    expect_length(x.r, "bochs.header.magic", BOCHS_MAGIC_AT, BOCHS_MAGIC_SIZE);
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* Without the magic, the type alone is not enough: a version is needed too. */
VD_TEST(bochs_01_magic_and_version_damaged_is_unrecognized)
{
    struct fx x = fx_new();
    x.img.data[BOCHS_MAGIC_AT] = 'b';
    x.img.data[BOCHS_VERSION_AT + 2] = 9;
    EXPECT_NO_FINDINGS(fx_run(&x));
    EXPECT_U64(x.r->verdict, VD_VERDICT_UNRECOGNIZED);
    fx_free(&x);
}

VD_TEST(bochs_01_type)
{
    struct fx x = fx_new();
    memcpy(x.img.data + BOCHS_TYPE_AT, "Redolgg", 7);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.type", BOCHS_TYPE_AT});
    expect_length(x.r, "bochs.header.type", BOCHS_TYPE_AT, BOCHS_TYPE_SIZE);
    fx_free(&x);
}

VD_TEST(bochs_01_subtype)
{
    struct fx x = fx_new();
    x.f.subtype = "Sparse";
    fx_build(&x);
    /* Read as growing: the virtual disk is still the fixture's. */
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.header.subtype", BOCHS_SUBTYPE_AT});
    expect_length(x.r, "bochs.header.subtype", BOCHS_SUBTYPE_AT, BOCHS_SUBTYPE_SIZE);
    EXPECT_STR(x.r->info.variant, "growing");
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_01_version)
{
    struct fx x = fx_new();
    put32(&x, BOCHS_VERSION_AT, 0x00030000);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.version", BOCHS_VERSION_AT});
    expect_length(x.r, "bochs.header.version", BOCHS_VERSION_AT, 4);
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* ---- BX-02: the header-size field ---- */

VD_TEST(bochs_02_header_size_diverges_from_qemu)
{
    struct fx x = fx_new();
    x.f.header_size = 1024;
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.header.size", BOCHS_HEADER_SIZE_AT},
                    {"bochs.compat.qemu", BOCHS_HEADER_SIZE_AT});
    /* Like Bochs, the catalog is read at 512 whatever the field says: the same disk. */
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

/* ---- BX-03: v1 and v2 field layouts ---- */

VD_TEST(bochs_03_v1_disk_size_field)
{
    struct fx x = fx_new();
    x.f.version = BOCHS_VERSION_1;
    fx_build(&x);
    vd_store_le64(x.img.data + BOCHS_V1_DISK_AT, x.f.disk + 1);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.disk_size", BOCHS_V1_DISK_AT});
    expect_length(x.r, "bochs.header.disk_size", BOCHS_V1_DISK_AT, 8);
    fx_free(&x);
}

/* ---- BX-04: extent and bitmap sizes ---- */

VD_TEST(bochs_04_extent_below_512)
{
    struct fx x = fx_new();
    put32(&x, BOCHS_EXTENT_AT, 256);
    /* 16 entries of 256 bytes no longer cover the disk; nothing can be mapped or hashed. */
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.header.extent_size", BOCHS_EXTENT_AT},
                    {"bochs.catalog.too_small", BOCHS_CATALOG_AT}, {"image.virtual.unhashed", 0});
    expect_length(x.r, "bochs.header.extent_size", BOCHS_EXTENT_AT, 4);
    EXPECT(!x.r->info.mappable);
    EXPECT_U64(x.r->virtual_disk.mask, 0);
    fx_free(&x);
}

VD_TEST(bochs_04_extent_zero)
{
    struct fx x = fx_new();
    put32(&x, BOCHS_EXTENT_AT, 0);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.extent_size", BOCHS_EXTENT_AT});
    fx_free(&x);
}

VD_TEST(bochs_04_extent_not_power_of_two)
{
    struct fx x = fx_new();
    x.f.extent = 7 * 512; /* 7 sectors: readable, but no writer makes it (bitmap 1 = 8) */
    bochs_fixture_write_all(&x.f);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.header.extent_size", BOCHS_EXTENT_AT},
                    {"bochs.header.extent_noncanonical", BOCHS_EXTENT_AT});
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_04_bitmap_zero)
{
    struct fx x = fx_new();
    put32(&x, BOCHS_BITMAP_AT, 0);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.bitmap_size", BOCHS_BITMAP_AT});
    expect_length(x.r, "bochs.header.bitmap_size", BOCHS_BITMAP_AT, 4);
    EXPECT(!x.r->info.mappable);
    fx_free(&x);
}

/* A 1-byte bitmap for 16-sector extents: the bits still fit its 512-byte sector. */
VD_TEST(bochs_04_bitmap_too_small_but_readable)
{
    struct fx x = fx_new();
    x.f.extent = 8192;
    x.f.disk = 4 * 8192 + 512;
    x.f.stored[2] = 4;
    bochs_fixture_write_all(&x.f);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.header.bitmap_size", BOCHS_BITMAP_AT});
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_04_extent_noncanonical)
{
    struct fx x = fx_new();
    put32(&x, BOCHS_BITMAP_AT, 2); /* still one bitmap sector: the layout is unchanged */
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK),
                    {"bochs.header.extent_noncanonical", BOCHS_EXTENT_AT});
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_04_extent_above_qemu_cap)
{
    struct fx x = fx_new();
    x.f.n_stored = 0;
    x.f.catalog = 1;
    fx_build(&x);
    put32(&x, BOCHS_EXTENT_AT, 16u << 20); /* canonical with a 4096-byte bitmap */
    put32(&x, BOCHS_BITMAP_AT, 4096);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.compat.qemu", BOCHS_EXTENT_AT});
    expect_disk_of_fields(x.r, &x.f); /* all zero */
    fx_free(&x);
}

/* iotest 078: extent 0x80000000 with the 1-byte bitmap. */
VD_TEST(bochs_04_extent_2g)
{
    struct fx x = fx_new();
    put32(&x, BOCHS_EXTENT_AT, 0x80000000u);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.bitmap_size", BOCHS_BITMAP_AT},
                    {"bochs.compat.qemu", BOCHS_EXTENT_AT});
    EXPECT(!x.r->info.mappable);
    fx_free(&x);
}

/* ---- BX-05: the catalog ---- */

VD_TEST(bochs_05_catalog_too_small)
{
    struct fx x = fx_new();
    x.f.catalog = 9; /* the disk has 10 extents */
    x.f.n_stored = 2;
    fx_build(&x);
    /* Bochs reads the uncovered extent as zero; vdcheck does not hash a partial map. */
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.catalog.too_small", BOCHS_CATALOG_AT},
                    {"image.virtual.unhashed", 0});
    expect_length(x.r, "bochs.catalog.too_small", BOCHS_CATALOG_AT, 4);
    EXPECT_U64(x.r->virtual_disk.mask, 0);
    fx_free(&x);
}

VD_TEST(bochs_05_catalog_truncated)
{
    struct fx x = fx_new();
    x.f.n_stored = 0;
    fx_build(&x);
    x.img.len = BOCHS_HEADER_SIZE + 5 * 4 + 2; /* 5 whole entries and half of one */
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.catalog.truncated", BOCHS_HEADER_SIZE},
                    {"image.virtual.unhashed", 0});
    expect_length(x.r, "bochs.catalog.truncated", BOCHS_HEADER_SIZE, 16 * 4);
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(bochs_05_catalog_above_qemu_cap)
{
    struct fx x = fx_new();
    x.f.catalog = BOCHS_QEMU_CATALOG_MAX + 1; /* a 4 MiB catalog, all free */
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK), {"bochs.compat.qemu", BOCHS_CATALOG_AT});
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

/* ---- BX-06: catalog entries ---- */

VD_TEST(bochs_06_entry_range)
{
    struct fx x = fx_new();
    /* Catalog 10: stored extent 10 may lie in the file, but no entry may name it. */
    x.f.catalog = 10;
    fx_build(&x);
    grow(&x, (size_t)(8 * x.img.stride), 0); /* stored extents 3..10, all zero */
    put32(&x, bochs_fixture_entry_at(5), 10);
    /* Stored extents 3..9 are named by no entry: zero filler, noted as slack. */
    EXPECT_FINDINGS(fx_run(&x), {"bochs.catalog.entry_range", bochs_fixture_entry_at(5)},
                    {"image.slack", x.img.data_at + 3 * x.img.stride});
    expect_length(x.r, "bochs.catalog.entry_range", bochs_fixture_entry_at(5), 4);
    fx_free(&x);
}

VD_TEST(bochs_06_duplicate)
{
    struct fx x = fx_new();
    put32(&x, bochs_fixture_entry_at(3), 0); /* disk extent 3 now shares stored extent 0 */
    /* Stored extent 1 is no longer named: its data is unclaimed non-zero bytes. */
    EXPECT_FINDINGS(fx_run(&x), {"bochs.catalog.duplicate", bochs_fixture_entry_at(3)},
                    {"image.slack.nonzero", x.img.bitmap_at[1]});
    expect_length(x.r, "bochs.catalog.duplicate", bochs_fixture_entry_at(3), 4);
    fx_free(&x);
}

VD_TEST(bochs_06_past_disk_end)
{
    struct fx x = fx_new();
    x.f.n_stored = 4;
    x.f.stored[3] = 12; /* catalog 16, disk 10 extents */
    bochs_fixture_write_all(&x.f);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK),
                    {"bochs.catalog.past_disk_end", bochs_fixture_entry_at(12)});
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_06_extent_beyond_eof)
{
    struct fx x = fx_new();
    put32(&x, bochs_fixture_entry_at(5), 15); /* stored extent 15: the file has 3 */
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.beyond_eof", bochs_fixture_entry_at(5)});
    expect_length(x.r, "image.extent.beyond_eof", bochs_fixture_entry_at(5), 4);
    fx_free(&x);
}

VD_TEST(bochs_06_last_extent_cut_short)
{
    struct fx x = fx_new();
    x.img.len -= 512; /* the last data sector of stored extent 2 (disk extent 9) */
    /* The part of the extent that is there is image data, not trailing data. */
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.beyond_eof", bochs_fixture_entry_at(9)});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* ---- BX-07: disk size, trailing data ---- */

VD_TEST(bochs_07_disk_size_unaligned)
{
    struct fx x = fx_new();
    vd_store_le64(x.img.data + x.img.disk_at, x.f.disk + 1);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.header.disk_size", BOCHS_V2_DISK_AT});
    expect_length(x.r, "bochs.header.disk_size", BOCHS_V2_DISK_AT, 8);
    fx_free(&x);
}

/* An entry past the end of the file does not hide trailing bytes after the last extent. */
VD_TEST(bochs_07_trailing_data_with_entry_beyond_eof)
{
    struct fx x = fx_new();
    size_t end = x.img.len;
    grow(&x, 100, 0x42);
    put32(&x, bochs_fixture_entry_at(5), 15);
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.beyond_eof", bochs_fixture_entry_at(5)},
                    {"bochs.file.trailing_data", end});
    fx_free(&x);
}

VD_TEST(bochs_07_trailing_data)
{
    struct fx x = fx_new();
    size_t end = x.img.len;
    grow(&x, 1000, 0);
    EXPECT_FINDINGS(fx_run(&x), {"bochs.file.trailing_data", end});
    expect_length(x.r, "bochs.file.trailing_data", end, 1000);
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    fx_free(&x);
}

/* ---- BX-08: bitmaps ---- */

VD_TEST(bochs_08_bitmap_past_disk_end)
{
    struct fx x = fx_new();
    x.f.written[2] |= 1u << 5; /* disk extent 9 has 3 sectors inside the disk */
    fx_build(&x);
    EXPECT_FINDINGS(fx_run_mask(&x, SHA256_MASK),
                    {"bochs.bitmap.past_disk_end", x.img.bitmap_at[2]});
    expect_length(x.r, "bochs.bitmap.past_disk_end", x.img.bitmap_at[2], 1);
    EXPECT_U64(x.r->info.virtual_size, x.f.disk);
    fx_free(&x);
}

/*
 * The virtual disk: extents stored out of order, partly written bitmaps whose clear bits
 * lie over non-zero data (read as zero), free entries, and a disk that ends inside its
 * last extent. Expected hash from the fields, hashed here.
 */
VD_TEST(bochs_08_virtual_disk_hash)
{
    struct fx x = fx_new();
    static const uint32_t order[] = {9, 4, 0, 7, 2};
    static const uint64_t written[] = {0x5, 0xA5, 0xFF, 0x81, 0x7E};

    x.f.n_stored = 5;
    for (uint32_t k = 0; k < 5; k++) {
        x.f.stored[k] = order[k];
        x.f.written[k] = written[k];
    }
    fx_build(&x);
    EXPECT_NO_FINDINGS(fx_run_mask(&x, SHA256_MASK));
    expect_disk_of_fields(x.r, &x.f);
    /* The same as v1. */
    x.f.version = BOCHS_VERSION_1;
    fx_build(&x);
    EXPECT_NO_FINDINGS(fx_run_mask(&x, SHA256_MASK));
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}

VD_TEST(bochs_08_empty_bitmap_reads_zero)
{
    struct fx x = fx_new();
    x.f.written[1] = 0; /* stored, but nothing marked written: all zero */
    fx_build(&x);
    EXPECT_NO_FINDINGS(fx_run_mask(&x, SHA256_MASK));
    expect_disk_of_fields(x.r, &x.f);
    fx_free(&x);
}
