/* vdcheck [check] IMAGE... [--json|--text] [--hash ALG[,ALG..]] [--log-view V] [-o FILE] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"
#include "vd_analyze.h"

struct check_args {
    const struct vd_reporter *reporter;
    struct vd_analyze_options analyze;
    const char *output;
};

static int check_usage(FILE *to, int status)
{
    fprintf(to,
            "usage: vdcheck %s\n"
            "  --text            human-readable report (default)\n"
            "  --json            JSON report (schema vdcheck.report/1); one line per image\n"
            "                    when several images are given\n"
            "  --hash ALG[,ALG]  hash the container file and the virtual disk:\n"
            "                    md5, sha1, sha256, sha512\n"
            "  --log-view VIEW   VHDX with a pending log: \"replayed\" (default: the log\n"
            "                    applied in memory, as Hyper-V presents the disk) or\n"
            "                    \"on-disk\" (the stale bytes as stored); never written\n"
            "  -o, --output FILE write the report to FILE (never one of the inputs)\n"
            "exit status: 0 no error findings, 1 error or fatal findings,\n"
            "             2 an input could not be analyzed, 64 usage error\n",
            cmd_check.usage);
    return status;
}

static int check_parse(int argc, char **argv, struct check_args *args)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"text", no_argument, NULL, 't'},
        {"hash", required_argument, NULL, 'H'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {"log-view", required_argument, NULL, 'L'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        switch (c) {
        case 'j':
            args->reporter = &report_json;
            break;
        case 't':
            args->reporter = &report_text;
            break;
        case 'H':
            if (!vd_digest_parse_list(optarg, &args->analyze.hash_mask)) {
                fprintf(stderr, "vdcheck: unknown digest in \"%s\" (md5, sha1, sha256, sha512)\n",
                        optarg);
                return VD_EXIT_USAGE;
            }
            break;
        case 'L':
            if (strcmp(optarg, "replayed") == 0) {
                args->analyze.log_view = VD_LOG_VIEW_REPLAYED;
            } else if (strcmp(optarg, "on-disk") == 0) {
                args->analyze.log_view = VD_LOG_VIEW_ON_DISK;
            } else {
                fprintf(stderr, "vdcheck: --log-view is \"replayed\" or \"on-disk\"\n");
                return VD_EXIT_USAGE;
            }
            break;
        case 'o':
            args->output = optarg;
            break;
        case 'h':
            return check_usage(stdout, -1);
        default:
            return check_usage(stderr, VD_EXIT_USAGE);
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vdcheck: no image given\n");
        return check_usage(stderr, VD_EXIT_USAGE);
    }
    return VD_EXIT_OK;
}

/* -o must never name an input: that would overwrite evidence. */
static FILE *check_open_output(const char *path, char **inputs, int count)
{
    struct stat out_sb;

    if (stat(path, &out_sb) == 0) {
        for (int i = 0; i < count; i++) {
            struct stat in_sb;
            if (stat(inputs[i], &in_sb) == 0 && in_sb.st_dev == out_sb.st_dev &&
                in_sb.st_ino == out_sb.st_ino) {
                fprintf(stderr, "vdcheck: refusing to write the report over input %s\n", inputs[i]);
                return NULL;
            }
        }
    }
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "vdcheck: %s: %s\n", path, strerror(errno));
    }
    return out;
}

static int check_run(int argc, char **argv)
{
    struct check_args args = {.reporter = &report_text, .analyze = {.limits = VD_LIMITS_DEFAULT}};
    struct report_options ropt = {.tool_version = VDCHECK_VERSION};
    FILE *out = stdout;
    int worst = VD_EXIT_OK;
    int rc = check_parse(argc, argv, &args);

    if (rc != VD_EXIT_OK) {
        return rc < 0 ? VD_EXIT_OK : rc;
    }
    if (args.output != NULL) {
        out = check_open_output(args.output, argv + optind, argc - optind);
        if (out == NULL) {
            return VD_EXIT_USAGE;
        }
    }
    ropt.compact = argc - optind > 1;
    for (int i = optind; i < argc; i++) {
        struct vd_image_result *r = vd_analyze_path(argv[i], &args.analyze);
        int status;
        if (r == NULL) {
            fprintf(stderr, "vdcheck: out of memory\n");
            worst = VD_EXIT_UNUSABLE;
            continue;
        }
        if (args.reporter->image(out, r, &ropt) != 0) {
            fprintf(stderr, "vdcheck: writing the report failed\n");
            worst = VD_EXIT_UNUSABLE;
        }
        status = vd_result_exit_status(r);
        worst = status > worst ? status : worst;
        vd_result_free(r);
    }
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "vdcheck: %s: %s\n", args.output, strerror(errno));
        worst = VD_EXIT_UNUSABLE;
    }
    return worst;
}

const struct vd_command cmd_check = {
    .name = "check",
    .usage = "[check] IMAGE... [--json|--text] [--hash ALG[,ALG..]] [--log-view replayed|on-disk]\n"
             "       [-o FILE]",
    .run = check_run,
};
