#include "sweep_images.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vd_bytes.h"
#include "vd_test.h"
#include "vd_test_corpus.h"

/* Table entries swept at every byte: the first ones, some allocated ones, the last one. */
#define FIRST_ENTRIES     16u
#define ALLOCATED_ENTRIES 8u

uint8_t *sweep_load_bundled(const char *rel, size_t *len)
{
    char path[4400];

    snprintf(path, sizeof(path), "%s/corpus/%s", vd_test_source_dir(), rel);
    return vd_test_slurp(path, len);
}

uint8_t *sweep_load_shared(const char *rel, size_t *len)
{
    char path[4400];

    snprintf(path, sizeof(path), "%s/%s", vd_test_shared_corpus_or_skip(), rel);
    return vd_test_slurp(path, len);
}

static void plan_reset(struct vd_sweep_plan *p)
{
    p->n = 0;
    p->used_end = 0; /* the whole file, unless a format says otherwise */
}

/*
 * A table of `count` entries of `width` bytes at `at`: the first FIRST_ENTRIES as one
 * range, then up to ALLOCATED_ENTRIES more entries that `allocated` accepts, and the last
 * entry: every entry plays the same part, so these stand for all of them.
 */
static void add_table(struct vd_sweep_plan *p, const uint8_t *d, size_t len, const char *name,
                      uint64_t at, uint64_t count, unsigned width, bool big_endian,
                      bool (*allocated)(const uint8_t *entry))
{
    uint64_t first = count < FIRST_ENTRIES ? count : FIRST_ENTRIES;
    unsigned more = 0;
    char label[48];

    vd_sweep_add(p, len, name, at, first * width, big_endian, 1);
    for (uint64_t i = first; i < count && more < ALLOCATED_ENTRIES; i++) {
        uint64_t e = at + i * width;
        if (e + width > len) {
            break;
        }
        if (allocated(d + e)) {
            snprintf(label, sizeof(label), "%s[%llu]", name, (unsigned long long)i);
            vd_sweep_add(p, len, label, e, width, big_endian, 1);
            more++;
        }
    }
    if (count > first) {
        snprintf(label, sizeof(label), "%s[last]", name);
        vd_sweep_add(p, len, label, at + (count - 1) * width, width, big_endian, 1);
    }
}

/* ---- VHD (Virtual Hard Disk Image Format Specification; big-endian) ---- */

static bool vhd_bat_allocated(const uint8_t *e)
{
    return vd_load_be32(e) != 0xFFFFFFFFu;
}

/* A footer: its fields at every byte, the reserved area sampled; all under its checksum. */
static void vhd_footer(struct vd_sweep_plan *p, const uint8_t *d, size_t len, const char *name,
                       uint64_t at)
{
    char label[48];
    struct vd_sweep_range *r;

    r = vd_sweep_add(p, len, name, at, 88, true, 1);
    vd_sweep_seal(r, d, len, VD_SEAL_VHD_SUM, at, 512, at + 64);
    snprintf(label, sizeof(label), "%s.reserved", name);
    r = vd_sweep_add(p, len, label, at + 88, 512 - 88, true, SWEEP_SPARSE);
    vd_sweep_seal(r, d, len, VD_SEAL_VHD_SUM, at, 512, at + 64);
}

/* The dynamic header (1024 bytes, checksum at +36) and the locator data it points at. */
static void vhd_dynamic_header(struct vd_sweep_plan *p, const uint8_t *d, size_t len, uint64_t at)
{
    static const struct {
        const char *name;
        uint64_t from, to;
        uint32_t stride;
    } parts[] = {{"vhd.dyn", 0, 64, 1},
                 {"vhd.dyn.parent_name", 64, 576, SWEEP_SPARSE},
                 {"vhd.dyn.locators", 576, 768, 1},
                 {"vhd.dyn.reserved", 768, 1024, SWEEP_SPARSE}};

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        struct vd_sweep_range *r = vd_sweep_add(p, len, parts[i].name, at + parts[i].from,
                                                parts[i].to - parts[i].from, true, parts[i].stride);
        vd_sweep_seal(r, d, len, VD_SEAL_VHD_SUM, at, 1024, at + 36);
    }
    for (unsigned k = 0; k < 8 && at + 1024 <= len; k++) {
        const uint8_t *loc = d + at + 576 + 24 * k;
        if (vd_load_be32(loc) != 0) { /* platform code: an entry in use */
            vd_sweep_add(p, len, "vhd.locator.data", vd_load_be64(loc + 16), vd_load_be32(loc + 8),
                         true, SWEEP_SPARSE);
        }
    }
}

