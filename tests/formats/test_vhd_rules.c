/*
 * One test per VHD rule (VHD-01..VHD-28, docs/formats/vhd.md): build a valid image from
 * named fields, change one field, re-seal the checksums, and expect exactly the finding
 * id at exactly the offset of the bytes at fault.
 */
#include <stdlib.h>
#include <string.h>

#include "vd_bytes.h"
#include "vd_test.h"
#include "vd_test_image.h"
#include "vhd_fixture.h"
#include "vhd_layout.h"

struct fx {
    struct vhd_fixture f;
    struct vhd_fixture_image img;
    struct vd_image_result *r;
};

static void fx_build(struct fx *x)
{
    if (!vhd_fixture_build(&x->f, &x->img)) {
        abort();
    }
}

static struct fx fx_new(uint32_t type)
{
    struct fx x;

    memset(&x, 0, sizeof(x));
    vhd_fixture_defaults(&x.f, type);
    fx_build(&x);
    return x;
}

static const struct vd_image_result *fx_run(struct fx *x)
{
    vd_result_free(x->r);
    x->r = vd_test_analyze(x->img.data, x->img.len, 0);
    return x->r;
}

static void fx_free(struct fx *x)
{
    vd_result_free(x->r);
    vhd_fixture_free(&x->img);
}

/* Writes a big-endian field in both footer copies of a sparse image (or the one footer). */
static void footer_be32(struct fx *x, size_t field, uint32_t v)
{
    vd_store_be32(x->img.data + x->img.end_at + field, v);
    if (x->img.dyn_at != 0) {
        vd_store_be32(x->img.data + field, v);
    }
    vhd_fixture_reseal(&x->img);
}

static void footer_be64(struct fx *x, size_t field, uint64_t v)
{
    vd_store_be64(x->img.data + x->img.end_at + field, v);
    if (x->img.dyn_at != 0) {
        vd_store_be64(x->img.data + field, v);
    }
    vhd_fixture_reseal(&x->img);
}

static void dyn_be32(struct fx *x, size_t field, uint32_t v)
{
    vd_store_be32(x->img.data + x->img.dyn_at + field, v);
    vhd_fixture_reseal(&x->img);
}

VD_TEST(vhd_fixture_dynamic_is_clean)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    EXPECT_NO_FINDINGS(fx_run(&x));
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    fx_free(&x);
}

VD_TEST(vhd_fixture_fixed_is_clean)
{
    struct fx x = fx_new(VHD_TYPE_FIXED);
    EXPECT_NO_FINDINGS(fx_run(&x));
    EXPECT_STR(x.r->info.variant, "fixed");
    fx_free(&x);
}

VD_TEST(vhd_fixture_differencing_reports_unresolved_parent)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    EXPECT_FINDINGS(fx_run(&x), {"image.parent.unresolved", 0});
    fx_free(&x);
}

/* VHD-01 */
VD_TEST(vhd_01_file_too_small)
{
    uint8_t tiny[300] = "conectix";
    struct vd_image_result *r = vd_test_analyze(tiny, sizeof(tiny), 0);
    EXPECT_FINDINGS(r, {"vhd.file.too_small", 0});
    EXPECT_U64(r->verdict, VD_VERDICT_ERRORS);
    vd_result_free(r);
}

VD_TEST(vhd_01_short_footer)
{
    struct fx x = fx_new(VHD_TYPE_FIXED);
    x.img.len -= 1; /* the last reserved byte is zero: Virtual PC's 511-byte footer */
    EXPECT_FINDINGS(fx_run(&x), {"vhd.file.short_footer", x.img.end_at});
    fx_free(&x);
}

VD_TEST(vhd_01_size_unaligned)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.len -= 100; /* cut into the trailing footer: only the copy remains */
    EXPECT_FINDINGS(fx_run(&x), {"vhd.file.size_unaligned", 0},
                    {"vhd.footer.cookie", x.img.len - 512},
                    {"vhd.footer.copy_used", x.img.len - 512},
                    {"image.slack.nonzero", x.img.end_at}); /* what is left of the footer */
    fx_free(&x);
}

