#include "vhdx_log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_bytes.h"
#include "vd_checked.h"
#include "vd_crc32c.h"
#include "vd_guid.h"
#include "vhdx_layout.h"

/*
 * A replay may grow the file (LastFileOffset, §2.3.3); beyond this much growth the log is
 * not replayed: no real log adds more than a few blocks, and the view must stay bounded.
 */
#define VHDX_LOG_MAX_GROWTH (4ull << 30)
/* Ranges of the file the replay changes, listed in the report (all are counted). */
#define VHDX_LOG_RANGES_LISTED 64u

/* The ring: where the log lies in the file and how long it is. */
struct ring {
    uint64_t at;
    uint64_t length;
};

/* A log entry as its header describes it (§2.3.1.1). */
struct entry {
    uint64_t pos; /* offset in the ring */
    uint64_t seq;
    uint32_t length;
    uint32_t tail;
    uint32_t descriptors;
    uint64_t data_sectors;
    uint64_t reach; /* the end of the furthest file range its descriptors write (saturating) */
    uint64_t flushed_file_offset;
    uint64_t last_file_offset;
};

struct scan {
    struct vd_ctx *ctx;
    struct ring ring;
    const uint8_t *guid;
    uint64_t budget; /* bytes of entries still allowed to be checksummed */
    bool over_budget;
    uint8_t *buf;   /* VD_TABLE_CHUNK: checksumming one entry */
    uint8_t *sweep; /* VD_TABLE_CHUNK: the ring being swept for entry headers */
    uint8_t sector[VHDX_LOG_SECTOR];
    struct entry *valid;
    size_t valid_count, valid_cap;
    struct entry *invalid;
    size_t invalid_count, invalid_cap;
};

static uint64_t ring_file_offset(const struct scan *s, uint64_t pos, uint64_t delta)
{
    return s->ring.at + (pos + delta) % s->ring.length;
}

/* Reads len bytes of the ring from pos on, wrapping at its end. */
static enum vd_status ring_read(struct scan *s, uint64_t pos, uint8_t *buf, size_t len)
{
    pos %= s->ring.length;
    while (len > 0) {
        uint64_t room = s->ring.length - pos;
        size_t n = len < room ? len : (size_t)room;
        enum vd_status st = vd_ctx_read(s->ctx, s->ring.at + pos, buf, n);
        if (st != VD_OK) {
            return st;
        }
        buf += n;
        len -= n;
        pos = (pos + n) % s->ring.length;
    }
    return VD_OK;
}

static void defect(struct scan *s, bool report, enum vd_finding_id id, const struct entry *e,
                   uint64_t delta, uint64_t len, const char *what)
{
    if (report) {
        vd_report(s->ctx, id, VD_LOC("vhdx.log_entry", -1, ring_file_offset(s, e->pos, delta), len),
                  "log entry at ring offset 0x%" PRIx64 " (sequence %" PRIu64 "): %s", e->pos,
                  e->seq, what);
    }
}

static void entry_decode(const uint8_t *h, uint64_t pos, struct entry *e)
{
    memset(e, 0, sizeof(*e));
    e->pos = pos;
    e->length = vd_load_le32(h + VHDX_LOG_ENTRY_LENGTH);
    e->tail = vd_load_le32(h + VHDX_LOG_ENTRY_TAIL);
    e->seq = vd_load_le64(h + VHDX_LOG_ENTRY_SEQUENCE);
    e->descriptors = vd_load_le32(h + VHDX_LOG_ENTRY_DESCRIPTOR_COUNT);
    e->flushed_file_offset = vd_load_le64(h + VHDX_LOG_ENTRY_FLUSHED_FILE_OFFSET);
    e->last_file_offset = vd_load_le64(h + VHDX_LOG_ENTRY_LAST_FILE_OFFSET);
}

static uint64_t descriptor_sectors(const struct entry *e)
{
    return vd_div_round_up(VHDX_LOG_ENTRY_HEADER_SIZE +
                               (uint64_t)e->descriptors * VHDX_LOG_DESCRIPTOR_SIZE,
                           VHDX_LOG_SECTOR);
}

/* The file range a descriptor writes: 4 KiB for `desc`, ZeroLength for `zero` (§2.3.1.2-3). */
static bool descriptor_range(const uint8_t *d, uint64_t *target, uint64_t *length)
{
    bool zero = memcmp(d, VHDX_LOG_ZERO_SIGNATURE, 4) == 0;

    *target = vd_load_le64(d + VHDX_LOG_DESC_FILE_OFFSET);
    *length = zero ? vd_load_le64(d + VHDX_LOG_DESC_LEADING) : VHDX_LOG_SECTOR;
    return zero;
}

