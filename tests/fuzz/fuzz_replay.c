/*
 * The replay driver: runs LLVMFuzzerTestOneInput on every file named on the command line,
 * walking directories recursively (names in byte order). It replaces libFuzzer's main() in
 * the normal build, so every compiler runs the harnesses over the corpus as plain tests
 * (fuzz.replay_<target>). Each input is read into a buffer of exactly its size, as libFuzzer
 * hands it over. Exit 0 when every input ran; a violated property aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

/* A harness without an initializer links this one. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static size_t inputs;

static int run_file(const char *path, off_t size)
{
    size_t n = (size_t)size;
    uint8_t *buf = malloc(n == 0 ? 1 : n); /* exactly the input: ASan sees a read past it */
    FILE *f = fopen(path, "rb");
    int rc = 1;

    if (buf == NULL || f == NULL || (n > 0 && fread(buf, 1, n, f) != n)) {
        fprintf(stderr, "%s: cannot read\n", path);
        goto out;
    }
    fprintf(stderr, "replay %s (%zu bytes)\n", path, n);
    fuzz_set_input_name(path);
    LLVMFuzzerTestOneInput(buf, n);
    fuzz_set_input_name(NULL);
    inputs++;
    rc = 0;
out:
    if (f != NULL) {
        fclose(f);
    }
    free(buf);
    return rc;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t count = 0;
    int rc = 0;

    if (stat(path, &sb) != 0) {
        perror(path);
        return 1;
    }
    if (S_ISREG(sb.st_mode)) {
        return run_file(path, sb.st_size);
    }
    if (!S_ISDIR(sb.st_mode) || (d = opendir(path)) == NULL) {
        return 0; /* neither file nor directory: nothing to replay */
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char **more = realloc(names, (count + 1) * sizeof(*names));
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(len);
        if (more == NULL || full == NULL) {
            free(more != NULL ? more : names);
            free(full);
            closedir(d);
            return 1;
        }
        names = more;
        snprintf(full, len, "%s/%s", path, e->d_name);
        names[count++] = full;
    }
    closedir(d);
    if (count > 0) {
        qsort(names, count, sizeof(*names), name_order);
    }
    for (size_t i = 0; i < count; i++) {
        rc |= run_path(names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 64;
    }
    fuzz_set_hash_max(FUZZ_HASH_MAX_REPLAY); /* no hurry here: hash every corpus image */
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        rc |= run_path(argv[i]);
    }
    printf("%zu inputs replayed%s\n", inputs, rc != 0 ? ", some could not be read" : "");
    return rc;
}
