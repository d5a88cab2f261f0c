/*
 * One test per VHDX rule (VHDX-01..VHDX-30, docs/formats/vhdx.md) and per finding id of
 * the VHDX catalog section: build a valid image from named fields, change one field,
 * re-seal the CRC-32Cs, and expect exactly the finding id at exactly the offset of the
 * bytes at fault (plus the companions the change makes inevitable, listed explicitly).
 * Log replays are checked against a virtual disk computed here, independently of the
 * driver: the log writes applied to a copy of the file, then the BAT read by hand.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_analyze.h"
#include "vd_bytes.h"
#include "vd_digest.h"
#include "vd_guid.h"
#include "vd_test.h"
#include "vd_test_image.h"
#include "vhdx_fixture.h"
#include "vhdx_layout.h"

#define H1 ((uint64_t)VHDX_HEADER1_OFFSET)
#define H2 ((uint64_t)VHDX_HEADER2_OFFSET)
#define R1 ((uint64_t)VHDX_REGION1_OFFSET)
#define R2 ((uint64_t)VHDX_REGION2_OFFSET)
/* Region table entry i (0 = BAT, 1 = metadata in the fixture) of the table at t. */
#define RENTRY(t, i) ((t) + VHDX_REGION_ENTRIES + (uint64_t)(i)*VHDX_REGION_ENTRY_SIZE)
#define SHA256_MASK  (1u << VD_DIGEST_SHA256)
#define UNKNOWN_GUID "c0ffee00-1234-4321-8765-0123456789ab"

struct fx {
    struct vhdx_fixture f;
    struct vhdx_fixture_image img;
    struct vd_image_result *r;
};

static void fx_build(struct fx *x)
{
    if (!vhdx_fixture_build(&x->f, &x->img)) {
        abort();
    }
}

static struct fx fx_new(enum vhdx_fixture_variant variant)
{
    struct fx x;

    memset(&x, 0, sizeof(x));
    vhdx_fixture_defaults(&x.f, variant);
    fx_build(&x);
    return x;
}

/* Defaults of `variant`, changed by the caller before fx_build. */
static struct fx fx_defaults(enum vhdx_fixture_variant variant)
{
    struct fx x;

    memset(&x, 0, sizeof(x));
    vhdx_fixture_defaults(&x.f, variant);
    return x;
}

static const struct vd_image_result *fx_run_opts(struct fx *x, const struct vd_analyze_options *o)
{
    vd_result_free(x->r);
    x->r = vd_test_analyze_opts(x->img.data, x->img.len, o);
    return x->r;
}

static const struct vd_image_result *fx_run(struct fx *x)
{
    struct vd_analyze_options o = {.hash_mask = 0, .limits = VD_LIMITS_DEFAULT};
    return fx_run_opts(x, &o);
}

static const struct vd_image_result *fx_run_hash(struct fx *x, enum vd_log_view view)
{
    struct vd_analyze_options o = {
        .hash_mask = SHA256_MASK, .limits = VD_LIMITS_DEFAULT, .log_view = view};
    return fx_run_opts(x, &o);
}

static void fx_free(struct fx *x)
{
    vd_result_free(x->r);
    vhdx_fixture_free(&x->img);
}

/* Field writers: change bytes at an absolute offset, then re-seal every checksum. */
static void put16(struct fx *x, uint64_t at, uint16_t v)
{
    vd_store_le16(x->img.data + at, v);
    vhdx_fixture_reseal(&x->img);
}

static void put32(struct fx *x, uint64_t at, uint32_t v)
{
    vd_store_le32(x->img.data + at, v);
    vhdx_fixture_reseal(&x->img);
}

static void put64(struct fx *x, uint64_t at, uint64_t v)
{
    vd_store_le64(x->img.data + at, v);
    vhdx_fixture_reseal(&x->img);
}

static void put_guid(struct fx *x, uint64_t at, const char *text)
{
    if (!vd_guid_parse(text, VD_GUID_MS_MIXED, x->img.data + at)) {
        abort();
    }
    vhdx_fixture_reseal(&x->img);
}

/* The same field in both region tables (so they stay identical). */
static void tables32(struct fx *x, uint64_t field, uint32_t v)
{
    vd_store_le32(x->img.data + R1 + field, v);
    vd_store_le32(x->img.data + R2 + field, v);
    vhdx_fixture_reseal(&x->img);
}

static void tables64(struct fx *x, uint64_t field, uint64_t v)
{
    vd_store_le64(x->img.data + R1 + field, v);
    vd_store_le64(x->img.data + R2 + field, v);
    vhdx_fixture_reseal(&x->img);
}

/* Appends a region entry to both tables; returns its offset in table 1. */
static uint64_t add_region(struct fx *x, const char *guid, uint64_t offset, uint32_t length,
                           uint32_t flags)
{
    uint32_t n = vd_load_le32(x->img.data + R1 + VHDX_REGION_ENTRY_COUNT);

    for (int t = 0; t < 2; t++) {
        uint64_t e = RENTRY(t == 0 ? R1 : R2, n);
        if (!vd_guid_parse(guid, VD_GUID_MS_MIXED, x->img.data + e)) {
            abort();
        }
        vd_store_le64(x->img.data + e + VHDX_REGION_ENTRY_FILE_OFFSET, offset);
        vd_store_le32(x->img.data + e + VHDX_REGION_ENTRY_LENGTH, length);
        vd_store_le32(x->img.data + e + VHDX_REGION_ENTRY_FLAGS, flags);
    }
    tables32(x, VHDX_REGION_ENTRY_COUNT, n + 1);
    return RENTRY(R1, n);
}

/* Appends a metadata table entry (item data left as it is); returns the entry's offset. */
static uint64_t add_item(struct fx *x, const char *guid, uint32_t offset, uint32_t length,
                         uint32_t flags)
{
    uint8_t *t = x->img.data + x->img.metadata_at;
    uint16_t n = vd_load_le16(t + VHDX_METADATA_ENTRY_COUNT);
    uint64_t e =
        x->img.metadata_at + VHDX_METADATA_ENTRIES + (uint64_t)n * VHDX_METADATA_ENTRY_SIZE;

    if (!vd_guid_parse(guid, VD_GUID_MS_MIXED, x->img.data + e)) {
        abort();
    }
    vd_store_le32(x->img.data + e + VHDX_METADATA_ENTRY_OFFSET, offset);
    vd_store_le32(x->img.data + e + VHDX_METADATA_ENTRY_LENGTH, length);
    vd_store_le32(x->img.data + e + VHDX_METADATA_ENTRY_FLAGS, flags);
    vd_store_le16(t + VHDX_METADATA_ENTRY_COUNT, (uint16_t)(n + 1));
    return e;
}

static uint64_t entry_field(const struct fx *x, enum vhdx_fixture_item k, uint64_t field)
{
    return x->img.mentry_at[k] + field;
}

/* How many findings with id sit at offset (for cascades too long to list). */
static size_t count_findings(const struct vd_image_result *r, const char *id, uint64_t offset)
{
    size_t n = 0;

    for (size_t i = 0; i < r->findings.count; i++) {
        const struct vd_finding *f = &r->findings.items[i];
        if (f->loc.offset == offset && strcmp(vd_catalog_get(f->id)->id, id) == 0) {
            n++;
        }
    }
    return n;
}

/*
 * docs/formats/vhdx.md §2: the reserved rest of the header section (320 KiB..1 MiB) is not
 * claimed, so every analysis that reaches the slack scan (no fatal finding) reports it as
 * one image.slack (info). EXPECT_VHDX adds that finding to the expected ones.
 */
#define VHDX_RESERVED_IS_SLACK 0
#define VHDX_RESERVED_AT       (VHDX_REGION2_OFFSET + VHDX_REGION_TABLE_SIZE)

static void expect_vhdx(const struct vd_image_result *r, const struct vd_expect *e, size_t n,
                        const char *file, int line)
{
    struct vd_expect all[64];

    if (n >= sizeof(all) / sizeof(all[0])) {
        abort();
    }
    if (n > 0) {
        memcpy(all, e, n * sizeof(*e));
    }
    all[n] = (struct vd_expect){"image.slack", VHDX_RESERVED_AT};
    vd_test_expect_findings(r, all, n + (VHDX_RESERVED_IS_SLACK ? 1 : 0), file, line);
}

#define EXPECT_VHDX(r, ...)                                                                        \
    do {                                                                                           \
        const struct vd_expect vexpect_[] = {__VA_ARGS__};                                         \
        expect_vhdx((r), vexpect_, sizeof(vexpect_) / sizeof(vexpect_[0]), __FILE__, __LINE__);    \
    } while (0)
#define EXPECT_VHDX_CLEAN(r) expect_vhdx((r), NULL, 0, __FILE__, __LINE__)

/* ---- the expected virtual disk, computed without the driver ---- */

struct file_copy {
    uint8_t *data;
    size_t len;
};

static struct file_copy file_copy_of(const struct fx *x)
{
    struct file_copy c = {malloc(x->img.len), x->img.len};

