#include "vd_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local unsigned long fail_countdown;

unsigned long vd_alloc_fail_after(unsigned long countdown)
{
    unsigned long left = fail_countdown;

    fail_countdown = countdown;
    return left;
}

static int injected_failure(void)
{
    if (fail_countdown == 0) {
        return 0;
    }
    return --fail_countdown == 0;
}

void *vd_malloc(size_t size)
{
    if (injected_failure()) {
        return NULL;
    }
    return malloc(size == 0 ? 1 : size);
}

void *vd_malloc_aligned(size_t size, size_t alignment)
{
    void *p = NULL;

    if (injected_failure() || posix_memalign(&p, alignment, size == 0 ? 1 : size) != 0) {
        return NULL;
    }
    return p;
}

void *vd_calloc_array(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    if (injected_failure()) {
        return NULL;
    }
    return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *vd_realloc_array(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    if (injected_failure()) {
        return NULL;
    }
    return realloc(p, n * size == 0 ? 1 : n * size);
}

int vd_grow(void **items, size_t *cap, size_t count, size_t first, size_t limit, size_t size)
{
    size_t grown_cap;
    void *grown;

    if (count < *cap) {
        return 0;
    }
    if (count >= limit) {
        return -1;
    }
    grown_cap = *cap == 0 ? first : *cap * 2;
    grown_cap = grown_cap > limit ? limit : grown_cap;
    grown = vd_realloc_array(*items, grown_cap, size);
    if (grown == NULL) {
        return -1;
    }
    *items = grown;
    *cap = grown_cap;
    return 0;
}

char *vd_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = vd_malloc(len);
    if (copy != NULL) {
        memcpy(copy, s, len);
    }
    return copy;
}

void vd_free(void *p)
{
    free(p);
}
