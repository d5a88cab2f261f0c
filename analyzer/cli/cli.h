/* Subcommands: one file each, one const table entry each (vdcheck_main.c dispatches). */
#ifndef CLI_H
#define CLI_H

#define VD_EXIT_OK       0
#define VD_EXIT_FINDINGS 1
#define VD_EXIT_UNUSABLE 2
#define VD_EXIT_USAGE    64

struct vd_command {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
};

extern const struct vd_command cmd_check;
extern const struct vd_command cmd_findings;

#endif