    if (c.data == NULL) {
        abort();
    }
    memcpy(c.data, x->img.data, x->img.len);
    return c;
}

static void file_copy_extend(struct file_copy *c, uint64_t len)
{
    uint8_t *p;

    if (len <= c->len) {
        return;
    }
    p = realloc(c->data, (size_t)len);
    if (p == NULL) {
        abort();
    }
    memset(p + c->len, 0, (size_t)len - c->len);
    c->data = p;
    c->len = (size_t)len;
}

/* Applies one entry's descriptors as MS-VHDX §2.3.3 replays them. */
static void replay_entry(struct file_copy *c, const struct vhdx_fixture_entry *e)
{
    for (size_t d = 0; d < e->desc_count; d++) {
        const struct vhdx_fixture_desc *desc = &e->desc[d];
        if (desc->zero) {
            file_copy_extend(c, desc->file_offset + desc->zero_length);
            memset(c->data + desc->file_offset, 0, (size_t)desc->zero_length);
        } else {
            file_copy_extend(c, desc->file_offset + VHDX_LOG_SECTOR);
            vhdx_fixture_desc_sector(desc, c->data + desc->file_offset);
        }
    }
    if (e->last_file_offset != 0) {
        file_copy_extend(c, e->last_file_offset);
    }
}

/* The guest-visible bytes of a fixed / dynamic image held in file[0..len). */
static uint8_t *disk_from_file(const struct fx *x, const uint8_t *file, size_t len)
{
    const struct vhdx_fixture_image *im = &x->img;
    uint8_t *disk = calloc(1, (size_t)im->virtual_size);

    if (disk == NULL) {
        abort();
    }
    for (uint64_t b = 0; b < im->payload_blocks; b++) {
        uint64_t entry = vd_load_le64(file + vhdx_fixture_bat_entry_at(im, b));
        uint64_t from = (entry >> VHDX_BAT_OFFSET_SHIFT) << VHDX_BAT_OFFSET_SHIFT;
        uint64_t first = b * im->block_size;
        uint64_t n =
            im->virtual_size - first < im->block_size ? im->virtual_size - first : im->block_size;
        if ((entry & VHDX_BAT_STATE_MASK) != VHDX_PAYLOAD_FULLY_PRESENT) {
            continue; /* NOT_PRESENT, UNDEFINED, ZERO, UNMAPPED read as zero */
        }
        for (uint64_t i = 0; i < n && from + i < len; i++) {
            disk[first + i] = file[from + i];
        }
    }
    return disk;
}

static void expect_virtual_sha256(const struct vd_image_result *r, const uint8_t *disk, size_t n)
{
    char want[65];

    vd_test_sha256_hex(disk, n, want);
    EXPECT((r->virtual_disk.mask & SHA256_MASK) != 0);
    EXPECT_STR(r->virtual_disk.hex[VD_DIGEST_SHA256], want);
}

/* The virtual disk of the image as it is, and after replaying entries in order. */
static void expect_disk_after(const struct vd_image_result *r, const struct fx *x,
                              const struct vhdx_fixture_entry *const *replayed, size_t n)
{
    struct file_copy c = file_copy_of(x);
    uint8_t *disk;

    for (size_t i = 0; i < n; i++) {
        replay_entry(&c, replayed[i]);
    }
    disk = disk_from_file(x, c.data, c.len);
    expect_virtual_sha256(r, disk, (size_t)x->img.virtual_size);
    free(disk);
    free(c.data);
}

/* ---- log helpers ---- */

static struct vhdx_fixture_entry entry_new(uint64_t sequence, uint64_t position, uint64_t tail)
{
    struct vhdx_fixture_entry e;

    memset(&e, 0, sizeof(e));
    e.sequence = sequence;
    e.position = position;
    e.tail = tail;
    return e;
}

static void entry_desc(struct vhdx_fixture_entry *e, uint64_t file_offset, uint8_t seed)
{
    e->desc[e->desc_count++] = (struct vhdx_fixture_desc){.file_offset = file_offset, .seed = seed};
}

static void entry_zero(struct vhdx_fixture_entry *e, uint64_t file_offset, uint64_t length)
{
    e->desc[e->desc_count++] =
        (struct vhdx_fixture_desc){.zero = true, .file_offset = file_offset, .zero_length = length};
}

static void add_entry(struct fx *x, const struct vhdx_fixture_entry *e)
{
    if (!vhdx_fixture_log_add(&x->img, e)) {
        abort();
    }
}

/* The default pending transaction: a sector of block 0 rewritten, 8 KiB of block 2 zeroed. */
static struct vhdx_fixture_entry pending_entry(const struct fx *x)
{
    struct vhdx_fixture_entry e = entry_new(10, 0, 0);

    entry_desc(&e, x->img.block_at[0] + 8192, 1);
    entry_zero(&e, x->img.block_at[2] + 4096, 8192);
    return e;
}

/* Offsets inside recorded entry i: header fields, descriptor d, the n-th data sector. */
static uint64_t log_field(const struct fx *x, size_t i, uint64_t field)
{
    return vhdx_fixture_entry_byte(&x->img, i, field);
}

static uint64_t desc_field(const struct fx *x, size_t i, size_t d, uint64_t field)
{
    return vhdx_fixture_entry_byte(&x->img, i, vhdx_fixture_desc_offset(d) + field);
}

static uint64_t data_field(const struct fx *x, size_t i, const struct vhdx_fixture_entry *e,
                           size_t n, uint64_t field)
{
    return vhdx_fixture_entry_byte(&x->img, i, vhdx_fixture_data_offset(e, n) + field);
}

/* Where the log as a whole is reported (no active sequence, scan limit): the log region. */
#define LOG_AT(x)   ((x)->img.log_at)
#define LOG_GUID_AT (H2 + VHDX_HEADER_LOG_GUID)
/* clang-format off */
/* Any log with a LogGuid: the current header's LogGuid is reported (info). */
#define LOG_GUID {"vhdx.header.log_guid", LOG_GUID_AT}
/* A pending log is reported at its head entry (the newest of the active sequence). */
#define PENDING(head) {"vhdx.log.pending", (head)}, LOG_GUID
#define NOT_ACTIVE(x) {"vhdx.log.no_active_sequence", LOG_AT(x)}, LOG_GUID
#define UNRESOLVED    {"image.parent.unresolved", 0}
/* clang-format on */

/* ================================================================================== */
/* The fixture itself                                                                  */
/* ================================================================================== */

VD_TEST(vhdx_fixture_dynamic_is_clean)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    EXPECT_VHDX_CLEAN(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED));
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    EXPECT(x.r->recognized);
    EXPECT_STR(x.r->info.format, "vhdx");
    EXPECT_STR(x.r->info.variant, "dynamic");
    EXPECT_U64(x.r->info.virtual_size, 4u * VHDX_MiB);
    EXPECT_U64(x.r->info.block_size, VHDX_MiB);
    EXPECT_U64(x.r->info.logical_sector_size, 512);
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_fixture_fixed_is_clean)
{
    struct fx x = fx_new(VHDX_FIXTURE_FIXED);
    EXPECT_VHDX_CLEAN(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED));
    EXPECT_STR(x.r->info.variant, "fixed");
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_fixture_differencing_reports_unresolved_parent)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), {"image.parent.unresolved", 0});
    EXPECT_STR(x.r->info.variant, "differencing");
    EXPECT(x.r->info.needs_parent);
    EXPECT_U64(x.r->virtual_disk.mask, 0); /* no virtual-disk hash without the parent */
    fx_free(&x);
}

/* Launchpad #1870039, cloud-hypervisor #8569: 4 KiB logical sectors, every byte hashed. */
VD_TEST(vhdx_fixture_4k_logical_is_clean)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    x.f.logical_sector = 4096;
    fx_build(&x);
    EXPECT_U64(x.img.chunk_ratio, 32768);
    EXPECT_VHDX_CLEAN(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED));
    EXPECT_U64(x.r->info.logical_sector_size, 4096);
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_fixture_pending_log)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run(&x), PENDING(x.img.entry_at[0]));
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    fx_free(&x);
}

/* A dynamic disk of 4097 MiB: 4096 blocks, a sector bitmap entry, one more block. */
static struct fx fx_two_chunks(uint32_t sb_alloc)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    x.f.virtual_size = 4097ull * VHDX_MiB;
    x.f.sb_alloc = sb_alloc;
    fx_build(&x);
    return x;
}

VD_TEST(vhdx_fixture_two_chunks_is_clean)
{
    /* Block 4096 is BAT entry 4097: the sector bitmap entry of chunk 0 sits between. */
    struct fx x = fx_two_chunks(0);
    uint64_t end = x.img.len;
    EXPECT_U64(x.img.chunk_ratio, 4096);
    EXPECT_U64(x.img.bat_entries, 4098);
    EXPECT_U64(vhdx_fixture_bat_index(&x.img, 4096), 4097);
    if (!vhdx_fixture_grow(&x.img, VHDX_MiB)) {
        abort();
    }
    for (uint64_t i = 0; i < VHDX_MiB; i++) {
        x.img.data[end + i] = vhdx_fixture_pattern(4096, i);
    }
    put64(&x, vhdx_fixture_bat_entry_at(&x.img, 4096),
          VHDX_PAYLOAD_FULLY_PRESENT | ((end / VHDX_MiB) << VHDX_BAT_OFFSET_SHIFT));
    EXPECT_VHDX_CLEAN(fx_run(&x));
    fx_free(&x);
}

