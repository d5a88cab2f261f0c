/*
 * Triage (issue 7): a folder of corpus images, mutated and truncated copies, junk and
 * duplicates, plus inputs a test-only child hook makes crash, abort, hang or run out of
 * memory. Every input must land in exactly one bucket and the run must complete.
 *
 * The bucket of each ordinary input is checked against an analysis of the same file done
 * here, in process: the triage must carry the child's answer through its pipe and into
 * the buckets faithfully.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain_fixture.h"
#include "vd_alloc.h"
#include "vd_test.h"
#include "vd_test_corpus.h"
#include "vd_test_image.h"
#include "vd_triage.h"

#define TRIAGE_TEST_MAX_INPUTS 512

struct triage_tree {
    char dir[512];
    char *paths[TRIAGE_TEST_MAX_INPUTS];
    size_t count;
};

static void tree_add(struct triage_tree *t, const char *name, const uint8_t *data, size_t len)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", t->dir, name);
    f = fopen(path, "wb");
    EXPECT(f != NULL);
    if (f == NULL) {
        return;
    }
    EXPECT(len == 0 || fwrite(data, 1, len, f) == len);
    EXPECT(fclose(f) == 0);
    if (t->count < TRIAGE_TEST_MAX_INPUTS) {
        t->paths[t->count++] = vd_strdup(path);
    }
}

/* Corpus images as they are, three truncations and three byte flips of each. */
static void tree_add_image(struct triage_tree *t, struct chain_rng *rng, const char *fmt,
                           const char *name)
{
    char path[1024];
    char out[256];
    size_t len = 0;
    uint8_t *data;

    snprintf(path, sizeof(path), "%s/corpus/%s/%s", vd_test_source_dir(), fmt, name);
    data = vd_test_slurp(path, &len);
    EXPECT(data != NULL && len > 0);
    if (data == NULL || len == 0) {
        free(data);
        return;
    }
    snprintf(out, sizeof(out), "%s-%s", fmt, name);
    tree_add(t, out, data, len);
    for (int i = 0; i < 3; i++) {
        snprintf(out, sizeof(out), "%s-%s.trunc%d", fmt, name, i);
        tree_add(t, out, data, chain_rng_below(rng, (uint32_t)(len < 65536 ? len : 65536)));
    }
    for (int i = 0; i < 3; i++) {
        size_t at = chain_rng_below(rng, (uint32_t)(len < 4096 ? len : 4096));
        data[at] ^= (uint8_t)(1u << chain_rng_below(rng, 8));
        snprintf(out, sizeof(out), "%s-%s.flip%d", fmt, name, i);
        tree_add(t, out, data, len);
    }
    free(data);
}

static void tree_build(struct triage_tree *t)
{
    static const char *const formats[] = {"vhd", "vhdx", "vdi", "bochs"};
    static const char *const suffixes[] = {".vhd", ".vhdx", ".vdi", ".img"};
    struct chain_rng rng = {0x7269616765u};
    const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    uint8_t junk[3000];

    snprintf(t->dir, sizeof(t->dir), "%s/vdcheck-triage-XXXXXX", tmp);
    EXPECT(mkdtemp(t->dir) != NULL);
    for (size_t f = 0; f < VD_ARRAY_LEN(formats); f++) {
        char dir[600];
        char *names[64];
        snprintf(dir, sizeof(dir), "%s/corpus/%s", vd_test_source_dir(), formats[f]);
        size_t n = vd_test_list_dir(dir, suffixes[f], names, VD_ARRAY_LEN(names));
        for (size_t i = 0; i < n && i < 6; i++) {
            tree_add_image(t, &rng, formats[f], names[i]);
        }
        for (size_t i = 0; i < n; i++) {
            free(names[i]);
        }
    }
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)chain_rng_next(&rng);
    }
    tree_add(t, "junk-a", junk, sizeof(junk));
    tree_add(t, "junk-a-again", junk, sizeof(junk)); /* a duplicate, listed, not re-run */
    tree_add(t, "junk-empty", junk, 0);
    /* Hooked inputs: distinct contents so none is a duplicate of another. */
    junk[0] ^= 1;
    tree_add(t, "crash-1", junk, 100);
    junk[0] ^= 2;
    tree_add(t, "crash-2", junk, 50);
    junk[0] ^= 4;
    tree_add(t, "abort-1", junk, 60);
    junk[0] ^= 8;
    tree_add(t, "hang-1", junk, 70);
    junk[0] ^= 16;
    tree_add(t, "oom-1", junk, 80);
}

