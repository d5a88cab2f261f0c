#define _DEFAULT_SOURCE /* realpath */
/*
 * vdcheck scan DIR... [--jobs N] [--json|--xml|--text] [--hash ALG[,ALG..]] [--all]
 *         [--include GLOB]... [--exclude GLOB]... [--follow-symlinks] [--shard K/N]
 *
 * Every file of the trees is probed; images (damaged ones included) are analyzed on N
 * workers and reported in sorted-path order: NDJSON, one DFXML document, or a line each.
 * The summary goes to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_progress.h"
#include "vd_alloc.h"
#include "vd_scan.h"

#define SCAN_JOBS_MAX  256
#define SCAN_GLOBS_MAX 64
#define SCAN_FORMATS   8 /* distinct format names counted in the summary */

struct scan_format_count {
    const char *name;
    uint64_t count;
};

struct scan_run {
    struct cli_report_args report;
    struct report_options ropt;
    struct vd_scan_options scan;
    const char *include[SCAN_GLOBS_MAX];
    const char *exclude[SCAN_GLOBS_MAX];
    struct report_scan_totals totals;
    struct scan_format_count formats[SCAN_FORMATS];
    struct cli_progress bar;
    FILE *out;
    int worst;
};

static int scan_usage(FILE *to, int status)
{
    fprintf(to, "usage: vdcheck %s\n", cmd_scan.usage);
    fputs("  --jobs N          analyze N files at once (default: the number of CPUs)\n"
          "  --all             also report files no format recognizes (verdict unrecognized)\n"
          "  --include GLOB    only files matching GLOB (repeat it); a GLOB with a '/'\n"
          "                    matches the path below DIR, any other the file name\n"
          "  --exclude GLOB    skip files and folders matching GLOB (repeat it)\n"
          "  --follow-symlinks follow links to files and folders (each file once)\n"
          "  --shard K/N       only the K-th of N stable shares of the files (1 <= K <= N),\n"
          "                    to split a store across machines\n",
          to);
    cli_report_usage(to);
    fputs("Images are found by content, never by name. Reports come in sorted path order\n"
          "whatever --jobs is; the summary goes to stderr.\n"
          "exit status: the worst over the images: 0 no error findings, 1 error or fatal\n"
          "             findings, 2 a file or folder could not be read, 64 usage error\n",
          to);
    return status;
}

static bool parse_count(const char *text, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno != 0 || v == 0 || v > max || (*end != '\0' && *end != '/')) {
        return false;
    }
    *out = v;
    return true;
}

/* "K/N": this run takes share K (1-based) of N. */
static bool parse_shard(const char *text, struct vd_scan_options *scan)
{
    const char *slash = strchr(text, '/');
    uint64_t k;
    uint64_t n;

    if (slash == NULL || !parse_count(text, 1u << 20, &k) ||
        !parse_count(slash + 1, 1u << 20, &n) || strchr(slash + 1, '/') != NULL || k > n) {
        fprintf(stderr, "vdcheck: --shard takes K/N with 1 <= K <= N <= 1048576\n");
        return false;
    }
    scan->shard_index = k - 1;
    scan->shard_count = n;
    return true;
}

static bool add_glob(const char **list, size_t *count, const char *glob)
{
    if (*count == SCAN_GLOBS_MAX) {
        fprintf(stderr, "vdcheck: at most %d --include and %d --exclude patterns\n", SCAN_GLOBS_MAX,
                SCAN_GLOBS_MAX);
        return false;
    }
    list[(*count)++] = glob;
    return true;
}

static int scan_option(int c, struct scan_run *run)
{
    uint64_t jobs;

    switch (c) {
    case 'J':
        if (!parse_count(optarg, SCAN_JOBS_MAX, &jobs) || strchr(optarg, '/') != NULL) {
            fprintf(stderr, "vdcheck: --jobs takes 1 to %d\n", SCAN_JOBS_MAX);
            return VD_EXIT_USAGE;
        }
        run->scan.jobs = (unsigned)jobs;
        return VD_EXIT_OK;
    case 'A':
        run->scan.all = true;
        return VD_EXIT_OK;
    case 'I':
        return add_glob(run->include, &run->scan.include_count, optarg) ? VD_EXIT_OK
                                                                        : VD_EXIT_USAGE;
    case 'X':
        return add_glob(run->exclude, &run->scan.exclude_count, optarg) ? VD_EXIT_OK
                                                                        : VD_EXIT_USAGE;
    case 'F':
        run->scan.follow_symlinks = true;
        return VD_EXIT_OK;
    case 'S':
        return parse_shard(optarg, &run->scan) ? VD_EXIT_OK : VD_EXIT_USAGE;
    case 'h':
        return scan_usage(stdout, -1);
    default:
        return scan_usage(stderr, VD_EXIT_USAGE);
    }
}

