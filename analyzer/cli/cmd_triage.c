/*
 * vdcheck triage DIR... [--json|--text] [--timeout S] [--memory MIB] [--jobs N]
 *
 * Buckets a fuzzer's inputs by what vdcheck finds wrong with them, each analyzed in a
 * forked, limited child (analyzer/engine/vd_triage.c). docs/triage.md shows the workflow.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vd_triage.h"

#define TRIAGE_JOBS_MAX        256
#define TRIAGE_TIMEOUT_DEFAULT 10.0
#define TRIAGE_TIMEOUT_MAX     86400.0
#define TRIAGE_MEMORY_DEFAULT  1024          /* MiB */
#define TRIAGE_MEMORY_MAX      (1024 * 1024) /* MiB: 1 TiB */

struct triage_args {
    struct vd_triage_options triage;
    bool json;
    bool progress;
};

static int triage_usage(FILE *to, int status)
{
    fprintf(to,
            "usage: vdcheck %s\n"
            "  --text            a line per bucket, largest first (default)\n"
            "  --json            JSON (schema vdcheck.triage/1)\n"
            "  --timeout S       wall-clock seconds per input (default %.0f); CPU time is\n"
            "                    limited to 1 to 2 s more\n"
            "  --memory MIB      address-space limit per input in MiB (default %d; 0: none)\n"
            "  --jobs N          inputs analyzed at once (default: the number of CPUs)\n"
            "  --log-view VIEW   VHDX with a pending log: replayed (default) or on-disk\n"
            "  --no-progress     no progress line (drawn on stderr only when it is a terminal)\n"
            "Every input is analyzed in its own child process; identical inputs (sha256) once.\n"
            "outcomes: clean, findings, unrecognized, crash, timeout, oom\n"
            "exit status: 0 done, 1 some input crashed, timed out or ran out of memory,\n"
            "             2 a folder could not be read or triage could not run, 64 usage error\n",
            cmd_triage.usage, TRIAGE_TIMEOUT_DEFAULT, TRIAGE_MEMORY_DEFAULT);
    return status;
}

static bool parse_number(const char *text, double max, double *out)
{
    char *end = NULL;
    double v;

    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !(v >= 0 && v <= max)) {
        return false;
    }
    *out = v;
    return true;
}

static int triage_option(int c, struct triage_args *args)
{
    double v;

    switch (c) {
    case 'j':
    case 't':
        args->json = c == 'j';
        return VD_EXIT_OK;
    case 'T':
        if (!parse_number(optarg, TRIAGE_TIMEOUT_MAX, &v) || v < 0.001) {
            fprintf(stderr, "vdcheck: --timeout takes seconds, 0.001 to %.0f\n",
                    TRIAGE_TIMEOUT_MAX);
            return VD_EXIT_USAGE;
        }
        args->triage.timeout_s = v;
        return VD_EXIT_OK;
    case 'M':
        if (!parse_number(optarg, TRIAGE_MEMORY_MAX, &v) || v != (double)(uint64_t)v) {
            fprintf(stderr, "vdcheck: --memory takes whole MiB, 0 to %d\n", TRIAGE_MEMORY_MAX);
            return VD_EXIT_USAGE;
        }
        args->triage.memory_limit = (uint64_t)v * 1024 * 1024;
        return VD_EXIT_OK;
    case 'J':
        if (!parse_number(optarg, TRIAGE_JOBS_MAX, &v) || v < 1 || v != (double)(unsigned)v) {
            fprintf(stderr, "vdcheck: --jobs takes 1 to %d\n", TRIAGE_JOBS_MAX);
            return VD_EXIT_USAGE;
        }
        args->triage.jobs = (unsigned)v;
        return VD_EXIT_OK;
    case 'L':
        return cli_parse_log_view(optarg, &args->triage.analyze.log_view) ? VD_EXIT_OK
                                                                          : VD_EXIT_USAGE;
    case 'q':
        args->progress = false;
        return VD_EXIT_OK;
    case 'h':
        return triage_usage(stdout, -1);
    default:
        return triage_usage(stderr, VD_EXIT_USAGE);
    }
}

static int triage_parse(int argc, char **argv, struct triage_args *args)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"text", no_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'},
        {"memory", required_argument, NULL, 'M'},
        {"jobs", required_argument, NULL, 'J'},
        {"log-view", required_argument, NULL, 'L'},
        {"no-progress", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        int rc = triage_option(c, args);
        if (rc != VD_EXIT_OK) {
            return rc;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vdcheck: no folder given\n");
        return triage_usage(stderr, VD_EXIT_USAGE);
    }
    return VD_EXIT_OK;
}

static void triage_progress(void *arg, size_t done, size_t total)
{
    (void)arg;
    fprintf(stderr, "\r\033[Ktriage: %zu / %zu distinct inputs", done, total);
    if (done == total) {
        fputc('\n', stderr);
    }
}

/* Crashes, timeouts and oom are vdcheck's own failures on an input: worth an exit status. */
static int triage_status(const struct vd_triage_report *report)
{
    for (size_t i = 0; i < report->bucket_count; i++) {
        enum vd_triage_outcome o = report->buckets[i].outcome;
        if (o == VD_TRIAGE_CRASH || o == VD_TRIAGE_TIMEOUT || o == VD_TRIAGE_OOM) {
            return VD_EXIT_FINDINGS;
        }
    }
    return VD_EXIT_OK;
}

static int triage_run(int argc, char **argv)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct triage_args args = {
        .triage = {.analyze = {.limits = VD_LIMITS_DEFAULT},
                   .jobs = cpus < 1                 ? 1
                           : cpus > TRIAGE_JOBS_MAX ? TRIAGE_JOBS_MAX
                                                    : (unsigned)cpus,
                   .timeout_s = TRIAGE_TIMEOUT_DEFAULT,
                   .memory_limit = (uint64_t)TRIAGE_MEMORY_DEFAULT * 1024 * 1024},
        .progress = true};
    struct vd_triage_report *report = NULL;
    enum vd_status st;
    int rc = triage_parse(argc, argv, &args);

    if (rc != VD_EXIT_OK) {
        return rc < 0 ? VD_EXIT_OK : rc;
    }
    if (args.progress && isatty(STDERR_FILENO)) {
        args.triage.progress = triage_progress;
    }
    st = vd_triage((const char *const *)argv + optind, (size_t)(argc - optind), &args.triage,
                   &report);
    if (st != VD_OK) {
        fprintf(stderr, "vdcheck triage: %s\n",
                st == VD_E_NOMEM ? "out of memory" : "could not start a child process");
        return VD_EXIT_UNUSABLE;
    }
    rc = args.json ? report_triage_json(stdout, report) : report_triage_text(stdout, report);
    if (rc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "vdcheck: writing the report failed\n");
        vd_triage_report_free(report);
        return VD_EXIT_UNUSABLE;
    }
    rc = report->unreadable_roots != 0 ? VD_EXIT_UNUSABLE : triage_status(report);
    vd_triage_report_free(report);
    return rc;
}

const struct vd_command cmd_triage = {
    .name = "triage",
    .usage = "triage DIR... [--json|--text] [--timeout S] [--memory MIB] [--jobs N]\n"
             "       [--log-view replayed|on-disk] [--no-progress]",
    .run = triage_run,
};