/* VHD-02 */
VD_TEST(vhd_02_footer_cookie)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.end_at + 3] = 'X';
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.cookie", x.img.end_at},
                    {"vhd.footer.copy_used", x.img.end_at}, {"image.slack.nonzero", x.img.end_at});
    fx_free(&x);
}

VD_TEST(vhd_02_no_footer_at_all)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.end_at + 3] = 'X';
    x.img.data[3] = 'X';
    /* Without a footer anywhere nothing says this is a VHD: unrecognized, exit status 2. */
    EXPECT_NO_FINDINGS(fx_run(&x));
    EXPECT_U64(x.r->verdict, VD_VERDICT_UNRECOGNIZED);
    fx_free(&x);
}

VD_TEST(vhd_02_no_usable_footer)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.end_at + 3] = 'X';
    footer_be32(&x, VHD_FOOTER_DISK_TYPE, VHD_TYPE_FIXED); /* a copy at 0 must be sparse */
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.cookie", x.img.end_at},
                    {"vhd.footer.unusable", x.img.end_at});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* VHD-03 */
VD_TEST(vhd_03_footer_checksum)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.end_at + VHD_FOOTER_CHECKSUM + 3] ^= 1;
    /* The valid copy at offset 0 is preferred over the damaged end footer. */
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.checksum", x.img.end_at + VHD_FOOTER_CHECKSUM},
                    {"vhd.footer.copy_used", x.img.end_at},
                    {"vhd.footer.copy_mismatch", VHD_FOOTER_CHECKSUM + 3});
    fx_free(&x);
}

/* VHD-04 */
VD_TEST(vhd_04_features)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    footer_be32(&x, VHD_FOOTER_FEATURES, 0);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.features", x.img.end_at + VHD_FOOTER_FEATURES});
    fx_free(&x);
}

/* VHD-05 */
VD_TEST(vhd_05_version)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    footer_be32(&x, VHD_FOOTER_VERSION, 0x00020000);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.version", x.img.end_at + VHD_FOOTER_VERSION});
    fx_free(&x);
}

/* VHD-06 */
VD_TEST(vhd_06_fixed_data_offset)
{
    struct fx x = fx_new(VHD_TYPE_FIXED);
    footer_be64(&x, VHD_FOOTER_DATA_OFFSET, 512);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.data_offset", x.img.end_at + VHD_FOOTER_DATA_OFFSET});
    fx_free(&x);
}

VD_TEST(vhd_06_fixed_data_offset_32bit_quirk)
{
    struct fx x = fx_new(VHD_TYPE_FIXED);
    footer_be64(&x, VHD_FOOTER_DATA_OFFSET, 0xFFFFFFFFu);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.footer.data_offset_32bit", x.img.end_at + VHD_FOOTER_DATA_OFFSET});
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    fx_free(&x);
}

VD_TEST(vhd_06_dynamic_data_offset_unaligned)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    footer_be64(&x, VHD_FOOTER_DATA_OFFSET, 513);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.data_offset", x.img.end_at + VHD_FOOTER_DATA_OFFSET},
                    {"vhd.dyn.cookie", 513});
    fx_free(&x);
}

/* VHD-07 */
VD_TEST(vhd_07_timestamp_future)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    footer_be32(&x, VHD_FOOTER_TIMESTAMP, 0xF0000000u);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.footer.timestamp_future", x.img.end_at + VHD_FOOTER_TIMESTAMP});
    fx_free(&x);
}

/* VHD-08 */
VD_TEST(vhd_08_disk_type)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    footer_be32(&x, VHD_FOOTER_DISK_TYPE, 5);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.disk_type", x.img.end_at + VHD_FOOTER_DISK_TYPE});
    EXPECT_U64(x.r->findings.by_severity[VD_SEV_FATAL], 1);
    fx_free(&x);
}

/* VHD-09 and VHD-10 */
VD_TEST(vhd_09_geometry_too_large)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.end_at + VHD_FOOTER_SECTORS] = 18;
    x.img.data[VHD_FOOTER_SECTORS] = 18;
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.geometry", x.img.end_at + VHD_FOOTER_CYLINDERS},
                    {"vhd.footer.size_chs_mismatch", x.img.end_at + VHD_FOOTER_CURRENT_SIZE});
    fx_free(&x);
}