static int scan_parse(int argc, char **argv, struct scan_run *run)
{
    static const struct option options[] = {
        CLI_REPORT_LONG_OPTIONS,
        {"jobs", required_argument, NULL, 'J'},
        {"all", no_argument, NULL, 'A'},
        {"include", required_argument, NULL, 'I'},
        {"exclude", required_argument, NULL, 'X'},
        {"follow-symlinks", no_argument, NULL, 'F'},
        {"shard", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        int rc = cli_report_option(c, optarg, &run->report);
        if (rc == CLI_NOT_MINE) {
            rc = scan_option(c, run);
        }
        if (rc != VD_EXIT_OK) {
            return rc;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vdcheck: no folder given\n");
        return scan_usage(stderr, VD_EXIT_USAGE);
    }
    cli_report_finish(&run->report);
    return VD_EXIT_OK;
}

/*
 * The report file must not land inside a tree being scanned: vdcheck creates nothing
 * beside evidence, and the scan would meet its own growing output.
 */
static bool output_inside_roots(const char *output, char *const *roots, int count)
{
    char dir[PATH_MAX];
    char real_dir[PATH_MAX];
    const char *slash = strrchr(output, '/');
    struct stat sb;

    /* A link could lead anywhere, into the evidence too: the report goes to a real path. */
    if (lstat(output, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        fprintf(stderr, "vdcheck: refusing to write the report through symbolic link %s\n", output);
        return true;
    }
    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
    } else {
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - output == 0 ? 1 : slash - output), output);
    }
    if (realpath(dir, real_dir) == NULL) {
        return false; /* cli_open_output says why it cannot be opened */
    }
    for (int i = 0; i < count; i++) {
        char real_root[PATH_MAX];
        size_t n;
        if (realpath(roots[i], real_root) == NULL) {
            continue;
        }
        n = strlen(real_root);
        if (strncmp(real_dir, real_root, n) == 0 &&
            (real_dir[n] == '\0' || real_dir[n] == '/' || strcmp(real_root, "/") == 0)) {
            fprintf(stderr, "vdcheck: refusing to write the report inside scanned folder %s\n",
                    roots[i]);
            return true;
        }
    }
    return false;
}

/* Worker threads: one image's part of the document, into memory. */
static bool scan_render(void *arg, const struct vd_scan_item *item, char **text, size_t *len)
{
    struct scan_run *run = arg;
    FILE *mem = open_memstream(text, len);
    int rc;

    if (mem == NULL) {
        return false;
    }
    rc = run->report.reporter->scan_image(mem, item->result, &run->ropt);
    if (fclose(mem) != 0 || rc != 0) {
        free(*text);
        *text = NULL;
        return false;
    }
    return true;
}

static void count_format(struct scan_run *run, const char *name)
{
    for (size_t i = 0; i < SCAN_FORMATS; i++) {
        if (run->formats[i].name == NULL || strcmp(run->formats[i].name, name) == 0) {
            run->formats[i].name = name; /* the driver's own static name */
            run->formats[i].count++;
            return;
        }
    }
}

/* How the item weighs on the exit status: a file that is not an image does not. */
static int item_status(const struct vd_scan_item *item)
{
    if (item->kind == VD_TREE_UNREADABLE || item->verdict == VD_VERDICT_UNREADABLE) {
        return VD_EXIT_UNUSABLE;
    }
    return item->image ? item->exit_status : VD_EXIT_OK;
}

static void count_item(struct scan_run *run, const struct vd_scan_item *item)
{
    struct report_scan_totals *t = &run->totals;

    if (item->kind == VD_TREE_FILE) {
        t->files++;
        t->bytes += item->size;
        atomic_fetch_add_explicit(&run->bar.files, 1, memory_order_relaxed);
        vd_progress_add_done(&run->bar.counters, item->size);
    }
    if (item->kind == VD_TREE_SYMLINK || item->kind == VD_TREE_LOOP ||
        item->kind == VD_TREE_SPECIAL) {
        t->skipped++;
    }
    if (item->image) {
        t->images++;
        count_format(run, item->format);
        atomic_fetch_add_explicit(&run->bar.images, 1, memory_order_relaxed);
    }
    if (item->kind == VD_TREE_UNREADABLE || item->verdict == VD_VERDICT_UNREADABLE) {
        t->unreadable++;
        fprintf(stderr, "vdcheck scan: %s: %s\n", item->path,
                item->err_no != 0 ? strerror(item->err_no) : "could not be read");
    }
    if (item->analyzed) {
        t->verdicts[item->verdict]++;
    }
}

/* The caller's thread, in walk order. */
static bool scan_emit(void *arg, const struct vd_scan_item *item, const char *text, size_t len)
{
    struct scan_run *run = arg;
    int status = item_status(item);

    count_item(run, item);
    run->worst = status > run->worst ? status : run->worst;
    if (text != NULL && fwrite(text, 1, len, run->out) != len) {
        return false;
    }
    return true;
}

