/*
 * vdcheck [check] IMAGE... [--json|--xml|--text] [--hash ALG[,ALG..]] [--piecewise SIZE]
 *         [--log-view V] [--case ID] [--examiner NAME] [--note TEXT] [-o FILE]
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_progress.h"
#include "report.h"
#include "vd_analyze.h"

static int check_usage(FILE *to, int status)
{
    fprintf(to, "usage: vdcheck %s\n", cmd_check.usage);
    cli_report_usage(to);
    fputs("exit status: 0 no error findings, 1 error or fatal findings,\n"
          "             2 an input could not be analyzed, 64 usage error\n",
          to);
    return status;
}

static int check_parse(int argc, char **argv, struct cli_report_args *args)
{
    static const struct option options[] = {
        CLI_REPORT_LONG_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        int rc = cli_report_option(c, optarg, args);
        if (rc == CLI_NOT_MINE) {
            return c == 'h' ? check_usage(stdout, -1) : check_usage(stderr, VD_EXIT_USAGE);
        }
        if (rc != VD_EXIT_OK) {
            return rc;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vdcheck: no image given\n");
        return check_usage(stderr, VD_EXIT_USAGE);
    }
    cli_report_finish(args);
    return VD_EXIT_OK;
}

/* Analyzes and reports each image in turn; returns the worst exit status. */
static int check_images(struct cli_report_args *args, char **images, int count, FILE *out)
{
    struct report_options ropt = {
        .tool_version = VDCHECK_VERSION, .compact = count > 1, .custody = &args->custody};
    int worst = VD_EXIT_OK;

    for (int i = 0; i < count; i++) {
        struct cli_progress bar;
        args->analyze.progress =
            cli_progress_start(&bar, args->progress && (args->analyze.hash_mask != 0 || count > 1));
        struct vd_image_result *r = vd_analyze_path(images[i], &args->analyze);
        cli_progress_stop(&bar);
        if (r == NULL) {
            fprintf(stderr, "vdcheck: out of memory\n");
            worst = VD_EXIT_UNUSABLE;
            continue;
        }
        if (args->reporter->image(out, r, &ropt) != 0) {
            fprintf(stderr, "vdcheck: writing the report failed\n");
            worst = VD_EXIT_UNUSABLE;
        }
        int status = vd_result_exit_status(r);
        worst = status > worst ? status : worst;
        vd_result_free(r);
    }
    return worst;
}

static int check_run(int argc, char **argv)
{
    struct cli_report_args args;
    FILE *out = stdout;
    int worst;
    int rc;

    cli_report_init(&args);
    rc = check_parse(argc, argv, &args);
    if (rc != VD_EXIT_OK) {
        return rc < 0 ? VD_EXIT_OK : rc;
    }
    if (args.output != NULL) {
        out = cli_open_output(args.output, argv + optind, argc - optind);
        if (out == NULL) {
            return VD_EXIT_USAGE;
        }
    }
    worst = check_images(&args, argv + optind, argc - optind, out);
    if (out != stdout && fclose(out) != 0) {
        perror(args.output);
        worst = VD_EXIT_UNUSABLE;
    }
    return worst;
}

const struct vd_command cmd_check = {
    .name = "check",
    .usage = "[check] IMAGE... [--json|--xml|--text] [--hash ALG[,ALG..]] [--piecewise SIZE]\n"
             "       [--parent-dir DIR]... [--no-parent] [--log-view replayed|on-disk]\n"
             "       [--case ID] [--examiner NAME] [--note TEXT]\n"
             "       [--no-progress] [-o FILE]",
    .run = check_run,
};
