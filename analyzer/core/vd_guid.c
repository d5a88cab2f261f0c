#include "vd_guid.h"

#include <stddef.h>
#include <stdio.h>

static const int mixed_order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

void vd_guid_format(const uint8_t raw[16], enum vd_guid_layout layout, char out[VD_GUID_TEXT_LEN])
{
    uint8_t b[16];

    for (int i = 0; i < 16; i++) {
        b[i] = layout == VD_GUID_MS_MIXED ? raw[mixed_order[i]] : raw[i];
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

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool vd_guid_parse(const char *text, enum vd_guid_layout layout, uint8_t raw[16])
{
    uint8_t b[16];
    size_t pos = 0;

    for (int i = 0; i < 16; i++) {
        int hi;
        int lo;
        if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
            if (text[pos++] != '-') {
                return false;
            }
        }
        hi = hex_value(text[pos]);
        lo = hi < 0 ? -1 : hex_value(text[pos + 1]);
        if (lo < 0) {
            return false;
        }
        b[i] = (uint8_t)(hi << 4 | lo);
        pos += 2;
    }
    if (text[pos] != '\0') {
        return false;
    }
    for (int i = 0; i < 16; i++) {
        raw[layout == VD_GUID_MS_MIXED ? mixed_order[i] : i] = b[i];
    }
    return true;
}
