/* Helpers for tests over real image files: corpus listings, .expect files. */
#ifndef VD_TEST_CORPUS_H
#define VD_TEST_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "vd_analyze.h"

/* Analyzes a file with default limits; aborts on out of memory. */
struct vd_image_result *vd_test_analyze_file(const char *path, unsigned hash_mask);

/* details->a->b (b may be NULL); NULL when absent. */
const struct vd_fact *vd_test_fact(const struct vd_fact *f, const char *a, const char *b);

/* The fact details->a->b as a number / a string; a failed check when absent or of another kind. */
uint64_t vd_test_detail_u64(const struct vd_image_result *r, const char *a, const char *b);
const char *vd_test_detail_str(const struct vd_image_result *r, const char *a, const char *b);

/* How many findings with the dotted id the result holds. */
size_t vd_test_count_id(const struct vd_image_result *r, const char *id);

/* Lists the files of dir ending in suffix, sorted (strdup'ed names); returns the count. */
size_t vd_test_list_dir(const char *dir, const char *suffix, char **names, size_t max);

/*
 * Compares one image with its .expect file (lines: verdict V, virtual_size N,
 * virtual_sha256 H, finding ID OFFSET; # comments): the findings must match exactly.
 */
void vd_test_check_expect_file(const char *image, const char *expect);

/* Every IMAGE.<suffix> of corpus/<dir> against IMAGE.expect; returns how many. */
size_t vd_test_check_corpus_dir(const char *dir, const char *suffix);

/*
 * Every image of the shared corpus's generated/CHECKSUMS.txt under `prefix` (e.g. "vhd/"):
 * its virtual size and virtual-disk md5 must be what qemu-img / bximage wrote; `extra`
 * (may be NULL) checks the rest. Returns how many were checked; skips without the corpus.
 */
size_t vd_test_generated_checksums(const char *prefix,
                                   void (*extra)(const struct vd_image_result *r));

/* Reads a whole file into memory (malloc'ed). */
uint8_t *vd_test_slurp(const char *path, size_t *len);

#endif
