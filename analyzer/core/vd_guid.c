#include "vd_guid.h"

#include <stdio.h>

void vd_guid_format(const uint8_t raw[16], enum vd_guid_layout layout, char out[VD_GUID_TEXT_LEN])
{
    static const int mixed[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    uint8_t b[16];

    for (int i = 0; i < 16; i++) {
        b[i] = layout == VD_GUID_MS_MIXED ? raw[mixed[i]] : raw[i];
    }
    snprintf(out, VD_GUID_TEXT_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

bool vd_guid_is_null(const uint8_t raw[16])
{
    for (int i = 0; i < 16; i++) {
        if (raw[i] != 0) {
            return false;
        }
    }
    return true;
}
