/*
 * Robustness sweeps (issue 8): cut an image at many lengths, change bytes of its metadata
 * structures one at a time, fail each allocation in turn. Every analysis must end normally
 * (the sanitizer builds turn any memory error into a failure), and an image whose
 * checksum no longer matches must never be called clean.
 */
#ifndef VD_TEST_SWEEP_H
#define VD_TEST_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vd_analyze.h"

/* How a structure protects its bytes; the harness recomputes it on its own. */
enum vd_sweep_seal {
    VD_SEAL_NONE,
    VD_SEAL_VHD_SUM, /* VHD footer / dynamic header: ones' complement of the byte sum, BE32 */
    VD_SEAL_CRC32C,  /* VHDX header, region table, log entry: CRC-32C, LE32 */
};

/* One metadata structure of an image: its bytes and how to mutate them. */
struct vd_sweep_range {
    char name[48]; /* for messages: "vhd.footer", "vhdx.bat[3]", ... */
    uint64_t at;
    uint64_t len;
    bool big_endian; /* how the 32- and 64-bit boundary values are written */
    /*
     * 1: every byte is flipped and every aligned field gets each boundary value. n > 1 (a
     * multiple of 8): only every n-th byte and field, for reserved areas, text and
     * payloads whose bytes all play the same part.
     */
    uint32_t stride;
    /* The checksum covering these bytes: over [seal_base, seal_base + seal_len), stored
     * in the 4 bytes at seal_field (all absolute), which count as zero in the sum. */
    enum vd_sweep_seal seal;
    uint64_t seal_base;
    uint64_t seal_len;
    uint64_t seal_field;
    /* A broken checksum must give errors (true), or only never a clean verdict (false). */
    bool seal_errors;
};

#define VD_SWEEP_MAX_RANGES 128

struct vd_sweep_plan {
    struct vd_sweep_range r[VD_SWEEP_MAX_RANGES];
    size_t n;
    /*
     * Where the last byte any structure or block uses ends (0: the end of the file). Past
     * it a file holds only padding (qemu's VHDX files end in unused zeros): a cut there
     * loses nothing, and only has to be analyzed to its end.
     */
    uint64_t used_end;
};

/*
 * Adds a range clipped to the file (len bytes); NULL when nothing of it is inside the file
 * or the plan is full.
 */
struct vd_sweep_range *vd_sweep_add(struct vd_sweep_plan *p, size_t len, const char *name,
                                    uint64_t at, uint64_t size, bool big_endian, uint32_t stride);
/*
 * Marks r (may be NULL) as protected by a checksum whose failure is an error; ignored when
 * the covered bytes are not all inside the file or the checksum does not match before any
 * change.
 */
void vd_sweep_seal(struct vd_sweep_range *r, const uint8_t *data, size_t len,
                   enum vd_sweep_seal seal, uint64_t base, uint64_t size, uint64_t field);

/* Whether the checksum of range r over data still matches (computed independently). */
bool vd_sweep_seal_ok(const uint8_t *data, size_t len, const struct vd_sweep_range *r);
/* CRC-32C of n bytes, with the 4 bytes at skip (when skip < n) taken as zero. */
uint32_t vd_sweep_crc32c(const uint8_t *p, size_t n, size_t skip);

/*
 * Cuts the image short at many lengths; each cut below plan->used_end must give errors or
 * be unrecognized. The lengths: every one below 4 KiB and within the last `tail` bytes;
 * every multiple of 512 in files up to VD_SWEEP_FULL_MAX. In larger files, multiples of 512
 * below 1 MiB (where every format keeps its headers and first tables) and from 4 KiB
 * before to 4 KiB after each range of the plan (NULL: none; ranges up to 64 KiB whole),
 * and elsewhere multiples of 64 KiB: there a cut falls inside payload data, where any
 * 512-byte step behaves like the nearest 64 KiB one, and the sanitizer build takes about a
 * millisecond per analysis: every step of the shared corpus' 100 MiB of VHDX files would
 * take minutes.
 */
#define VD_SWEEP_FULL_MAX (4608u * 1024u)
void vd_test_truncation_sweep_data(const char *label, const uint8_t *data, size_t len, size_t tail,
                                   const struct vd_sweep_plan *plan);

/*
 * Mutates data[0..len) in place (restored before returning), one change at a time, over
 * every range of the plan: xor 0xFF and xor 0x01 at every byte, the 32-bit values 0, 1,
 * 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF at every 4-byte-aligned offset and the 64-bit values
 * 2^64-1 and 2^63 at every 8-byte-aligned offset (in the range's byte order). Each
 * analysis must end with a verdict; when the change broke a checksum the verdict must
 * never be clean, and must be errors (or unrecognized) where the range says so. Every
 * `hash_every`-th change is analyzed a second time with a SHA-256 of the container and the virtual
 * disk when that disk is at most 16 MiB, so the reading path is swept as well. Returns the number
 * of analyses.
 */
size_t vd_test_mutation_sweep(const char *label, uint8_t *data, size_t len,
                              const struct vd_sweep_plan *plan, unsigned hash_every);

/*
 * Allocation-failure injection: for N = 1, 2, ... runs `run` with the N-th allocation
 * failing, until a run completes without reaching it. Each run returns the status it
 * ended with (it must free everything itself) and must not crash; LeakSanitizer proves the
 * failure paths free what they took. `strict`: a run whose allocation failed must end with
 * VD_E_NOMEM, never VD_OK (a result that silently lacks parts); otherwise such runs are
 * only counted. Returns the number of allocations of a complete run (0 and a failed check
 * when none completed within `max` tries).
 */
unsigned long vd_test_alloc_failures(const char *label, enum vd_status (*run)(void *arg), void *arg,
                                     unsigned long max, bool strict);

/* A run for vd_test_alloc_failures: analyzes bytes from memory with opt. */
struct vd_alloc_run {
    const uint8_t *data;
    size_t len;
    struct vd_analyze_options opt;
};
enum vd_status vd_test_alloc_run_memory(void *arg);

/* Seconds of CLOCK_MONOTONIC since *t0. */
double vd_test_seconds_since(const struct timespec *t0);

#endif
