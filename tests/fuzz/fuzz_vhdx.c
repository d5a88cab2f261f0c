/*
 * fuzz_vhdx: the image the input describes (raw, or the sparse form of fuzz_common.h)
 * analyzed with the VHDX driver alone, once with a pending log replayed in memory and once in
 * the on-disk view, each with the map visitor on and small disks hashed again
 * (fuzz_common.c). When nothing was replayed the two views must agree finding for finding.
 * Then the same for a copy with both headers', both region tables' and every log entry's
 * CRC-32C re-sealed.
 */
#include "fuzz_common.h"
#include "vd_registry.h"

static void check_same(const struct vd_image_result *a, const struct vd_image_result *b)
{
    FUZZ_ASSERT(a->verdict == b->verdict && a->status == b->status && a->mapped == b->mapped &&
                    a->info.virtual_size == b->info.virtual_size,
                "the views differ without a replay: verdict %s / %s", vd_verdict_name(a->verdict),
                vd_verdict_name(b->verdict));
    FUZZ_ASSERT(a->findings.count == b->findings.count, "%zu / %zu findings without a replay",
                a->findings.count, b->findings.count);
    for (size_t i = 0; i < a->findings.count; i++) {
        const struct vd_finding *x = &a->findings.items[i];
        const struct vd_finding *y = &b->findings.items[i];
        FUZZ_ASSERT(x->id == y->id && x->loc.offset == y->loc.offset &&
                        x->loc.length == y->loc.length,
                    "finding %zu: %s / %s without a replay", i, vd_catalog_get(x->id)->id,
                    vd_catalog_get(y->id)->id);
    }
}

static void check(const uint8_t *data, size_t size)
{
    const struct fuzz_run replayed = {
        .only_driver = &vd_vhdx_driver, .log_view = VD_LOG_VIEW_REPLAYED, .hash = true};
    const struct fuzz_run on_disk = {
        .only_driver = &vd_vhdx_driver, .log_view = VD_LOG_VIEW_ON_DISK, .hash = true};
    struct vd_image_result *a = fuzz_analyze(data, size, &replayed);
    struct vd_image_result *b = fuzz_analyze(data, size, &on_disk);

    if (a != NULL && b != NULL && !fuzz_log_replayed(a) && a->status != VD_E_NOMEM &&
        b->status != VD_E_NOMEM) {
        check_same(a, b);
    }
    vd_result_free(a);
    vd_result_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_each_image(data, size, check);
    return 0;
}
