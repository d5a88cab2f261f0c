/*
 * Microsoft VHD on-disk layout (Virtual Hard Disk Image Format Specification 1.0).
 * All integers are big-endian. Offsets are relative to the structure; docs/formats/vhd.md
 * has the same tables with the rule numbers (VHD-nn) the findings cite.
 */
#ifndef VHD_LAYOUT_H
#define VHD_LAYOUT_H

/* Hard Disk Footer: 512 bytes at EOF-512, copied at offset 0 for dynamic disks. */
enum {
    VHD_FOOTER_COOKIE = 0,           /* 8   "conectix" */
    VHD_FOOTER_FEATURES = 8,         /* 4   0x2 reserved, always set; 0x1 temporary */
    VHD_FOOTER_VERSION = 12,         /* 4   0x00010000 */
    VHD_FOOTER_DATA_OFFSET = 16,     /* 8   dynamic header offset, all ones when fixed */
    VHD_FOOTER_TIMESTAMP = 24,       /* 4   seconds since 2000-01-01 00:00:00 UTC */
    VHD_FOOTER_CREATOR_APP = 28,     /* 4   "vpc ", "win ", "qemu", ... */
    VHD_FOOTER_CREATOR_VERSION = 32, /* 4 */
    VHD_FOOTER_CREATOR_OS = 36,      /* 4   "Wi2k", "Mac " */
    VHD_FOOTER_ORIGINAL_SIZE = 40,   /* 8 */
    VHD_FOOTER_CURRENT_SIZE = 48,    /* 8 */
    VHD_FOOTER_CYLINDERS = 56,       /* 2 */
    VHD_FOOTER_HEADS = 58,           /* 1 */
    VHD_FOOTER_SECTORS = 59,         /* 1   per track */
    VHD_FOOTER_DISK_TYPE = 60,       /* 4 */
    VHD_FOOTER_CHECKSUM = 64,        /* 4   ones' complement of the byte sum */
    VHD_FOOTER_UUID = 68,            /* 16 */
    VHD_FOOTER_SAVED_STATE = 84,     /* 1 */
    VHD_FOOTER_RESERVED = 85,        /* 427 zero */
    VHD_FOOTER_SIZE = 512,
};
_Static_assert(VHD_FOOTER_RESERVED + 427 == VHD_FOOTER_SIZE, "VHD footer layout");

/* Dynamic Disk Header: 1024 bytes at footer.data_offset. */
enum {
    VHD_DYN_COOKIE = 0,             /* 8   "cxsparse" */
    VHD_DYN_DATA_OFFSET = 8,        /* 8   all ones */
    VHD_DYN_TABLE_OFFSET = 16,      /* 8   absolute offset of the BAT */
    VHD_DYN_VERSION = 24,           /* 4   0x00010000 */
    VHD_DYN_MAX_TABLE_ENTRIES = 28, /* 4 */
    VHD_DYN_BLOCK_SIZE = 32,        /* 4   default 2 MiB */
    VHD_DYN_CHECKSUM = 36,          /* 4 */
    VHD_DYN_PARENT_UUID = 40,       /* 16 */
    VHD_DYN_PARENT_TIMESTAMP = 56,  /* 4 */
    VHD_DYN_RESERVED1 = 60,         /* 4   zero */
    VHD_DYN_PARENT_NAME = 64,       /* 512 UTF-16BE */
    VHD_DYN_LOCATORS = 576,         /* 8 x 24 */
    VHD_DYN_RESERVED2 = 768,        /* 256 zero */
    VHD_DYN_SIZE = 1024,
};
_Static_assert(VHD_DYN_RESERVED2 + 256 == VHD_DYN_SIZE, "VHD dynamic header layout");

/* Parent Locator Entry: 24 bytes, 8 of them in the dynamic header. */
enum {
    VHD_LOC_PLATFORM_CODE = 0, /* 4 */
    VHD_LOC_DATA_SPACE = 4,    /* 4   sectors per the spec; writers often use bytes */
    VHD_LOC_DATA_LENGTH = 8,   /* 4   bytes */
    VHD_LOC_RESERVED = 12,     /* 4   zero */
    VHD_LOC_DATA_OFFSET = 16,  /* 8   absolute */
    VHD_LOC_SIZE = 24,
    VHD_LOC_COUNT = 8,
};
_Static_assert(VHD_DYN_LOCATORS + VHD_LOC_COUNT * VHD_LOC_SIZE == VHD_DYN_RESERVED2,
               "VHD locator table layout");

#define VHD_SECTOR            512u
#define VHD_VERSION_1_0       0x00010000u
#define VHD_FEATURE_TEMPORARY 0x1u
#define VHD_FEATURE_RESERVED  0x2u
#define VHD_OFFSET_NONE       UINT64_C(0xFFFFFFFFFFFFFFFF)
#define VHD_BAT_UNUSED        0xFFFFFFFFu
#define VHD_EPOCH_UNIX        INT64_C(946684800) /* 2000-01-01T00:00:00Z */
#define VHD_MAX_SIZE          (UINT64_C(2040) << 30)
#define VHD_MAX_CHS_SECTORS   (UINT64_C(65535) * 16 * 255)

enum vhd_disk_type {
    VHD_TYPE_FIXED = 2,
    VHD_TYPE_DYNAMIC = 3,
    VHD_TYPE_DIFFERENCING = 4,
};

enum vhd_platform_code {
    VHD_PLATFORM_NONE = 0,
    VHD_PLATFORM_WI2R = 0x57693272, /* "Wi2r" deprecated, relative ANSI path */
    VHD_PLATFORM_WI2K = 0x5769326B, /* "Wi2k" deprecated, absolute ANSI path */
    VHD_PLATFORM_W2RU = 0x57327275, /* "W2ru" relative UTF-16LE path */
    VHD_PLATFORM_W2KU = 0x57326B75, /* "W2ku" absolute UTF-16LE path */
    VHD_PLATFORM_MAC = 0x4D616320,  /* "Mac " Mac OS alias blob */
    VHD_PLATFORM_MACX = 0x4D616358, /* "MacX" UTF-8 file URL */
};

#endif
