#include "vd_overlay.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_checked.h"

void vd_overlay_init(struct vd_overlay *ov, uint64_t file_size)
{
    memset(ov, 0, sizeof(*ov));
    ov->size = file_size;
    ov->lo = UINT64_MAX;
}

void vd_overlay_fini(struct vd_overlay *ov)
{
    for (size_t i = 0; i < ov->count; i++) {
        vd_free(ov->patches[i].data);
    }
    vd_free(ov->patches);
    memset(ov, 0, sizeof(*ov));
}

enum vd_status vd_overlay_add(struct vd_overlay *ov, uint64_t offset, uint64_t length,
                              const uint8_t *data)
{
    struct vd_overlay_patch p = {offset, length, NULL};
    uint64_t end;

    if (length == 0) {
        return VD_OK;
    }
    if (vd_ckd_add_u64(&end, offset, length)) {
        return VD_E_LIMIT;
    }
    if (data != NULL) {
        if (length > SIZE_MAX) {
            return VD_E_LIMIT;
        }
        p.data = vd_malloc((size_t)length);
        if (p.data == NULL) {
            return VD_E_NOMEM;
        }
        memcpy(p.data, data, (size_t)length);
    }
    if (vd_grow((void **)&ov->patches, &ov->cap, ov->count, 64, SIZE_MAX / sizeof(*ov->patches),
                sizeof(*ov->patches)) != 0) {
        vd_free(p.data);
        return VD_E_NOMEM;
    }
    ov->patches[ov->count++] = p;
    ov->bytes += data != NULL ? length : 0;
    ov->lo = offset < ov->lo ? offset : ov->lo;
    ov->hi = end > ov->hi ? end : ov->hi;
    ov->size = end > ov->size ? end : ov->size;
    return VD_OK;
}

enum vd_status vd_overlay_read(const struct vd_overlay *ov, const struct vd_source *src,
                               uint64_t off, void *buf, size_t len)
{
    uint8_t *out = buf;
    uint64_t base = vd_source_size(src);
    uint64_t end = off + len;

    if (!vd_range_fits(off, len, ov->size)) {
        return VD_E_INTERNAL;
    }
    if (off < base) {
        size_t n = end <= base ? len : (size_t)(base - off);
        enum vd_status st = vd_source_read(src, off, out, n);
        if (st != VD_OK) {
            return st;
        }
        memset(out + n, 0, len - n);
    } else {
        memset(out, 0, len);
    }
    if (end <= ov->lo || off >= ov->hi) {
        return VD_OK;
    }
    for (size_t i = 0; i < ov->count; i++) {
        const struct vd_overlay_patch *p = &ov->patches[i];
        uint64_t from = p->offset > off ? p->offset : off;
        uint64_t to = p->offset + p->length < end ? p->offset + p->length : end;
        if (from >= to) {
            continue;
        }
        if (p->data != NULL) {
            memcpy(out + (from - off), p->data + (from - p->offset), (size_t)(to - from));
        } else {
            memset(out + (from - off), 0, (size_t)(to - from));
        }
    }
    return VD_OK;
}

static int patch_cmp(const void *a, const void *b)
{
    const struct vd_overlay_patch *x = a;
    const struct vd_overlay_patch *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

size_t vd_overlay_ranges(const struct vd_overlay *ov, struct vd_overlay_patch *out, size_t cap)
{
    struct vd_overlay_patch *sorted;
    size_t n = 0;

    if (ov->count == 0) {
        return 0;
    }
    sorted = vd_calloc_array(ov->count, sizeof(*sorted));
    if (sorted == NULL) {
        return 0;
    }
    for (size_t i = 0; i < ov->count; i++) {
        sorted[i] = (struct vd_overlay_patch){ov->patches[i].offset, ov->patches[i].length, NULL};
    }
    qsort(sorted, ov->count, sizeof(*sorted), patch_cmp);
    for (size_t i = 0; i < ov->count;) {
        uint64_t start = sorted[i].offset;
        uint64_t stop = start + sorted[i].length;
        for (i++; i < ov->count && sorted[i].offset <= stop; i++) {
            uint64_t e = sorted[i].offset + sorted[i].length;
            stop = e > stop ? e : stop;
        }
        if (n < cap) {
            out[n] = (struct vd_overlay_patch){start, stop - start, NULL};
        }
        n++;
    }
    vd_free(sorted);
    return n;
}
