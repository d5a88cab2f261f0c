/*
 * A small tree of typed facts a driver publishes about an image (ids, geometry, creator,
 * timestamps, parent locators). Reporters render it as JSON objects or XML elements
 * without knowing any format. Keys are static strings; string values are copied and must
 * already be valid UTF-8 (use vd_text_* for anything taken from the image).
 *
 * Adding to a NULL parent is a no-op, so a failed allocation never needs checking at each
 * call: it marks the tree incomplete and vd_facts_nomem() reports it once.
 */
#ifndef VD_FACTS_H
#define VD_FACTS_H

#include <stdbool.h>
#include <stdint.h>

enum vd_fact_kind {
    VD_FACT_OBJECT,
    VD_FACT_ARRAY,
    VD_FACT_STRING,
    VD_FACT_U64,
    VD_FACT_I64,
    VD_FACT_BOOL,
};

struct vd_fact_tree;

struct vd_fact {
    enum vd_fact_kind kind;
    const char *key; /* NULL for array members; static storage: it is not copied */
    char *string;
    uint64_t u64;
    int64_t i64;
    bool boolean;
    struct vd_fact *first;
    struct vd_fact *last;
    struct vd_fact *next;
    struct vd_fact_tree *tree;
};

/* Returns the root object, or NULL when out of memory. */
struct vd_fact *vd_facts_new(void);
void vd_facts_free(struct vd_fact *root);
bool vd_facts_nomem(const struct vd_fact *root);

struct vd_fact *vd_fact_object(struct vd_fact *parent, const char *key);
struct vd_fact *vd_fact_array(struct vd_fact *parent, const char *key);
void vd_fact_str(struct vd_fact *parent, const char *key, const char *value);
void vd_fact_u64(struct vd_fact *parent, const char *key, uint64_t value);
void vd_fact_i64(struct vd_fact *parent, const char *key, int64_t value);
void vd_fact_bool(struct vd_fact *parent, const char *key, bool value);

/* Lookup of a direct child by key (NULL if absent). */
const struct vd_fact *vd_fact_get(const struct vd_fact *parent, const char *key);

#endif
