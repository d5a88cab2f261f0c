/*
 * The sweep tests' view of the images they sweep: loading bundled and shared corpus files,
 * and the metadata structures of each format, found by reading the image's own headers
 * here (from the specifications, not through vdcheck), so the ranges follow the image.
 */
#ifndef SWEEP_IMAGES_H
#define SWEEP_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#include "vd_test_sweep.h"

/*
 * Spacing of the sampled bytes (see vd_sweep_range) in reserved areas, text and payloads of
 * up to a KiB, and in the larger ones of VHDX (a header's 4016 reserved bytes, a region
 * table's 64 KiB, a log data sector): every byte of one plays the same part as its
 * neighbours, under the same checksum when there is one.
 */
#define SWEEP_SPARSE       8u
#define SWEEP_SPARSE_LARGE 256u

/*
 * Reads corpus/<rel> of the source tree, or <rel> of the shared corpus (which skips the
 * test when the shared corpus is absent). Malloc'ed.
 */
uint8_t *sweep_load_bundled(const char *rel, size_t *len);
uint8_t *sweep_load_shared(const char *rel, size_t *len);

/* The metadata structures of one image of each format. */
void sweep_plan_vhd(const uint8_t *d, size_t len, struct vd_sweep_plan *p);
void sweep_plan_vhdx(const uint8_t *d, size_t len, struct vd_sweep_plan *p);
void sweep_plan_vdi(const uint8_t *d, size_t len, struct vd_sweep_plan *p);
void sweep_plan_bochs(const uint8_t *d, size_t len, struct vd_sweep_plan *p);

#endif
