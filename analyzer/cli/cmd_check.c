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

struct check_args {
    const struct vd_reporter *reporter;
    struct vd_analyze_options analyze;
    struct vd_custody custody;
    struct cli_parent_dirs parents;
    const char *output;
    bool progress;
};

static int check_usage(FILE *to, int status)
{
    fprintf(to,
            "usage: vdcheck %s\n"
            "  --text            human-readable report (default)\n"
            "  --json            JSON report (schema vdcheck.report/1); one line per image\n"
            "                    when several images are given\n"
            "  --xml             DFXML report with vdcheck's facts and findings\n"
            "  --hash ALG[,ALG]  hash the container file and the virtual disk, every digest\n"
            "                    in parallel over one pass: md5, sha1, sha256, sha512\n"
            "  --piecewise SIZE  also hash the virtual disk in windows of SIZE bytes\n"
            "                    (suffix K, M, G); the strongest --hash digest, sha256 by default\n"
            "  --parent-dir DIR  differencing images: also look for parents in DIR (repeat it);\n"
            "                    by default only the image's own folder is searched\n"
            "  --no-parent       hash a child whose parent is missing with the parent's\n"
            "                    sectors read as zero (read_semantics says so)\n"
            "  --log-view VIEW   VHDX with a pending log: \"replayed\" (default: the log\n"
            "                    applied in memory, as Hyper-V presents the disk) or\n"
            "                    \"on-disk\" (the stale bytes as stored); never written\n"
            "  --case ID, --examiner NAME, --note TEXT\n"
            "                    recorded in the report's chain-of-custody block\n"
            "  --no-progress     no progress bar (drawn on stderr only when it is a terminal)\n"
            "  -o, --output FILE write the report to FILE (never one of the inputs)\n"
            "exit status: 0 no error findings, 1 error or fatal findings,\n"
            "             2 an input could not be analyzed, 64 usage error\n",
            cmd_check.usage);
    return status;
}

/* The strongest digest asked for: md5 < sha1 < sha256 < sha512 in enum order. */
static enum vd_digest_alg strongest(unsigned mask)
{
    enum vd_digest_alg best = VD_DIGEST_MD5;

    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        if (mask & (1u << a)) {
            best = (enum vd_digest_alg)a;
        }
    }
    return best;
}

static int check_option(int c, struct check_args *args)
{
    switch (c) {
    case 'j':
        args->reporter = &report_json;
        return VD_EXIT_OK;
    case 'x':
        args->reporter = &report_xml;
        return VD_EXIT_OK;
    case 't':
        args->reporter = &report_text;
        return VD_EXIT_OK;
    case 'H':
        if (!vd_digest_parse_list(optarg, &args->analyze.hash_mask)) {
            fprintf(stderr, "vdcheck: unknown digest in \"%s\" (md5, sha1, sha256, sha512)\n",
                    optarg);
            return VD_EXIT_USAGE;
        }
        return VD_EXIT_OK;
    case 'P':
        if (!cli_parse_size(optarg, &args->analyze.piecewise_size)) {
            fprintf(stderr, "vdcheck: --piecewise takes a positive size (4096, 64K, 1M, 1G)\n");
            return VD_EXIT_USAGE;
        }
        return VD_EXIT_OK;
    case 'L':
        return cli_parse_log_view(optarg, &args->analyze.log_view) ? VD_EXIT_OK : VD_EXIT_USAGE;
    case 'D':
        return cli_add_parent_dir(&args->parents, optarg) ? VD_EXIT_OK : VD_EXIT_USAGE;
    case 'Z':
        args->analyze.no_parent = true;
        return VD_EXIT_OK;
    case 'C':
        args->custody.case_id = optarg;
        return VD_EXIT_OK;
    case 'E':
        args->custody.examiner = optarg;
        return VD_EXIT_OK;
    case 'N':
        args->custody.note = optarg;
        return VD_EXIT_OK;
    case 'q':
        args->progress = false;
        return VD_EXIT_OK;
    case 'o':
        args->output = optarg;
        return VD_EXIT_OK;
    case 'h':
        return check_usage(stdout, -1);
    default:
        return check_usage(stderr, VD_EXIT_USAGE);
    }
}

static int check_parse(int argc, char **argv, struct check_args *args)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"xml", no_argument, NULL, 'x'},
        {"text", no_argument, NULL, 't'},
        {"hash", required_argument, NULL, 'H'},
        {"piecewise", required_argument, NULL, 'P'},
        {"log-view", required_argument, NULL, 'L'},
        {"parent-dir", required_argument, NULL, 'D'},
        {"no-parent", no_argument, NULL, 'Z'},
        {"case", required_argument, NULL, 'C'},
        {"examiner", required_argument, NULL, 'E'},
        {"note", required_argument, NULL, 'N'},
        {"no-progress", no_argument, NULL, 'q'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        int rc = check_option(c, args);
        if (rc != VD_EXIT_OK) {
            return rc;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vdcheck: no image given\n");
        return check_usage(stderr, VD_EXIT_USAGE);
    }
    args->analyze.parent_dirs = args->parents.dirs;
    args->analyze.parent_dir_count = args->parents.count;
    if (args->analyze.piecewise_size != 0) {
        /* Windows use the strongest whole-disk digest; asking for windows implies sha256. */
        if (args->analyze.hash_mask == 0) {
            args->analyze.hash_mask = 1u << VD_DIGEST_SHA256;
        }
        args->analyze.piecewise_alg = strongest(args->analyze.hash_mask);
    }
    return VD_EXIT_OK;
}

/* Analyzes and reports each image in turn; returns the worst exit status. */
static int check_images(struct check_args *args, char **images, int count, FILE *out)
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
    struct check_args args = {
        .reporter = &report_text, .analyze = {.limits = VD_LIMITS_DEFAULT}, .progress = true};
    FILE *out = stdout;
    int worst;
    int rc;

    vd_custody_init(&args.custody, cli_invocation.argc, cli_invocation.argv);
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