/* ================================================================================== */
/* VHDX-01, VHDX-23: file and file type identifier                                     */
/* ================================================================================== */

VD_TEST(vhdx_01_file_too_small)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.len = 64u * VHDX_KiB; /* only the file type identifier */
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.file.too_small", 0}, {"vhdx.header.none_valid", H1});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_01_file_id_signature)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[7] = 'E'; /* "vhdxfilE" */
    fx_run(&x);
    if (!x.r->recognized) {
        /* Nothing at offset 0 says VHDX: the probe may decline, as for a VHD without footer. */
        EXPECT_NO_FINDINGS(x.r);
        EXPECT_U64(x.r->verdict, VD_VERDICT_UNRECOGNIZED);
    } else {
        EXPECT_VHDX(x.r, {"vhdx.file_id.signature", 0});
    }
    fx_free(&x);
}

VD_TEST(vhdx_01_file_id_creator)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    vd_store_le16(x.img.data + VHDX_FILE_ID_CREATOR + 4, 0xd800); /* an unpaired surrogate */
    EXPECT_VHDX(fx_run(&x), {"vhdx.file_id.creator", VHDX_FILE_ID_CREATOR});
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN); /* info only */
    fx_free(&x);
}

VD_TEST(vhdx_23_file_size_unaligned)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t end = x.img.len;
    if (!vhdx_fixture_grow(&x.img, 4096)) {
        abort();
    }
    EXPECT_VHDX(fx_run(&x), {"vhdx.file.size_unaligned", end}, {"image.slack", end});
    fx_free(&x);
}

/* ================================================================================== */
/* VHDX-02, VHDX-03, VHDX-04: headers                                                  */
/* ================================================================================== */

VD_TEST(vhdx_02_header_signature)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[H2] = 'H';
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.signature", H2}, {"vhdx.header.torn", H2});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_checksum)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[H2 + VHDX_HEADER_CHECKSUM] ^= 1;
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.checksum", H2 + VHDX_HEADER_CHECKSUM},
                {"vhdx.header.torn", H2});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_checksum_covers_all_4k)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[H1 + VHDX_HEADER_SIZE - 1] ^= 0x80; /* the last reserved byte, not re-sealed */
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.checksum", H1 + VHDX_HEADER_CHECKSUM},
                {"vhdx.header.torn", H1});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_version)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put16(&x, H1 + VHDX_HEADER_VERSION, 2); /* the older header is checked too */
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.version", H1 + VHDX_HEADER_VERSION});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_log_version)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put16(&x, H1 + VHDX_HEADER_LOG_VERSION, 1);
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.log_version", H1 + VHDX_HEADER_LOG_VERSION});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_log_length)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put32(&x, H1 + VHDX_HEADER_LOG_LENGTH, VHDX_MiB + 4096);
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.log_length", H1 + VHDX_HEADER_LOG_LENGTH});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_log_offset_below_1mib)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put64(&x, H1 + VHDX_HEADER_LOG_OFFSET, 512u * VHDX_KiB);
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.log_offset", H1 + VHDX_HEADER_LOG_OFFSET});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_log_offset_unaligned)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put64(&x, H1 + VHDX_HEADER_LOG_OFFSET, VHDX_MiB + 4096);
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.log_offset", H1 + VHDX_HEADER_LOG_OFFSET});
    fx_free(&x);
}

VD_TEST(vhdx_02_header_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[H1 + VHDX_HEADER_RESERVED + 100] = 1;
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.reserved", H1 + VHDX_HEADER_RESERVED + 100});
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    fx_free(&x);
}

/* cloud-hypervisor #6844: a writer that destroyed both headers. */
VD_TEST(vhdx_03_header_none_valid)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[H1 + VHDX_HEADER_CHECKSUM] ^= 1;
    x.img.data[H2 + VHDX_HEADER_CHECKSUM] ^= 1;
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.header.checksum", H1 + VHDX_HEADER_CHECKSUM},
                    {"vhdx.header.checksum", H2 + VHDX_HEADER_CHECKSUM},
                    {"vhdx.header.none_valid", H1});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_03_header_torn_uses_the_other)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    /* Header 2 (the newer) is torn: header 1 describes the same disk and is used. */
    x.img.data[H2 + 200] ^= 0x55;
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED),
                {"vhdx.header.checksum", H2 + VHDX_HEADER_CHECKSUM}, {"vhdx.header.torn", H2});
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_03_header_sequence_tie)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[H1 + VHDX_HEADER_FILE_WRITE_GUID] ^= 0xff;
    put64(&x, H1 + VHDX_HEADER_SEQUENCE, 2);
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.sequence_tie", H2 + VHDX_HEADER_SEQUENCE});
    fx_free(&x);
}

/* cloud-hypervisor PR #8799: the largest sequence number must not overflow anything. */
VD_TEST(vhdx_03_header_sequence_max)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put64(&x, H1 + VHDX_HEADER_SEQUENCE, UINT64_MAX);
    EXPECT_VHDX_CLEAN(fx_run(&x));
    fx_free(&x);
}

VD_TEST(vhdx_03_header_identical)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put64(&x, H1 + VHDX_HEADER_SEQUENCE, 2); /* Disk2VHD writes both headers alike */
    EXPECT_VHDX(fx_run(&x), {"vhdx.header.identical", H2 + VHDX_HEADER_SEQUENCE});
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    fx_free(&x);
}

VD_TEST(vhdx_04_header_log_guid_with_empty_log)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    memset(x.img.data + H1 + VHDX_HEADER_LOG_GUID, 0x44, 16);
    memset(x.img.data + H2 + VHDX_HEADER_LOG_GUID, 0x44, 16);
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run(&x), NOT_ACTIVE(&x));
    fx_free(&x);
}

/* ================================================================================== */
/* VHDX-05, VHDX-06: region tables                                                     */
/* ================================================================================== */

VD_TEST(vhdx_05_region_signature)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[R2 + 1] = 'E';
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.signature", R2});
    fx_free(&x);
}

VD_TEST(vhdx_05_region_checksum)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[R1 + VHDX_REGION_TABLE_SIZE - 1] = 1; /* the CRC covers all 64 KiB */
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.checksum", R1 + VHDX_REGION_CHECKSUM});
    fx_free(&x);
}

VD_TEST(vhdx_05_region_entry_count)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    tables32(&x, VHDX_REGION_ENTRY_COUNT, 2048);
    /* 2045 all-zero entries follow the two real ones: they bring their own findings. */
    fx_run(&x);
    EXPECT_U64(count_findings(x.r, "vhdx.region.entry_count", R1 + VHDX_REGION_ENTRY_COUNT), 1);
    EXPECT_U64(count_findings(x.r, "vhdx.region.entry_count", R2 + VHDX_REGION_ENTRY_COUNT), 1);
    fx_free(&x);
}

VD_TEST(vhdx_05_region_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    tables32(&x, VHDX_REGION_RESERVED, 1);
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.reserved", R1 + VHDX_REGION_RESERVED},
                {"vhdx.region.reserved", R2 + VHDX_REGION_RESERVED});
    fx_free(&x);
}

VD_TEST(vhdx_05_region_none_valid)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[R1 + VHDX_REGION_CHECKSUM] ^= 1;
    x.img.data[R2] = 'R';
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.region.checksum", R1 + VHDX_REGION_CHECKSUM},
                    {"vhdx.region.signature", R2}, {"vhdx.region.none_valid", R1});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_05_region_mismatch)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[R2 + 1000] = 0x5a; /* valid, but not the same as table 1 */
    vhdx_fixture_reseal(&x.img);
    /* The span starts at the first differing byte; the checksums are left out of it. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.mismatch", R2 + 1000});
    fx_free(&x);
}

VD_TEST(vhdx_06_region_entry_offset)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t old = x.img.metadata_at;
    uint64_t end = x.img.len;
    uint64_t moved = end + 512u * VHDX_KiB; /* not a multiple of 1 MiB */
    if (!vhdx_fixture_grow(&x.img, 2u * VHDX_MiB)) {
        abort();
    }
    memcpy(x.img.data + moved, x.img.data + old, VHDX_MiB);
    memset(x.img.data + old, 0, VHDX_MiB);
    tables64(&x, VHDX_REGION_ENTRIES + VHDX_REGION_ENTRY_SIZE + VHDX_REGION_ENTRY_FILE_OFFSET,
             moved);
    /* The metadata moved intact: only the alignment is wrong, and the gaps left are slack. */
    EXPECT_VHDX(fx_run(&x),
                {"vhdx.region.entry_offset", RENTRY(R1, 1) + VHDX_REGION_ENTRY_FILE_OFFSET},
                {"image.slack", old}, {"image.slack", end}, {"image.slack", moved + VHDX_MiB});
    fx_free(&x);
}