/* VHDX-25: the header fields; false when the entry cannot even be delimited. */
static bool header_fields_ok(struct scan *s, const uint8_t *h, const struct entry *e, bool report,
                             bool *ok)
{
    if (e->length == 0 || e->length % VHDX_LOG_SECTOR != 0 || e->length > s->ring.length ||
        descriptor_sectors(e) * VHDX_LOG_SECTOR > e->length) {
        defect(s, report, VD_F_VHDX_LOG_ENTRY_LENGTH, e, VHDX_LOG_ENTRY_LENGTH, 4,
               "EntryLength does not delimit the entry and its descriptors");
        return false;
    }
    if (e->tail % VHDX_LOG_SECTOR != 0 || e->tail >= s->ring.length) {
        defect(s, report, VD_F_VHDX_LOG_ENTRY_TAIL, e, VHDX_LOG_ENTRY_TAIL, 4,
               "Tail is unaligned or beyond the log");
        *ok = false;
    }
    if (e->seq == 0) {
        defect(s, report, VD_F_VHDX_LOG_ENTRY_SEQUENCE, e, VHDX_LOG_ENTRY_SEQUENCE, 8,
               "SequenceNumber is zero");
        *ok = false;
    }
    if (vd_load_le32(h + VHDX_LOG_ENTRY_RESERVED) != 0) {
        defect(s, report, VD_F_VHDX_LOG_ENTRY_RESERVED, e, VHDX_LOG_ENTRY_RESERVED, 4,
               "Reserved is not zero");
        *ok = false;
    }
    if (e->flushed_file_offset % VHDX_MiB != 0 || e->last_file_offset % VHDX_MiB != 0) {
        defect(s, report, VD_F_VHDX_LOG_ENTRY_FILE_OFFSETS, e, VHDX_LOG_ENTRY_FLUSHED_FILE_OFFSET,
               16, "FlushedFileOffset or LastFileOffset is not a multiple of 1 MiB");
        *ok = false;
    }
    return true;
}

/* VHDX-25: CRC-32C over the whole entry with its Checksum field taken as zero. */
static enum vd_status entry_crc_ok(struct scan *s, const struct entry *e, bool *match)
{
    uint32_t crc = 0;
    uint32_t stored = 0;

    *match = false;
    if (s->budget < e->length) {
        s->over_budget = true;
        return VD_OK;
    }
    s->budget -= e->length;
    for (uint64_t done = 0; done < e->length;) {
        size_t n = e->length - done < VD_TABLE_CHUNK ? (size_t)(e->length - done) : VD_TABLE_CHUNK;
        enum vd_status st = ring_read(s, e->pos + done, s->buf, n);
        if (st != VD_OK) {
            return st;
        }
        if (done == 0) {
            stored = vd_load_le32(s->buf + VHDX_LOG_ENTRY_CHECKSUM);
            memset(s->buf + VHDX_LOG_ENTRY_CHECKSUM, 0, 4);
        }
        crc = vd_crc32c_update(crc, s->buf, n);
        done += n;
    }
    *match = crc == stored;
    return VD_OK;
}

/* Descriptor i of an entry (§2.3.1.2, §2.3.1.3), read through a one-sector cache. */
static enum vd_status descriptor_read(struct scan *s, const struct entry *e, uint32_t i,
                                      int64_t *cached, const uint8_t **raw)
{
    uint64_t delta = VHDX_LOG_ENTRY_HEADER_SIZE + (uint64_t)i * VHDX_LOG_DESCRIPTOR_SIZE;
    int64_t sector = (int64_t)(delta / VHDX_LOG_SECTOR);

    if (*cached != sector) {
        enum vd_status st =
            ring_read(s, e->pos + (uint64_t)sector * VHDX_LOG_SECTOR, s->sector, VHDX_LOG_SECTOR);
        if (st != VD_OK) {
            *cached = -1;
            return st;
        }
        *cached = sector;
    }
    *raw = s->sector + delta % VHDX_LOG_SECTOR;
    return VD_OK;
}

