#include "vd_scan.h"

#include <fnmatch.h>
#include <pthread.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_probe.h"

/*
 * The window: a ring of slots filled by the walk (the caller's thread), taken in order by
 * the workers and emitted in order by the caller. A slot is reused only after its item was
 * emitted, so the output order is the walk order, and memory is the window, not the tree.
 */
#define SCAN_WINDOW_PER_JOB 4

struct scan_slot {
    struct vd_scan_item item;
    char *path;
    uint64_t device; /* what the walk saw */
    uint64_t inode;
    char *text; /* rendered by the worker */
    size_t len;
    bool done;   /* processed: the caller may emit it */
    bool failed; /* out of memory while analyzing or rendering */
};

struct scan_pool {
    const struct vd_scan_options *opt;
    pthread_mutex_t lock;
    pthread_cond_t work; /* a slot was queued, or the walk ended */
    pthread_cond_t done; /* a slot is done */
    struct scan_slot *slots;
    size_t cap;
    uint64_t head; /* next to emit */
    uint64_t take; /* next for a worker */
    uint64_t tail; /* next to fill */
    bool closing;
    bool nomem;   /* the walk or a worker ran out of memory */
    bool stopped; /* the caller's emit said stop (its output failed) */
};

static bool glob_matches(const char *glob, const char *rel)
{
    const char *name = strrchr(rel, '/');

    if (strchr(glob, '/') != NULL) {
        return fnmatch(glob, rel, FNM_PATHNAME) == 0;
    }
    /* No FNM_PERIOD: a hidden file is evidence like any other, and '*' matches it. */
    return fnmatch(glob, name != NULL ? name + 1 : rel, 0) == 0;
}

static bool any_glob(const char *const *globs, size_t count, const char *rel)
{
    for (size_t i = 0; i < count; i++) {
        if (glob_matches(globs[i], rel)) {
            return true;
        }
    }
    return false;
}

/* Whether this run reports the entry: the filters, then the shard. */
static bool scan_wants(const struct vd_scan_options *opt, const struct vd_tree_entry *e)
{
    if (e->rel[0] != '\0' && any_glob(opt->exclude, opt->exclude_count, e->rel)) {
        return false;
    }
    if (e->kind == VD_TREE_FILE && opt->include_count != 0 &&
        !any_glob(opt->include, opt->include_count, e->rel)) {
        return false;
    }
    /* A root that cannot be read is every shard's concern. */
    return opt->shard_count <= 1 || e->rel[0] == '\0' ||
           vd_tree_shard(e->rel, opt->shard_count) == opt->shard_index;
}

/* ---- the worker side ---- */

/* Fills the item's outcome from a result (which may be NULL: out of memory). */
static void item_outcome(struct vd_scan_item *item, const struct vd_image_result *r)
{
    item->analyzed = r != NULL;
    item->format = r != NULL && r->recognized && r->info.format != NULL ? r->info.format : "";
    item->verdict = r != NULL ? r->verdict : VD_VERDICT_UNREADABLE;
    item->exit_status = r != NULL ? vd_result_exit_status(r) : 2;
    if (r != NULL && r->err_no != 0) {
        item->err_no = r->err_no;
    }
}

/*
 * A regular file: opened by vd_source, probed, and analyzed when it is an image (or --all).
 * The file opened must be the one the walk saw: a file swapped for a link to somewhere
 * else between the two is reported unreadable, not followed.
 */
static struct vd_image_result *analyze_file(const struct vd_scan_options *opt,
                                            struct vd_scan_item *item, uint64_t dev, uint64_t ino,
                                            bool *skip)
{
    const struct vd_format_driver *best = NULL;
    const struct vd_format_driver *runner_up = NULL;
    struct vd_image_result *r;
    struct vd_source *src = NULL;
    int err_no = 0;
    enum vd_status st = vd_source_open_file(item->path, &src, &err_no);

    *skip = false;
    if (st != VD_OK) {
        return vd_analyze_unopened(item->path, st, err_no, &opt->analyze);
    }
    if (!vd_source_same_file(src, dev, ino)) {
        vd_source_close(src);
        return vd_analyze_unopened(item->path, VD_E_CHANGED, 0, &opt->analyze);
    }
    st = vd_probe(src, &best, &runner_up);
    item->image = st == VD_OK && best != NULL;
    if (st == VD_OK && best == NULL && !opt->all) {
        vd_source_close(src);
        *skip = true;
        return NULL;
    }
    r = st == VD_OK ? vd_analyze_source(src, item->path, &opt->analyze)
                    : vd_analyze_unopened(item->path, st, 0, &opt->analyze);
    vd_source_close(src);
    return r;
}

static void scan_process(struct scan_pool *pool, struct scan_slot *slot)
{
    const struct vd_scan_options *opt = pool->opt;
    struct vd_scan_item *item = &slot->item;
    struct vd_image_result *r = NULL;
    bool skip = false;

    if (item->kind == VD_TREE_FILE) {
        r = analyze_file(opt, item, slot->device, slot->inode, &skip);
    } else if (item->kind == VD_TREE_UNREADABLE) {
        r = vd_analyze_unopened(item->path, VD_E_IO, item->err_no, &opt->analyze);
    } else {
        return; /* links, loops and special files are only counted */
    }
    if (skip) {
        return;
    }
    item_outcome(item, r);
    if (r == NULL) {
        slot->failed = true;
        return;
    }
    item->result = r;
    if (!opt->render(opt->arg, item, &slot->text, &slot->len)) {
        slot->failed = true;
    }
    item->result = NULL;
    vd_result_free(r);
}