VD_TEST(vhd_10_chs_mismatch_names_qemu_choice)
{
    struct fx x = fx_new(VHD_TYPE_FIXED);
    x.f.current_size += 512;
    memcpy(x.f.creator_app, "win ", 4);
    vhd_fixture_free(&x.img);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.footer.size_chs_mismatch", x.img.end_at + VHD_FOOTER_CURRENT_SIZE});
    EXPECT(strstr(x.r->findings.items[0].message, "QEMU uses current_size") != NULL);
    EXPECT_U64(x.r->info.virtual_size, x.f.current_size);
    memcpy(x.f.creator_app, "vpc ", 4);
    vhd_fixture_free(&x.img);
    fx_build(&x);
    fx_run(&x);
    EXPECT(strstr(x.r->findings.items[0].message, "QEMU uses CHS") != NULL);
    fx_free(&x);
}

/* VHD-11 */
VD_TEST(vhd_11_size_unaligned)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    footer_be64(&x, VHD_FOOTER_CURRENT_SIZE, x.f.current_size - 100);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.footer.size_unaligned", x.img.end_at + VHD_FOOTER_CURRENT_SIZE},
                    {"vhd.footer.geometry", x.img.end_at + VHD_FOOTER_CYLINDERS},
                    {"vhd.footer.size_chs_mismatch", x.img.end_at + VHD_FOOTER_CURRENT_SIZE});
    fx_free(&x);
}

VD_TEST(vhd_11_size_too_large)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    uint64_t size = UINT64_C(2041) << 30;
    footer_be64(&x, VHD_FOOTER_CURRENT_SIZE, size);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.footer.size_too_large", x.img.end_at + VHD_FOOTER_CURRENT_SIZE},
                    {"vhd.footer.size_chs_mismatch", x.img.end_at + VHD_FOOTER_CURRENT_SIZE},
                    {"vhd.dyn.max_table_entries_small", x.img.dyn_at + VHD_DYN_MAX_TABLE_ENTRIES});
    fx_free(&x);
}

/* VHD-12 */
VD_TEST(vhd_12_saved_state)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.end_at + VHD_FOOTER_SAVED_STATE] = 2;
    x.img.data[VHD_FOOTER_SAVED_STATE] = 2;
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.saved_state", x.img.end_at + VHD_FOOTER_SAVED_STATE});
    fx_free(&x);
}

VD_TEST(vhd_12_reserved)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.end_at + 300] = 1;
    x.img.data[300] = 1;
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.reserved", x.img.end_at + 300});
    fx_free(&x);
}

/* VHD-13 */
VD_TEST(vhd_13_uuid_null)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    memset(x.f.uuid, 0, 16);
    vhd_fixture_free(&x.img);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.uuid_null", x.img.end_at + VHD_FOOTER_UUID});
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN); /* info only: bximage writes this */
    fx_free(&x);
}

/* VHD-14 */
VD_TEST(vhd_14_fixed_truncated)
{
    struct fx x = fx_new(VHD_TYPE_FIXED);
    uint8_t footer[512];
    memcpy(footer, x.img.data + x.img.end_at, 512);
    x.img.end_at -= 1024;
    memcpy(x.img.data + x.img.end_at, footer, 512);
    x.img.len -= 1024;
    EXPECT_FINDINGS(fx_run(&x), {"vhd.fixed.truncated", x.img.end_at + VHD_FOOTER_CURRENT_SIZE});
    fx_free(&x);
}

VD_TEST(vhd_14_fixed_trailing_data)
{
    struct fx x = fx_new(VHD_TYPE_FIXED);
    uint8_t *grown = realloc(x.img.data, x.img.len + 512);
    if (grown == NULL) {
        abort();
    }
    x.img.data = grown;
    memmove(x.img.data + x.img.end_at + 512, x.img.data + x.img.end_at, 512);
    memset(x.img.data + x.img.end_at, 0x5a, 512);
    x.img.len += 512;
    EXPECT_FINDINGS(fx_run(&x), {"vhd.fixed.trailing_data", x.f.current_size},
                    {"image.slack.nonzero", x.f.current_size});
    fx_free(&x);
}

