/*
 * Resource bounds (issue 8): images whose headers claim enormous tables or logs in files of
 * a few KiB or MiB. Each must be analyzed in under 5 seconds, within 256 MiB of address
 * space, and give exactly the findings the format notes (docs/formats/) define for such a
 * file; every expected offset is computed here from the fixture's layout.
 *
 * Already covered elsewhere, not repeated: VDI block counts above QEMU's cap
 * (test_vdi_images.c), a Bochs catalog over stored extents and a 2^62-byte disk
 * (test_bochs_images.c), a VHDX log whose every sector starts an entry (vhdx_28_log_scan_
 * limit) and the VHDX replay memory limit (vhdx_30_log_replay_limit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bochs_fixture.h"
#include "bochs_layout.h"
#include "vd_bytes.h"
#include "vd_test.h"
#include "vd_test_image.h"
#include "vd_test_sweep.h"
#include "vdi_fixture.h"
#include "vdi_layout.h"
#include "vhd_fixture.h"
#include "vhd_layout.h"
#include "vhdx_fixture.h"
#include "vhdx_layout.h"

#define AS_LIMIT    (256u << 20)
#define SECONDS_MAX 5.0

/*
 * Analyzes the image in this process (timed, exact findings, an errors verdict), then in a
 * child limited to AS_LIMIT of address space (each expected id found once there too).
 */
static void expect_bounded(const char *label, const uint8_t *data, size_t len,
                           const struct vd_expect *e, size_t n)
{
    const char *ids[16];
    size_t unique = 0;
    struct timespec t0;
    struct vd_image_result *r;
    double seconds;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = vd_test_analyze(data, len, 0);
    seconds = vd_test_seconds_since(&t0);
    fprintf(stderr, "  %s: %.3f s, %zu findings\n", label, seconds, r->findings.count);
    EXPECT(seconds < SECONDS_MAX);
    vd_test_expect_findings(r, e, n, __FILE__, __LINE__);
    EXPECT_STR(vd_verdict_name(r->verdict), "errors");
    vd_result_free(r);
    /* The child checks that each id it is given occurs once: give it those that do. */
    for (size_t i = 0; i < n; i++) {
        size_t same = 0;
        for (size_t j = 0; j < n; j++) {
            same += strcmp(e[i].id, e[j].id) == 0;
        }
        if (same == 1 && unique < 16) {
            ids[unique++] = e[i].id;
        }
    }
    EXPECT(vd_test_analyze_bounded(data, len, AS_LIMIT, ids, unique));
}

#define EXPECT_BOUNDED(label, data, len, ...)                                                      \
    do {                                                                                           \
        const struct vd_expect expect_[] = {__VA_ARGS__};                                          \
        expect_bounded((label), (data), (len), expect_, sizeof(expect_) / sizeof(expect_[0]));     \
    } while (0)

/* ---- VHD ---- */

/*
 * max_table_entries = 2^31 (an 8 GiB BAT) in a 34816-byte disk that needs 9 entries. VHD-19:
 * more entries than needed (info); VHD-17: the declared BAT runs past EOF (error, at the
 * BAT). Only the entries the disk needs are taken as the table, so nothing else is found.
 */
VD_TEST(bounds_vhd_bat_of_2_pow_31_entries)
{
    struct vhd_fixture f;
    struct vhd_fixture_image img;

    vhd_fixture_defaults(&f, VHD_TYPE_DYNAMIC);
    EXPECT(vhd_fixture_build(&f, &img));
    vd_store_be32(img.data + img.dyn_at + VHD_DYN_MAX_TABLE_ENTRIES, 0x80000000u);
    vhd_fixture_reseal(&img);
    EXPECT_BOUNDED("vhd 2^31 BAT entries", img.data, img.len,
                   {"vhd.dyn.max_table_entries_large", img.dyn_at + VHD_DYN_MAX_TABLE_ENTRIES},
                   {"vhd.bat.truncated", img.bat_at});
    vhd_fixture_free(&img);
}

/* ---- VDI ---- */

/*
 * QEMU's largest VDI (block/vdi.c): 0x1fffff80 blocks of 1 MiB, a 2 GiB block map, in a
 * file that ends after four map entries. offData is put right after the declared map, so
 * the header itself is consistent: VDI-10 alone applies (the map runs past EOF). QEMU
 * accepts these values, so no vdi.compat.qemu.
 */
