#include "vd_registry.h"

const struct vd_format_driver *const vd_format_drivers[] = {
    &vd_vhd_driver, &vd_vhdx_driver, &vd_vdi_driver, &vd_bochs_driver, NULL,
};
