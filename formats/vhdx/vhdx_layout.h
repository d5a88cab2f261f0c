/*
 * On-disk layout of a VHDX file (MS-VHDX 1.0). All integers are little-endian; GUIDs
 * are stored in the mixed-endian Microsoft layout. Offsets are relative to the start of
 * the structure they belong to.
 *
 *   0        file type identifier (64 KiB)          §2.2.1
 *   64 KiB   header 1, 128 KiB header 2 (4 KiB used) §2.2.2
 *   192 KiB  region table 1, 256 KiB region table 2  §2.2.3
 *   1 MiB..  log, BAT and metadata regions, blocks   §2.3 - §2.6
 */
#ifndef VHDX_LAYOUT_H
#define VHDX_LAYOUT_H

#define VHDX_KiB 1024u
#define VHDX_MiB (1024u * 1024u)

/* §2.2: the header section is the first 1 MiB. */
#define VHDX_HEADER_SECTION_SIZE VHDX_MiB

/* §2.2.1 File type identifier. */
#define VHDX_FILE_ID_OFFSET       0u
#define VHDX_FILE_ID_SIZE         (64u * VHDX_KiB)
#define VHDX_FILE_ID_SIGNATURE    "vhdxfile"
#define VHDX_FILE_ID_CREATOR      8u
#define VHDX_FILE_ID_CREATOR_SIZE 512u

/* §2.2.2 Headers: 4 KiB structures at 64 KiB and 128 KiB, each in a 64 KiB slot. */
#define VHDX_HEADER1_OFFSET         (64u * VHDX_KiB)
#define VHDX_HEADER2_OFFSET         (128u * VHDX_KiB)
#define VHDX_HEADER_SLOT            (64u * VHDX_KiB)
#define VHDX_HEADER_SIZE            (4u * VHDX_KiB)
#define VHDX_HEADER_SIGNATURE       "head"
#define VHDX_HEADER_CHECKSUM        4u
#define VHDX_HEADER_SEQUENCE        8u
#define VHDX_HEADER_FILE_WRITE_GUID 16u
#define VHDX_HEADER_DATA_WRITE_GUID 32u
#define VHDX_HEADER_LOG_GUID        48u
#define VHDX_HEADER_LOG_VERSION     64u
#define VHDX_HEADER_VERSION         66u
#define VHDX_HEADER_LOG_LENGTH      68u
#define VHDX_HEADER_LOG_OFFSET      72u
#define VHDX_HEADER_RESERVED        80u /* 4016 bytes */
#define VHDX_HEADER_RESERVED_SIZE   4016u

/* §2.2.3 Region tables: 64 KiB at 192 KiB and 256 KiB. */
#define VHDX_REGION1_OFFSET           (192u * VHDX_KiB)
#define VHDX_REGION2_OFFSET           (256u * VHDX_KiB)
#define VHDX_REGION_TABLE_SIZE        (64u * VHDX_KiB)
#define VHDX_REGION_SIGNATURE         "regi"
#define VHDX_REGION_CHECKSUM          4u
#define VHDX_REGION_ENTRY_COUNT       8u
#define VHDX_REGION_RESERVED          12u
#define VHDX_REGION_ENTRIES           16u
#define VHDX_REGION_ENTRY_SIZE        32u
#define VHDX_REGION_MAX_ENTRIES       2047u
#define VHDX_REGION_ENTRY_GUID        0u
#define VHDX_REGION_ENTRY_FILE_OFFSET 16u
#define VHDX_REGION_ENTRY_LENGTH      24u
#define VHDX_REGION_ENTRY_FLAGS       28u
#define VHDX_REGION_FLAG_REQUIRED     0x1u

/* §2.2: the rest of the header section is reserved. */
#define VHDX_RESERVED_AREA_OFFSET (320u * VHDX_KiB)
#define VHDX_RESERVED_AREA_SIZE   (VHDX_HEADER_SECTION_SIZE - VHDX_RESERVED_AREA_OFFSET)

/* §2.3 Log. Entries are made of 4 KiB sectors. */
#define VHDX_LOG_SECTOR                    4096u
#define VHDX_LOG_ENTRY_SIGNATURE           "loge"
#define VHDX_LOG_ENTRY_CHECKSUM            4u
#define VHDX_LOG_ENTRY_LENGTH              8u
#define VHDX_LOG_ENTRY_TAIL                12u
#define VHDX_LOG_ENTRY_SEQUENCE            16u
#define VHDX_LOG_ENTRY_DESCRIPTOR_COUNT    24u
#define VHDX_LOG_ENTRY_RESERVED            28u
#define VHDX_LOG_ENTRY_LOG_GUID            32u
#define VHDX_LOG_ENTRY_FLUSHED_FILE_OFFSET 48u
#define VHDX_LOG_ENTRY_LAST_FILE_OFFSET    56u
#define VHDX_LOG_ENTRY_HEADER_SIZE         64u
#define VHDX_LOG_DESCRIPTOR_SIZE           32u
#define VHDX_LOG_ZERO_SIGNATURE            "zero"
#define VHDX_LOG_DESC_SIGNATURE            "desc"
#define VHDX_LOG_DESC_TRAILING             4u /* desc: TrailingBytes (4); zero: reserved */
#define VHDX_LOG_DESC_LEADING              8u /* desc: LeadingBytes (8); zero: ZeroLength */
#define VHDX_LOG_DESC_FILE_OFFSET          16u
#define VHDX_LOG_DESC_SEQUENCE             24u
#define VHDX_LOG_DATA_SIGNATURE            "data"
#define VHDX_LOG_DATA_SEQUENCE_HIGH        4u
#define VHDX_LOG_DATA_PAYLOAD              8u
#define VHDX_LOG_DATA_PAYLOAD_SIZE         4084u
#define VHDX_LOG_DATA_SEQUENCE_LOW         4092u

