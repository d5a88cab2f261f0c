/* The VHD entry of the format registry: glue only. */
#include "vd_registry.h"
#include "vhd_image.h"

const struct vd_format_driver vd_vhd_driver = {
    .name = "vhd",
    .description = "Microsoft VHD (Virtual PC / Hyper-V): fixed, dynamic, differencing",
    .probe = vhd_probe,
    .open = vhd_open,
    .walk = vhd_walk,
    .map = vhd_map,
    .close = vhd_close,
};