/* VHD-15 */
VD_TEST(vhd_15_copy_mismatch)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[VHD_FOOTER_CREATOR_APP] = 'V';
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.copy_mismatch", VHD_FOOTER_CREATOR_APP});
    fx_free(&x);
}

VD_TEST(vhd_15_copy_missing)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    memset(x.img.data, 0, 8);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.copy_missing", 0}, {"image.slack.nonzero", 0});
    fx_free(&x);
}

VD_TEST(vhd_15_copy_checksum)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[VHD_FOOTER_CHECKSUM] ^= 0x10;
    EXPECT_FINDINGS(fx_run(&x), {"vhd.footer.checksum", VHD_FOOTER_CHECKSUM},
                    {"vhd.footer.copy_mismatch", VHD_FOOTER_CHECKSUM});
    fx_free(&x);
}

/* VHD-16 */
VD_TEST(vhd_16_dyn_cookie)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.dyn_at] = 'X';
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.cookie", x.img.dyn_at});
    fx_free(&x);
}

VD_TEST(vhd_16_dyn_checksum)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.dyn_at + VHD_DYN_CHECKSUM + 2] ^= 4;
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.checksum", x.img.dyn_at + VHD_DYN_CHECKSUM});
    fx_free(&x);
}

VD_TEST(vhd_16_dyn_version)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    dyn_be32(&x, VHD_DYN_VERSION, 0x00010001);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.version", x.img.dyn_at + VHD_DYN_VERSION});
    fx_free(&x);
}

VD_TEST(vhd_16_dyn_data_offset)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    vd_store_be64(x.img.data + x.img.dyn_at + VHD_DYN_DATA_OFFSET, 0);
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.data_offset", x.img.dyn_at + VHD_DYN_DATA_OFFSET});
    fx_free(&x);
}

VD_TEST(vhd_16_dyn_reserved)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.dyn_at + VHD_DYN_RESERVED2 + 10] = 7;
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.reserved", x.img.dyn_at + VHD_DYN_RESERVED2 + 10});
    fx_free(&x);
}

/* VHD-17 */
VD_TEST(vhd_17_table_offset_zero)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    vd_store_be64(x.img.data + x.img.dyn_at + VHD_DYN_TABLE_OFFSET, 0);
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.table_offset", x.img.dyn_at + VHD_DYN_TABLE_OFFSET});
    fx_free(&x);
}

VD_TEST(vhd_17_table_truncated)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    dyn_be32(&x, VHD_DYN_MAX_TABLE_ENTRIES, 0x40000001u); /* afl5.img: a 4 GiB table */
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.dyn.max_table_entries_large", x.img.dyn_at + VHD_DYN_MAX_TABLE_ENTRIES},
                    {"vhd.bat.truncated", x.img.bat_at});
    fx_free(&x);
}

/* VHD-18 */
VD_TEST(vhd_18_block_size)
{
    static const uint32_t bad[] = {0, 128, 3000, 0x12345678};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct fx x = fx_new(VHD_TYPE_DYNAMIC);
        dyn_be32(&x, VHD_DYN_BLOCK_SIZE, bad[i]);
        EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.block_size", x.img.dyn_at + VHD_DYN_BLOCK_SIZE});
        fx_free(&x);
    }
}

/* VHD-19 */
VD_TEST(vhd_19_table_too_small)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    dyn_be32(&x, VHD_DYN_MAX_TABLE_ENTRIES, 8);
    /* Block 8 is still in the file, but no entry refers to it any more: a leaked block. */
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.dyn.max_table_entries_small", x.img.dyn_at + VHD_DYN_MAX_TABLE_ENTRIES},
                    {"image.slack.nonzero", x.img.block_at[8]});
    fx_free(&x);
}

VD_TEST(vhd_19_table_larger_than_needed)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.f.max_table_entries = 20;
    vhd_fixture_free(&x.img);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.dyn.max_table_entries_large", x.img.dyn_at + VHD_DYN_MAX_TABLE_ENTRIES});
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    fx_free(&x);
}

