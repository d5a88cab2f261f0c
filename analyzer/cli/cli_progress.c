/* The progress bar: a thread that redraws one stderr line while images are hashed. */
#include "cli_progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_TICK_NS 250000000L

static void human_bytes(double bytes, char *out, size_t cap)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    size_t u = 0;

    while (bytes >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        bytes /= 1024.0;
        u++;
    }
    snprintf(out, cap, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress_draw_scan(struct cli_progress *p)
{
    uint64_t bytes = atomic_load_explicit(&p->counters.done, memory_order_relaxed);
    double elapsed = seconds_since(&p->started);
    char bytes_text[32];
    char rate_text[32];

    human_bytes((double)bytes, bytes_text, sizeof(bytes_text));
    human_bytes(elapsed > 0 ? (double)bytes / elapsed : 0, rate_text, sizeof(rate_text));
    fprintf(stderr, "\r\033[Kscanned %" PRIu64 " files, %" PRIu64 " images, %s  %s/s",
            atomic_load_explicit(&p->files, memory_order_relaxed),
            atomic_load_explicit(&p->images, memory_order_relaxed), bytes_text, rate_text);
    fflush(stderr);
}

static void progress_draw(struct cli_progress *p)
{
    uint64_t done = atomic_load_explicit(&p->counters.done, memory_order_relaxed);
    uint64_t total = atomic_load_explicit(&p->counters.total, memory_order_relaxed);
    double elapsed = seconds_since(&p->started);
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    char done_text[32];
    char total_text[32];
    char rate_text[32];
    char eta[32] = "--:--";

    if (p->scan) {
        progress_draw_scan(p);
        return;
    }
    if (total == 0) {
        return;
    }
    done = done > total ? total : done;
    human_bytes((double)done, done_text, sizeof(done_text));
    human_bytes((double)total, total_text, sizeof(total_text));
    human_bytes(rate, rate_text, sizeof(rate_text));
    if (rate > 0) {
        uint64_t left = (uint64_t)((double)(total - done) / rate);
        snprintf(eta, sizeof(eta), "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, left / 3600,
                 left / 60 % 60, left % 60);
    }
    fprintf(stderr, "\r\033[Khashing %s / %s (%3.0f%%)  %s/s  ETA %s", done_text, total_text,
            100.0 * (double)done / (double)total, rate_text, eta);
    fflush(stderr);
}

static void *progress_thread(void *arg)
{
    struct cli_progress *p = arg;
    struct timespec tick = {0, PROGRESS_TICK_NS};

    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        if (stop) {
            return NULL;
        }
        progress_draw(p);
        nanosleep(&tick, NULL);
    }
}

static struct vd_progress *progress_begin(struct cli_progress *p, bool wanted, bool scan)
{
    atomic_init(&p->counters.total, 0);
    atomic_init(&p->counters.done, 0);
    atomic_init(&p->files, 0);
    atomic_init(&p->images, 0);
    p->scan = scan;
    p->running = false;
    p->stop = false;
    if (!wanted || !isatty(STDERR_FILENO)) {
        return NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &p->started);
    pthread_mutex_init(&p->lock, NULL);
    p->running = pthread_create(&p->thread, NULL, progress_thread, p) == 0;
    if (!p->running) {
        pthread_mutex_destroy(&p->lock);
        return NULL; /* no bar is better than no analysis */
    }
    return &p->counters;
}

void cli_progress_stop(struct cli_progress *p)
{
    if (!p->running) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    p->running = false;
    progress_draw(p);
    fputs("\n", stderr);
}

struct vd_progress *cli_progress_start(struct cli_progress *p, bool wanted)
{
    return progress_begin(p, wanted, false);
}

bool cli_progress_start_scan(struct cli_progress *p, bool wanted)
{
    return progress_begin(p, wanted, true) != NULL;
}