static void *scan_worker(void *arg)
{
    struct scan_pool *pool = arg;

    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->take == pool->tail && !pool->closing) {
            pthread_cond_wait(&pool->work, &pool->lock);
        }
        if (pool->take == pool->tail) {
            break; /* the walk ended and every slot was taken */
        }
        struct scan_slot *slot = &pool->slots[pool->take++ % pool->cap];
        pthread_mutex_unlock(&pool->lock);
        scan_process(pool, slot);
        pthread_mutex_lock(&pool->lock);
        slot->done = true;
        pthread_cond_broadcast(&pool->done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* ---- the caller's side ---- */

static void slot_clear(struct scan_slot *slot)
{
    vd_free(slot->path);
    vd_free(slot->text);
    memset(slot, 0, sizeof(*slot));
}

/* Emits the oldest slot, which is done; called with the lock held, returns with it held. */
static void emit_head(struct scan_pool *pool)
{
    struct scan_slot *slot = &pool->slots[pool->head % pool->cap];

    pthread_mutex_unlock(&pool->lock);
    bool nomem = slot->failed;
    bool ok = nomem || pool->opt->emit(pool->opt->arg, &slot->item, slot->text, slot->len);
    slot_clear(slot);
    pthread_mutex_lock(&pool->lock);
    pool->nomem |= nomem;
    pool->stopped |= !ok;
    pool->head++;
}

/* Emits the done slots at the head, waiting for the head while more than keep are in use. */
static void drain(struct scan_pool *pool, uint64_t keep)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->head < pool->tail) {
        if (pool->slots[pool->head % pool->cap].done) {
            emit_head(pool);
        } else if (pool->tail - pool->head > keep) {
            pthread_cond_wait(&pool->done, &pool->lock);
        } else {
            break;
        }
    }
    pthread_mutex_unlock(&pool->lock);
}

static bool scan_visit(void *arg, const struct vd_tree_entry *e)
{
    struct scan_pool *pool = arg;
    struct scan_slot *slot;

    if (!scan_wants(pool->opt, e)) {
        return true;
    }
    drain(pool, pool->cap - 1); /* make room for one */
    if (pool->nomem || pool->stopped) {
        return false;
    }
    slot = &pool->slots[pool->tail % pool->cap];
    slot->path = vd_strdup(e->path);
    if (slot->path == NULL) {
        pool->nomem = true;
        return false;
    }
    slot->item = (struct vd_scan_item){
        .kind = e->kind, .path = slot->path, .size = e->size, .err_no = e->err_no, .format = ""};
    slot->device = e->device;
    slot->inode = e->inode;
    pthread_mutex_lock(&pool->lock);
    pool->tail++;
    pthread_cond_signal(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    return true;
}

/* Files this run does not take are not even remembered by a --follow-symlinks walk. */
static bool scan_wants_file(void *arg, const struct vd_tree_entry *e)
{
    struct scan_pool *pool = arg;

    return scan_wants(pool->opt, e);
}

/* An excluded folder is not entered. */
static bool scan_enter(void *arg, const struct vd_tree_entry *e)
{
    struct scan_pool *pool = arg;

    return e->rel[0] == '\0' || !any_glob(pool->opt->exclude, pool->opt->exclude_count, e->rel);
}

static void scan_roots(struct scan_pool *pool, const char *const *roots, size_t count)
{
    struct vd_tree_options topt = {.follow_symlinks = pool->opt->follow_symlinks,
                                   .enter = scan_enter,
                                   .want_file = scan_wants_file};
    struct vd_tree *tree = vd_tree_new(&topt);
    bool nomem = tree == NULL;

    for (size_t i = 0; i < count && !nomem && !pool->nomem && !pool->stopped; i++) {
        (void)vd_tree_walk(tree, roots[i], scan_visit, pool, &nomem); /* stops: see the flags */
    }
    vd_tree_free(tree);
    pool->nomem |= nomem;
}

enum vd_status vd_scan(const char *const *roots, size_t root_count,
                       const struct vd_scan_options *opt)
{
    struct scan_pool pool = {.opt = opt};
    unsigned jobs = opt->jobs == 0 ? 1 : opt->jobs;
    pthread_t *threads = vd_calloc_array(jobs, sizeof(*threads));
    unsigned started = 0;

    pool.cap = (size_t)jobs * SCAN_WINDOW_PER_JOB;
    pool.slots = vd_calloc_array(pool.cap, sizeof(*pool.slots));
    if (threads == NULL || pool.slots == NULL) {
        vd_free(threads);
        vd_free(pool.slots);
        return VD_E_NOMEM;
    }
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.work, NULL);
    pthread_cond_init(&pool.done, NULL);
    while (started < jobs && pthread_create(&threads[started], NULL, scan_worker, &pool) == 0) {
        started++;
    }
    if (started > 0) {
        scan_roots(&pool, roots, root_count);
    }
    pthread_mutex_lock(&pool.lock);
    pool.closing = true;
    pthread_cond_broadcast(&pool.work);
    pthread_mutex_unlock(&pool.lock);
    drain(&pool, 0);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    pthread_cond_destroy(&pool.done);
    pthread_cond_destroy(&pool.work);
    pthread_mutex_destroy(&pool.lock);
    vd_free(pool.slots);
    vd_free(threads);
    if (started == 0 || pool.nomem) {
        return VD_E_NOMEM;
    }
    return pool.stopped ? VD_E_IO : VD_OK;
}
