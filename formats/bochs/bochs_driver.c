/* The Bochs entry of the format registry: glue only. */
#include "bochs_image.h"
#include "vd_registry.h"

const struct vd_format_driver vd_bochs_driver = {
    .name = "bochs",
    .description = "Bochs redolog: growing (undoable and volatile recognized)",
    .probe = bochs_probe,
    .open = bochs_open,
    .walk = bochs_walk,
    .map = bochs_map,
    .close = bochs_close,
};
