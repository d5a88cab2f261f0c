/*
 * The one allocation choke point. vd_calloc_array checks n * size for overflow. Tests can
 * make the Nth allocation fail to exercise out-of-memory paths without interposing malloc.
 */
#ifndef VD_ALLOC_H
#define VD_ALLOC_H

#include <stddef.h>

void *vd_malloc(size_t size);
void *vd_calloc_array(size_t n, size_t size);
void *vd_realloc_array(void *p, size_t n, size_t size);
char *vd_strdup(const char *s);
void vd_free(void *p);

/* Test hook: the countdown-th allocation from now fails (0 disables). */
void vd_alloc_fail_after(unsigned long countdown);

#define VD_FREE_AND_NULL(p)                                                                        \
    do {                                                                                           \
        vd_free(p);                                                                                \
        (p) = NULL;                                                                                \
    } while (0)

#endif
