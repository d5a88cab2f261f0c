/* Content-based format detection: every driver scores the head and tail bytes. */
#ifndef VD_PROBE_H
#define VD_PROBE_H

#include "vd_format.h"

/*
 * Returns the best-scoring driver or NULL. *runner_up is the second driver scoring at
 * least VD_PROBE_CONFIDENT, when there is one (an ambiguous file).
 */
VD_MUST_CHECK enum vd_status vd_probe(const struct vd_source *src,
                                      const struct vd_format_driver **best,
                                      const struct vd_format_driver **runner_up);

/*
 * The same among the NULL-terminated list `drivers` only (vd_probe uses every registered
 * driver); fuzzers and tests use it to hold an input to one format.
 */
VD_MUST_CHECK enum vd_status vd_probe_among(const struct vd_source *src,
                                            const struct vd_format_driver *const *drivers,
                                            const struct vd_format_driver **best,
                                            const struct vd_format_driver **runner_up);

#define VD_PROBE_CONFIDENT 50

#endif
