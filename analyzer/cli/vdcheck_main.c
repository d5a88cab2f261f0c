/* vdcheck: dispatch to a subcommand. Only cli/ decides exit codes. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct vd_command *const commands[] = {
    &cmd_check, &cmd_scan, &cmd_triage, &cmd_verify, &cmd_map, &cmd_findings,
};

static int main_usage(FILE *to, int status)
{
    fprintf(to, "usage: vdcheck [--version] [--help] <command> ...\n"
                "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(to, "  vdcheck %s\n", commands[i]->usage);
    }
    fprintf(to, "`check` is the default: `vdcheck IMAGE` checks IMAGE.\n"
                "Run `vdcheck <command> --help` for the options of a command.\n");
    return status;
}

struct cli_invocation cli_invocation;

int main(int argc, char **argv)
{
    cli_invocation = (struct cli_invocation){argc, argv};
    if (argc < 2) {
        return main_usage(stderr, VD_EXIT_USAGE);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vdcheck %s\n", VDCHECK_VERSION);
        return VD_EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        return main_usage(stdout, VD_EXIT_OK);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i]->name) == 0) {
            return commands[i]->run(argc - 1, argv + 1);
        }
    }
    /* No subcommand: everything is an argument of check. */
    return cmd_check.run(argc, argv);
}
