/* A progress bar on stderr (bytes, rate, ETA), drawn only when stderr is a terminal. */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "vd_progress.h"

struct cli_progress {
    struct vd_progress counters;
    struct timespec started;
    pthread_mutex_t lock;
    pthread_t thread;
    bool running;
    bool stop;
};

/* Starts drawing when wanted and stderr is a terminal; returns the counters to feed, or NULL. */
struct vd_progress *cli_progress_start(struct cli_progress *p, bool wanted);
/* Draws the final state and ends the line. */
void cli_progress_stop(struct cli_progress *p);

#endif
