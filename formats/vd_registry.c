#include "vd_registry.h"

const struct vd_format_driver *const vd_format_drivers[] = {
    &vd_vhd_driver,
    &vd_vhdx_driver,
    NULL,
};
