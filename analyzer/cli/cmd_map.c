/* vdcheck map IMAGE [--json] [--log-view V]: the virtual extents, like `qemu-img map`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report_map.h"
#include "vd_analyze.h"

static int map_usage(FILE *to, int status)
{
    fprintf(to,
            "usage: vdcheck %s\n"
            "  --json            {\"virtual_size\": N, \"extents\": [{offset, length, kind,\n"
            "                    file_offset (data only), depth}]}\n"
            "  --log-view VIEW   VHDX with a pending log: \"replayed\" (default) or \"on-disk\"\n"
            "  --parent-dir DIR  differencing images: also look for parents in DIR (repeat it)\n"
            "  --no-parent       a missing parent's sectors are shown as unallocated (zeros)\n"
            "kinds: data (stored in the image at file_offset), zero (reads as zeros by the\n"
            "format's rules), unallocated (not stored: zeros, or the parent's sectors),\n"
            "parent (comes from a parent that was not found). depth: 0 the image itself, n its\n"
            "n-th parent.\n"
            "The map is printed only when the image's structures describe the whole disk;\n"
            "run `vdcheck IMAGE` to see why they do not.\n"
            "exit status: 0 mapped, 1 mapped but the image has error findings,\n"
            "             2 not mapped (unreadable, unrecognized, fatal findings), 64 usage\n",
            cmd_map.usage);
    return status;
}

static void map_begin(void *arg, const struct vd_image_info *info)
{
    report_map_begin(arg, info);
}

static enum vd_status map_visit(void *arg, const struct vd_extent *extent)
{
    report_map_extent(arg, extent);
    return VD_OK;
}

static int map_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"log-view", required_argument, NULL, 'L'},
        {"parent-dir", required_argument, NULL, 'D'},
        {"no-parent", no_argument, NULL, 'Z'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct report_map map = {.out = stdout};
    struct cli_parent_dirs parents = {0};
    struct vd_analyze_options opt = {.limits = VD_LIMITS_DEFAULT,
                                     .map_begin = map_begin,
                                     .map_visit = map_visit,
                                     .map_arg = &map};
    int c;

    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j':
            map.json = true;
            break;
        case 'L':
            if (!cli_parse_log_view(optarg, &opt.log_view)) {
                return VD_EXIT_USAGE;
            }
            break;
        case 'D':
            if (!cli_add_parent_dir(&parents, optarg)) {
                return VD_EXIT_USAGE;
            }
            break;
        case 'Z':
            opt.no_parent = true;
            break;
        case 'h':
            return map_usage(stdout, VD_EXIT_OK);
        default:
            return map_usage(stderr, VD_EXIT_USAGE);
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "vdcheck: map takes exactly one image\n");
        return map_usage(stderr, VD_EXIT_USAGE);
    }
    opt.parent_dirs = parents.dirs;
    opt.parent_dir_count = parents.count;
    const char *path = argv[optind];
    struct vd_image_result *r = vd_analyze_path(path, &opt);
    if (r == NULL) {
        fprintf(stderr, "vdcheck: out of memory\n");
        return VD_EXIT_UNUSABLE;
    }
    int status = vd_result_exit_status(r);
    if (report_map_end(&map) != 0) {
        fprintf(stderr, "vdcheck: writing the map failed\n");
        status = VD_EXIT_UNUSABLE;
    }
    if (!r->mapped) {
        fprintf(stderr,
                "vdcheck: %s: not mapped (%s%s%s): the structures do not describe the "
                "whole disk; `vdcheck %s` shows why\n",
                path, vd_verdict_name(r->verdict), r->status != VD_OK ? ", " : "",
                r->status != VD_OK ? vd_status_str(r->status) : "", path);
        status = VD_EXIT_UNUSABLE;
    }
    vd_result_free(r);
    return status;
}

const struct vd_command cmd_map = {
    .name = "map",
    .usage = "map IMAGE [--json] [--log-view replayed|on-disk] [--parent-dir DIR]... [--no-parent]",
    .run = map_run,
};