VD_TEST(vhdx_06_region_entry_length)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    tables32(&x, VHDX_REGION_ENTRIES + VHDX_REGION_ENTRY_LENGTH, 512u * VHDX_KiB);
    /* The BAT still fits in 512 KiB; the other half of its old region is unused. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.entry_length", RENTRY(R1, 0) + VHDX_REGION_ENTRY_LENGTH},
                {"image.slack", x.img.bat_at + 512u * VHDX_KiB});
    fx_free(&x);
}

VD_TEST(vhdx_06_region_entry_flags)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    tables32(&x, VHDX_REGION_ENTRIES + VHDX_REGION_ENTRY_FLAGS, VHDX_REGION_FLAG_REQUIRED | 0x10);
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.entry_flags", RENTRY(R1, 0) + VHDX_REGION_ENTRY_FLAGS});
    fx_free(&x);
}

VD_TEST(vhdx_06_region_duplicate)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = add_region(&x, VHDX_GUID_BAT_REGION, x.img.bat_at, (uint32_t)x.img.bat_length,
                            VHDX_REGION_FLAG_REQUIRED);
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.duplicate", e});
    fx_free(&x);
}

VD_TEST(vhdx_06_region_required_missing)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    tables32(&x, VHDX_REGION_ENTRY_COUNT, 1); /* the BAT only */
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.region.required_missing", R1});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_06_region_required_flag)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    tables32(&x, VHDX_REGION_ENTRIES + VHDX_REGION_ENTRY_FLAGS, 0);
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.required_flag", RENTRY(R1, 0) + VHDX_REGION_ENTRY_FLAGS});
    fx_free(&x);
}

VD_TEST(vhdx_06_region_unknown_required)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t end = x.img.len;
    uint64_t e;
    if (!vhdx_fixture_grow(&x.img, VHDX_MiB)) {
        abort();
    }
    e = add_region(&x, UNKNOWN_GUID, end, VHDX_MiB, VHDX_REGION_FLAG_REQUIRED);
    /* Unsupported, not corrupt: a warning, and the disk is not interpreted (no hash). The
     * BAT is not walked, so its blocks are unclaimed and no slack verdict is given. */
    EXPECT_FINDINGS(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), {"vhdx.region.unknown_required", e},
                    {"image.virtual.unhashed", 0});
    EXPECT_U64(x.r->virtual_disk.mask, 0);
    fx_free(&x);
}

VD_TEST(vhdx_06_region_unknown)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t end = x.img.len;
    uint64_t e;
    if (!vhdx_fixture_grow(&x.img, VHDX_MiB)) {
        abort();
    }
    e = add_region(&x, UNKNOWN_GUID, end, VHDX_MiB, 0);
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.unknown", e});
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    fx_free(&x);
}

VD_TEST(vhdx_06_region_overlaps_the_log)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e;
    e = add_region(&x, UNKNOWN_GUID, x.img.log_at, VHDX_MiB, 0);
    EXPECT_VHDX(fx_run(&x), {"vhdx.region.unknown", e},
                {"image.extent.overlap", e + VHDX_REGION_ENTRY_FILE_OFFSET});
    fx_free(&x);
}

/* ================================================================================== */
/* VHDX-07 .. VHDX-14: metadata table and items                                        */
/* ================================================================================== */

VD_TEST(vhdx_07_metadata_signature)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[x.img.metadata_at] = 'M';
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.metadata.signature", x.img.metadata_at});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_07_metadata_table_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put16(&x, x.img.metadata_at + VHDX_METADATA_RESERVED, 1);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.reserved", x.img.metadata_at + VHDX_METADATA_RESERVED});
    fx_free(&x);
}

VD_TEST(vhdx_07_metadata_table_reserved2)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    x.img.data[x.img.metadata_at + VHDX_METADATA_RESERVED2 + 5] = 1;
    EXPECT_VHDX(fx_run(&x),
                {"vhdx.metadata.reserved", x.img.metadata_at + VHDX_METADATA_RESERVED2 + 5});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_entry_reserved_flags)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = entry_field(&x, VHDX_FX_PAGE83, VHDX_METADATA_ENTRY_FLAGS);
    put32(&x, at, vd_load_le32(x.img.data + at) | 0x100);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.reserved", at});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_entry_reserved_field)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = entry_field(&x, VHDX_FX_PAGE83, VHDX_METADATA_ENTRY_RESERVED);
    put32(&x, at, 1);
    /* Reported over flags + reserved (docs/formats/vhdx.md: M+24, 8 bytes). */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.reserved",
                             entry_field(&x, VHDX_FX_PAGE83, VHDX_METADATA_ENTRY_FLAGS)});
    fx_free(&x);
}

VD_TEST(vhdx_07_metadata_entry_count)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    put16(&x, x.img.metadata_at + VHDX_METADATA_ENTRY_COUNT, 2048);
    /* The other 2042 slots are all zero and bring their own findings. */
    fx_run(&x);
    EXPECT_U64(count_findings(x.r, "vhdx.metadata.entry_count",
                              x.img.metadata_at + VHDX_METADATA_ENTRY_COUNT),
               1);
    fx_free(&x);
}

VD_TEST(vhdx_07_metadata_truncated)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = RENTRY(R1, 1);
    tables64(&x, VHDX_REGION_ENTRIES + VHDX_REGION_ENTRY_SIZE + VHDX_REGION_ENTRY_FILE_OFFSET,
             x.img.len); /* the metadata region starts at the end of the file */
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.metadata.truncated", e},
                    {"image.extent.beyond_eof", e + VHDX_REGION_ENTRY_FILE_OFFSET});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_item_duplicate)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = add_item(&x, VHDX_GUID_PAGE83, VHDX_METADATA_TABLE_SIZE + 16, 16,
                          VHDX_METADATA_FLAG_IS_REQUIRED | VHDX_METADATA_FLAG_IS_VIRTUAL_DISK);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_duplicate", e});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_item_offset)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = add_item(&x, UNKNOWN_GUID, 4096, 16, VHDX_METADATA_FLAG_IS_USER);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_offset", e + VHDX_METADATA_ENTRY_OFFSET},
                {"vhdx.metadata.unknown", e});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_empty_item_offset)
{
    /* §2.6.1.2: an item of length 0 has offset 0. */
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e =
        add_item(&x, UNKNOWN_GUID, VHDX_METADATA_TABLE_SIZE + 512, 0, VHDX_METADATA_FLAG_IS_USER);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_offset", e + VHDX_METADATA_ENTRY_OFFSET},
                {"vhdx.metadata.unknown", e});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_empty_item_at_zero)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = add_item(&x, UNKNOWN_GUID, 0, 0, VHDX_METADATA_FLAG_IS_USER);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.unknown", e});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_item_bounds)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = add_item(&x, UNKNOWN_GUID, VHDX_MiB - 8, 16, VHDX_METADATA_FLAG_IS_USER);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_bounds", e + VHDX_METADATA_ENTRY_OFFSET},
                {"vhdx.metadata.unknown", e});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_item_length)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    uint64_t e;
    x.f.metadata_region_length = 4u * VHDX_MiB;
    fx_build(&x);
    e = add_item(&x, UNKNOWN_GUID, VHDX_MiB, VHDX_MiB + 1, VHDX_METADATA_FLAG_IS_USER);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_length", e + VHDX_METADATA_ENTRY_LENGTH},
                {"vhdx.metadata.unknown", e});
    fx_free(&x);
}

VD_TEST(vhdx_08_metadata_item_overlap)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    /* Over the virtual disk size item (table + 64 KiB + 8 .. + 16). */
    uint64_t e =
        add_item(&x, UNKNOWN_GUID, VHDX_METADATA_TABLE_SIZE + 12, 8, VHDX_METADATA_FLAG_IS_USER);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_overlap", e + VHDX_METADATA_ENTRY_OFFSET},
                {"vhdx.metadata.unknown", e});
    fx_free(&x);
}

VD_TEST(vhdx_10_metadata_item_size)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = entry_field(&x, VHDX_FX_PAGE83, VHDX_METADATA_ENTRY_LENGTH);
    put32(&x, at, 12);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_size", at});
    fx_free(&x);
}

VD_TEST(vhdx_09_metadata_item_flags)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = entry_field(&x, VHDX_FX_PAGE83, VHDX_METADATA_ENTRY_FLAGS);
    put32(&x, at, VHDX_METADATA_FLAG_IS_REQUIRED); /* IsVirtualDisk missing */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_flags", at});
    fx_free(&x);
}

VD_TEST(vhdx_09_metadata_item_flags_file_parameters)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = entry_field(&x, VHDX_FX_FILE_PARAMETERS, VHDX_METADATA_ENTRY_FLAGS);
    /* File parameters describe the file, not the virtual disk. */
    put32(&x, at, VHDX_METADATA_FLAG_IS_REQUIRED | VHDX_METADATA_FLAG_IS_VIRTUAL_DISK);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.item_flags", at});
    fx_free(&x);
}

