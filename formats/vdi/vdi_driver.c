/* The VDI entry of the format registry: glue only. */
#include "vd_registry.h"
#include "vdi_image.h"

const struct vd_format_driver vd_vdi_driver = {
    .name = "vdi",
    .description = "VirtualBox VDI: normal (dynamic), fixed, undo, differencing",
    .probe = vdi_probe,
    .open = vdi_open,
    .walk = vdi_walk,
    .map = vdi_map,
    .close = vdi_close,
};
