/*
 * Shared code of the libFuzzer harnesses (tests/fuzz/fuzz_<target>.c) and their replay
 * driver. Every harness reads its input through a memory source and checks properties of
 * what the engine made of it; a violated property aborts, which libFuzzer reports as a crash
 * and the replay tests as a failure. docs/fuzzing.md lists the properties.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_analyze.h"
#include "vd_format.h"
#include "vd_result.h"

/* The libFuzzer entry points every harness defines (LLVMFuzzerInitialize optionally). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * A second, hashed analysis runs only for disks up to a size (zeros are hashed too): under
 * libFuzzer up to FUZZ_HASH_MAX_FUZZING, so that an input stays a few milliseconds; the
 * replay driver raises it to FUZZ_HASH_MAX_REPLAY, which hashes every corpus image.
 */
#define FUZZ_HASH_MAX_FUZZING (1u << 20)
#define FUZZ_HASH_MAX_REPLAY  (64u << 20)
void fuzz_set_hash_max(uint64_t virtual_size);
/* The map visitor ends a map after this many extents (VD_E_LIMIT): mapping is linear in
 * the extents, and a disk of alternating bitmap bits has one per sector. */
#define FUZZ_MAP_MAX_EXTENTS (1u << 16)
/* The piecewise window: at most 64 windows, each checked against an independent digest. */
#define FUZZ_PIECEWISE_WINDOW (1u << 20)

void fuzz_fail(const char *file, int line, const char *what, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* Aborts with the condition and a printf-formatted explanation when cond is false. */
#define FUZZ_ASSERT(cond, ...)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
        }                                                                                          \
    } while (0)

/* How one harness analyzes its input. */
struct fuzz_run {
    const struct vd_format_driver *only_driver; /* NULL: every driver is probed */
    enum vd_log_view log_view;
    bool hash; /* a second, hashed analysis of small disks (fuzz_set_hash_max) */
};

/*
 * Analyzes data as the engine would a file, with the map visitor on, and checks every
 * property of the result (fuzz_check_result) and of the map; with run->hash, a small disk
 * (fuzz_set_hash_max) is analyzed again with sha256 and piecewise digests, which must equal
 * digests computed here from the map's extents. Returns the hashed result when there is one,
 * else the first (free it with vd_result_free); NULL when memory ran out.
 */
struct vd_image_result *fuzz_analyze(const uint8_t *data, size_t size, const struct fuzz_run *run);

/* The properties of one result of analyzing `size` bytes (see docs/fuzzing.md). */
void fuzz_check_result(const struct vd_image_result *r, size_t size, const struct fuzz_run *run);

/*
 * Sparse inputs. Virtual disk images are mostly zeros and a VHDX is at least a few MiB, so
 * mutating raw images wastes nearly every mutation on bytes no structure reads. An input
 * that starts with FUZZ_SPARSE_MAGIC is therefore a description of an image instead:
 *
 *   "VDFZ" | u32 LE image size (cut to FUZZ_SPARSE_MAX) | records until the end:
 *   u32 LE file offset | u16 LE length | length bytes
 *
 * The image is that many zero bytes with each record's bytes written at its offset, in
 * order (a record reaching past the image end is cut, a short last record keeps what it
 * has). Any other input is the image itself. fuzz_seeds --sparse writes seeds in this form.
 */
#define FUZZ_SPARSE_MAGIC      "VDFZ"
#define FUZZ_SPARSE_HEADER     8u
#define FUZZ_SPARSE_RECORD     6u
#define FUZZ_SPARSE_MAX        (16u << 20)
#define FUZZ_SPARSE_RECORD_MAX 0xFFFFu

/*
 * The image an input describes: the input itself (*owned NULL), or the expansion of a
 * sparse input (*owned: free it). Returns false when out of memory.
 */
bool fuzz_expand(const uint8_t *data, size_t size, const uint8_t **image, size_t *image_size,
                 uint8_t **owned);

/*
 * Finds every VHD checksum (both footers, the dynamic header) and VHDX checksum (both
 * headers, both region tables, every log entry) in the image `in` whose stored value is
 * wrong; true when there is one. With out (a copy of in), writes the right values there
 * (fuzz_reseal.c).
 */
bool fuzz_reseal(const uint8_t *in, uint8_t *out, size_t size);

/*
 * Runs check on the image the input describes (fuzz_expand), then, when re-sealing changes
 * it, on a re-sealed copy: mutations inside checksummed structures then reach the code
 * behind the checksum tests too.
 */
void fuzz_each_image(const uint8_t *data, size_t size,
                     void (*check)(const uint8_t *data, size_t size));

/* A pending VHDX log was applied in memory: the disk holds bytes the input does not. */
bool fuzz_log_replayed(const struct vd_image_result *r);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF). */
bool fuzz_utf8_valid(const char *s, size_t len);

/* The replay driver names the input being run, so a failed property can say which. */
void fuzz_set_input_name(const char *name);

#endif
