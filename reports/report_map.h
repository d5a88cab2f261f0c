/*
 * `vdcheck map`: the virtual extents of a disk, streamed as the engine visits them (text
 * columns like qemu-img map, or the JSON document of DESIGN.md), so memory does not grow
 * with the number of extents.
 */
#ifndef REPORT_MAP_H
#define REPORT_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vd_format.h"

struct report_map {
    FILE *out;
    bool json;
    bool started;
    uint64_t extents;
};

void report_map_begin(struct report_map *m, const struct vd_image_info *info);
void report_map_extent(struct report_map *m, const struct vd_extent *e);
/* Closes the document; returns 0, or -1 when the stream failed. */
int report_map_end(struct report_map *m);

const char *report_extent_kind(enum vd_extent_kind kind);

#endif
