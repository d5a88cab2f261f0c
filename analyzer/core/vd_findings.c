#include "vd_findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_text.h"

static const struct vd_catalog_entry catalog[VD_F__COUNT] = {
#define VD_FINDING(e, id, sev, summary, spec) [VD_F_##e] = {id, VD_SEV_##sev, summary, spec},
#include "vd_finding_catalog.def"
#undef VD_FINDING
};

const struct vd_catalog_entry *vd_catalog_get(enum vd_finding_id id)
{
    return &catalog[id];
}

enum vd_finding_id vd_catalog_find(const char *dotted_id)
{
    for (size_t i = 0; i < VD_F__COUNT; i++) {
        if (strcmp(catalog[i].id, dotted_id) == 0) {
            return (enum vd_finding_id)i;
        }
    }
    return VD_F__COUNT;
}

const char *vd_severity_name(enum vd_severity severity)
{
    switch (severity) {
    case VD_SEV_INFO:
        return "info";
    case VD_SEV_WARNING:
        return "warning";
    case VD_SEV_ERROR:
        return "error";
    case VD_SEV_FATAL:
        return "fatal";
    }
    return "unknown";
}

void vd_findings_init(struct vd_findings *list, size_t limit)
{
    memset(list, 0, sizeof(*list));
    list->limit = limit;
}

void vd_findings_fini(struct vd_findings *list)
{
    vd_free(list->items);
    memset(list, 0, sizeof(*list));
}

static struct vd_finding *findings_slot(struct vd_findings *list)
{
    void *items = list->items;

    if (list->count == list->limit) {
        list->dropped++;
        return NULL;
    }
    if (vd_grow(&items, &list->cap, list->count, 16, list->limit, sizeof(*list->items)) != 0) {
        list->nomem = true;
        list->dropped++;
        return NULL;
    }
    list->items = items;
    return &list->items[list->count++];
}

void vd_findings_add(struct vd_findings *list, enum vd_finding_id id, struct vd_loc loc,
                     const char *expected, const char *actual, const char *fmt, ...)
{
    const struct vd_catalog_entry *entry = vd_catalog_get(id);
    struct vd_finding *f;
    va_list ap;

    list->by_severity[entry->severity]++;
    f = findings_slot(list);
    if (f == NULL) {
        return;
    }
    memset(f, 0, sizeof(*f));
    f->id = id;
    f->severity = entry->severity;
    f->loc = loc;
    /* Values cut to fit end before a character they would split, as the message does: a
     * long value from the image was cut inside a character (found by tests/fuzz). */
    if (expected != NULL) {
        snprintf(f->expected, sizeof(f->expected), "%s", expected);
        vd_text_utf8_trim(f->expected);
    }
    if (actual != NULL) {
        snprintf(f->actual, sizeof(f->actual), "%s", actual);
        vd_text_utf8_trim(f->actual);
    }
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    vd_text_utf8_trim(f->message); /* truncation may have split a character */
}

enum vd_severity vd_findings_worst(const struct vd_findings *list, bool *any)
{
    for (int s = VD_SEV_FATAL; s >= VD_SEV_INFO; s--) {
        if (list->by_severity[s] > 0) {
            *any = true;
            return (enum vd_severity)s;
        }
    }
    *any = false;
    return VD_SEV_INFO;
}

size_t vd_findings_count_id(const struct vd_findings *list, enum vd_finding_id id)
{
    size_t n = 0;
    for (size_t i = 0; i < list->count; i++) {
        n += list->items[i].id == id;
    }
    return n;
}