/* The sector bitmaps of the first and the last allocated block. */
static void vhd_bitmaps(struct vd_sweep_plan *p, const uint8_t *d, size_t len, uint64_t bat,
                        uint64_t entries, uint32_t block_size)
{
    uint64_t bitmap_bytes = ((uint64_t)block_size / 512 + 7) / 8;
    uint64_t bitmap_len = (bitmap_bytes + 511) / 512 * 512;
    uint64_t first = UINT64_MAX;
    uint64_t last = UINT64_MAX;

    for (uint64_t i = 0; i < entries && bat + 4 * i + 4 <= len; i++) {
        uint32_t sector = vd_load_be32(d + bat + 4 * i);
        if (sector != 0xFFFFFFFFu) {
            first = first == UINT64_MAX ? sector : first;
            last = sector;
        }
    }
    if (first == UINT64_MAX) {
        return;
    }
    vd_sweep_add(p, len, "vhd.bitmap", first * 512, 64, true, 1);
    vd_sweep_add(p, len, "vhd.bitmap.rest", first * 512 + 64, bitmap_len - 64, true, SWEEP_SPARSE);
    if (last != first) {
        vd_sweep_add(p, len, "vhd.bitmap.last", last * 512, bitmap_len, true, SWEEP_SPARSE);
    }
}

void sweep_plan_vhd(const uint8_t *d, size_t len, struct vd_sweep_plan *p)
{
    uint64_t end = len - 512;
    uint64_t dyn;

    plan_reset(p);
    if (len < 512 || memcmp(d + end, "conectix", 8) != 0) {
        return;
    }
    vhd_footer(p, d, len, "vhd.footer", end);
    dyn = vd_load_be64(d + end + 16);
    if (dyn == UINT64_MAX || dyn > len - 1024) {
        return; /* fixed: the footer is the only structure */
    }
    vhd_footer(p, d, len, "vhd.footer.copy", 0);
    vhd_dynamic_header(p, d, len, dyn);
    {
        uint64_t bat = vd_load_be64(d + dyn + 16);
        uint32_t entries = vd_load_be32(d + dyn + 28);
        uint32_t block_size = vd_load_be32(d + dyn + 32);
        add_table(p, d, len, "vhd.bat", bat, entries, 4, true, vhd_bat_allocated);
        vhd_bitmaps(p, d, len, bat, entries, block_size);
    }
}

/* ---- VHDX (MS-VHDX; little-endian, GUIDs in Microsoft's mixed byte order) ---- */

/* "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" as stored: the first three groups little-endian. */
static void guid_bytes(const char *text, uint8_t out[16])
{
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    uint8_t plain[16];
    size_t n = 0;

    for (const char *c = text; *c != '\0' && n < 16; c++) {
        unsigned hi;
        unsigned lo;
        if (*c == '-') {
            continue;
        }
        sscanf(c, "%1x", &hi);
        sscanf(c + 1, "%1x", &lo);
        plain[n++] = (uint8_t)(hi << 4 | lo);
        c++;
    }
    for (int i = 0; i < 16; i++) {
        out[i] = plain[order[i]];
    }
}

static bool guid_is(const uint8_t *p, const char *text)
{
    uint8_t g[16];

    guid_bytes(text, g);
    return memcmp(p, g, 16) == 0;
}