static void print_summary(const struct scan_run *run)
{
    const struct report_scan_totals *t = &run->totals;
    double seconds = (double)(t->finished.sec - t->started.sec) +
                     (double)(t->finished.nsec - t->started.nsec) / 1e9;

    fprintf(stderr,
            "vdcheck scan: %" PRIu64 " files, %" PRIu64 " bytes in %.2f s (%.1f MiB/s); %" PRIu64
            " images",
            t->files, t->bytes, seconds, seconds > 0 ? (double)t->bytes / seconds / 1048576.0 : 0.0,
            t->images);
    for (size_t i = 0; i < SCAN_FORMATS && run->formats[i].name != NULL; i++) {
        fprintf(stderr, "%s%s %" PRIu64, i == 0 ? " (" : ", ", run->formats[i].name,
                run->formats[i].count);
    }
    fprintf(stderr, "%s; %" PRIu64 " unreadable; %" PRIu64 " skipped (links, devices)\n",
            run->formats[0].name != NULL ? ")" : "", t->unreadable, t->skipped);
    fputs("vdcheck scan: verdicts:", stderr);
    for (int v = 0; v < VD_VERDICT_COUNT; v++) {
        fprintf(stderr, " %s %" PRIu64 "%s", vd_verdict_name((enum vd_verdict)v), t->verdicts[v],
                v + 1 < VD_VERDICT_COUNT ? "," : "\n");
    }
}

static int scan_write(struct scan_run *run, char *const *roots, int count)
{
    const struct vd_reporter *rep = run->report.reporter;
    enum vd_status st;

    vd_time_now(&run->totals.started);
    if (rep->scan_begin != NULL && rep->scan_begin(run->out, &run->totals.started, &run->ropt)) {
        fprintf(stderr, "vdcheck: writing the report failed\n");
        return VD_EXIT_UNUSABLE;
    }
    cli_progress_start_scan(&run->bar, run->report.progress);
    st = vd_scan((const char *const *)roots, (size_t)count, &run->scan);
    cli_progress_stop(&run->bar);
    vd_time_now(&run->totals.finished);
    if (st == VD_OK && rep->scan_end != NULL &&
        rep->scan_end(run->out, &run->totals, &run->ropt) != 0) {
        st = VD_E_IO;
    }
    if (fflush(run->out) != 0) {
        st = VD_E_IO;
    }
    print_summary(run);
    if (st != VD_OK) {
        fprintf(stderr, "vdcheck: the scan stopped: %s\n",
                st == VD_E_NOMEM ? "out of memory" : "writing the report failed");
        return VD_EXIT_UNUSABLE;
    }
    return run->worst;
}

static int scan_run(int argc, char **argv)
{
    struct scan_run *run = vd_calloc_array(1, sizeof(*run));
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    if (run == NULL) {
        fprintf(stderr, "vdcheck: out of memory\n");
        return VD_EXIT_UNUSABLE;
    }
    cli_report_init(&run->report);
    run->scan.jobs = cpus < 1 ? 1 : cpus > SCAN_JOBS_MAX ? SCAN_JOBS_MAX : (unsigned)cpus;
    rc = scan_parse(argc, argv, run);
    if (rc != VD_EXIT_OK) {
        vd_free(run);
        return rc < 0 ? VD_EXIT_OK : rc;
    }
    run->ropt = (struct report_options){
        .tool_version = VDCHECK_VERSION, .compact = true, .custody = &run->report.custody};
    run->scan.analyze = run->report.analyze;
    run->scan.include = run->include;
    run->scan.exclude = run->exclude;
    run->scan.render = scan_render;
    run->scan.emit = scan_emit;
    run->scan.arg = run;
    run->out = stdout;
    if (run->report.output != NULL) {
        run->out = output_inside_roots(run->report.output, argv + optind, argc - optind)
                       ? NULL
                       : cli_open_output(run->report.output, argv + optind, argc - optind);
        if (run->out == NULL) {
            vd_free(run);
            return VD_EXIT_USAGE;
        }
    }
    rc = scan_write(run, argv + optind, argc - optind);
    if (run->out != stdout && fclose(run->out) != 0) {
        perror(run->report.output);
        rc = VD_EXIT_UNUSABLE;
    }
    vd_free(run);
    return rc;
}

const struct vd_command cmd_scan = {
    .name = "scan",
    .usage = "scan DIR... [--jobs N] [--json|--xml|--text] [--hash ALG[,ALG..]]\n"
             "       [--piecewise SIZE] [--all]\n"
             "       [--include GLOB]... [--exclude GLOB]... [--follow-symlinks] [--shard K/N]\n"
             "       [--parent-dir DIR]... [--no-parent] [--log-view replayed|on-disk]\n"
             "       [--case ID] [--examiner NAME] [--note TEXT] [--no-progress] [-o FILE]",
    .run = scan_run,
};
