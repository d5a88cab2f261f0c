/*
 * A small test harness: VD_TEST(name) defines a test that registers itself; the runner
 * runs one test by name (as CTest does, one test per process) or all of them.
 * A test may skip itself with vd_test_skip() (exit status 77 for CTest).
 */
#ifndef VD_TEST_H
#define VD_TEST_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*vd_test_fn)(void);

void vd_test_register(const char *name, vd_test_fn fn);
void vd_test_check(bool ok, const char *what, const char *file, int line);
void vd_test_check_u64(uint64_t actual, uint64_t expected, const char *what, const char *file,
                       int line);
void vd_test_check_str(const char *actual, const char *expected, const char *what, const char *file,
                       int line);
_Noreturn void vd_test_skip(const char *why);
/* Directory of the source tree, and of ../shared/corpus (NULL when absent). */
const char *vd_test_source_dir(void);
const char *vd_test_shared_corpus(void);
/* The same, or skips the test (a failure under VDCHECK_NO_SKIP=1) when it is absent. */
const char *vd_test_shared_corpus_or_skip(void);

#define VD_TEST(name)                                                                              \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        vd_test_register(#name, test_##name);                                                      \
    }                                                                                              \
    static void test_##name(void)

#define EXPECT(cond)            vd_test_check((cond), #cond, __FILE__, __LINE__)
#define EXPECT_U64(actual, exp) vd_test_check_u64((actual), (exp), #actual, __FILE__, __LINE__)
#define EXPECT_STR(actual, exp) vd_test_check_str((actual), (exp), #actual, __FILE__, __LINE__)

#endif
