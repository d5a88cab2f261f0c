#include "vd_probe.h"

#include "vd_alloc.h"
#include "vd_registry.h"

enum vd_status vd_probe(const struct vd_source *src, const struct vd_format_driver **best,
                        const struct vd_format_driver **runner_up)
{
    return vd_probe_among(src, vd_format_drivers, best, runner_up);
}

enum vd_status vd_probe_among(const struct vd_source *src,
                              const struct vd_format_driver *const *drivers,
                              const struct vd_format_driver **best,
                              const struct vd_format_driver **runner_up)
{
    uint64_t size = vd_source_size(src);
    struct vd_probe_input in = {.file_size = size};
    uint8_t *head = NULL;
    uint8_t *tail = NULL;
    int best_score = 0;
    enum vd_status st = VD_E_NOMEM;

    *best = NULL;
    *runner_up = NULL;
    in.head_len = size < VD_PROBE_HEAD ? (size_t)size : VD_PROBE_HEAD;
    in.tail_len = size < VD_PROBE_TAIL ? (size_t)size : VD_PROBE_TAIL;
    head = vd_malloc(in.head_len);
    tail = vd_malloc(in.tail_len);
    if (head == NULL || tail == NULL) {
        goto out;
    }
    st = vd_source_read(src, 0, head, in.head_len);
    if (st == VD_OK) {
        st = vd_source_read(src, size - in.tail_len, tail, in.tail_len);
    }
    if (st != VD_OK) {
        goto out;
    }
    in.head = head;
    in.tail = tail;
    for (size_t i = 0; drivers[i] != NULL; i++) {
        const struct vd_format_driver *drv = drivers[i];
        int score = drv->probe(&in);
        if (score > best_score) {
            if (best_score >= VD_PROBE_CONFIDENT) {
                *runner_up = *best;
            }
            best_score = score;
            *best = drv;
        } else if (score >= VD_PROBE_CONFIDENT && *runner_up == NULL) {
            *runner_up = drv;
        }
    }
out:
    vd_free(head);
    vd_free(tail);
    return st;
}