struct vhdx_view {
    uint64_t header;   /* the current header: valid CRC, larger sequence number */
    uint64_t used_end; /* the end of the furthest structure or block */
    uint64_t bat, bat_len, meta, meta_len;
    uint32_t block_size, logical_sector;
    uint64_t virtual_size;
    bool has_parent;
};

static bool vhdx_header_valid(const uint8_t *d, size_t len, uint64_t at)
{
    return at + 4096 <= len && memcmp(d + at, "head", 4) == 0 &&
           vd_sweep_crc32c(d + at, 4096, 4) == vd_load_le32(d + at + 4);
}

static void vhdx_find_header(const uint8_t *d, size_t len, struct vhdx_view *v)
{
    bool one = vhdx_header_valid(d, len, 0x10000);
    bool two = vhdx_header_valid(d, len, 0x20000);

    v->header = 0;
    if (one && (!two || vd_load_le64(d + 0x10008) > vd_load_le64(d + 0x20008))) {
        v->header = 0x10000;
    } else if (two) {
        v->header = 0x20000;
    }
}

static void vhdx_headers_and_regions(struct vd_sweep_plan *p, const uint8_t *d, size_t len)
{
    char label[48];

    vd_sweep_add(p, len, "vhdx.file_id", 0, 8, false, 1);
    vd_sweep_add(p, len, "vhdx.file_id.creator", 8, 512, false, 4 * SWEEP_SPARSE);
    for (unsigned i = 0; i < 2; i++) {
        uint64_t h = 0x10000u * (i + 1);
        uint64_t rt = 0x30000u + 0x10000u * i;
        uint32_t count = rt + 12 <= len ? vd_load_le32(d + rt + 8) : 0;
        uint64_t used = 16 + 32 * (uint64_t)(count < 16 ? count : 16);
        struct vd_sweep_range *r;
        snprintf(label, sizeof(label), "vhdx.header%u", i + 1);
        r = vd_sweep_add(p, len, label, h, 80, false, 1);
        vd_sweep_seal(r, d, len, VD_SEAL_CRC32C, h, 4096, h + 4);
        snprintf(label, sizeof(label), "vhdx.header%u.reserved", i + 1);
        r = vd_sweep_add(p, len, label, h + 80, 4096 - 80, false, SWEEP_SPARSE_LARGE);
        vd_sweep_seal(r, d, len, VD_SEAL_CRC32C, h, 4096, h + 4);
        snprintf(label, sizeof(label), "vhdx.region%u", i + 1);
        r = vd_sweep_add(p, len, label, rt, used, false, 1);
        vd_sweep_seal(r, d, len, VD_SEAL_CRC32C, rt, 65536, rt + 4);
        snprintf(label, sizeof(label), "vhdx.region%u.rest", i + 1);
        r = vd_sweep_add(p, len, label, rt + used, 65536 - used, false, 16 * SWEEP_SPARSE_LARGE);
        vd_sweep_seal(r, d, len, VD_SEAL_CRC32C, rt, 65536, rt + 4);
    }
}

/* The BAT and metadata regions named by region table 1. */
static void vhdx_use(struct vhdx_view *v, uint64_t at, uint64_t size)
{
    v->used_end = at + size > v->used_end ? at + size : v->used_end;
}

static void vhdx_find_regions(const uint8_t *d, size_t len, struct vhdx_view *v)
{
    uint32_t count = len >= 0x30010 ? vd_load_le32(d + 0x30008) : 0;

    for (uint32_t i = 0; i < count && i < 2047 && 0x30010 + 32 * (i + 1) <= len; i++) {
        const uint8_t *e = d + 0x30010 + 32 * i;
        if (guid_is(e, "2DC27766-F623-4200-9D64-115E9BFD4A08")) {
            v->bat = vd_load_le64(e + 16);
            v->bat_len = vd_load_le32(e + 24);
        } else if (guid_is(e, "8B7CA206-4790-4B9A-B8FE-575F050F886E")) {
            v->meta = vd_load_le64(e + 16);
            v->meta_len = vd_load_le32(e + 24);
        }
        vhdx_use(v, vd_load_le64(e + 16), vd_load_le32(e + 24));
    }
}

