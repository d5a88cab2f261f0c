/* Subcommands: one file each, one const table entry each (vdcheck_main.c dispatches). */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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

extern const struct vd_command cmd_check;
extern const struct vd_command cmd_findings;
extern const struct vd_command cmd_map;
extern const struct vd_command cmd_verify;

#endif