VD_TEST(bounds_vdi_qemu_maximum_block_count)
{
    const uint32_t blocks = VDI_QEMU_BLOCKS_MAX;
    struct vdi_fixture f;
    struct vdi_fixture_image img;

    vdi_fixture_defaults(&f, VDI_TYPE_NORMAL);
    f.layout = "";
    EXPECT(vdi_fixture_build(&f, &img));
    img.len = (size_t)vdi_fixture_entry_at(&img, 4);
    vd_store_le32(img.data + img.at.blocks, blocks);
    vd_store_le64(img.data + img.at.disk_size, (uint64_t)blocks * VDI_BLOCK_SIZE_DEFAULT);
    vd_store_le32(img.data + img.at.data_offset, (uint32_t)(img.blocks_offset + 4ull * blocks));
    EXPECT_BOUNDED("vdi 0x1fffff80 blocks", img.data, img.len,
                   {"vdi.map.truncated", img.blocks_offset});
    vdi_fixture_free(&img);
}

/* ---- Bochs ---- */

/*
 * A catalog of 2^30 entries (4 GiB) in a file holding the header and 16 free entries:
 * BX-05 (the catalog runs past EOF) and QEMU's cap of 0x100000 entries (info). The 16
 * entries the file holds are free, so nothing else.
 */
VD_TEST(bounds_bochs_catalog_of_2_pow_30_entries)
{
    struct bochs_fixture f;
    struct bochs_fixture_image img;

    bochs_fixture_defaults(&f);
    f.n_stored = 0;
    EXPECT(bochs_fixture_build(&f, &img));
    vd_store_le32(img.data + BOCHS_CATALOG_AT, 1u << 30);
    EXPECT_BOUNDED("bochs 2^30 catalog entries", img.data, img.len,
                   {"bochs.catalog.truncated", BOCHS_HEADER_SIZE},
                   {"bochs.compat.qemu", BOCHS_CATALOG_AT});
    bochs_fixture_free(&img);
}

/* ---- VHDX ---- */

static const uint8_t bat_guid[16] = {0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42,
                                     0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08};
static const uint8_t metadata_guid[16] = {0x06, 0xA2, 0x7C, 0x8B, 0x90, 0x47, 0x9A, 0x4B,
                                          0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E};

/* File offset of the entry of region `guid` in region table 1 (MS-VHDX §2.2.3). */
static uint64_t region_entry(const struct vhdx_fixture_image *img, const uint8_t guid[16])
{
    uint64_t rt = img->region_at[0];
    uint32_t count = vd_load_le32(img->data + rt + VHDX_REGION_ENTRY_COUNT);

    for (uint32_t i = 0; i < count && i < 16; i++) {
        uint64_t e = rt + VHDX_REGION_ENTRIES + VHDX_REGION_ENTRY_SIZE * i;
        if (memcmp(img->data + e, guid, 16) == 0) {
            return e;
        }
    }
    EXPECT(0);
    return 0;
}

/*
 * 64 TiB (the format's maximum) in 1 MiB blocks of 512-byte sectors: 2^26 payload blocks
 * and a sector bitmap entry per 4096 of them (MS-VHDX §2.5) make 2^26 + 16383 entries, a
 * 512 MiB BAT, in a 4 MiB file whose BAT region holds 1 MiB: VHDX-16 (region too small;
 * the missing entries read as NOT_PRESENT), at the length of the BAT region's entry.
 */
VD_TEST(bounds_vhdx_64_tib_of_1_mib_blocks)
{
    struct vhdx_fixture f;
    struct vhdx_fixture_image img;

    vhdx_fixture_defaults(&f, VHDX_FIXTURE_DYNAMIC);
    memset(f.state, 0, sizeof(f.state));
    EXPECT(vhdx_fixture_build(&f, &img));
    vd_store_le64(img.data + img.item_at[VHDX_FX_VIRTUAL_DISK_SIZE], UINT64_C(64) << 40);
    EXPECT_BOUNDED(
        "vhdx 64 TiB, 1 MiB blocks", img.data, img.len,
        {"vhdx.bat.region_too_small", region_entry(&img, bat_guid) + VHDX_REGION_ENTRY_LENGTH});
    vhdx_fixture_free(&img);
}