static void tree_remove(struct triage_tree *t)
{
    for (size_t i = 0; i < t->count; i++) {
        EXPECT(unlink(t->paths[i]) == 0);
        vd_free(t->paths[i]);
    }
    EXPECT(rmdir(t->dir) == 0);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* Test-only misbehaviour, in the child, chosen by the input's name. */
static void misbehave(const char *path, void *arg)
{
    const char *name = base_name(path);

    (void)arg;
    if (strncmp(name, "crash-", 6) == 0) {
        signal(SIGSEGV, SIG_DFL); /* past a sanitizer's handler: a plain signal death */
        raise(SIGSEGV);
    } else if (strncmp(name, "abort-", 6) == 0) {
        signal(SIGABRT, SIG_DFL);
        abort();
    } else if (strncmp(name, "hang-", 5) == 0) {
        for (volatile unsigned long spin = 0;; spin++) {
        }
    } else if (strncmp(name, "oom-", 4) == 0) {
        vd_alloc_fail_after(1); /* the analysis' first allocation fails */
    }
}

/* The key an in-process analysis of path gives, built the way docs/triage.md describes. */
static void expected_key(const char *path, char *key, size_t cap)
{
    struct vd_image_result *r = vd_test_analyze_file(path, 0);
    const char *ids[256];
    size_t n = 0;
    size_t o;

    EXPECT(r != NULL);
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->findings.count && n < VD_ARRAY_LEN(ids); i++) {
        const struct vd_finding *f = &r->findings.items[i];
        if (f->severity == VD_SEV_ERROR || f->severity == VD_SEV_FATAL) {
            const char *id = vd_catalog_get(f->id)->id;
            size_t at = n;
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++) {
                seen = strcmp(ids[j], id) == 0;
            }
            if (seen) {
                continue;
            }
            while (at > 0 && strcmp(ids[at - 1], id) > 0) { /* insertion sort */
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = id;
            n++;
        }
    }
    o = (size_t)snprintf(key, cap, "%s/%s", r->recognized ? r->info.format : "-",
                         !r->recognized ? "unrecognized"
                         : n != 0       ? "findings"
                                        : "clean");
    for (size_t i = 0; i < n && o < cap; i++) {
        o += (size_t)snprintf(key + o, cap - o, "%s%s", i == 0 ? "/" : ",", ids[i]);
    }
    vd_result_free(r);
}

/* The bucket holding input i as a member or as a duplicate of one; NULL if none. */
static const struct vd_triage_bucket *bucket_of(const struct vd_triage_report *rep, size_t i,
                                                size_t *seen)
{
    const struct vd_triage_bucket *found = NULL;

    *seen = 0;
    for (size_t b = 0; b < rep->bucket_count; b++) {
        const struct vd_triage_bucket *bucket = &rep->buckets[b];
        for (size_t k = 0; k < bucket->count; k++) {
            for (size_t d = bucket->members[k]; d != VD_TRIAGE_NONE; d = rep->inputs[d].next_same) {
                if (d == i) {
                    found = bucket;
                    ++*seen;
                }
            }
        }
    }
    return found;
}