/* The metadata table, every item, and the facts the BAT layout needs. */
static void vhdx_metadata(struct vd_sweep_plan *p, const uint8_t *d, size_t len,
                          struct vhdx_view *v)
{
    uint16_t count;

    if (v->meta == 0 || v->meta + 32 > len) {
        return;
    }
    count = vd_load_le16(d + v->meta + 10);
    vd_sweep_add(p, len, "vhdx.metadata.table", v->meta, 32 + 32 * (uint64_t)count, false, 1);
    for (uint16_t i = 0; i < count && v->meta + 64 + 32 * (uint64_t)i <= len; i++) {
        const uint8_t *e = d + v->meta + 32 + 32 * (uint64_t)i;
        uint64_t at = v->meta + vd_load_le32(e + 16);
        uint32_t n = vd_load_le32(e + 20);
        if (at + n > len || n == 0) {
            continue;
        }
        vd_sweep_add(p, len, "vhdx.metadata.item", at, n, false, n <= 256 ? 1 : SWEEP_SPARSE);
        if (guid_is(e, "CAA16737-FA36-4D43-B3B6-33F0AA44E76B") && n >= 8) {
            v->block_size = vd_load_le32(d + at);
            v->has_parent = (vd_load_le32(d + at + 4) & 2u) != 0;
        } else if (guid_is(e, "2FA54224-CD1B-4876-B211-5DBED83BF4B8") && n >= 8) {
            v->virtual_size = vd_load_le64(d + at);
        } else if (guid_is(e, "8141BF1D-A96F-4709-BA47-F233A8FAAB5F") && n >= 4) {
            v->logical_sector = vd_load_le32(d + at);
        }
    }
}

static bool vhdx_bat_allocated(const uint8_t *e)
{
    uint8_t state = e[0] & 7u;

    return state == 6 || state == 7; /* FULLY / PARTIALLY_PRESENT (or a present bitmap) */
}

/* MS-VHDX §2.5: payload entries with a sector bitmap entry after every chunk_ratio of them. */
static void vhdx_bat(struct vd_sweep_plan *p, const uint8_t *d, size_t len, struct vhdx_view *v)
{
    uint64_t ratio;
    uint64_t blocks;
    uint64_t entries;

    if (v->block_size == 0 || v->logical_sector == 0 || v->bat == 0) {
        return;
    }
    ratio = ((UINT64_C(1) << 23) * v->logical_sector) / v->block_size;
    blocks = (v->virtual_size + v->block_size - 1) / v->block_size;
    entries = v->has_parent ? (blocks + ratio - 1) / ratio * (ratio + 1)
                            : blocks + (blocks == 0 ? 0 : (blocks - 1) / ratio);
    entries = entries < v->bat_len / 8 ? entries : v->bat_len / 8;
    add_table(p, d, len, "vhdx.bat", v->bat, entries, 8, false, vhdx_bat_allocated);
    for (uint64_t i = 0; i < entries && v->bat + 8 * i + 8 <= len; i++) {
        uint64_t e = vd_load_le64(d + v->bat + 8 * i);
        bool bitmap = (i + 1) % (ratio + 1) == 0; /* §2.5: every (ratio + 1)-th entry */
        if (vhdx_bat_allocated(d + v->bat + 8 * i)) {
            vhdx_use(v, (e >> 20) << 20, bitmap ? UINT64_C(1) << 20 : v->block_size);
        }
    }
    for (uint64_t c = ratio; v->has_parent && c < entries; c += ratio + 1) {
        uint64_t e = vd_load_le64(d + v->bat + 8 * c);
        if ((e & 7u) == 6) { /* a sector bitmap block is present */
            vd_sweep_add(p, len, "vhdx.sector_bitmap", (e >> 20) << 20, 64, false, 1);
            vd_sweep_add(p, len, "vhdx.sector_bitmap.more", ((e >> 20) << 20) + 64, 448, false,
                         SWEEP_SPARSE);
            break;
        }
    }
}

