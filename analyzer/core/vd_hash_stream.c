#include "vd_hash_stream.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "vd_alloc.h"
#include "vd_checked.h"
#include "vd_limits.h"
#include "vd_text.h"

/* One piece of the stream: bytes in a buffer, or a run of zeros that needs none. */
struct stream_slot {
    uint8_t *buf;
    size_t len;
    bool zero;
    uint64_t zeros;
};

struct stream_worker {
    struct vd_hash_stream *hs;
    struct vd_hash hash;
    bool piecewise;        /* feeds windows instead of one whole-stream digest */
    bool hash_ready;       /* hash was initialized (so must be finalized / freed) */
    bool started;          /* thread is running */
    uint64_t consumed;     /* slots done; written under hs->lock */
    uint64_t window_fill;  /* piecewise: bytes in the current window */
    size_t window_index;   /* piecewise: windows finished */
    enum vd_status status; /* first failure of this worker */
    pthread_t thread;
};

struct vd_hash_stream {
    pthread_mutex_t lock;
    pthread_cond_t filled;  /* a slot was committed, or the stream was closed */
    pthread_cond_t drained; /* a worker is done with a slot */
    struct stream_slot slots[VD_HASH_STREAM_SLOTS];
    uint64_t produced; /* slots committed */
    bool closed;
    size_t worker_count;
    struct stream_worker workers[VD_DIGEST_COUNT + 1];
    struct vd_piecewise piecewise;
    struct vd_progress *progress;
};

/* The window table of a piecewise worker; out of room means the producer overran `length`. */
static void window_finish(struct stream_worker *w)
{
    struct vd_piecewise *pw = &w->hs->piecewise;
    size_t size = vd_digest_size(pw->alg);

    if (w->window_index >= pw->count) {
        w->status = VD_E_INTERNAL;
        return;
    }
    uint8_t *slot = pw->digests + w->window_index * size;
    uint8_t digest[VD_DIGEST_MAX];
    if (vd_hash_final(&w->hash, digest) != VD_OK) {
        w->status = VD_E_NOMEM;
        return;
    }
    memcpy(slot, digest, size);
    w->window_index++;
    w->window_fill = 0;
}

/* Feeds len bytes (data, or zeros when data is NULL) cut at window boundaries. */
static void window_feed(struct stream_worker *w, const uint8_t *data, uint64_t len)
{
    uint64_t window = w->hs->piecewise.window;

    while (len > 0 && w->status == VD_OK) {
        uint64_t take = window - w->window_fill < len ? window - w->window_fill : len;
        if (data != NULL) {
            vd_hash_update(&w->hash, data, (size_t)take);
            data += take;
        } else {
            vd_hash_update_zeros(&w->hash, take);
        }
        len -= take;
        w->window_fill += take;
        if (w->window_fill == window) {
            window_finish(w);
        }
    }
}

static void worker_consume(struct stream_worker *w, const struct stream_slot *slot)
{
    const uint8_t *data = slot->zero ? NULL : slot->buf;
    uint64_t len = slot->zero ? slot->zeros : slot->len;

    if (w->status != VD_OK) {
        return; /* keep draining so the producer never waits on a failed worker */
    }
    if (w->piecewise) {
        window_feed(w, data, len);
    } else if (data != NULL) {
        vd_hash_update(&w->hash, data, (size_t)len);
    } else {
        vd_hash_update_zeros(&w->hash, len);
    }
}

static void *worker_main(void *arg)
{
    struct stream_worker *w = arg;
    struct vd_hash_stream *hs = w->hs;

    for (;;) {
        pthread_mutex_lock(&hs->lock);
        while (w->consumed == hs->produced && !hs->closed) {
            pthread_cond_wait(&hs->filled, &hs->lock);
        }
        if (w->consumed == hs->produced) {
            pthread_mutex_unlock(&hs->lock);
            return NULL;
        }
        /* The producer wrote the slot before publishing `produced` under the lock, and
         * will not touch it again until every worker has moved past it. */
        const struct stream_slot *slot = &hs->slots[w->consumed % VD_HASH_STREAM_SLOTS];
        pthread_mutex_unlock(&hs->lock);

        worker_consume(w, slot);

        pthread_mutex_lock(&hs->lock);
        w->consumed++;
        pthread_cond_signal(&hs->drained);
        pthread_mutex_unlock(&hs->lock);
    }
}

