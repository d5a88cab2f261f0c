/* The static table of format drivers. Adding a format = one line here and in the .c. */
#ifndef VD_REGISTRY_H
#define VD_REGISTRY_H

#include <stddef.h>

#include "vd_format.h"

extern const struct vd_format_driver vd_vhd_driver;
extern const struct vd_format_driver vd_vhdx_driver;
extern const struct vd_format_driver vd_vdi_driver;
extern const struct vd_format_driver vd_bochs_driver;

/* NULL-terminated, cheapest probes first. */
extern const struct vd_format_driver *const vd_format_drivers[];

#endif