VD_TEST(vhdx_09_metadata_physical_not_required)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = entry_field(&x, VHDX_FX_PHYSICAL_SECTOR_SIZE, VHDX_METADATA_ENTRY_FLAGS);
    put32(&x, at, VHDX_METADATA_FLAG_IS_VIRTUAL_DISK); /* early writers: a W, not an E */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.physical_not_required", at});
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    fx_free(&x);
}

VD_TEST(vhdx_09_metadata_unknown_required)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = add_item(&x, UNKNOWN_GUID, VHDX_METADATA_TABLE_SIZE + 256, 8,
                          VHDX_METADATA_FLAG_IS_REQUIRED);
    /* As for an unknown required region: not walked, no slack verdict, no hash. */
    EXPECT_FINDINGS(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), {"vhdx.metadata.unknown_required", e},
                    {"image.virtual.unhashed", 0});
    EXPECT_U64(x.r->virtual_disk.mask, 0); /* unsupported: not interpreted */
    fx_free(&x);
}

VD_TEST(vhdx_09_metadata_unknown)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t e = add_item(&x, UNKNOWN_GUID, VHDX_METADATA_TABLE_SIZE + 256, 8, 0);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.unknown", e});
    EXPECT_U64(x.r->verdict, VD_VERDICT_CLEAN);
    fx_free(&x);
}

VD_TEST(vhdx_10_metadata_block_size_not_pow2)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = x.img.item_at[VHDX_FX_FILE_PARAMETERS];
    put32(&x, at, 3u * VHDX_MiB);
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.metadata.block_size", at});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

/* CVE-2014-0148: block sizes that broke the BAT arithmetic. */
VD_TEST(vhdx_10_metadata_block_size_cve_2014_0148)
{
    static const uint32_t bad[] = {0,           1,          512u * VHDX_KiB, 512u * VHDX_MiB,
                                   0x80000000u, 0xffffffffu};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
        uint64_t at = x.img.item_at[VHDX_FX_FILE_PARAMETERS];
        put32(&x, at, bad[i]);
        EXPECT_FINDINGS(fx_run(&x), {"vhdx.metadata.block_size", at});
        fx_free(&x);
    }
}

VD_TEST(vhdx_10_metadata_file_parameters_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = x.img.item_at[VHDX_FX_FILE_PARAMETERS] + 4;
    put32(&x, at, 0x4);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.file_parameters_reserved", at});
    fx_free(&x);
}

VD_TEST(vhdx_11_metadata_virtual_size_unaligned)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = x.img.item_at[VHDX_FX_VIRTUAL_DISK_SIZE];
    put64(&x, at, 3u * VHDX_MiB + 100); /* still 4 blocks, the last one short */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.virtual_size", at});
    fx_free(&x);
}

VD_TEST(vhdx_11_metadata_virtual_size_zero)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = x.img.item_at[VHDX_FX_VIRTUAL_DISK_SIZE];
    put64(&x, at, 0);
    /* A disk of no blocks has no BAT entries: the blocks are referenced by nothing. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.virtual_size", at},
                {"image.slack.nonzero", x.img.block_at[0]});
    fx_free(&x);
}

VD_TEST(vhdx_11_metadata_virtual_size_above_64tib)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    uint64_t at;
    x.f.block_size = 256u * VHDX_MiB;
    x.f.virtual_size = 256u * VHDX_MiB;
    memset(x.f.state, 0, sizeof(x.f.state));
    fx_build(&x);
    at = x.img.item_at[VHDX_FX_VIRTUAL_DISK_SIZE];
    put64(&x, at, VHDX_VIRTUAL_SIZE_MAX + 256u * VHDX_MiB);
    /* 2^18 + 1 blocks of 256 MiB need 2^18 + 2^14 + 1 entries: more than 1 MiB holds. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.virtual_size", at},
                {"vhdx.bat.region_too_small", RENTRY(R1, 0) + VHDX_REGION_ENTRY_LENGTH});
    fx_free(&x);
}

VD_TEST(vhdx_12_metadata_logical_sector)
{
    static const uint32_t bad[] = {0, 1, 513, 1024, 8192, 0x80000000u};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
        uint64_t at = x.img.item_at[VHDX_FX_LOGICAL_SECTOR_SIZE];
        put32(&x, at, bad[i]);
        EXPECT_FINDINGS(fx_run(&x), {"vhdx.metadata.logical_sector", at});
        EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
        fx_free(&x);
    }
}

VD_TEST(vhdx_12_metadata_physical_sector)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = x.img.item_at[VHDX_FX_PHYSICAL_SECTOR_SIZE];
    put32(&x, at, 1024);
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.physical_sector", at});
    fx_free(&x);
}

VD_TEST(vhdx_13_metadata_required_missing)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint8_t *t = x.img.data + x.img.metadata_at;
    /* Page 83 (slot 2) removed: the physical sector size entry (slot 4) takes its slot. */
    memcpy(t + VHDX_METADATA_ENTRIES + 2 * VHDX_METADATA_ENTRY_SIZE,
           t + VHDX_METADATA_ENTRIES + 4 * VHDX_METADATA_ENTRY_SIZE, VHDX_METADATA_ENTRY_SIZE);
    memset(t + VHDX_METADATA_ENTRIES + 4 * VHDX_METADATA_ENTRY_SIZE, 0, VHDX_METADATA_ENTRY_SIZE);
    put16(&x, x.img.metadata_at + VHDX_METADATA_ENTRY_COUNT, 4);
    EXPECT_FINDINGS(fx_run(&x), {"vhdx.metadata.required_missing", x.img.metadata_at});
    fx_free(&x);
}

VD_TEST(vhdx_14_metadata_has_parent_without_locator)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = x.img.item_at[VHDX_FX_FILE_PARAMETERS] + 4;
    put32(&x, at, VHDX_FP_HAS_PARENT); /* HasParent decides: a differencing disk */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.parent_mismatch", at}, {"image.parent.unresolved", 0});
    fx_free(&x);
}

VD_TEST(vhdx_14_metadata_locator_without_has_parent)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.item_at[VHDX_FX_FILE_PARAMETERS] + 4;
    uint64_t b1 = vhdx_fixture_bat_entry_at(&x.img, 1);
    put32(&x, at, 0);
    /* Read as a dynamic disk: block 1 (PARTIALLY_PRESENT) is invalid there, so it and the
     * sector bitmap block after it are not interpreted. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.metadata.parent_mismatch", at}, {"vhdx.bat.payload_state", b1},
                {"image.slack.nonzero", x.img.block_at[1]});
    fx_free(&x);
}

/* ================================================================================== */
/* VHDX-15: parent locator (differencing fixture)                                      */
/* ================================================================================== */

VD_TEST(vhdx_15_locator_type)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.item_at[VHDX_FX_PARENT_LOCATOR];
    put_guid(&x, at + VHDX_LOCATOR_TYPE, UNKNOWN_GUID);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.type", at}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_item_too_short)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = entry_field(&x, VHDX_FX_PARENT_LOCATOR, VHDX_METADATA_ENTRY_LENGTH);
    put32(&x, at, 16); /* shorter than the 20-byte locator header */
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.count", x.img.item_at[VHDX_FX_PARENT_LOCATOR]},
                UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.item_at[VHDX_FX_PARENT_LOCATOR] + VHDX_LOCATOR_RESERVED;
    put16(&x, at, 1);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.reserved", at}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_count)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.item_at[VHDX_FX_PARENT_LOCATOR] + VHDX_LOCATOR_COUNT;
    put16(&x, at, 1000); /* 12000 bytes of entries in a 450-byte item */
    /* The entries that fit are read: past the 4 real ones they are string bytes, and each
     * brings its own vhdx.locator.entry_bounds. */
    fx_run(&x);
    EXPECT_U64(count_findings(x.r, "vhdx.locator.count", at), 1);
    EXPECT_U64(count_findings(x.r, "image.parent.unresolved", 0), 1);
    EXPECT_U64(count_findings(x.r, "vhdx.locator.entry_bounds", x.img.kv_at[3]), 0);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_entry_bounds)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.kv_at[1];
    put32(&x, at + VHDX_LOCATOR_VALUE_OFFSET, 60000);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.entry_bounds", at}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_entry_odd_length)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.kv_at[1];
    uint16_t len = vd_load_le16(x.img.data + at + VHDX_LOCATOR_VALUE_LENGTH);
    put16(&x, at + VHDX_LOCATOR_VALUE_LENGTH, (uint16_t)(len - 1));
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.entry_bounds", at}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_encoding)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.value_at[1]; /* relative_path */
    put16(&x, at + 2, 0xdc00);       /* a low surrogate without its high half */
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.encoding", x.img.kv_at[1]}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_key_duplicate)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DIFFERENCING);
    x.f.kv[3].key = "relative_path";
    fx_build(&x);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.key_duplicate", x.img.kv_at[3]}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_linkage_missing)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DIFFERENCING);
    x.f.kv[0].key = "parent_linkage2"; /* optional; parent_linkage itself is required */
    fx_build(&x);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.linkage_missing", x.img.item_at[VHDX_FX_PARENT_LOCATOR]},
                UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_linkage_format)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DIFFERENCING);
    x.f.kv[0].value = "83f1c4a2-5b6d-4e7f-8091-a2b3c4d5e6f7"; /* no braces */
    fx_build(&x);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.linkage_format", x.img.kv_at[0]}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_no_path)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DIFFERENCING);
    x.f.kv_count = 1; /* parent_linkage only */
    fx_build(&x);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.no_path", x.img.item_at[VHDX_FX_PARENT_LOCATOR]},
                UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_unknown_key)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DIFFERENCING);
    x.f.kv[x.f.kv_count++] = (struct vhdx_fixture_kv){"vendor_hint", "x"};
    fx_build(&x);
    EXPECT_VHDX(fx_run(&x), {"vhdx.locator.unknown_key", x.img.kv_at[4]}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_15_locator_parent_linkage2_is_known)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DIFFERENCING);
    x.f.kv[x.f.kv_count++] =
        (struct vhdx_fixture_kv){"parent_linkage2", "{11111111-2222-3333-4444-555555555555}"};
    fx_build(&x);
    EXPECT_VHDX(fx_run(&x), UNRESOLVED);
    fx_free(&x);
}

