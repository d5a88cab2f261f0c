/* 16-byte identifiers as canonical text. */
#ifndef VD_GUID_H
#define VD_GUID_H

#include <stdbool.h>
#include <stdint.h>

#define VD_GUID_TEXT_LEN 37

enum vd_guid_layout {
    VD_GUID_BYTES,    /* RFC 4122 byte order, as VHD and VDI store them */
    VD_GUID_MS_MIXED, /* first three fields little-endian, as VHDX stores them */
};

void vd_guid_format(const uint8_t raw[16], enum vd_guid_layout layout, char out[VD_GUID_TEXT_LEN]);
bool vd_guid_is_null(const uint8_t raw[16]);
/*
 * Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) into raw in `layout`;
 * false when text is not exactly that.
 */
bool vd_guid_parse(const char *text, enum vd_guid_layout layout, uint8_t raw[16]);

#endif