/* VHDX-26: one descriptor's signature, alignment and sequence number. */
static bool descriptor_ok(struct scan *s, const struct entry *e, uint32_t i, const uint8_t *d,
                          bool report)
{
    uint64_t delta = VHDX_LOG_ENTRY_HEADER_SIZE + (uint64_t)i * VHDX_LOG_DESCRIPTOR_SIZE;
    uint64_t target;
    uint64_t length;
    bool zero = descriptor_range(d, &target, &length);

    if (!zero && memcmp(d, VHDX_LOG_DESC_SIGNATURE, 4) != 0) {
        defect(s, report, VD_F_VHDX_LOG_DESCRIPTOR_SIGNATURE, e, delta, 4,
               "a descriptor is neither desc nor zero");
        return false;
    }
    if (target % VHDX_LOG_SECTOR != 0 || length % VHDX_LOG_SECTOR != 0) {
        defect(s, report, VD_F_VHDX_LOG_DESCRIPTOR_ALIGNMENT, e,
               delta + (zero ? VHDX_LOG_DESC_LEADING : VHDX_LOG_DESC_FILE_OFFSET), zero ? 16 : 8,
               "a descriptor's FileOffset or ZeroLength is not 4 KiB aligned");
        return false;
    }
    if (zero && vd_load_le32(d + VHDX_LOG_DESC_TRAILING) != 0) {
        defect(s, report, VD_F_VHDX_LOG_DESCRIPTOR_RESERVED, e, delta + VHDX_LOG_DESC_TRAILING, 4,
               "a zero descriptor's Reserved field is not zero");
        return false;
    }
    if (vd_load_le64(d + VHDX_LOG_DESC_SEQUENCE) != e->seq) {
        defect(s, report, VD_F_VHDX_LOG_DESCRIPTOR_SEQUENCE, e, delta + VHDX_LOG_DESC_SEQUENCE, 8,
               "a descriptor's SequenceNumber differs from the entry's");
        return false;
    }
    return true;
}

/* VHDX-27: the data sector that belongs to the k-th data descriptor. */
static enum vd_status data_sector_ok(struct scan *s, const struct entry *e, uint64_t k,
                                     uint8_t *sector, bool report, bool *ok)
{
    uint64_t delta = (descriptor_sectors(e) + k) * VHDX_LOG_SECTOR;
    enum vd_status st;

    *ok = false;
    if (delta + VHDX_LOG_SECTOR > e->length) {
        defect(s, report, VD_F_VHDX_LOG_ENTRY_LENGTH, e, VHDX_LOG_ENTRY_LENGTH, 4,
               "EntryLength is too short for the data sectors");
        return VD_OK;
    }
    st = ring_read(s, e->pos + delta, sector, VHDX_LOG_SECTOR);
    if (st != VD_OK) {
        return st;
    }
    if (memcmp(sector, VHDX_LOG_DATA_SIGNATURE, 4) != 0) {
        defect(s, report, VD_F_VHDX_LOG_DATA_SIGNATURE, e, delta, 4,
               "a data sector has no data signature");
    } else if (vd_load_le32(sector + VHDX_LOG_DATA_SEQUENCE_HIGH) != (uint32_t)(e->seq >> 32)) {
        defect(s, report, VD_F_VHDX_LOG_DATA_SEQUENCE, e, delta + VHDX_LOG_DATA_SEQUENCE_HIGH, 4,
               "a data sector's SequenceHigh differs from the entry's sequence");
    } else if (vd_load_le32(sector + VHDX_LOG_DATA_SEQUENCE_LOW) != (uint32_t)e->seq) {
        defect(s, report, VD_F_VHDX_LOG_DATA_SEQUENCE, e, delta + VHDX_LOG_DATA_SEQUENCE_LOW, 4,
               "a data sector's SequenceLow differs from the entry's sequence");
    } else {
        *ok = true;
    }
    return VD_OK;
}

