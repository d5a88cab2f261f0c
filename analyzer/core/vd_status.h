/*
 * Tool failures, as opposed to file defects (which are findings). A driver returns
 * VD_OK even for a badly broken image as long as it could record what is wrong.
 */
#ifndef VD_STATUS_H
#define VD_STATUS_H

enum vd_status {
    VD_OK = 0,
    VD_E_IO,      /* the operating system failed a read or stat */
    VD_E_NOMEM,   /* an allocation failed */
    VD_E_CORRUPT, /* nothing usable remains: a fatal finding says why */
    VD_E_LIMIT,   /* a named resource limit stopped the analysis */
    VD_E_CHANGED, /* the evidence changed while it was being read */
    VD_E_UNSUPPORTED,
    VD_E_INTERNAL, /* a driver broke its contract (e.g. map made no progress) */
};

const char *vd_status_str(enum vd_status status);

#endif