/* A log entry at `at` that lies whole in the file and whose CRC-32C holds; its length. */
static uint32_t vhdx_log_entry(const uint8_t *d, size_t len, uint64_t at, uint64_t room)
{
    uint32_t n;

    if (at + 64 > len || memcmp(d + at, "loge", 4) != 0) {
        return 0;
    }
    n = vd_load_le32(d + at + 8);
    if (n < 4096 || n % 4096 != 0 || n > room || at + n > len ||
        vd_sweep_crc32c(d + at, n, 4) != vd_load_le32(d + at + 4)) {
        return 0;
    }
    return n;
}

/*
 * The log: entries of the current LogGuid (the ones a replay uses) are protected by their
 * CRC-32C: header and descriptors at every byte, data sectors sampled. A change there must
 * never leave the verdict clean, but need not be an error: with its signature or LogGuid
 * changed an entry is no longer one (MS-VHDX §2.3.1), like an entry torn by a crash before
 * the metadata it describes was touched, and a log without a valid sequence is a warning
 * (VHDX-28). The first entry of another LogGuid is stale: only its header is swept, without
 * the assertion.
 */
static void vhdx_log(struct vd_sweep_plan *p, const uint8_t *d, size_t len, struct vhdx_view *v)
{
    const uint8_t *guid = d + v->header + 48;
    uint64_t log_len = vd_load_le32(d + v->header + 68);
    uint64_t log_at = vd_load_le64(d + v->header + 72);
    bool stale_done = false;
    static const uint8_t zero[16];

    vhdx_use(v, log_at, log_len);
    for (uint64_t pos = 0; pos + 4096 <= log_len && log_at + pos < len; pos += 4096) {
        uint64_t at = log_at + pos;
        uint32_t n = vhdx_log_entry(d, len, at, log_len - pos);
        uint32_t descs;
        uint64_t head;
        struct vd_sweep_range *r;
        if (n == 0) {
            continue;
        }
        if (memcmp(d + at + 32, guid, 16) != 0 || memcmp(guid, zero, 16) == 0) {
            if (!stale_done) {
                vd_sweep_add(p, len, "vhdx.log.stale_entry", at, 64, false, 1);
                stale_done = true;
            }
            continue;
        }
        vhdx_use(v, vd_load_le64(d + at + 48), 0); /* FlushedFileOffset: the file's size then */
        descs = vd_load_le32(d + at + 24);
        head = 64 + 32 * (uint64_t)descs;
        head = head < n ? head : n;
        r = vd_sweep_add(p, len, "vhdx.log.entry", at, head, false, 1);
        vd_sweep_seal(r, d, len, VD_SEAL_CRC32C, at, n, at + 4);
        if (r != NULL) {
            r->seal_errors = false;
        }
        r = vd_sweep_add(p, len, "vhdx.log.entry.data", at + head, n - head, false,
                         SWEEP_SPARSE_LARGE);
        vd_sweep_seal(r, d, len, VD_SEAL_CRC32C, at, n, at + 4);
    }
}

void sweep_plan_vhdx(const uint8_t *d, size_t len, struct vd_sweep_plan *p)
{
    struct vhdx_view v = {0};

    plan_reset(p);
    if (len < 0x50000 || memcmp(d, "vhdxfile", 8) != 0) {
        return;
    }
    vhdx_headers_and_regions(p, d, len);
    vhdx_find_header(d, len, &v);
    vhdx_find_regions(d, len, &v);
    vhdx_metadata(p, d, len, &v);
    vhdx_bat(p, d, len, &v);
    if (v.header != 0) {
        vhdx_log(p, d, len, &v);
    }
    p->used_end = v.used_end > (1u << 20) ? v.used_end : 0;
}

/* ---- VDI (VirtualBox VDICore.h; little-endian) ---- */

static bool vdi_entry_allocated(const uint8_t *e)
{
    return vd_load_le32(e) < 0xFFFFFFFEu; /* not free, not zero */
}