/* Under the lock: the slowest worker's position. */
static uint64_t slowest_consumed(const struct vd_hash_stream *hs)
{
    uint64_t min = hs->produced;

    for (size_t i = 0; i < hs->worker_count; i++) {
        min = hs->workers[i].consumed < min ? hs->workers[i].consumed : min;
    }
    return min;
}

/* Waits until the next slot is free of every worker and returns it (lock held). */
static struct stream_slot *next_slot_locked(struct vd_hash_stream *hs)
{
    pthread_mutex_lock(&hs->lock);
    while (hs->produced - slowest_consumed(hs) >= VD_HASH_STREAM_SLOTS) {
        pthread_cond_wait(&hs->drained, &hs->lock);
    }
    return &hs->slots[hs->produced % VD_HASH_STREAM_SLOTS];
}

static void publish_locked(struct vd_hash_stream *hs, uint64_t len)
{
    hs->produced++;
    pthread_cond_broadcast(&hs->filled);
    pthread_mutex_unlock(&hs->lock);
    vd_progress_add_done(hs->progress, len);
}

uint8_t *vd_hash_stream_buffer(struct vd_hash_stream *hs)
{
    struct stream_slot *slot = next_slot_locked(hs);

    pthread_mutex_unlock(&hs->lock);
    return slot->buf;
}

void vd_hash_stream_commit(struct vd_hash_stream *hs, size_t len)
{
    struct stream_slot *slot;

    if (len == 0) {
        return;
    }
    slot = next_slot_locked(hs); /* already free: vd_hash_stream_buffer waited for it */
    slot->len = len;
    slot->zero = false;
    publish_locked(hs, len);
}

void vd_hash_stream_zeros(struct vd_hash_stream *hs, uint64_t len)
{
    struct stream_slot *slot;

    if (len == 0) {
        return;
    }
    slot = next_slot_locked(hs);
    slot->zeros = len;
    slot->zero = true;
    publish_locked(hs, len);
}

static void stream_free(struct vd_hash_stream *hs)
{
    for (size_t i = 0; i < hs->worker_count; i++) {
        if (hs->workers[i].hash_ready) {
            vd_hash_fini(&hs->workers[i].hash);
        }
    }
    for (size_t i = 0; i < VD_HASH_STREAM_SLOTS; i++) {
        vd_free(hs->slots[i].buf);
    }
    vd_piecewise_fini(&hs->piecewise);
    pthread_cond_destroy(&hs->drained);
    pthread_cond_destroy(&hs->filled);
    pthread_mutex_destroy(&hs->lock);
    vd_free(hs);
}

/* Closes the stream and waits for every started worker. */
static void stream_close_and_join(struct vd_hash_stream *hs)
{
    pthread_mutex_lock(&hs->lock);
    hs->closed = true;
    pthread_cond_broadcast(&hs->filled);
    pthread_mutex_unlock(&hs->lock);
    for (size_t i = 0; i < hs->worker_count; i++) {
        if (hs->workers[i].started) {
            pthread_join(hs->workers[i].thread, NULL);
            hs->workers[i].started = false;
        }
    }
}

static enum vd_status piecewise_alloc(struct vd_piecewise *pw,
                                      const struct vd_hash_stream_config *cfg)
{
    uint64_t count = vd_div_round_up(cfg->length, cfg->window);
    size_t bytes;

    pw->alg = cfg->window_alg;
    pw->window = cfg->window;
    pw->total = cfg->length;
    if (count > SIZE_MAX / vd_digest_size(pw->alg)) {
        return VD_E_LIMIT;
    }
    bytes = (size_t)count * vd_digest_size(pw->alg);
    pw->digests = vd_malloc(bytes);
    pw->count = (size_t)count;
    return pw->digests == NULL ? VD_E_NOMEM : VD_OK;
}

static enum vd_status worker_add(struct vd_hash_stream *hs, enum vd_digest_alg alg, bool piecewise)
{
    struct stream_worker *w = &hs->workers[hs->worker_count++];