/* Checks one candidate entry fully; with report set, every defect becomes a finding. */
static enum vd_status entry_validate(struct scan *s, struct entry *e, const uint8_t *h, bool report,
                                     bool *valid)
{
    bool ok = true;
    bool crc_ok;
    int64_t cached = -1;
    uint8_t data[VHDX_LOG_SECTOR];
    enum vd_status st;

    *valid = false;
    if (!header_fields_ok(s, h, e, report, &ok)) {
        return VD_OK;
    }
    st = entry_crc_ok(s, e, &crc_ok);
    if (st != VD_OK || s->over_budget) {
        return st;
    }
    if (!crc_ok) {
        defect(s, report, VD_F_VHDX_LOG_ENTRY_CHECKSUM, e, VHDX_LOG_ENTRY_CHECKSUM, 4,
               "the CRC-32C over the entry does not match");
        return VD_OK;
    }
    e->data_sectors = 0;
    e->reach = 0;
    for (uint32_t i = 0; i < e->descriptors && ok; i++) {
        const uint8_t *d;
        uint64_t target;
        uint64_t length;
        uint64_t end;
        st = descriptor_read(s, e, i, &cached, &d);
        if (st != VD_OK) {
            return st;
        }
        ok = descriptor_ok(s, e, i, d, report);
        (void)descriptor_range(d, &target, &length);
        end = vd_ckd_add_u64(&end, target, length) ? UINT64_MAX : end;
        e->reach = end > e->reach ? end : e->reach;
        if (ok && memcmp(d, VHDX_LOG_DESC_SIGNATURE, 4) == 0) {
            st = data_sector_ok(s, e, e->data_sectors++, data, report, &ok);
            if (st != VD_OK) {
                return st;
            }
        }
    }
    *valid = ok;
    return VD_OK;
}

static enum vd_status push_entry(struct entry **items, size_t *count, size_t *cap,
                                 const struct entry *e)
{
    if (vd_grow((void **)items, cap, *count, 64, SIZE_MAX / sizeof(**items), sizeof(**items)) !=
        0) {
        return VD_E_NOMEM;
    }
    (*items)[(*count)++] = *e;
    return VD_OK;
}

/* Counts of log sectors that look like entries but are not this log's. */
struct stale {
    uint64_t count;
    uint64_t first_pos;
};

/* Visits every 4 KiB sector of the ring; checks each entry of this log (silently). */
static enum vd_status scan_ring(struct scan *s, bool guid_zero, struct stale *stale)
{
    for (uint64_t chunk = 0; chunk < s->ring.length; chunk += VD_TABLE_CHUNK) {
        enum vd_status st = ring_read(s, chunk, s->sweep, VD_TABLE_CHUNK);
        if (st != VD_OK) {
            return st;
        }
        for (size_t k = 0; k < VD_TABLE_CHUNK / VHDX_LOG_SECTOR; k++) {
            const uint8_t *h = s->sweep + k * VHDX_LOG_SECTOR;
            uint64_t pos = chunk + k * VHDX_LOG_SECTOR;
            struct entry e;
            bool valid;
            if (memcmp(h, VHDX_LOG_ENTRY_SIGNATURE, 4) != 0) {
                continue;
            }
            if (guid_zero || memcmp(h + VHDX_LOG_ENTRY_LOG_GUID, s->guid, 16) != 0) {
                stale->first_pos = stale->count++ == 0 ? pos : stale->first_pos;
                continue;
            }
            entry_decode(h, pos, &e);
            st = entry_validate(s, &e, h, false, &valid);
            if (st == VD_OK && valid) {
                st = push_entry(&s->valid, &s->valid_count, &s->valid_cap, &e);
            } else if (st == VD_OK) {
                st = push_entry(&s->invalid, &s->invalid_count, &s->invalid_cap, &e);
            }
            if (st != VD_OK || s->over_budget) {
                return st;
            }
        }
    }
    return VD_OK;
}

/* The valid entry that starts at ring offset pos with sequence seq, or -1. */
static int64_t find_entry(const struct scan *s, uint64_t pos, uint64_t seq)
{
    size_t lo = 0;
    size_t hi = s->valid_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->valid[mid].pos < pos) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < s->valid_count && s->valid[lo].pos == pos && s->valid[lo].seq == seq ? (int64_t)lo
                                                                                     : -1;
}

/* The active sequence: entries first..head in ring order, `count` of them. */
struct sequence {
    int64_t first;
    int64_t head;
    uint64_t count;
};

static int64_t successor(const struct scan *s, int64_t i)
{
    const struct entry *e = &s->valid[i];
    return find_entry(s, (e->pos + e->length) % s->ring.length, e->seq + 1);
}

/*
 * §2.3.3: sequences are runs of valid entries, each following the previous one in the
 * ring with the next sequence number. A sequence is usable when its head's Tail points
 * at one of its entries; the active one is the usable sequence with the newest head.
 * `top` gets the newest sequence whether usable or not.
 */