/* ================================================================================== */
/* VHDX-16 .. VHDX-22: BAT, blocks and sector bitmaps                                  */
/* ================================================================================== */

VD_TEST(vhdx_16_bat_region_too_small)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    x.f.virtual_size = 128ull << 30; /* 131072 blocks + 31 bitmap entries > 131072 slots */
    x.f.bat_region_length = VHDX_MiB;
    fx_build(&x);
    EXPECT_U64(x.img.bat_entries, 131103);
    EXPECT_VHDX(fx_run(&x),
                {"vhdx.bat.region_too_small", RENTRY(R1, 0) + VHDX_REGION_ENTRY_LENGTH});
    fx_free(&x);
}

VD_TEST(vhdx_16_bat_differencing_needs_whole_chunks)
{
    /* ceil(PB / CR) * (CR + 1) entries even when the last chunk is short. */
    struct fx x = fx_defaults(VHDX_FIXTURE_DIFFERENCING);
    x.f.block_size = 256u * VHDX_MiB;
    x.f.virtual_size = 4u * 256u * VHDX_MiB; /* CR 16: 1 chunk, 17 entries */
    x.f.state[0] = VHDX_PAYLOAD_ZERO;
    x.f.state[1] = VHDX_PAYLOAD_NOT_PRESENT;
    x.f.sb_alloc = 1; /* the sector bitmap entry is entry 16 */
    fx_build(&x);
    EXPECT_U64(x.img.bat_entries, 17);
    EXPECT_U64(vhdx_fixture_sb_index(&x.img, 0), 16);
    EXPECT_VHDX(fx_run(&x), UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_17_bat_entry_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 0);
    put64(&x, at, vd_load_le64(x.img.data + at) | (1u << 5));
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.entry_reserved", at});
    fx_free(&x);
}

VD_TEST(vhdx_18_bat_payload_state_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 1);
    put64(&x, at, 4);
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.payload_state", at});
    fx_free(&x);
}

VD_TEST(vhdx_18_bat_payload_partial_in_dynamic)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 1);
    put64(&x, at, VHDX_PAYLOAD_PARTIALLY_PRESENT); /* differencing only */
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.payload_state", at});
    fx_free(&x);
}

VD_TEST(vhdx_18_bat_payload_unmapped_draft)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 1);
    put64(&x, at, VHDX_PAYLOAD_UNMAPPED_DRAFT);
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.payload_unmapped_draft", at});
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    fx_free(&x);
}

VD_TEST(vhdx_18_bat_every_valid_state)
{
    /* 0, 1, 2, 3 and 6 are valid in a dynamic image and read as zero / data. */
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    x.f.virtual_size = 5u * VHDX_MiB;
    x.f.state[0] = VHDX_PAYLOAD_NOT_PRESENT;
    x.f.state[1] = VHDX_PAYLOAD_UNDEFINED;
    x.f.state[2] = VHDX_PAYLOAD_ZERO;
    x.f.state[3] = VHDX_PAYLOAD_UNMAPPED;
    x.f.state[4] = VHDX_PAYLOAD_FULLY_PRESENT;
    fx_build(&x);
    EXPECT_VHDX_CLEAN(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED));
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_19_bat_offset_not_present)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 3); /* ZERO with an offset */
    put64(&x, at, VHDX_PAYLOAD_ZERO | ((uint64_t)5 << VHDX_BAT_OFFSET_SHIFT));
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.offset_not_present", at});
    fx_free(&x);
}

VD_TEST(vhdx_20_bat_sb_state)
{
    struct fx x = fx_two_chunks(0);
    uint64_t at = vhdx_fixture_sb_entry_at(&x.img, 0);
    EXPECT_U64(x.img.bat_entries, 4098);
    EXPECT_VHDX_CLEAN(fx_run(&x));
    put64(&x, at, 3);
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.sb_state", at});
    fx_free(&x);
}

VD_TEST(vhdx_20_bat_sb_present_nondiff)
{
    struct fx x = fx_two_chunks(1); /* VB saw real images like this: W, not E */
    EXPECT(x.img.sb_at[0] != 0);
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.sb_present_nondiff", vhdx_fixture_sb_entry_at(&x.img, 0)});
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    fx_free(&x);
}

VD_TEST(vhdx_20_bat_sb_missing)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    put64(&x, vhdx_fixture_sb_entry_at(&x.img, 0), VHDX_SB_NOT_PRESENT);
    /* The bitmap block nobody points at any more is slack holding data. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.sb_missing", vhdx_fixture_sb_entry_at(&x.img, 0)},
                {"image.slack.nonzero", x.img.sb_at[0]}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_20_bat_sb_state_in_differencing)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = vhdx_fixture_sb_entry_at(&x.img, 0);
    put64(&x, at, 2 | ((x.img.sb_at[0] / VHDX_MiB) << VHDX_BAT_OFFSET_SHIFT));
    /* State 2 is no sector bitmap state: its offset is not interpreted (no VHDX-19 for it),
     * so the bitmap block is unused. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.sb_state", at}, {"image.slack.nonzero", x.img.sb_at[0]},
                UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_21_bat_block_offset_in_header_section)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 0);
    put64(&x, at, VHDX_PAYLOAD_FULLY_PRESENT); /* FileOffsetMB 0: the file identifier */
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.block_offset", at},
                {"image.slack.nonzero", x.img.block_at[0]});
    fx_free(&x);
}

VD_TEST(vhdx_21_bat_block_offset_overflow)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 0);
    put64(&x, at, VHDX_PAYLOAD_FULLY_PRESENT | ~(uint64_t)0xFFFFF); /* 2^64 - 1 MiB */
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.block_offset", at},
                {"image.slack.nonzero", x.img.block_at[0]});
    fx_free(&x);
}

/* qemu-devel 2019 "add check for truncated image files": a block past EOF. */
VD_TEST(vhdx_21_bat_block_beyond_eof)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 1);
    put64(&x, at, VHDX_PAYLOAD_FULLY_PRESENT | ((x.img.len / VHDX_MiB) << VHDX_BAT_OFFSET_SHIFT));
    EXPECT_VHDX(fx_run(&x), {"image.extent.beyond_eof", at});
    fx_free(&x);
}

VD_TEST(vhdx_21_bat_block_overlaps_metadata)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 1);
    put64(&x, at,
          VHDX_PAYLOAD_FULLY_PRESENT | ((x.img.metadata_at / VHDX_MiB) << VHDX_BAT_OFFSET_SHIFT));
    EXPECT_VHDX(fx_run(&x), {"image.extent.overlap", at});
    fx_free(&x);
}

VD_TEST(vhdx_21_bat_blocks_share_a_block)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 1);
    put64(&x, at, vhdx_fixture_get_bat(&x.img, vhdx_fixture_bat_index(&x.img, 0)));
    EXPECT_VHDX(fx_run(&x), {"image.extent.duplicate", at});
    fx_free(&x);
}

