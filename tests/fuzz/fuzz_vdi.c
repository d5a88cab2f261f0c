/*
 * fuzz_vdi: the image the input describes (raw, or the sparse form of fuzz_common.h)
 * analyzed with the VDI driver alone (vd_analyze_options.only_driver), with the map visitor
 * on; small disks are analyzed again and hashed. The format has no checksums; the re-sealed
 * copy fuzz_each_image adds only differs for inputs that also hold VHD or VHDX structures.
 * fuzz_common.c checks the properties (docs/fuzzing.md).
 */
#include "fuzz_common.h"
#include "vd_registry.h"

static void check(const uint8_t *data, size_t size)
{
    const struct fuzz_run run = {
        .only_driver = &vd_vdi_driver, .log_view = VD_LOG_VIEW_REPLAYED, .hash = true};

    vd_result_free(fuzz_analyze(data, size, &run));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_each_image(data, size, check);
    return 0;
}
