#include "vd_parent.h"

#include <stdio.h>
#include <string.h>

#include "vd_alloc.h"

void vd_identity_add(struct vd_identity *id, const char *name, const char *value)
{
    if (id->count == VD_IDENTITY_MAX) {
        return;
    }
    id->values[id->count].name = name;
    snprintf(id->values[id->count].value, VD_IDENTITY_VALUE_MAX, "%s", value);
    id->count++;
}

void vd_identity_expect(struct vd_identity *id, const char *name, const char *value,
                        const char *structure, uint64_t offset, uint64_t length)
{
    if (id->count == VD_IDENTITY_MAX) {
        return;
    }
    vd_identity_add(id, name, value);
    id->values[id->count - 1].structure = structure;
    id->values[id->count - 1].offset = offset;
    id->values[id->count - 1].length = length;
}

size_t vd_identity_count(const struct vd_identity *id, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < id->count; i++) {
        n += strcmp(id->values[i].name, name) == 0 ? 1 : 0;
    }
    return n;
}

bool vd_identity_has(const struct vd_identity *id, const char *name, const char *value)
{
    for (size_t i = 0; i < id->count; i++) {
        if (strcmp(id->values[i].name, name) == 0 && strcmp(id->values[i].value, value) == 0) {
            return true;
        }
    }
    return false;
}

const char *vd_identity_get(const struct vd_identity *id, const char *name)
{
    for (size_t i = 0; i < id->count; i++) {
        if (strcmp(id->values[i].name, name) == 0) {
            return id->values[i].value;
        }
    }
    return NULL;
}

bool vd_parent_hint_add(struct vd_parent_ref *ref, const char *source, const char *path)
{
    char *copy;

    if (ref->hint_count == VD_PARENT_HINTS_MAX) {
        return true;
    }
    if ((copy = vd_strdup(path)) == NULL) {
        return false;
    }
    ref->hints[ref->hint_count].source = source;
    ref->hints[ref->hint_count].path = copy;
    ref->hint_count++;
    return true;
}

void vd_parent_ref_fini(struct vd_parent_ref *ref)
{
    for (size_t i = 0; i < ref->hint_count; i++) {
        vd_free(ref->hints[i].path);
    }
    memset(ref, 0, sizeof(*ref));
}
