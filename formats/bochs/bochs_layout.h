/*
 * Bochs redolog layout, little-endian (Bochs iodev/hdimage/hdimage.h: standard_header_t,
 * redolog_specific_header_t and its v1 form). The header is one 512-byte sector; the
 * catalog follows, then the extents, each a bitmap (bitmap_blocks sectors) followed by
 * its data (extent_blocks sectors). docs/formats/bochs.md draws the layout.
 */
#ifndef BOCHS_LAYOUT_H
#define BOCHS_LAYOUT_H

#define BOCHS_HEADER_SIZE 512u
#define BOCHS_SECTOR      512u

#define BOCHS_MAGIC_AT       0x00u
#define BOCHS_MAGIC_SIZE     32u
#define BOCHS_TYPE_AT        0x20u
#define BOCHS_TYPE_SIZE      16u
#define BOCHS_SUBTYPE_AT     0x30u
#define BOCHS_SUBTYPE_SIZE   16u
#define BOCHS_VERSION_AT     0x40u
#define BOCHS_HEADER_SIZE_AT 0x44u

#define BOCHS_CATALOG_AT      0x48u
#define BOCHS_BITMAP_AT       0x4Cu
#define BOCHS_EXTENT_AT       0x50u
#define BOCHS_V2_TIMESTAMP_AT 0x54u
#define BOCHS_V2_DISK_AT      0x58u
#define BOCHS_V1_DISK_AT      0x54u

#define BOCHS_MAGIC            "Bochs Virtual HD Image"
#define BOCHS_TYPE_REDOLOG     "Redolog"
#define BOCHS_SUBTYPE_GROWING  "Growing"
#define BOCHS_SUBTYPE_UNDOABLE "Undoable"
#define BOCHS_SUBTYPE_VOLATILE "Volatile"

#define BOCHS_VERSION_2 0x00020000u
#define BOCHS_VERSION_1 0x00010000u

#define BOCHS_ENTRY_FREE 0xFFFFFFFFu

/* QEMU's caps (block/bochs.c): larger values it refuses although Bochs may read them. */
#define BOCHS_QEMU_EXTENT_MAX  0x800000u
#define BOCHS_QEMU_CATALOG_MAX 0x100000u

#endif
