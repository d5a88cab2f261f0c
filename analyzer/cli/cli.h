/* Subcommands: one file each, one const table entry each (vdcheck_main.c dispatches). */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "vd_analyze.h"
#include "vd_format.h"

#define VD_EXIT_OK       0
#define VD_EXIT_FINDINGS 1
#define VD_EXIT_UNUSABLE 2
#define VD_EXIT_USAGE    64

struct vd_command {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
};

/* The command line as main() received it, for the chain-of-custody record. */
struct cli_invocation {
    int argc;
    char **argv;
};
extern struct cli_invocation cli_invocation;

/* "4096", "64K", "1M", "2GiB": a positive byte count (K, M, G, T are binary). */
bool cli_parse_size(const char *text, uint64_t *out);
/* Opens the report file for -o, refusing a path that names one of the inputs. */
FILE *cli_open_output(const char *path, char *const *inputs, int count);

/* --parent-dir DIR (repeatable): the roots parents may be found in besides the image's folder. */
#define CLI_PARENT_DIRS_MAX 15
struct cli_parent_dirs {
    const char *dirs[CLI_PARENT_DIRS_MAX];
    size_t count;
};
/* Adds dir; prints why and returns false past CLI_PARENT_DIRS_MAX. */
bool cli_add_parent_dir(struct cli_parent_dirs *p, const char *dir);

/*
 * A whole file that is not evidence (a report for verify), NUL-terminated, at most limit
 * bytes; NULL with a reason in err.
 */
char *cli_read_file(const char *path, size_t limit, size_t *len, char *err, size_t cap);

/* "replayed" or "on-disk" (--log-view); prints why on stderr when it is neither. */
bool cli_parse_log_view(const char *text, enum vd_log_view *out);

/*
 * The options `check` and `scan` share: the report's form, what to hash, chains, the
 * custody block, progress and -o. CLI_REPORT_LONG_OPTIONS goes into a getopt_long table;
 * cli_report_option takes its codes.
 */
struct cli_report_args {
    const struct vd_reporter *reporter;
    struct vd_analyze_options analyze;
    struct vd_custody custody;
    struct cli_parent_dirs parents;
    const char *output;
    bool progress;
};

#define CLI_REPORT_LONG_OPTIONS                                                                    \
    {"json", no_argument, NULL, 'j'}, {"xml", no_argument, NULL, 'x'},                             \
        {"text", no_argument, NULL, 't'}, {"hash", required_argument, NULL, 'H'},                  \
        {"piecewise", required_argument, NULL, 'P'}, {"log-view", required_argument, NULL, 'L'},   \
        {"parent-dir", required_argument, NULL, 'D'}, {"no-parent", no_argument, NULL, 'Z'},       \
        {"case", required_argument, NULL, 'C'}, {"examiner", required_argument, NULL, 'E'},        \
        {"note", required_argument, NULL, 'N'}, {"no-progress", no_argument, NULL, 'q'},           \
    {                                                                                              \
        "output", required_argument, NULL, 'o'                                                     \
    }

/* Defaults (text, no hash), with the custody record of this run's command line. */
void cli_report_init(struct cli_report_args *args);
/* VD_EXIT_OK, VD_EXIT_USAGE (said why), or CLI_NOT_MINE for an option of the caller's. */
#define CLI_NOT_MINE (-2)
int cli_report_option(int c, const char *arg, struct cli_report_args *args);
/* After the options: parent roots into the analysis, the piecewise digest chosen. */
void cli_report_finish(struct cli_report_args *args);
/* The help lines of those options. */
void cli_report_usage(FILE *to);

extern const struct vd_command cmd_check;
extern const struct vd_command cmd_findings;
extern const struct vd_command cmd_map;
extern const struct vd_command cmd_scan;
extern const struct vd_command cmd_triage;
extern const struct vd_command cmd_verify;

#endif
