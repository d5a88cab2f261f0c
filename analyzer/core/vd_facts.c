#include "vd_facts.h"

#include <string.h>

#include "vd_alloc.h"

struct vd_fact_tree {
    bool nomem;
};

static struct vd_fact *fact_append(struct vd_fact *parent, const char *key, enum vd_fact_kind kind)
{
    struct vd_fact *node;

    if (parent == NULL) {
        return NULL;
    }
    node = vd_calloc_array(1, sizeof(*node));
    if (node == NULL) {
        parent->tree->nomem = true;
        return NULL;
    }
    node->kind = kind;
    node->key = parent->kind == VD_FACT_ARRAY ? NULL : key;
    node->tree = parent->tree;
    if (parent->last == NULL) {
        parent->first = node;
    } else {
        parent->last->next = node;
    }
    parent->last = node;
    return node;
}

struct vd_fact *vd_facts_new(void)
{
    struct vd_fact *root = vd_calloc_array(1, sizeof(*root));
    struct vd_fact_tree *tree = vd_calloc_array(1, sizeof(*tree));

    if (root == NULL || tree == NULL) {
        vd_free(root);
        vd_free(tree);
        return NULL;
    }
    root->kind = VD_FACT_OBJECT;
    root->tree = tree;
    return root;
}

static void fact_free_children(struct vd_fact *node)
{
    struct vd_fact *child = node->first;

    while (child != NULL) {
        struct vd_fact *next = child->next;
        fact_free_children(child);
        vd_free(child->string);
        vd_free(child);
        child = next;
    }
}

void vd_facts_free(struct vd_fact *root)
{
    if (root == NULL) {
        return;
    }
    fact_free_children(root);
    vd_free(root->tree);
    vd_free(root);
}

bool vd_facts_nomem(const struct vd_fact *root)
{
    return root == NULL || root->tree->nomem;
}

struct vd_fact *vd_fact_object(struct vd_fact *parent, const char *key)
{
    return fact_append(parent, key, VD_FACT_OBJECT);
}

struct vd_fact *vd_fact_array(struct vd_fact *parent, const char *key)
{
    return fact_append(parent, key, VD_FACT_ARRAY);
}

void vd_fact_str(struct vd_fact *parent, const char *key, const char *value)
{
    struct vd_fact *node = fact_append(parent, key, VD_FACT_STRING);

    if (node == NULL) {
        return;
    }
    node->string = vd_strdup(value);
    if (node->string == NULL) {
        node->tree->nomem = true;
        node->kind = VD_FACT_BOOL; /* keep the tree renderable */
    }
}

void vd_fact_u64(struct vd_fact *parent, const char *key, uint64_t value)
{
    struct vd_fact *node = fact_append(parent, key, VD_FACT_U64);
    if (node != NULL) {
        node->u64 = value;
    }
}

void vd_fact_i64(struct vd_fact *parent, const char *key, int64_t value)
{
    struct vd_fact *node = fact_append(parent, key, VD_FACT_I64);
    if (node != NULL) {
        node->i64 = value;
    }
}

void vd_fact_bool(struct vd_fact *parent, const char *key, bool value)
{
    struct vd_fact *node = fact_append(parent, key, VD_FACT_BOOL);
    if (node != NULL) {
        node->boolean = value;
    }
}

const struct vd_fact *vd_fact_get(const struct vd_fact *parent, const char *key)
{
    if (parent == NULL) {
        return NULL;
    }
    for (const struct vd_fact *c = parent->first; c != NULL; c = c->next) {
        if (c->key != NULL && strcmp(c->key, key) == 0) {
            return c;
        }
    }
    return NULL;
}
