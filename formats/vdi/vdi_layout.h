/*
 * VirtualBox VDI on-disk layout, little-endian throughout (VirtualBox VDICore.h, the
 * structures VDIPREHEADER, VDIHEADER0, VDIHEADER1 and VDIHEADER1PLUS). Offsets are from
 * the start of the file. docs/formats/vdi.md draws the layout.
 */
#ifndef VDI_LAYOUT_H
#define VDI_LAYOUT_H

/* Pre-header: 64 bytes of text, then signature and version. */
#define VDI_TEXT_SIZE      64u
#define VDI_SIGNATURE_AT   0x40u
#define VDI_VERSION_AT     0x44u
#define VDI_PREHEADER_SIZE 0x48u
#define VDI_SIGNATURE      0xBEDA107Fu

/* Version 1.x header (VDIHEADER1, then the LCHS geometry of 1.1+). */
#define VDI1_HEADER_SIZE_AT        0x48u
#define VDI1_TYPE_AT               0x4Cu
#define VDI1_FLAGS_AT              0x50u
#define VDI1_COMMENT_AT            0x54u
#define VDI1_BLOCKS_OFFSET_AT      0x154u
#define VDI1_DATA_OFFSET_AT        0x158u
#define VDI1_LEGACY_GEOMETRY_AT    0x15Cu
#define VDI1_DISK_SIZE_AT          0x170u
#define VDI1_BLOCK_SIZE_AT         0x178u
#define VDI1_BLOCK_EXTRA_AT        0x17Cu
#define VDI1_BLOCKS_AT             0x180u
#define VDI1_BLOCKS_ALLOCATED_AT   0x184u
#define VDI1_UUID_CREATE_AT        0x188u
#define VDI1_UUID_MODIFY_AT        0x198u
#define VDI1_UUID_LINK_AT          0x1A8u
#define VDI1_UUID_PARENT_MODIFY_AT 0x1B8u
#define VDI1_LCHS_GEOMETRY_AT      0x1C8u
#define VDI1_HEADER_MIN            0x180u /* sizeof(VDIHEADER1) */
#define VDI1_HEADER_PLUS           0x190u /* sizeof(VDIHEADER1PLUS): LCHS geometry present */

/* Version 0 header (VDIHEADER0): no offsets, no extra data, no parent-modify UUID. */
#define VDI0_TYPE_AT             0x48u
#define VDI0_FLAGS_AT            0x4Cu
#define VDI0_COMMENT_AT          0x50u
#define VDI0_LEGACY_GEOMETRY_AT  0x150u
#define VDI0_DISK_SIZE_AT        0x160u
#define VDI0_BLOCK_SIZE_AT       0x168u
#define VDI0_BLOCKS_AT           0x16Cu
#define VDI0_BLOCKS_ALLOCATED_AT 0x170u
#define VDI0_UUID_CREATE_AT      0x174u
#define VDI0_UUID_MODIFY_AT      0x184u
#define VDI0_UUID_LINK_AT        0x194u
#define VDI0_HEADER_SIZE         0x15Cu

/* The largest header read: pre-header + VDIHEADER1PLUS. */
#define VDI_HEADER_READ (VDI_PREHEADER_SIZE + VDI1_HEADER_PLUS)

#define VDI_COMMENT_SIZE 256u
#define VDI_UUID_SIZE    16u
/* VDIDISKGEOMETRY: cylinders, heads, sectors, bytes per sector (4 bytes each). */
#define VDI_GEOMETRY_SECTOR_SIZE_AT 12u

/* Image types (VDI_IMAGE_TYPE). */
#define VDI_TYPE_NORMAL 1u
#define VDI_TYPE_FIXED  2u
#define VDI_TYPE_UNDO   3u
#define VDI_TYPE_DIFF   4u

/* VD_VDI_IMAGE_FLAGS_MASK: VD_IMAGE_FLAGS_FIXED | VD_IMAGE_FLAGS_DIFF | ZERO_EXPAND. */
#define VDI_FLAGS_MASK 0x00030100u

/* Block map entry values that point at no block. */
#define VDI_BLOCK_FREE 0xFFFFFFFFu /* never written: zero, or the parent's data */
#define VDI_BLOCK_ZERO 0xFFFFFFFEu /* discarded: reads as zero */

#define VDI_SECTOR                 512u
#define VDI_BLOCK_SIZE_DEFAULT     (1u << 20)
#define VDI_BLOCK_SIZE_MIN_WRITTEN (128u << 10) /* range VirtualBox creates */
#define VDI_BLOCK_SIZE_MAX_WRITTEN (128u << 20)

/* QEMU's caps (block/vdi.c): beyond them it refuses images VirtualBox may read. */
#define VDI_QEMU_BLOCKS_MAX 0x1fffff80u
#define VDI_QEMU_DISK_MAX   ((uint64_t)VDI_QEMU_BLOCKS_MAX * VDI_BLOCK_SIZE_DEFAULT)

#endif
