/*
 * One allocation bitmap read from the file and kept until another is asked for: VHD block
 * bitmaps, VHDX sector bitmap blocks, Bochs extent bitmaps. map() asks for the same bitmap
 * run after run, so it is read once per block, not once per run.
 */
#ifndef VD_BITMAP_CACHE_H
#define VD_BITMAP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_compiler.h"
#include "vd_status.h"

struct vd_ctx;

struct vd_bitmap_cache {
    uint8_t *bits; /* `size` bytes, allocated on first use */
    size_t size;
    int64_t key; /* which bitmap is loaded (the caller's numbering), -1 = none */
};

void vd_bitmap_cache_init(struct vd_bitmap_cache *c, size_t size);
void vd_bitmap_cache_fini(struct vd_bitmap_cache *c);

/*
 * Makes the `size` bytes at file offset `at` the loaded bitmap `key`, reading them unless
 * they are loaded already. *loaded = false (nothing read) when they do not lie inside the
 * file.
 */
VD_MUST_CHECK enum vd_status vd_bitmap_cache_load(struct vd_ctx *ctx, struct vd_bitmap_cache *c,
                                                  uint64_t key, uint64_t at, bool *loaded);

#endif