static int compare_hex(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* How many different contents the tree holds, counted here from the files' sha256. */
static size_t distinct_contents(const struct triage_tree *t)
{
    static char hex[TRIAGE_TEST_MAX_INPUTS][65];
    size_t distinct = 0;

    for (size_t i = 0; i < t->count; i++) {
        size_t len = 0;
        uint8_t *data = vd_test_slurp(t->paths[i], &len);
        vd_test_sha256_hex(data != NULL ? data : (const uint8_t *)"", len, hex[i]);
        free(data);
    }
    qsort(hex, t->count, sizeof(hex[0]), compare_hex);
    for (size_t i = 0; i < t->count; i++) {
        distinct += i == 0 || strcmp(hex[i], hex[i - 1]) != 0;
    }
    return distinct;
}

static void check_hooked(const struct vd_triage_bucket *b, const char *name)
{
    if (strncmp(name, "crash-", 6) == 0) {
        EXPECT(b->outcome == VD_TRIAGE_CRASH && b->signal != NULL &&
               strcmp(b->signal, "SIGSEGV") == 0);
        EXPECT_U64(b->count, 2); /* crash-1 and crash-2 */
        EXPECT(b->format == NULL);
    } else if (strncmp(name, "abort-", 6) == 0) {
        EXPECT(b->outcome == VD_TRIAGE_CRASH && b->signal != NULL &&
               strcmp(b->signal, "SIGABRT") == 0);
    } else if (strncmp(name, "hang-", 5) == 0) {
        EXPECT(b->outcome == VD_TRIAGE_TIMEOUT);
    } else {
        EXPECT(b->outcome == VD_TRIAGE_OOM);
    }
}

static bool is_hooked(const char *name)
{
    return strncmp(name, "crash-", 6) == 0 || strncmp(name, "abort-", 6) == 0 ||
           strncmp(name, "hang-", 5) == 0 || strncmp(name, "oom-", 4) == 0;
}

static void check_bucket_order(const struct vd_triage_report *rep)
{
    size_t members = 0;

    for (size_t b = 0; b < rep->bucket_count; b++) {
        const struct vd_triage_bucket *bucket = &rep->buckets[b];
        EXPECT(b == 0 || rep->buckets[b - 1].count >= bucket->count);
        for (size_t k = 0; k < bucket->count; k++) {
            const struct vd_triage_input *in = &rep->inputs[bucket->members[k]];
            EXPECT(in->same_as == bucket->members[k]); /* members are the analyzed ones */
            EXPECT(in->size >= rep->inputs[bucket->representative].size);
        }
        members += bucket->count;
    }
    EXPECT_U64(members, rep->unique_count);
}

VD_TEST(triage_puts_every_input_in_exactly_one_bucket)
{
    struct triage_tree t = {0};
    struct vd_triage_options opt = {.analyze = {.limits = VD_LIMITS_DEFAULT},
                                    .jobs = 2,
                                    .timeout_s = 2.0,
                                    .memory_limit = 512u << 20,
                                    .child_hook = misbehave};
    struct vd_triage_report *rep = NULL;
    const char *root = t.dir;

    tree_build(&t);
    EXPECT(t.count > 100);
    EXPECT(vd_triage(&root, 1, &opt, &rep) == VD_OK && rep != NULL);
    if (rep == NULL) {
        tree_remove(&t);
        return;
    }
    EXPECT_U64(rep->input_count, t.count);
    EXPECT_U64(rep->skipped, 0);
    check_bucket_order(rep);
    for (size_t i = 0; i < rep->input_count; i++) {
        const struct vd_triage_input *in = &rep->inputs[i];
        const char *name = base_name(in->path);
        size_t seen = 0;
        const struct vd_triage_bucket *b = bucket_of(rep, i, &seen);
        char key[2048] = "";
        EXPECT_U64(seen, 1);
        if (b == NULL) {
            continue;
        }
        if (is_hooked(name)) {
            check_hooked(b, name);
            continue;
        }
        expected_key(in->path, key, sizeof(key));
        EXPECT_STR(b->key, key);
        if (strcmp(name, "junk-a-again") == 0) {
            EXPECT(strcmp(base_name(rep->inputs[in->same_as].path), "junk-a") == 0);
        }
    }
    EXPECT_U64(rep->unique_count, distinct_contents(&t));
    vd_triage_report_free(rep);
    tree_remove(&t);
}
