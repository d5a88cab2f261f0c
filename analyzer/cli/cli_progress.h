/*
 * A progress line on stderr, drawn only when stderr is a terminal: bytes hashed, rate and
 * ETA for `check`; files, images, bytes and rate for `scan` (whose total is unknown).
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "vd_progress.h"

struct cli_progress {
    struct vd_progress counters; /* scan: done = bytes of the files examined */
    _Atomic uint64_t files;      /* scan: files examined */
    _Atomic uint64_t images;     /* scan: images among them */
    bool scan;
    struct timespec started;
    pthread_mutex_t lock;
    pthread_t thread;
    bool running;
    bool stop;
};

/* Starts drawing when wanted and stderr is a terminal; returns the counters to feed, or NULL. */
struct vd_progress *cli_progress_start(struct cli_progress *p, bool wanted);
/* The same for a scan: feed files, images and counters.done. */
bool cli_progress_start_scan(struct cli_progress *p, bool wanted);
/* Draws the final state and ends the line. */
void cli_progress_stop(struct cli_progress *p);

#endif
