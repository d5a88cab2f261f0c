/*
 * vdcheck verify IMAGE --against REPORT.json: hash IMAGE again with the algorithms (and
 * piecewise windows, and VHDX log view) the report recorded, and compare digests and the
 * key image facts. Exit 0 when everything matches, 1 when anything differs.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_progress.h"
#include "report_record.h"
#include "vd_alloc.h"
#include "vd_analyze.h"

/* A report with a piecewise list of a 2 TiB disk in 1 MiB windows is ~300 MiB of JSON. */
#define VERIFY_REPORT_MAX ((size_t)1 << 30)

/* Windows listed by offset when they differ; the count is always given. */
#define VERIFY_WINDOWS_LISTED 16

struct verify_tally {
    unsigned checks;
    unsigned mismatches;
};

static int verify_usage(FILE *to, int status)
{
    fprintf(to,
            "usage: vdcheck %s\n"
            "  --against REPORT  a JSON report of IMAGE written earlier by `vdcheck --json\n"
            "                    --hash ...`; a file of several reports (one per line) is\n"
            "                    searched for IMAGE's path, then for its file name\n"
            "  --parent-dir DIR  differencing images: also look for parents in DIR (repeat it)\n"
            "  --no-progress     no progress bar (drawn on stderr only when it is a terminal)\n"
            "Re-hashes the container and the virtual disk with the digests the report holds\n"
            "(and its piecewise windows, VHDX log view and --no-parent), and compares them and the "
            "file\n"
            "size, format, variant and virtual size.\n"
            "exit status: 0 everything matches, 1 something differs, 2 the image or the\n"
            "             report cannot be read, 64 usage\n",
            cmd_verify.usage);
    return status;
}

static void verify_line(struct verify_tally *t, const char *what, const char *recorded,
                        const char *now)
{
    bool match = strcmp(recorded, now) == 0;

    t->checks++;
    t->mismatches += match ? 0 : 1;
    if (match) {
        printf("  match     %-18s %s\n", what, now);
    } else {
        printf("  MISMATCH  %-18s report %s, now %s\n", what, recorded, now);
    }
}

static void verify_u64(struct verify_tally *t, const char *what, bool recorded_known,
                       uint64_t recorded, bool now_known, uint64_t now)
{
    char a[32] = "(none)";
    char b[32] = "(none)";

    if (!recorded_known) {
        return; /* the report did not record it: nothing to compare */
    }
    snprintf(a, sizeof(a), "%" PRIu64, recorded);
    if (now_known) {
        snprintf(b, sizeof(b), "%" PRIu64, now);
    }
    verify_line(t, what, a, b);
}

static void verify_str(struct verify_tally *t, const char *what, const char *recorded,
                       const char *now)
{
    if (recorded != NULL) {
        verify_line(t, what, recorded, now != NULL ? now : "(none)");
    }
}

static void verify_digests(struct verify_tally *t, const char *stream,
                           const struct vd_digests *recorded, const struct vd_digests *now)
{
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        char what[32];
        if ((recorded->mask & (1u << a)) == 0) {
            continue;
        }
        snprintf(what, sizeof(what), "%s %s", stream, vd_digest_name((enum vd_digest_alg)a));
        verify_line(t, what, recorded->hex[a],
                    now->mask & (1u << a) ? now->hex[a] : "(not computed)");
    }
}

static void verify_piecewise(struct verify_tally *t, const struct vd_piecewise *recorded,
                             const struct vd_piecewise *now)
{
    size_t size = vd_digest_size(recorded->alg);
    size_t differ = 0;

    if (recorded->count == 0) {
        return;
    }
    t->checks++;
    if (now->count != recorded->count || now->alg != recorded->alg ||
        now->window != recorded->window) {
        t->mismatches++;
        printf("  MISMATCH  %-18s report %zu windows, now %zu\n", "piecewise", recorded->count,
               now->count);
        return;
    }
    for (size_t i = 0; i < now->count; i++) {
        if (memcmp(now->digests + i * size, recorded->digests + i * size, size) == 0) {
            continue;
        }
        if (differ++ < VERIFY_WINDOWS_LISTED) {
            printf("  MISMATCH  window at %" PRIu64 " (%" PRIu64 " bytes)\n",
                   (uint64_t)i * now->window, vd_piecewise_length(now, i));
        }
    }
    t->mismatches += differ != 0 ? 1 : 0;
    printf("  %-9s %-18s %zu of %zu %s windows of %" PRIu64 " bytes differ\n",
           differ == 0 ? "match" : "MISMATCH", "piecewise", differ, now->count,
           vd_digest_name(now->alg), now->window);
}

