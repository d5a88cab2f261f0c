/*
 * What an image says about itself and about its parent, in the terms the chain resolver
 * needs: identity values (an image's own: VHD footer UUID and time stamp, VHDX
 * DataWriteGuid, VDI create and modify UUIDs) and, for a child, the values its parent must
 * show plus the paths it names. Drivers fill these; the engine compares them by name, so it
 * never needs to know a format.
 */
#ifndef VD_PARENT_H
#define VD_PARENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VD_IDENTITY_MAX       6
#define VD_IDENTITY_VALUE_MAX 48
#define VD_PARENT_HINTS_MAX   16

struct vd_identity_value {
    const char *name; /* static: "uuid", "timestamp", "data_write_guid", ... */
    char value[VD_IDENTITY_VALUE_MAX];
    /* Where a child stores an expected value (a mismatch finding points there). */
    const char *structure;
    uint64_t offset;
    uint64_t length;
};

struct vd_identity {
    size_t count;
    struct vd_identity_value values[VD_IDENTITY_MAX];
};

/* A path the child names for its parent, decoded to UTF-8 as stored. */
struct vd_parent_hint {
    const char *source; /* static: "W2ru locator", "relative_path", "parent name", ... */
    char *path;
};

struct vd_parent_ref {
    /* Values the parent must show. Several values under one name are alternatives (VHDX
     * parent_linkage and parent_linkage2): one of them must match. */
    struct vd_identity expect;
    size_t hint_count;
    struct vd_parent_hint hints[VD_PARENT_HINTS_MAX];
    bool search_folder; /* no path stored (VDI): find the parent among the folder's images */
};

/* Adds name = value (value truncated to fit); silently ignores more than VD_IDENTITY_MAX. */
void vd_identity_add(struct vd_identity *id, const char *name, const char *value);
/* The same for an expected value stored at [offset, offset + length) of structure. */
void vd_identity_expect(struct vd_identity *id, const char *name, const char *value,
                        const char *structure, uint64_t offset, uint64_t length);
/* The values under name: how many, and whether value is one of them. */
size_t vd_identity_count(const struct vd_identity *id, const char *name);
bool vd_identity_has(const struct vd_identity *id, const char *name, const char *value);
/* The first value under name, or NULL. */
const char *vd_identity_get(const struct vd_identity *id, const char *name);

/* Records a path (copied; silently ignores more than VD_PARENT_HINTS_MAX); false when out of
 * memory. */
bool vd_parent_hint_add(struct vd_parent_ref *ref, const char *source, const char *path);
void vd_parent_ref_fini(struct vd_parent_ref *ref);

#endif