/* VHD-20 */
VD_TEST(vhd_20_parent_fields_in_dynamic)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.dyn_at + VHD_DYN_PARENT_NAME + 1] = 'a';
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.dyn.parent_fields_nonzero", x.img.dyn_at + VHD_DYN_PARENT_NAME + 1});
    fx_free(&x);
}

/* VHD-21 */
VD_TEST(vhd_21_parent_uuid_null)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    memset(x.img.data + x.img.dyn_at + VHD_DYN_PARENT_UUID, 0, 16);
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.parent_uuid_null", x.img.dyn_at + VHD_DYN_PARENT_UUID},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_21_parent_timestamp)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_PARENT_TIMESTAMP, 0xF0000000u);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.dyn.parent_timestamp", x.img.dyn_at + VHD_DYN_PARENT_TIMESTAMP},
                    {"image.parent.unresolved", 0});
    dyn_be32(&x, VHD_DYN_PARENT_TIMESTAMP, 0);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.dyn.parent_timestamp_zero", x.img.dyn_at + VHD_DYN_PARENT_TIMESTAMP},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_21_parent_name_unpaired_surrogate)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    vd_store_be16(x.img.data + x.img.dyn_at + VHD_DYN_PARENT_NAME + 2, 0xD800);
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.dyn.parent_name", x.img.dyn_at + VHD_DYN_PARENT_NAME},
                    {"vhd.locator.name_mismatch", x.img.locator_data_at[0]},
                    {"vhd.locator.name_mismatch", x.img.locator_data_at[1]},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

/* VHD-22 */
static uint64_t loc_at(const struct fx *x, int i, size_t field)
{
    return x->img.dyn_at + VHD_DYN_LOCATORS + (uint64_t)i * VHD_LOC_SIZE + field;
}

VD_TEST(vhd_22_locator_platform_code)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_LOCATORS + VHD_LOC_PLATFORM_CODE, 0x41424344);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.platform_code", loc_at(&x, 0, 0)},
                    {"image.slack.nonzero", x.img.locator_data_at[0]},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_unused_nonzero)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_LOCATORS + 5 * VHD_LOC_SIZE + VHD_LOC_DATA_LENGTH, 4);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.unused_nonzero", loc_at(&x, 5, 0)},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_empty)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_LOCATORS + VHD_LOC_DATA_LENGTH, 0);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.empty", loc_at(&x, 0, 0)},
                    {"image.slack.nonzero", x.img.locator_data_at[0]},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_bounds)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    vd_store_be64(x.img.data + loc_at(&x, 1, VHD_LOC_DATA_OFFSET), x.img.end_at);
    vhd_fixture_reseal(&x.img);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.bounds", loc_at(&x, 1, VHD_LOC_DATA_OFFSET)},
                    {"vhd.locator.name_mismatch", x.img.end_at},
                    {"image.slack.nonzero", x.img.locator_data_at[1]},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_length)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_LOCATORS + VHD_LOC_DATA_LENGTH, 600);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.length", loc_at(&x, 0, VHD_LOC_DATA_LENGTH)},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_space_in_bytes)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_LOCATORS + VHD_LOC_DATA_SPACE, 512);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.space_in_bytes", loc_at(&x, 0, VHD_LOC_DATA_SPACE)},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_reserved)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_LOCATORS + VHD_LOC_RESERVED, 1);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.reserved", loc_at(&x, 0, VHD_LOC_RESERVED)},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_duplicate)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    dyn_be32(&x, VHD_DYN_LOCATORS + VHD_LOC_SIZE + VHD_LOC_PLATFORM_CODE, VHD_PLATFORM_W2KU);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.duplicate", loc_at(&x, 1, 0)},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_locator_encoding)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    vd_store_le16(x.img.data + x.img.locator_data_at[1], 0xDC00);
    /* The bad unit becomes U+FFFD; the file name after it still matches. */
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.encoding", x.img.locator_data_at[1]},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhd_22_no_locator)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    x.f.locators = false;
    vhd_fixture_free(&x.img);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.none", x.img.dyn_at + VHD_DYN_LOCATORS},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