static void verify_compare(struct verify_tally *t, const struct report_record *rec,
                           const struct vd_image_result *r)
{
    verify_u64(t, "file size", rec->has_file_size, rec->file_size, r->have_stat, r->stat.size);
    verify_str(t, "format", rec->format, r->recognized ? r->info.format : NULL);
    verify_str(t, "variant", rec->variant, r->info.variant);
    verify_u64(t, "virtual size", rec->has_virtual_size, rec->virtual_size,
               r->info.has_virtual_size, r->info.virtual_size);
    verify_digests(t, "container", &rec->container, &r->container);
    verify_digests(t, "virtual", &rec->virtual_disk, &r->virtual_disk);
    if (rec->virtual_disk.mask == 0) {
        printf("  (the report holds no virtual-disk digest: only the container is compared)\n");
    }
    verify_piecewise(t, &rec->piecewise, &r->piecewise);
}

/* The analysis the report describes: same digests, windows and log view. */
static void verify_options(const struct report_record *rec, struct vd_analyze_options *opt)
{
    opt->hash_mask = rec->container.mask | rec->virtual_disk.mask;
    opt->log_view = rec->log_view;
    opt->no_parent = rec->parent_as_zero;
    if (rec->piecewise.count != 0) {
        opt->piecewise_size = rec->piecewise.window;
        opt->piecewise_alg = rec->piecewise.alg;
        opt->hash_mask |= 1u << rec->piecewise.alg;
    }
}

static int verify_image(const char *image, const char *against, bool progress,
                        const struct cli_parent_dirs *parents)
{
    struct report_record rec;
    struct vd_analyze_options opt = {.limits = VD_LIMITS_DEFAULT};
    struct verify_tally tally = {0};
    struct cli_progress bar;
    char err[256];

    size_t len = 0;
    char *text = cli_read_file(against, VERIFY_REPORT_MAX, &len, err, sizeof(err));
    int parsed = text != NULL ? report_record_parse(text, len, image, &rec, err, sizeof(err)) : -1;
    vd_free(text);
    if (parsed != 0) {
        fprintf(stderr, "vdcheck: %s: %s\n", against, err);
        return VD_EXIT_UNUSABLE;
    }
    verify_options(&rec, &opt);
    opt.parent_dirs = parents->dirs;
    opt.parent_dir_count = parents->count;
    if (opt.hash_mask == 0) {
        fprintf(stderr, "vdcheck: %s holds no hashes to verify (made without --hash)\n", against);
        report_record_fini(&rec);
        return VD_EXIT_UNUSABLE;
    }
    printf("verify %s\n  against %s (vdcheck %s, %s)\n", image, against,
           rec.tool != NULL ? rec.tool : "?", rec.started != NULL ? rec.started : "time unknown");
    opt.progress = cli_progress_start(&bar, progress);
    struct vd_image_result *r = vd_analyze_path(image, &opt);
    cli_progress_stop(&bar);
    if (r == NULL) {
        fprintf(stderr, "vdcheck: out of memory\n");
        report_record_fini(&rec);
        return VD_EXIT_UNUSABLE;
    }
    verify_compare(&tally, &rec, r);
    int status = tally.mismatches == 0 ? VD_EXIT_OK : VD_EXIT_FINDINGS;
    if (r->verdict == VD_VERDICT_UNREADABLE) {
        fprintf(stderr, "vdcheck: %s: cannot be read: %s%s%s\n", image, vd_status_str(r->status),
                r->err_no != 0 ? ": " : "", r->err_no != 0 ? strerror(r->err_no) : "");
        status = VD_EXIT_UNUSABLE;
    }
    printf("%s: %u of %u checks match\n", tally.mismatches == 0 ? "VERIFIED" : "DIFFERS",
           tally.checks - tally.mismatches, tally.checks);
    vd_result_free(r);
    report_record_fini(&rec);
    return status;
}

static int verify_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"against", required_argument, NULL, 'a'},
        {"no-progress", no_argument, NULL, 'q'},
        {"parent-dir", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *against = NULL;
    struct cli_parent_dirs parents = {0};
    bool progress = true;
    int c;

    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            against = optarg;
            break;
        case 'q':
            progress = false;
            break;
        case 'D':
            if (!cli_add_parent_dir(&parents, optarg)) {
                return VD_EXIT_USAGE;
            }
            break;
        case 'h':
            return verify_usage(stdout, VD_EXIT_OK);
        default:
            return verify_usage(stderr, VD_EXIT_USAGE);
        }
    }
    if (argc - optind != 1 || against == NULL) {
        fprintf(stderr, "vdcheck: verify takes one image and --against REPORT\n");
        return verify_usage(stderr, VD_EXIT_USAGE);
    }
    return verify_image(argv[optind], against, progress, &parents);
}

const struct vd_command cmd_verify = {
    .name = "verify",
    .usage = "verify IMAGE --against REPORT.json [--parent-dir DIR]... [--no-progress]",
    .run = verify_run,
};
