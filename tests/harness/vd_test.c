#include "vd_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TESTS   1024
#define SKIP_STATUS 77

static struct {
    const char *name;
    vd_test_fn fn;
} tests[MAX_TESTS];
static size_t test_count;
static unsigned failures;

void vd_test_register(const char *name, vd_test_fn fn)
{
    if (test_count == MAX_TESTS) {
        fprintf(stderr, "too many tests\n");
        exit(2);
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

void vd_test_check(bool ok, const char *what, const char *file, int line)
{
    if (!ok) {
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
        failures++;
    }
}

void vd_test_check_u64(uint64_t actual, uint64_t expected, const char *what, const char *file,
                       int line)
{
    if (actual != expected) {
        fprintf(stderr,
                "%s:%d: %s is %" PRIu64 " (0x%" PRIx64 "), expected %" PRIu64 " (0x%" PRIx64 ")\n",
                file, line, what, actual, actual, expected, expected);
        failures++;
    }
}

void vd_test_check_str(const char *actual, const char *expected, const char *what, const char *file,
                       int line)
{
    if (actual == NULL || strcmp(actual, expected) != 0) {
        fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", file, line, what,
                actual != NULL ? actual : "(null)", expected);
        failures++;
    }
}

void vd_test_skip(const char *why)
{
    /* CI sets VDCHECK_NO_SKIP=1: there a missing input is a failure, not a skip. */
    const char *no_skip = getenv("VDCHECK_NO_SKIP");

    printf("SKIP: %s\n", why);
    exit(no_skip != NULL && strcmp(no_skip, "1") == 0 ? 1 : SKIP_STATUS);
}

const char *vd_test_source_dir(void)
{
    return VDCHECK_SOURCE_DIR;
}

const char *vd_test_shared_corpus(void)
{
    static char path[4096];
    struct stat sb;
    const char *env = getenv("VDCHECK_SHARED_CORPUS");

    snprintf(path, sizeof(path), "%s", env != NULL ? env : VDCHECK_SOURCE_DIR "/../shared/corpus");
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? path : NULL;
}

const char *vd_test_shared_corpus_or_skip(void)
{
    const char *shared = vd_test_shared_corpus();

    if (shared == NULL) {
        vd_test_skip("../shared/corpus is not present");
    }
    return shared;
}

static int run_one(size_t i)
{
    unsigned before = failures;

    tests[i].fn();
    printf("%s: %s\n", failures == before ? "PASS" : "FAIL", tests[i].name);
    return failures == before;
}

int main(int argc, char **argv)
{
    unsigned passed = 0;
    unsigned failed = 0;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < test_count; i++) {
            printf("%s\n", tests[i].name);
        }
        return 0;
    }
    for (size_t i = 0; i < test_count; i++) {
        if (argc >= 2 && strcmp(argv[1], tests[i].name) != 0) {
            continue;
        }
        if (run_one(i)) {
            passed++;
        } else {
            failed++;
        }
    }
    if (passed + failed == 0) {
        fprintf(stderr, "no test named %s\n", argc >= 2 ? argv[1] : "(any)");
        return 2;
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