    w->hs = hs;
    w->piecewise = piecewise;
    if (vd_hash_init(&w->hash, alg) != VD_OK) {
        return VD_E_NOMEM;
    }
    w->hash_ready = true;
    return VD_OK;
}

enum vd_status vd_hash_stream_start(const struct vd_hash_stream_config *cfg,
                                    struct vd_hash_stream **out)
{
    struct vd_hash_stream *hs = vd_calloc_array(1, sizeof(*hs));
    enum vd_status st = VD_OK;

    *out = NULL;
    if (hs == NULL) {
        return VD_E_NOMEM;
    }
    pthread_mutex_init(&hs->lock, NULL);
    pthread_cond_init(&hs->filled, NULL);
    pthread_cond_init(&hs->drained, NULL);
    hs->progress = cfg->progress;
    for (size_t i = 0; i < VD_HASH_STREAM_SLOTS && st == VD_OK; i++) {
        hs->slots[i].buf = vd_malloc_aligned(VD_IO_CHUNK, 4096);
        st = hs->slots[i].buf == NULL ? VD_E_NOMEM : VD_OK;
    }
    for (int a = 0; a < VD_DIGEST_COUNT && st == VD_OK; a++) {
        if (cfg->mask & (1u << a)) {
            st = worker_add(hs, (enum vd_digest_alg)a, false);
        }
    }
    if (st == VD_OK && cfg->window != 0) {
        st = piecewise_alloc(&hs->piecewise, cfg);
        if (st == VD_OK) {
            st = worker_add(hs, cfg->window_alg, true);
        }
    }
    for (size_t i = 0; i < hs->worker_count && st == VD_OK; i++) {
        struct stream_worker *w = &hs->workers[i];
        w->started = pthread_create(&w->thread, NULL, worker_main, w) == 0;
        st = w->started ? VD_OK : VD_E_NOMEM;
    }
    if (st != VD_OK) {
        stream_close_and_join(hs);
        stream_free(hs);
        return st;
    }
    *out = hs;
    return VD_OK;
}

static enum vd_status collect(struct vd_hash_stream *hs, struct vd_digests *out,
                              struct vd_piecewise *piecewise)
{
    if (out != NULL) {
        memset(out, 0, sizeof(*out));
    }
    for (size_t i = 0; i < hs->worker_count; i++) {
        struct stream_worker *w = &hs->workers[i];
        uint8_t digest[VD_DIGEST_MAX];
        if (w->piecewise && w->status == VD_OK && w->window_fill > 0) {
            window_finish(w); /* the short last window */
        }
        if (w->status != VD_OK) {
            return w->status;
        }
        if (w->piecewise) {
            if (w->window_index != hs->piecewise.count) {
                return VD_E_INTERNAL; /* the producer carried less than it announced */
            }
            continue;
        }
        if (out == NULL) {
            continue;
        }
        if (vd_hash_final(&w->hash, digest) != VD_OK) {
            return VD_E_NOMEM;
        }
        vd_text_hex(digest, vd_digest_size(w->hash.alg), out->hex[w->hash.alg]);
        out->mask |= 1u << w->hash.alg;
    }
    if (piecewise != NULL && hs->piecewise.digests != NULL) {
        *piecewise = hs->piecewise;
        memset(&hs->piecewise, 0, sizeof(hs->piecewise)); /* ownership moves to the caller */
    }
    return VD_OK;
}

enum vd_status vd_hash_stream_finish(struct vd_hash_stream *hs, struct vd_digests *out,
                                     struct vd_piecewise *piecewise)
{
    enum vd_status st;

    stream_close_and_join(hs);
    st = collect(hs, out, piecewise);
    stream_free(hs);
    return st;
}

void vd_piecewise_fini(struct vd_piecewise *pw)
{
    vd_free(pw->digests);
    memset(pw, 0, sizeof(*pw));
}

void vd_piecewise_hex(const struct vd_piecewise *pw, size_t i, char *out)
{
    size_t size = vd_digest_size(pw->alg);

    vd_text_hex(pw->digests + i * size, size, out);
}

uint64_t vd_piecewise_length(const struct vd_piecewise *pw, size_t i)
{
    uint64_t start = (uint64_t)i * pw->window;

    return pw->total - start < pw->window ? pw->total - start : pw->window;
}