static enum vd_status find_active(struct scan *s, struct sequence *active, struct sequence *top)
{
    bool *has_pred = vd_calloc_array(s->valid_count == 0 ? 1 : s->valid_count, sizeof(bool));
    uint64_t steps = 0;
    uint64_t step_limit = 16 * (uint64_t)s->valid_count + 1024;

    *active = (struct sequence){-1, -1, 0};
    *top = (struct sequence){-1, -1, 0};
    if (has_pred == NULL) {
        return VD_E_NOMEM;
    }
    for (size_t i = 0; i < s->valid_count; i++) {
        int64_t next = successor(s, (int64_t)i);
        if (next >= 0) {
            has_pred[next] = true;
        }
    }
    for (size_t i = 0; i < s->valid_count && !s->over_budget; i++) {
        int64_t head = (int64_t)i;
        int64_t first = -1;
        uint64_t count = 0;
        if (has_pred[i]) {
            continue;
        }
        for (int64_t next = head; next >= 0; next = successor(s, next)) {
            head = next;
            s->over_budget = ++steps > step_limit;
        }
        for (int64_t at = (int64_t)i; at >= 0 && first < 0;
             at = at == head ? -1 : successor(s, at)) {
            first = s->valid[at].pos == s->valid[head].tail ? at : -1;
        }
        for (int64_t at = first; at >= 0; at = at == head ? -1 : successor(s, at)) {
            count++;
        }
        if (top->head < 0 || s->valid[head].seq > s->valid[top->head].seq) {
            *top = (struct sequence){first, head, count};
        }
        if (first >= 0 && (active->head < 0 || s->valid[head].seq > s->valid[active->head].seq)) {
            *active = (struct sequence){first, head, count};
        }
    }
    vd_free(has_pred);
    return VD_OK;
}

/* Reports, with detail, the damaged entries that are newer than what is replayed. */
static enum vd_status report_invalid(struct scan *s, uint64_t newer_than)
{
    for (size_t i = 0; i < s->invalid_count && !s->over_budget; i++) {
        struct entry *e = &s->invalid[i];
        uint8_t h[VHDX_LOG_ENTRY_HEADER_SIZE];
        bool valid;
        enum vd_status st;
        if (e->seq <= newer_than && newer_than != 0) {
            continue; /* an older entry overwritten by newer ones: expected in a ring */
        }
        st = ring_read(s, e->pos, h, sizeof(h));
        if (st == VD_OK) {
            st = entry_validate(s, e, h, true, &valid);
        }
        if (st != VD_OK) {
            return st;
        }
    }
    return VD_OK;
}

/* The writes of the active sequence, oldest first, checked against VHDX-29. */
struct replay {
    struct scan *s;
    struct vd_overlay *ov;
    uint64_t view_end;      /* the file size after replay */
    uint64_t reserved_hits; /* descriptors that write into the header section or the log */
    uint64_t first_reserved_at;
    uint64_t descriptors;
};

static bool target_reserved(const struct scan *s, uint64_t target, uint64_t length)
{
    uint64_t end = target + length;
    /* Region tables are updated through the log (§2.2.3); the identifier and headers are not. */
    return target < VHDX_REGION1_OFFSET ||
           (target < s->ring.at + s->ring.length && s->ring.at < end);
}

static enum vd_status entry_apply(struct replay *r, const struct entry *e)
{
    struct scan *s = r->s;
    int64_t cached = -1;
    uint64_t k = 0;
    uint8_t page[VHDX_LOG_SECTOR];

    for (uint32_t i = 0; i < e->descriptors; i++) {
        const uint8_t *d;
        enum vd_status st = descriptor_read(s, e, i, &cached, &d);
        bool zero;
        uint64_t target;
        uint64_t length;
        if (st != VD_OK) {
            return st;
        }
        zero = descriptor_range(d, &target, &length);
        if (target_reserved(s, target, length) && r->reserved_hits++ == 0) {
            r->first_reserved_at = ring_file_offset(
                s, e->pos, VHDX_LOG_ENTRY_HEADER_SIZE + (uint64_t)i * VHDX_LOG_DESCRIPTOR_SIZE);
        }
        if (!zero) {
            /* §2.3.1.3: LeadingBytes + the sector's 4084 data bytes + TrailingBytes. */
            uint8_t lead[8];
            uint8_t trail[4];
            memcpy(lead, d + VHDX_LOG_DESC_LEADING, 8);
            memcpy(trail, d + VHDX_LOG_DESC_TRAILING, 4);
            st = ring_read(s, e->pos + (descriptor_sectors(e) + k++) * VHDX_LOG_SECTOR, page,
                           VHDX_LOG_SECTOR);
            if (st != VD_OK) {
                return st;
            }
            memcpy(page, lead, 8);
            memcpy(page + VHDX_LOG_DATA_SEQUENCE_LOW, trail, 4);
        }
        if (target < r->view_end) {
            length = length < r->view_end - target ? length : r->view_end - target;
            st = vd_overlay_add(r->ov, target, length, zero ? NULL : page);
            if (st != VD_OK) {
                return st;
            }
        }
        r->descriptors++;
    }
    return VD_OK;
}

