#include "report_map.h"

#include <inttypes.h>

const char *report_extent_kind(enum vd_extent_kind kind)
{
    switch (kind) {
    case VD_EXTENT_DATA:
        return "data";
    case VD_EXTENT_ZERO:
        return "zero";
    case VD_EXTENT_UNALLOCATED:
        return "unallocated";
    case VD_EXTENT_PARENT:
        return "parent";
    }
    return "unknown";
}

void report_map_begin(struct report_map *m, const struct vd_image_info *info)
{
    m->started = true;
    m->extents = 0;
    if (m->json) {
        fprintf(m->out, "{\"virtual_size\": %" PRIu64 ", \"extents\": [", info->virtual_size);
        return;
    }
    fprintf(m->out, "# %s %s, virtual size %" PRIu64 " bytes\n", info->format,
            info->variant != NULL ? info->variant : "", info->virtual_size);
    fprintf(m->out, "%-18s %-18s %-12s %-5s %-18s\n", "offset", "length", "kind", "depth",
            "file_offset");
}

/*
 * Depth: 0 is the image itself, n its n-th ancestor. A parent extent is one no resolved
 * layer holds (the parent is missing): it carries no depth, as which ancestor holds its
 * sectors is not known, and a guessed value would mislead.
 */
void report_map_extent(struct report_map *m, const struct vd_extent *e)
{
    const char *kind = report_extent_kind(e->kind);

    if (m->json) {
        fprintf(m->out, "%s\n  {\"offset\": %" PRIu64 ", \"length\": %" PRIu64 ", \"kind\": \"%s\"",
                m->extents == 0 ? "" : ",", e->offset, e->length, kind);
        if (e->kind == VD_EXTENT_DATA) {
            fprintf(m->out, ", \"file_offset\": %" PRIu64, e->file_offset);
        }
        if (e->kind != VD_EXTENT_PARENT) {
            fprintf(m->out, ", \"depth\": %u", e->depth);
        }
        fputc('}', m->out);
    } else if (e->kind == VD_EXTENT_DATA) {
        fprintf(m->out, "0x%016" PRIx64 " 0x%016" PRIx64 " %-12s %-5u 0x%016" PRIx64 "\n",
                e->offset, e->length, kind, e->depth, e->file_offset);
    } else if (e->kind != VD_EXTENT_PARENT) {
        fprintf(m->out, "0x%016" PRIx64 " 0x%016" PRIx64 " %-12s %-5u -\n", e->offset, e->length,
                kind, e->depth);
    } else {
        fprintf(m->out, "0x%016" PRIx64 " 0x%016" PRIx64 " %-12s -     -\n", e->offset, e->length,
                kind);
    }
    m->extents++;
}

int report_map_end(struct report_map *m)
{
    if (m->json && m->started) {
        fputs(m->extents == 0 ? "]}\n" : "\n]}\n", m->out);
    }
    return ferror(m->out) ? -1 : 0;
}
