#include "vd_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local unsigned long fail_countdown;

void vd_alloc_fail_after(unsigned long countdown)
{
    fail_countdown = countdown;
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