/* How far the sequence's writes reach (saturating) and the data bytes it holds. */
static void sequence_extent(const struct scan *s, const struct sequence *seq, uint64_t *end,
                            uint64_t *data_bytes)
{
    *end = 0;
    *data_bytes = 0;
    for (int64_t at = seq->first; at >= 0; at = at == seq->head ? -1 : successor(s, at)) {
        const struct entry *e = &s->valid[at];
        *data_bytes += e->data_sectors * VHDX_LOG_SECTOR;
        *end = e->reach > *end ? e->reach : *end;
    }
}

static void publish_ranges(struct vd_ctx *ctx, struct vd_fact *log, const struct vd_overlay *ov)
{
    struct vd_overlay_patch ranges[VHDX_LOG_RANGES_LISTED];
    size_t n = vd_overlay_ranges(ov, ranges, VHDX_LOG_RANGES_LISTED);
    struct vd_fact *list = vd_fact_array(log, "changed_ranges");

    if (n == 0 && ov->count > 0) { /* patches make at least one range: the sort's copy failed */
        vd_ctx_nomem(ctx);
    }
    vd_fact_u64(log, "changed_range_count", n);
    for (size_t i = 0; i < n && i < VHDX_LOG_RANGES_LISTED; i++) {
        struct vd_fact *r = vd_fact_object(list, NULL);
        vd_fact_u64(r, "offset", ranges[i].offset);
        vd_fact_u64(r, "length", ranges[i].length);
    }
}

/* VHDX-29 and VHDX-30: check the head's offsets, then apply the sequence in memory. */
static enum vd_status replay(struct scan *s, const struct sequence *seq, struct vd_overlay *ov,
                             struct vhdx_log_state *out)
{
    struct vd_ctx *ctx = s->ctx;
    const struct entry *head = &s->valid[seq->head];
    struct replay r = {s, ov, 0, 0, 0, 0};
    uint64_t reach;
    uint64_t data_bytes;
    enum vd_status st = VD_OK;

    sequence_extent(s, seq, &reach, &data_bytes);
    if (head->flushed_file_offset > ctx->file_size) {
        vd_report(ctx, VD_F_VHDX_LOG_FLUSHED_BEYOND_EOF,
                  VD_LOC("vhdx.log_entry", -1,
                         ring_file_offset(s, head->pos, VHDX_LOG_ENTRY_FLUSHED_FILE_OFFSET), 8),
                  "FlushedFileOffset 0x%" PRIx64 " is beyond the %" PRIu64
                  "-byte file: data the log relies on is missing",
                  head->flushed_file_offset, ctx->file_size);
    }
    r.view_end = head->last_file_offset > ctx->file_size ? head->last_file_offset : ctx->file_size;
    r.view_end = reach > r.view_end ? reach : r.view_end;
    if (data_bytes > ctx->limits->max_replay || r.view_end - ctx->file_size > VHDX_LOG_MAX_GROWTH) {
        vd_report(ctx, VD_F_VHDX_LOG_REPLAY_LIMIT,
                  VD_LOC("vhdx.log_entry", -1, ring_file_offset(s, head->pos, 0), head->length),
                  "the sequence holds %" PRIu64 " data bytes and reaches offset 0x%" PRIx64
                  "; the on-disk view is used",
                  data_bytes, r.view_end);
        return VD_OK;
    }
    if (ctx->log_view == VD_LOG_VIEW_ON_DISK) {
        return VD_OK;
    }
    for (int64_t at = seq->first; at >= 0 && st == VD_OK;
         at = at == seq->head ? -1 : successor(s, at)) {
        st = entry_apply(&r, &s->valid[at]);
    }
    if (st != VD_OK) {
        return st;
    }
    ov->size = r.view_end > ov->size ? r.view_end : ov->size;
    if (r.reserved_hits > 0) {
        vd_report(ctx, VD_F_VHDX_LOG_TARGET_RESERVED,
                  VD_LOC("vhdx.log_entry", -1, r.first_reserved_at, VHDX_LOG_DESCRIPTOR_SIZE),
                  "%" PRIu64 " descriptors write into the header section or the log itself",
                  r.reserved_hits);
    }
    if (ov->size > ctx->file_size) {
        vd_report(ctx, VD_F_VHDX_LOG_EXTENDS_FILE,
                  VD_LOC("vhdx.log_entry", -1,
                         ring_file_offset(s, head->pos, VHDX_LOG_ENTRY_LAST_FILE_OFFSET), 8),
                  "replay grows the file from %" PRIu64 " to %" PRIu64 " bytes", ctx->file_size,
                  ov->size);
    }
    out->replayed = true;
    out->descriptors = r.descriptors;
    return VD_OK;
}