VD_TEST(vhdx_21_bat_block_cut_inside_disk_bytes)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t cut = x.img.block_at[2] + 512u * VHDX_KiB; /* half of block 2's disk bytes lost */
    x.img.len = (size_t)cut;
    EXPECT_VHDX(fx_run(&x), {"image.extent.beyond_eof", vhdx_fixture_bat_entry_at(&x.img, 2)},
                {"vhdx.file.size_unaligned", cut - cut % VHDX_MiB});
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_21_bat_block_partial)
{
    /* QEMU's partial last block: the file ends after the disk's last byte, inside the
     * block that holds it. */
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    uint64_t cut;
    x.f.virtual_size = 3u * VHDX_MiB + 512u * VHDX_KiB;
    x.f.state[3] = VHDX_PAYLOAD_FULLY_PRESENT;
    fx_build(&x);
    cut = x.img.block_at[3] + 512u * VHDX_KiB;
    EXPECT_U64(cut, x.img.len - 512u * VHDX_KiB);
    x.img.len = (size_t)cut;
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED),
                {"vhdx.bat.block_partial", vhdx_fixture_bat_entry_at(&x.img, 3)},
                {"vhdx.file.size_unaligned", cut - cut % VHDX_MiB});
    EXPECT_U64(x.r->verdict, VD_VERDICT_WARNINGS);
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_16_bat_past_disk_end)
{
    /* A differencing BAT covers whole chunks: entries 4..4095 describe no disk bytes. */
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = vhdx_fixture_bat_entry_at(&x.img, 4);
    put64(&x, at, VHDX_PAYLOAD_ZERO);
    EXPECT_VHDX(fx_run(&x), {"vhdx.bat.past_disk_end", at}, UNRESOLVED);
    fx_free(&x);
}

VD_TEST(vhdx_22_bitmap_beyond_disk)
{
    struct fx x = fx_new(VHDX_FIXTURE_DIFFERENCING);
    uint64_t at = x.img.sb_at[0] + (4u * VHDX_MiB / 512) / 8; /* sector 8192: past the end */
    x.img.data[at] = 1;
    EXPECT_VHDX(fx_run(&x), {"vhdx.bitmap.beyond_disk", at}, UNRESOLVED);
    fx_free(&x);
}

/* ================================================================================== */
/* VHDX-24 .. VHDX-30: the log                                                         */
/* ================================================================================== */

VD_TEST(vhdx_24_log_outside_file)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t end = x.img.len;
    put64(&x, H1 + VHDX_HEADER_LOG_OFFSET, end);
    put64(&x, H2 + VHDX_HEADER_LOG_OFFSET, end);
    /* The old log region is unused now: its zeros are slack. */
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.outside_file", H2 + VHDX_HEADER_LOG_LENGTH},
                {"image.slack", VHDX_MiB});
    fx_free(&x);
}

VD_TEST(vhdx_24_log_inactive_entries)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    memset(x.img.data + H1 + VHDX_HEADER_LOG_GUID, 0, 16);
    memset(x.img.data + H2 + VHDX_HEADER_LOG_GUID, 0, 16);
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), {"vhdx.log.inactive_entries", LOG_AT(&x)});
    expect_disk_after(x.r, &x, NULL, 0); /* not replayed */
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_checksum)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    x.img.data[data_field(&x, 0, &e, 0, 100)] ^= 1; /* a data byte, not re-sealed */
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED),
                {"vhdx.log.entry_checksum", log_field(&x, 0, VHDX_LOG_ENTRY_CHECKSUM)},
                NOT_ACTIVE(&x));
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_25_log_bad_crc_on_the_newest_entry)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry a = pending_entry(&x);
    struct vhdx_fixture_entry b = entry_new(11, 8192, 0);
    const struct vhdx_fixture_entry *replayed[] = {&a};
    entry_desc(&b, x.img.block_at[0], 9);
    add_entry(&x, &a);
    add_entry(&x, &b);
    x.img.data[log_field(&x, 1, VHDX_LOG_ENTRY_CHECKSUM)] ^= 1;
    /* The torn newest entry ends the log; the sequence before it is replayed. */
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED),
                {"vhdx.log.entry_checksum", log_field(&x, 1, VHDX_LOG_ENTRY_CHECKSUM)},
                PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_length_unaligned)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    put32(&x, log_field(&x, 0, VHDX_LOG_ENTRY_LENGTH), 8192 - 100);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.entry_length", log_field(&x, 0, VHDX_LOG_ENTRY_LENGTH)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_length_too_short_for_descriptors)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    put32(&x, log_field(&x, 0, VHDX_LOG_ENTRY_LENGTH), 4096); /* no room for the data sector */
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.entry_length", log_field(&x, 0, VHDX_LOG_ENTRY_LENGTH)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_tail)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    put32(&x, log_field(&x, 0, VHDX_LOG_ENTRY_TAIL), 100);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.entry_tail", log_field(&x, 0, VHDX_LOG_ENTRY_TAIL)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_sequence_zero)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    e.sequence = 0; /* descriptors and data sectors agree: only the zero is wrong */
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.entry_sequence", log_field(&x, 0, VHDX_LOG_ENTRY_SEQUENCE)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    put32(&x, log_field(&x, 0, VHDX_LOG_ENTRY_RESERVED), 1);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.entry_reserved", log_field(&x, 0, VHDX_LOG_ENTRY_RESERVED)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_file_offsets)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    e.last_file_offset = x.img.len - 4096; /* not a multiple of 1 MiB */
    add_entry(&x, &e);
    /* One finding over both fields (docs/formats/vhdx.md: e+48, 16 bytes). */
    EXPECT_VHDX(
        fx_run(&x),
        {"vhdx.log.entry_file_offsets", log_field(&x, 0, VHDX_LOG_ENTRY_FLUSHED_FILE_OFFSET)},
        NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_25_log_entry_of_another_log_is_ignored)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry a = pending_entry(&x);
    struct vhdx_fixture_entry stale = entry_new(50, 8192, 8192);
    const struct vhdx_fixture_entry *replayed[] = {&a};
    entry_desc(&stale, x.img.block_at[0], 9);
    add_entry(&x, &a);
    add_entry(&x, &stale);
    /* A newer entry left by an earlier log (another LogGuid), as in iotest 070's sample. */
    memset(x.img.data + log_field(&x, 1, VHDX_LOG_ENTRY_LOG_GUID), 0x99, 16);
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

VD_TEST(vhdx_26_log_descriptor_signature)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    x.img.data[desc_field(&x, 0, 1, 0)] = 'Z'; /* "Zero" */
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.descriptor_signature", desc_field(&x, 0, 1, 0)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_26_log_zero_descriptor_length_unaligned)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    e.desc[1].zero_length = 8192 - 512;
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run(&x),
                {"vhdx.log.descriptor_alignment", desc_field(&x, 0, 1, VHDX_LOG_DESC_LEADING)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_26_log_descriptor_offset_unaligned)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    e.desc[0].file_offset += 512;
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run(&x),
                {"vhdx.log.descriptor_alignment", desc_field(&x, 0, 0, VHDX_LOG_DESC_FILE_OFFSET)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_26_log_zero_descriptor_offset_unaligned)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    e.desc[1].file_offset += 512; /* the zero descriptor's FileOffset, its length is fine */
    add_entry(&x, &e);
    /* A zero descriptor is reported over ZeroLength + FileOffset (docs: descriptor+8, 16). */
    EXPECT_VHDX(fx_run(&x),
                {"vhdx.log.descriptor_alignment", desc_field(&x, 0, 1, VHDX_LOG_DESC_LEADING)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_26_log_zero_descriptor_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    uint64_t at;
    add_entry(&x, &e);
    at = desc_field(&x, 0, 1, VHDX_LOG_DESC_TRAILING); /* a zero descriptor's Reserved */
    put32(&x, at, 1);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.descriptor_reserved", at}, NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_26_log_descriptor_sequence)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    put64(&x, desc_field(&x, 0, 1, VHDX_LOG_DESC_SEQUENCE), 11);
    EXPECT_VHDX(fx_run(&x),
                {"vhdx.log.descriptor_sequence", desc_field(&x, 0, 1, VHDX_LOG_DESC_SEQUENCE)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_26_log_zero_descriptors_replay)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = entry_new(7, 0, 0);
    const struct vhdx_fixture_entry *replayed[] = {&e};
    entry_zero(&e, x.img.block_at[0], 64u * VHDX_KiB);
    entry_zero(&e, x.img.block_at[2] + 512u * VHDX_KiB, 512u * VHDX_KiB);
    add_entry(&x, &e);
    EXPECT_U64(x.img.entry_len[0], 4096); /* no data sectors at all */
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

VD_TEST(vhdx_26_log_descriptors_span_two_sectors)
{
    /* 127 descriptors: the first sector holds the header and 126, the second the last. */
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry *e = calloc(1, sizeof(*e));
    const struct vhdx_fixture_entry *replayed[1];
    if (e == NULL) {
        abort();
    }
    *e = entry_new(3, 0, 0);
    for (size_t d = 0; d < 126; d++) {
        entry_zero(e, x.img.block_at[2] + 4096 * d, 4096);
    }
    entry_desc(e, x.img.block_at[2] + 4096 * 10, 77); /* over one of the zeroed sectors */
    replayed[0] = e;
    add_entry(&x, e);
    EXPECT_U64(x.img.entry_len[0], 3 * 4096);
    EXPECT_U64(vhdx_fixture_data_offset(e, 0), 2 * 4096);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    free(e);
    fx_free(&x);
}

VD_TEST(vhdx_27_log_data_signature)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    x.img.data[data_field(&x, 0, &e, 0, 0)] = 'D';
    vhdx_fixture_reseal(&x.img);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.data_signature", data_field(&x, 0, &e, 0, 0)},
                NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_27_log_data_sequence_high)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    uint64_t at;
    add_entry(&x, &e);
    at = data_field(&x, 0, &e, 0, VHDX_LOG_DATA_SEQUENCE_HIGH);
    put32(&x, at, 1);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.data_sequence", at}, NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_27_log_data_sequence_low)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    uint64_t at;
    add_entry(&x, &e);
    at = data_field(&x, 0, &e, 0, VHDX_LOG_DATA_SEQUENCE_LOW);
    put32(&x, at, 11);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.data_sequence", at}, NOT_ACTIVE(&x));
    fx_free(&x);
}

VD_TEST(vhdx_28_log_tail_outside)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    e.position = 8192; /* its Tail (0) names an empty sector before it */
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED),
                {"vhdx.log.tail_outside", log_field(&x, 0, VHDX_LOG_ENTRY_TAIL)}, NOT_ACTIVE(&x));
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_28_log_two_entries_later_write_wins)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry a = pending_entry(&x);
    struct vhdx_fixture_entry b = entry_new(11, 8192, 0);
    const struct vhdx_fixture_entry *replayed[] = {&a, &b};
    entry_desc(&b, x.img.block_at[0] + 8192, 2); /* the same sector as a's first write */
    entry_desc(&b, x.img.block_at[2] + 4096, 3); /* inside the range a zeroed */
    add_entry(&x, &a);
    add_entry(&x, &b);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[1]));
    expect_disk_after(x.r, &x, replayed, 2);
    fx_free(&x);
}

