/*
 * fuzz_probe: every driver's probe on the head and tail of the image the input describes
 * (raw, or sparse: fuzz_common.h), then vd_probe and vd_probe_among over a memory source.
 * Probes are pure: each one sees copies of exactly the bytes it is given (so ASan catches a
 * read past them), must score 0..100 and score the same twice; vd_probe must pick the first
 * best-scoring driver and name a runner-up exactly when another driver scores at least
 * VD_PROBE_CONFIDENT.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "vd_probe.h"
#include "vd_registry.h"

#define FUZZ_MAX_DRIVERS 16

static uint8_t *copy_of(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n == 0 ? 1 : n);

    FUZZ_ASSERT(c != NULL, "out of memory");
    if (n > 0) {
        memcpy(c, p, n);
    }
    return c;
}

static void check(const uint8_t *data, size_t size)
{
    size_t head_len = size < VD_PROBE_HEAD ? size : VD_PROBE_HEAD;
    size_t tail_len = size < VD_PROBE_TAIL ? size : VD_PROBE_TAIL;
    struct vd_probe_input in = {.head_len = head_len, .tail_len = tail_len, .file_size = size};
    const struct vd_format_driver *best = NULL;
    const struct vd_format_driver *runner_up = NULL;
    const struct vd_format_driver *first_best = NULL;
    struct vd_source *src = NULL;
    int scores[FUZZ_MAX_DRIVERS];
    int max = 0;
    size_t n = 0;

    in.head = copy_of(data, head_len);
    in.tail = copy_of(data + size - tail_len, tail_len);
    for (; vd_format_drivers[n] != NULL; n++) {
        const struct vd_format_driver *drv = vd_format_drivers[n];
        FUZZ_ASSERT(n < FUZZ_MAX_DRIVERS, "more drivers than the harness expects");
        scores[n] = drv->probe(&in);
        FUZZ_ASSERT(scores[n] >= 0 && scores[n] <= 100, "%s scores %d", drv->name, scores[n]);
        FUZZ_ASSERT(drv->probe(&in) == scores[n], "%s scores differently twice", drv->name);
        if (scores[n] > max) {
            max = scores[n];
            first_best = drv;
        }
    }
    FUZZ_ASSERT(memcmp(in.head, data, head_len) == 0 &&
                    memcmp(in.tail, data + size - tail_len, tail_len) == 0,
                "a probe wrote into its input");
    free((void *)in.head);
    free((void *)in.tail);

    if (vd_source_open_memory(data, size, &src) != VD_OK) {
        return;
    }
    FUZZ_ASSERT(vd_probe(src, &best, &runner_up) == VD_OK, "vd_probe failed on memory");
    FUZZ_ASSERT(best == first_best, "vd_probe picked %s, the first best is %s",
                best != NULL ? best->name : "none", first_best != NULL ? first_best->name : "none");
    bool other_confident = false;
    for (size_t i = 0; i < n; i++) {
        const struct vd_format_driver *drv = vd_format_drivers[i];
        other_confident |= drv != best && scores[i] >= VD_PROBE_CONFIDENT;
        if (drv == runner_up) {
            FUZZ_ASSERT(drv != best && scores[i] >= VD_PROBE_CONFIDENT, "runner-up %s scores %d",
                        drv->name, scores[i]);
        }
        /* Held to one driver, the probe finds it exactly when it scores. */
        const struct vd_format_driver *const only[] = {drv, NULL};
        const struct vd_format_driver *one = NULL;
        const struct vd_format_driver *none = NULL;
        FUZZ_ASSERT(vd_probe_among(src, only, &one, &none) == VD_OK, "vd_probe_among failed");
        FUZZ_ASSERT(one == (scores[i] > 0 ? drv : NULL) && none == NULL,
                    "vd_probe_among on %s alone", drv->name);
    }
    FUZZ_ASSERT((runner_up != NULL) == other_confident, "runner-up %s, another confident: %d",
                runner_up != NULL ? runner_up->name : "none", (int)other_confident);
    vd_source_close(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *image;
    size_t len;
    uint8_t *owned;

    if (fuzz_expand(data, size, &image, &len, &owned)) {
        check(image, len);
        free(owned);
    }
    return 0;
}