static void publish_log(struct vd_ctx *ctx, const struct scan *s, const struct sequence *active,
                        const struct vhdx_log_state *st, const struct vd_overlay *ov,
                        const char *state)
{
    struct vd_fact *sem = vd_fact_object(ctx->semantics, "vhdx_log");
    struct vd_fact *det = vd_fact_object(ctx->details, "log");

    vd_fact_u64(det, "offset", s->ring.at);
    vd_fact_u64(det, "length", s->ring.length);
    vd_fact_u64(det, "valid_entries", s->valid_count);
    vd_fact_u64(det, "damaged_entries", s->invalid_count);
    vd_fact_str(sem, "state", state);
    vd_fact_str(sem, "view", st->replayed ? "replayed" : "on-disk");
    if (active->head >= 0) {
        vd_fact_u64(det, "head_sequence", s->valid[active->head].seq);
        vd_fact_u64(det, "tail_offset", s->ring.at + s->valid[active->first].pos);
        vd_fact_u64(det, "head_offset", s->ring.at + s->valid[active->head].pos);
        vd_fact_u64(det, "flushed_file_offset", s->valid[active->head].flushed_file_offset);
        vd_fact_u64(det, "last_file_offset", s->valid[active->head].last_file_offset);
        vd_fact_u64(sem, "entries_replayed", st->replayed ? st->entries : 0);
        vd_fact_u64(sem, "descriptors_replayed", st->replayed ? st->descriptors : 0);
        if (st->replayed) {
            publish_ranges(ctx, sem, ov);
        }
    }
}

/* VHDX-24: where the log lies. False when it cannot be read. */
static bool ring_place(struct vd_ctx *ctx, const struct vhdx_header *h, uint64_t header_at,
                       struct ring *ring)
{
    ring->at = h->log_offset;
    ring->length = h->log_length;
    if (ring->length == 0) {
        return false;
    }
    if (!vd_range_fits(ring->at, ring->length, ctx->file_size)) {
        vd_report(ctx, VD_F_VHDX_LOG_OUTSIDE_FILE,
                  VD_LOC("vhdx.header", -1, header_at + VHDX_HEADER_LOG_LENGTH, 12),
                  "the %" PRIu64 "-byte log at 0x%" PRIx64 " runs past the %" PRIu64 "-byte file",
                  ring->length, ring->at, ctx->file_size);
        if (ring->at < ctx->file_size) {
            vd_claim(ctx, "vhdx.log", -1, ring->at, ctx->file_size - ring->at,
                     header_at + VHDX_HEADER_LOG_LENGTH, 12);
        }
        return false;
    }
    vd_claim(ctx, "vhdx.log", -1, ring->at, ring->length, header_at + VHDX_HEADER_LOG_LENGTH, 12);
    return ring->at % VHDX_MiB == 0 && ring->length % VHDX_MiB == 0;
}