VD_TEST(vhdx_28_log_broken_sequence)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry a = pending_entry(&x);
    struct vhdx_fixture_entry b = entry_new(12, 8192, 0); /* 11 is missing */
    const struct vhdx_fixture_entry *replayed[] = {&a};
    entry_desc(&b, x.img.block_at[0], 5);
    add_entry(&x, &a);
    add_entry(&x, &b);
    /* [12] alone has its Tail outside itself; [10] is the active sequence. */
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED),
                {"vhdx.log.tail_outside", log_field(&x, 1, VHDX_LOG_ENTRY_TAIL)},
                PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

VD_TEST(vhdx_28_log_highest_sequence_wins)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry a = pending_entry(&x);
    struct vhdx_fixture_entry b = entry_new(30, 8192, 8192); /* a complete sequence of its own */
    const struct vhdx_fixture_entry *replayed[] = {&b};
    entry_desc(&b, x.img.block_at[2], 6);
    add_entry(&x, &a);
    add_entry(&x, &b);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[1]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

/* DiscUtils PR #278: an entry that straddles the end of the ring is valid. */
VD_TEST(vhdx_28_log_wrapped_ring)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t ring = x.img.log_length;
    struct vhdx_fixture_entry a = entry_new(20, ring - 12288, ring - 12288); /* 8 KiB */
    struct vhdx_fixture_entry b = entry_new(21, ring - 4096, ring - 12288);  /* 12 KiB */
    const struct vhdx_fixture_entry *replayed[] = {&a, &b};
    entry_desc(&a, x.img.block_at[0], 11);
    entry_desc(&b, x.img.block_at[0] + 4096, 12); /* data sectors at ring 0 and 4096 */
    entry_desc(&b, x.img.block_at[2] + 65536, 13);
    add_entry(&x, &a);
    add_entry(&x, &b);
    EXPECT_U64(x.img.entry_len[1], 12288);
    EXPECT_U64(data_field(&x, 1, &b, 0, 0), x.img.log_at);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[1]));
    expect_disk_after(x.r, &x, replayed, 2);
    fx_free(&x);
}

VD_TEST(vhdx_28_log_scan_limit)
{
    /* Every 4 KiB of the ring starts an entry of this log claiming the whole ring: checking
     * them all would checksum 256 MiB for a 1 MiB log. */
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e); /* sets the LogGuid */
    for (uint64_t pos = 0; pos < x.img.log_length; pos += VHDX_LOG_SECTOR) {
        uint8_t *h = x.img.data + x.img.log_at + pos;
        memset(h, 0, VHDX_LOG_ENTRY_HEADER_SIZE);
        memcpy(h, VHDX_LOG_ENTRY_SIGNATURE, 4);
        vd_store_le32(h + VHDX_LOG_ENTRY_LENGTH, (uint32_t)x.img.log_length);
        vd_store_le64(h + VHDX_LOG_ENTRY_SEQUENCE, 1 + pos / VHDX_LOG_SECTOR);
        memcpy(h + VHDX_LOG_ENTRY_LOG_GUID, x.img.log_guid, 16);
        vd_store_le64(h + VHDX_LOG_ENTRY_FLUSHED_FILE_OFFSET, x.img.len);
        vd_store_le64(h + VHDX_LOG_ENTRY_LAST_FILE_OFFSET, x.img.len);
    }
    x.img.entry_count = 0; /* nothing to re-seal: the CRCs are meant to be wrong */
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.scan_limit", LOG_AT(&x)}, LOG_GUID);
    fx_free(&x);
}

VD_TEST(vhdx_29_log_flushed_beyond_eof)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    uint64_t end = x.img.len;
    e.flushed_file_offset = x.img.len + VHDX_MiB; /* the file was cut after the flush */
    e.last_file_offset = x.img.len + VHDX_MiB;
    add_entry(&x, &e);
    /* Replayed all the same (an error says the data may be missing): the file grows by a
     * MiB of zeros nothing uses. */
    EXPECT_VHDX(
        fx_run(&x),
        {"vhdx.log.flushed_beyond_eof", log_field(&x, 0, VHDX_LOG_ENTRY_FLUSHED_FILE_OFFSET)},
        {"vhdx.log.extends_file", log_field(&x, 0, VHDX_LOG_ENTRY_LAST_FILE_OFFSET)},
        {"image.slack", end}, PENDING(x.img.entry_at[0]));
    EXPECT_U64(x.r->verdict, VD_VERDICT_ERRORS);
    fx_free(&x);
}

VD_TEST(vhdx_29_log_target_reserved)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    e.desc[0].file_offset = x.img.log_at + 512u * VHDX_KiB; /* into the log itself */
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run(&x), {"vhdx.log.target_reserved", desc_field(&x, 0, 0, 0)},
                PENDING(x.img.entry_at[0]));
    fx_free(&x);
}

VD_TEST(vhdx_29_log_extends_file)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    uint64_t end = x.img.len;
    uint8_t bat_sector[4096];
    struct vhdx_fixture_entry e = entry_new(40, 0, 0);
    const struct vhdx_fixture_entry *replayed[] = {&e};
    /* The transaction that allocates block 1 at the end of the file (as Hyper-V does). */
    memcpy(bat_sector, x.img.data + x.img.bat_at, sizeof(bat_sector));
    vd_store_le64(bat_sector + VHDX_BAT_ENTRY_SIZE * vhdx_fixture_bat_index(&x.img, 1),
                  VHDX_PAYLOAD_FULLY_PRESENT | ((end / VHDX_MiB) << VHDX_BAT_OFFSET_SHIFT));
    e.desc[e.desc_count++] =
        (struct vhdx_fixture_desc){.file_offset = x.img.bat_at, .sector = bat_sector};
    entry_desc(&e, end + 8192, 21);
    e.flushed_file_offset = end;
    e.last_file_offset = end + VHDX_MiB;
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED),
                {"vhdx.log.extends_file", log_field(&x, 0, VHDX_LOG_ENTRY_LAST_FILE_OFFSET)},
                PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

VD_TEST(vhdx_30_log_replayed_view_hash)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    const struct vhdx_fixture_entry *replayed[] = {&e};
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

VD_TEST(vhdx_30_log_on_disk_view_hash)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_ON_DISK), PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, NULL, 0);
    fx_free(&x);
}

VD_TEST(vhdx_30_log_replay_4k_logical)
{
    struct fx x = fx_defaults(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e;
    const struct vhdx_fixture_entry *replayed[] = {&e};
    x.f.logical_sector = 4096;
    fx_build(&x);
    e = pending_entry(&x);
    add_entry(&x, &e);
    EXPECT_VHDX(fx_run_hash(&x, VD_LOG_VIEW_REPLAYED), PENDING(x.img.entry_at[0]));
    expect_disk_after(x.r, &x, replayed, 1);
    fx_free(&x);
}

VD_TEST(vhdx_30_log_replay_limit)
{
    struct fx x = fx_new(VHDX_FIXTURE_DYNAMIC);
    struct vhdx_fixture_entry e = pending_entry(&x);
    struct vd_analyze_options o = {.hash_mask = SHA256_MASK, .limits = VD_LIMITS_DEFAULT};
    add_entry(&x, &e);
    o.limits.max_replay = 1024; /* less than the one 4 KiB sector the entry writes */
    EXPECT_VHDX(fx_run_opts(&x, &o), {"vhdx.log.replay_limit", x.img.entry_at[0]},
                PENDING(x.img.entry_at[0]));
    fx_free(&x);
}