void sweep_plan_vdi(const uint8_t *d, size_t len, struct vd_sweep_plan *p)
{
    uint32_t version;
    uint32_t header_size;

    plan_reset(p);
    if (len < 0x200 || vd_load_le32(d + 0x40) != 0xBEDA107Fu) {
        return;
    }
    version = vd_load_le32(d + 0x44);
    vd_sweep_add(p, len, "vdi.preheader.text", 0, 64, false, SWEEP_SPARSE);
    vd_sweep_add(p, len, "vdi.preheader", 64, 8, false, 1);
    if (version >> 16 == 0) { /* VDIHEADER0: map after the header, no offsets */
        vd_sweep_add(p, len, "vdi.header0", 0x48, 8, false, 1);
        vd_sweep_add(p, len, "vdi.header0.comment", 0x50, 256, false, SWEEP_SPARSE);
        vd_sweep_add(p, len, "vdi.header0.fields", 0x150, 0x194 - 0x150, false, 1);
        add_table(p, d, len, "vdi.map", 0x48 + 0x15C, vd_load_le32(d + 0x16C), 4, false,
                  vdi_entry_allocated);
        return;
    }
    header_size = vd_load_le32(d + 0x48);
    vd_sweep_add(p, len, "vdi.header", 0x48, 12, false, 1);
    vd_sweep_add(p, len, "vdi.header.comment", 0x54, 256, false, SWEEP_SPARSE);
    vd_sweep_add(p, len, "vdi.header.fields", 0x154,
                 header_size > 0x10C && header_size < 0x400 ? 0x48 + header_size - 0x154 : 0x7C,
                 false, 1);
    add_table(p, d, len, "vdi.map", vd_load_le32(d + 0x154), vd_load_le32(d + 0x180), 4, false,
              vdi_entry_allocated);
}

/* ---- Bochs redolog (iodev/hdimage/hdimage.h, redolog_t; little-endian) ---- */

static bool bochs_entry_allocated(const uint8_t *e)
{
    return vd_load_le32(e) != 0xFFFFFFFFu;
}

void sweep_plan_bochs(const uint8_t *d, size_t len, struct vd_sweep_plan *p)
{
    uint32_t catalog;
    uint64_t bitmap_blocks;
    uint64_t extent_blocks;

    plan_reset(p);
    if (len < 512 || memcmp(d, "Bochs Virtual HD Image", 22) != 0) {
        return;
    }
    catalog = vd_load_le32(d + 0x48);
    bitmap_blocks = 1 + ((uint64_t)vd_load_le32(d + 0x4C) - 1) / 512;
    extent_blocks = 1 + ((uint64_t)vd_load_le32(d + 0x50) - 1) / 512;
    vd_sweep_add(p, len, "bochs.header", 0, 0x60, false, 1);
    vd_sweep_add(p, len, "bochs.header.rest", 0x60, 512 - 0x60, false, SWEEP_SPARSE);
    add_table(p, d, len, "bochs.catalog", 512, catalog, 4, false, bochs_entry_allocated);
    /* The bitmap of the extent the first allocated entry names (redolog_t::read). */
    for (uint32_t i = 0; i < catalog && 512 + 4 * (uint64_t)i + 4 <= len; i++) {
        uint32_t k = vd_load_le32(d + 512 + 4 * (uint64_t)i);
        if (k != 0xFFFFFFFFu) {
            uint64_t at =
                512 + 4 * (uint64_t)catalog + 512 * (uint64_t)k * (bitmap_blocks + extent_blocks);
            uint64_t bytes = vd_load_le32(d + 0x4C) < 64 ? vd_load_le32(d + 0x4C) : 64;
            vd_sweep_add(p, len, "bochs.bitmap", at, bytes, false, 1);
            vd_sweep_add(p, len, "bochs.bitmap.rest", at + bytes, 512 * bitmap_blocks - bytes,
                         false, SWEEP_SPARSE);
            break;
        }
    }
}
