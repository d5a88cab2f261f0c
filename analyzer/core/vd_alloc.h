/*
 * The one allocation choke point. vd_calloc_array checks n * size for overflow. Tests can
 * make the Nth allocation fail to exercise out-of-memory paths without interposing malloc.
 */
#ifndef VD_ALLOC_H
#define VD_ALLOC_H

#include <stddef.h>

void *vd_malloc(size_t size);
/* alignment: a power of two multiple of sizeof(void *); freed with vd_free. */
void *vd_malloc_aligned(size_t size, size_t alignment);
void *vd_calloc_array(size_t n, size_t size);
void *vd_realloc_array(void *p, size_t n, size_t size);
char *vd_strdup(const char *s);
/*
 * Makes room for one more element in *items (count used of *cap), doubling from `first`
 * but never past `limit`. Returns 0, or -1 when the limit is reached or memory ran out.
 */
int vd_grow(void **items, size_t *cap, size_t count, size_t first, size_t limit, size_t size);
void vd_free(void *p);

/*
 * Test hook: the countdown-th allocation from now, on this thread, fails (0 disables).
 * Returns what was left of the previous countdown: non-zero when that failure never came.
 */
unsigned long vd_alloc_fail_after(unsigned long countdown);

#define VD_FREE_AND_NULL(p)                                                                        \
    do {                                                                                           \
        vd_free(p);                                                                                \
        (p) = NULL;                                                                                \
    } while (0)

#endif