static const char *settle(struct scan *s, const struct sequence *active, const struct sequence *top,
                          bool guid_zero, const struct stale *stale)
{
    struct vd_ctx *ctx = s->ctx;

    if (guid_zero) {
        if (stale->count > 0) {
            vd_report(ctx, VD_F_VHDX_LOG_INACTIVE_ENTRIES,
                      VD_LOC("vhdx.log_entry", -1, s->ring.at + stale->first_pos, 4),
                      "%" PRIu64 " entries remain in the log of a cleanly closed file",
                      stale->count);
        }
        return "empty";
    }
    if (s->over_budget) {
        vd_report(ctx, VD_F_VHDX_LOG_SCAN_LIMIT, VD_LOC("vhdx.log", -1, s->ring.at, s->ring.length),
                  "checking the log's candidate entries exceeded the work limit");
        return "not_checked";
    }
    if (top->head >= 0 && top->first < 0) {
        const struct entry *h = &s->valid[top->head];
        vd_report(ctx, VD_F_VHDX_LOG_TAIL_OUTSIDE,
                  VD_LOC("vhdx.log_entry", -1, ring_file_offset(s, h->pos, VHDX_LOG_ENTRY_TAIL), 4),
                  "the newest sequence (head %" PRIu64 ") points its Tail at ring offset 0x%" PRIx32
                  ", which is not one of its entries",
                  h->seq, h->tail);
    }
    if (active->head < 0) {
        vd_report(ctx, VD_F_VHDX_LOG_NO_ACTIVE_SEQUENCE,
                  VD_LOC("vhdx.log", -1, s->ring.at, s->ring.length),
                  "LogGuid is set but no valid sequence was found: nothing is replayed");
        return "no_active_sequence";
    }
    return "pending";
}

enum vd_status vhdx_log_check(struct vd_ctx *ctx, const struct vhdx_header *h, uint64_t header_at,
                              struct vd_overlay *ov, struct vhdx_log_state *out)
{
    struct scan s;
    struct stale stale = {0, 0};
    struct sequence active = {-1, -1, 0};
    struct sequence top = {-1, -1, 0};
    bool guid_zero = vd_guid_is_null(h->log_guid);
    const char *state;
    enum vd_status st = VD_OK;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    s.ctx = ctx;
    s.guid = h->log_guid;
    if (!guid_zero) {
        vd_report(ctx, VD_F_VHDX_HEADER_LOG_GUID,
                  VD_LOC("vhdx.header", -1, header_at + VHDX_HEADER_LOG_GUID, 16),
                  "LogGuid is set: the log may hold updates that were never applied");
    }
    if (!ring_place(ctx, h, header_at, &s.ring)) {
        if (!guid_zero && h->log_length == 0) {
            vd_report(ctx, VD_F_VHDX_LOG_NO_ACTIVE_SEQUENCE,
                      VD_LOC("vhdx.header", -1, header_at + VHDX_HEADER_LOG_LENGTH, 4),
                      "LogGuid is set but the log is empty (LogLength 0): nothing is replayed");
        }
        vd_fact_str(vd_fact_object(ctx->semantics, "vhdx_log"), "state",
                    guid_zero ? "empty" : "unreadable");
        return VD_OK;
    }
    s.budget = 8 * s.ring.length + (64u << 20);
    s.buf = vd_malloc(2 * VD_TABLE_CHUNK);
    if (s.buf == NULL) {
        return VD_E_NOMEM;
    }
    s.sweep = s.buf + VD_TABLE_CHUNK;
    st = scan_ring(&s, guid_zero, &stale);
    if (st == VD_OK && !guid_zero && !s.over_budget) {
        st = find_active(&s, &active, &top);
    }
    if (st == VD_OK && !guid_zero && !s.over_budget) {
        /* Detailed reports re-check entries: a fresh budget, and running out only stops them. */
        s.budget = 8 * s.ring.length + (64u << 20);
        st = report_invalid(&s, active.head >= 0 ? s.valid[active.head].seq : 0);
        s.over_budget = false;
    }
    if (st == VD_OK) {
        state = settle(&s, &active, &top, guid_zero, &stale);
        if (active.head >= 0 && !s.over_budget) {
            out->pending = true;
            out->entries = active.count;
            vd_report(ctx, VD_F_VHDX_LOG_PENDING,
                      VD_LOC("vhdx.log_entry", -1, s.ring.at + s.valid[active.head].pos,
                             s.valid[active.head].length),
                      "the log holds %" PRIu64 " entries (sequence %" PRIu64 "..%" PRIu64
                      ") that were never applied; the disk is read %s",
                      active.count, s.valid[active.first].seq, s.valid[active.head].seq,
                      ctx->log_view == VD_LOG_VIEW_ON_DISK ? "as it is on disk (stale)"
                                                           : "with them replayed in memory");
            st = replay(&s, &active, ov, out);
        }
        publish_log(ctx, &s, &active, out, ov, state);
    }
    vd_free(s.valid);
    vd_free(s.invalid);
    vd_free(s.buf);
    return st;
}