/* VHD-23 */
VD_TEST(vhd_23_locator_name_mismatch)
{
    struct fx x = fx_new(VHD_TYPE_DIFFERENCING);
    x.img.data[x.img.locator_data_at[1] + 4] = 'q'; /* ".\parent" -> ".\qarent" */
    EXPECT_FINDINGS(fx_run(&x), {"vhd.locator.name_mismatch", x.img.locator_data_at[1]},
                    {"image.parent.unresolved", 0});
    fx_free(&x);
}

/* VHD-24 */
VD_TEST(vhd_24_block_beyond_eof)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    vd_store_be32(x.img.data + x.img.bat_at + 4, 0x10000);
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.beyond_eof", x.img.bat_at + 4});
    fx_free(&x);
}

VD_TEST(vhd_24_block_over_metadata)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    vd_store_be32(x.img.data + x.img.bat_at + 4, 2); /* sector 2: inside the dynamic header */
    /* Block 1 now spans the header, the BAT and block 0: its "bitmap" is header bytes. */
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.overlap", x.img.bat_at + 4},
                    {"image.extent.overlap", x.img.bat_at}, {"vhd.bitmap.empty", 2 * 512},
                    {"vhd.bitmap.hidden_data", 3 * 512});
    fx_free(&x);
}

/* VHD-25 */
VD_TEST(vhd_25_duplicate_blocks)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    vd_store_be32(x.img.data + x.img.bat_at + 4, (uint32_t)(x.img.block_at[0] / 512));
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.duplicate", x.img.bat_at + 4});
    fx_free(&x);
}

VD_TEST(vhd_25_overlapping_blocks)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    vd_store_be32(x.img.data + x.img.bat_at + 4, (uint32_t)(x.img.block_at[0] / 512) + 2);
    /* Block 1 starts inside block 0 and reaches into block 8 (the next one in the file). */
    EXPECT_FINDINGS(fx_run(&x), {"image.extent.overlap", x.img.bat_at + 4},
                    {"image.extent.overlap", x.img.bat_at + 32},
                    {"vhd.bitmap.hidden_data", x.img.block_at[0] + 2 * 512 + x.img.bitmap_bytes});
    fx_free(&x);
}

/* VHD-26 */
VD_TEST(vhd_26_entry_past_disk_end)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.f.max_table_entries = 12;
    x.f.allocate |= 1u << 10;
    vhd_fixture_free(&x.img);
    fx_build(&x);
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.dyn.max_table_entries_large", x.img.dyn_at + VHD_DYN_MAX_TABLE_ENTRIES},
                    {"vhd.bat.past_disk_end", x.img.bat_at + 40});
    fx_free(&x);
}

/* VHD-27 */
VD_TEST(vhd_27_hidden_data)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.block_at[0]] = 0xbf; /* sector 1 of block 0 marked absent */
    EXPECT_FINDINGS(fx_run(&x),
                    {"vhd.bitmap.hidden_data", x.img.block_at[0] + x.img.bitmap_bytes + 512});
    fx_free(&x);
}

VD_TEST(vhd_27_bits_beyond_disk)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    x.img.data[x.img.block_at[8]] = 0xff; /* the last block holds 1 sector of the disk */
    EXPECT_FINDINGS(fx_run(&x), {"vhd.bitmap.beyond_disk", x.img.block_at[8]});
    fx_free(&x);
}

VD_TEST(vhd_27_empty_bitmap)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    memset(x.img.data + x.img.block_at[0], 0, 1 + x.img.bitmap_bytes + 4096 - 1);
    EXPECT_FINDINGS(fx_run(&x), {"vhd.bitmap.empty", x.img.block_at[0]});
    fx_free(&x);
}

/* VHD-28 */
VD_TEST(vhd_28_slack_between_blocks_and_footer)
{
    struct fx x = fx_new(VHD_TYPE_DYNAMIC);
    uint8_t *grown = realloc(x.img.data, x.img.len + 1024);
    if (grown == NULL) {
        abort();
    }
    x.img.data = grown;
    memmove(x.img.data + x.img.end_at + 1024, x.img.data + x.img.end_at, 512);
    memset(x.img.data + x.img.end_at, 0, 1024);
    x.img.data[x.img.end_at + 700] = 0x42;
    x.img.len += 1024;
    EXPECT_FINDINGS(fx_run(&x), {"image.slack.nonzero", x.img.end_at});
    fx_free(&x);
}