/* A dynamic fixture with one pending log entry (one 4 KiB sector of block 0 rewritten). */
static void build_with_log(struct vhdx_fixture_image *img)
{
    struct vhdx_fixture f;
    struct vhdx_fixture_entry e;

    vhdx_fixture_defaults(&f, VHDX_FIXTURE_DYNAMIC);
    f.state[0] = VHDX_PAYLOAD_FULLY_PRESENT;
    EXPECT(vhdx_fixture_build(&f, img));
    memset(&e, 0, sizeof(e));
    e.sequence = 10;
    e.desc_count = 1;
    e.desc[0] = (struct vhdx_fixture_desc){.file_offset = img->block_at[0], .seed = 1};
    EXPECT(vhdx_fixture_log_add(img, &e));
}

/* The header in use is header 2 (the fixture gives it the larger sequence number). */
#define CURRENT_HEADER(img) ((img)->header_at[1])

/*
 * Log entries claiming huge sizes (VHDX-25: EntryLength zero, unaligned, beyond the log or
 * too short for its descriptors): DescriptorCount 2^32-1 in an 8 KiB entry, and an
 * EntryLength of 4 GiB - 4 KiB in a 1 MiB log. The entry is then unusable, so the LogGuid
 * names no active sequence (VHDX-28, at the log) and the LogGuid itself is reported (info).
 */
VD_TEST(bounds_vhdx_log_entry_claims)
{
    static const struct {
        const char *label;
        uint64_t field;
        uint32_t value;
    } cases[] = {{"vhdx log: 2^32-1 descriptors", VHDX_LOG_ENTRY_DESCRIPTOR_COUNT, 0xFFFFFFFFu},
                 {"vhdx log: entry of 4 GiB", VHDX_LOG_ENTRY_LENGTH, 0xFFFFF000u}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vhdx_fixture_image img;
        uint64_t entry;
        build_with_log(&img);
        entry = img.entry_at[0];
        vd_store_le32(img.data + entry + cases[i].field, cases[i].value);
        vhdx_fixture_reseal(&img);
        EXPECT_BOUNDED(cases[i].label, img.data, img.len,
                       {"vhdx.log.entry_length", entry + VHDX_LOG_ENTRY_LENGTH},
                       {"vhdx.log.no_active_sequence", img.log_at},
                       {"vhdx.header.log_guid", CURRENT_HEADER(&img) + VHDX_HEADER_LOG_GUID});
        vhdx_fixture_free(&img);
    }
}

/*
 * Both headers claim a log of 4 GiB - 1 MiB (a multiple of 1 MiB, as MS-VHDX requires) in a
 * file of a few MiB: VHDX-24, the log runs past EOF and is not scanned. What the file holds
 * of it is still claimed, over the BAT and metadata regions and every block: by the blame
 * rule those start later (regions, at their entry's FileOffset) or carry an index (blocks,
 * at their BAT entry).
 */
VD_TEST(bounds_vhdx_log_of_4_gib)
{
    struct vhdx_fixture_image img;
    struct vd_expect e[16];
    size_t n = 0;

    build_with_log(&img);
    for (unsigned h = 0; h < 2; h++) {
        vd_store_le32(img.data + img.header_at[h] + VHDX_HEADER_LOG_LENGTH, 0xFFF00000u);
    }
    vhdx_fixture_reseal(&img);
    e[n++] =
        (struct vd_expect){"vhdx.log.outside_file", CURRENT_HEADER(&img) + VHDX_HEADER_LOG_LENGTH};
    e[n++] =
        (struct vd_expect){"vhdx.header.log_guid", CURRENT_HEADER(&img) + VHDX_HEADER_LOG_GUID};
    e[n++] = (struct vd_expect){"image.extent.overlap",
                                region_entry(&img, bat_guid) + VHDX_REGION_ENTRY_FILE_OFFSET};
    e[n++] = (struct vd_expect){"image.extent.overlap",
                                region_entry(&img, metadata_guid) + VHDX_REGION_ENTRY_FILE_OFFSET};
    for (uint64_t b = 0; b < VHDX_FIXTURE_MAX_BLOCKS && n < 16; b++) {
        if (img.block_at[b] != 0) {
            e[n++] = (struct vd_expect){"image.extent.overlap", vhdx_fixture_bat_entry_at(&img, b)};
        }
    }
    expect_bounded("vhdx log of 4 GiB", img.data, img.len, e, n);
    vhdx_fixture_free(&img);
}
