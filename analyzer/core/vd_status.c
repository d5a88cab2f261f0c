#include "vd_status.h"

const char *vd_status_str(enum vd_status status)
{
    switch (status) {
    case VD_OK:
        return "ok";
    case VD_E_IO:
        return "input/output error";
    case VD_E_NOMEM:
        return "out of memory";
    case VD_E_CORRUPT:
        return "image structure unusable";
    case VD_E_LIMIT:
        return "resource limit reached";
    case VD_E_CHANGED:
        return "evidence changed during analysis";
    case VD_E_UNSUPPORTED:
        return "unsupported";
    case VD_E_INTERNAL:
        return "internal error";
    }
    return "unknown status";
}