/* §2.5 BAT entries: state in bits 0-2, reserved 3-19, FileOffsetMB in 20-63. */
#define VHDX_BAT_ENTRY_SIZE    8u
#define VHDX_BAT_STATE_MASK    0x7u
#define VHDX_BAT_RESERVED_MASK 0xFFFF8u
#define VHDX_BAT_OFFSET_SHIFT  20u

/* §2.5.1.1 payload block states, §2.5.1.2 sector bitmap block states. */
#define VHDX_PAYLOAD_NOT_PRESENT       0u
#define VHDX_PAYLOAD_UNDEFINED         1u
#define VHDX_PAYLOAD_ZERO              2u
#define VHDX_PAYLOAD_UNMAPPED          3u
#define VHDX_PAYLOAD_UNMAPPED_DRAFT    5u /* 0.95 draft value, kept by old writers */
#define VHDX_PAYLOAD_FULLY_PRESENT     6u
#define VHDX_PAYLOAD_PARTIALLY_PRESENT 7u
#define VHDX_SB_NOT_PRESENT            0u
#define VHDX_SB_PRESENT                6u

/* §2.5: a sector bitmap block is 1 MiB and covers 2^23 sectors (the chunk). */
/*
 * Sector bitmap blocks (MS-VHDX §2.5.1.2, §3.1.2): 1 MiB per chunk, one bit per logical
 * sector, bit 0 of byte 0 is the chunk's first sector (LSB first). A set bit means the
 * sector's data is in this file; clear means it comes from the parent.
 */
#define VHDX_SECTOR_BITMAP_SIZE VHDX_MiB
#define VHDX_CHUNK_SECTORS      (1u << 23)

/* §2.6 Metadata region: a 64 KiB table, then items. */
#define VHDX_METADATA_TABLE_SIZE           (64u * VHDX_KiB)
#define VHDX_METADATA_SIGNATURE            "metadata"
#define VHDX_METADATA_RESERVED             8u
#define VHDX_METADATA_ENTRY_COUNT          10u
#define VHDX_METADATA_RESERVED2            12u /* 20 bytes */
#define VHDX_METADATA_ENTRIES              32u
#define VHDX_METADATA_ENTRY_SIZE           32u
#define VHDX_METADATA_MAX_ENTRIES          2047u
#define VHDX_METADATA_ENTRY_ITEM_ID        0u
#define VHDX_METADATA_ENTRY_OFFSET         16u
#define VHDX_METADATA_ENTRY_LENGTH         20u
#define VHDX_METADATA_ENTRY_FLAGS          24u
#define VHDX_METADATA_ENTRY_RESERVED       28u
#define VHDX_METADATA_FLAG_IS_USER         0x1u
#define VHDX_METADATA_FLAG_IS_VIRTUAL_DISK 0x2u
#define VHDX_METADATA_FLAG_IS_REQUIRED     0x4u
#define VHDX_METADATA_ITEM_MAX             (1u * VHDX_MiB)

/* §2.6.2.1 File Parameters. */
#define VHDX_FILE_PARAMETERS_SIZE      8u
#define VHDX_FP_LEAVE_BLOCKS_ALLOCATED 0x1u
#define VHDX_FP_HAS_PARENT             0x2u
#define VHDX_BLOCK_SIZE_MIN            VHDX_MiB
#define VHDX_BLOCK_SIZE_MAX            (256u * VHDX_MiB)
/* §2.6.2.2 Virtual Disk Size; 64 TiB is the format's maximum. */
#define VHDX_VIRTUAL_SIZE_MAX (64ull << 40)

/* §2.6.2.6 Parent locator header (20 bytes) and key/value entries (12 bytes). */
#define VHDX_LOCATOR_TYPE         0u
#define VHDX_LOCATOR_RESERVED     16u
#define VHDX_LOCATOR_COUNT        18u
#define VHDX_LOCATOR_HEADER_SIZE  20u
#define VHDX_LOCATOR_ENTRY_SIZE   12u
#define VHDX_LOCATOR_KEY_OFFSET   0u
#define VHDX_LOCATOR_VALUE_OFFSET 4u
#define VHDX_LOCATOR_KEY_LENGTH   8u
#define VHDX_LOCATOR_VALUE_LENGTH 10u

/* Well-known GUIDs, as text (parsed once into the on-disk layout). */
#define VHDX_GUID_BAT_REGION           "2DC27766-F623-4200-9D64-115E9BFD4A08"
#define VHDX_GUID_METADATA_REGION      "8B7CA206-4790-4B9A-B8FE-575F050F886E"
#define VHDX_GUID_FILE_PARAMETERS      "CAA16737-FA36-4D43-B3B6-33F0AA44E76B"
#define VHDX_GUID_VIRTUAL_DISK_SIZE    "2FA54224-CD1B-4876-B211-5DBED83BF4B8"
#define VHDX_GUID_PAGE83               "BECA12AB-B2E6-4523-93EF-C309E000C746"
#define VHDX_GUID_LOGICAL_SECTOR_SIZE  "8141BF1D-A96F-4709-BA47-F233A8FAAB5F"
#define VHDX_GUID_PHYSICAL_SECTOR_SIZE "CDA348C7-445D-4471-9CC9-E9885251C556"
#define VHDX_GUID_PARENT_LOCATOR       "A8D35F2D-B30B-454D-ABF7-D3D84834AB0C"
#define VHDX_GUID_PARENT_LOCATOR_TYPE  "B04AEFB7-D19E-4A81-B789-25B8E9445913"

#endif
