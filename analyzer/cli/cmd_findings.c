/* vdcheck findings [--markdown]: the catalog of every check. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "report.h"

static int findings_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"markdown", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int markdown = 0;
    int c;

    while ((c = getopt_long(argc, argv, "mh", options, NULL)) != -1) {
        switch (c) {
        case 'm':
            markdown = 1;
            break;
        case 'h':
            printf("usage: vdcheck %s\n", cmd_findings.usage);
            return VD_EXIT_OK;
        default:
            fprintf(stderr, "usage: vdcheck %s\n", cmd_findings.usage);
            return VD_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: vdcheck %s\n", cmd_findings.usage);
        return VD_EXIT_USAGE;
    }
    return report_catalog(stdout, markdown) == 0 ? VD_EXIT_OK : VD_EXIT_UNUSABLE;
}

const struct vd_command cmd_findings = {
    .name = "findings",
    .usage = "findings [--markdown]",
    .run = findings_run,
};
