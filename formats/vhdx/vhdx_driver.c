/* The VHDX entry of the format registry: glue only. */
#include "vd_registry.h"
#include "vhdx_image.h"

const struct vd_format_driver vd_vhdx_driver = {
    .name = "vhdx",
    .description = "Microsoft Hyper-V VHDX (MS-VHDX 1.0): fixed, dynamic, differencing",
    .probe = vhdx_probe,
    .open = vhdx_open,
    .walk = vhdx_walk,
    .map = vhdx_map,
    .close = vhdx_close,
};
