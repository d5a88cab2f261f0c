/* Helpers shared by the subcommands: sizes on the command line, the -o file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "vd_alloc.h"
#include "vd_probe.h"

bool cli_parse_size(const char *text, uint64_t *out)
{
    static const char suffixes[] = "KMGT";
    char *end = NULL;
    unsigned long long value;
    const char *unit;

    if (text[0] < '0' || text[0] > '9') {
        return false; /* strtoull would accept "-1" and " 1" */
    }
    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno != 0 || value == 0) {
        return false;
    }
    if (*end != '\0') {
        /* K, M, G, T (optionally KiB...) are binary multiples. */
        unit = strchr(suffixes, end[0]);
        if (unit == NULL || end[0] == '\0' || (end[1] != '\0' && strcmp(end + 1, "iB") != 0)) {
            return false;
        }
        for (const char *u = suffixes; u <= unit; u++) {
            if (value > UINT64_MAX / 1024) {
                return false;
            }
            value *= 1024;
        }
    }
    *out = (uint64_t)value;
    return true;
}

/* True (and says so) when sb is the file of one of the inputs. */
static bool names_an_input(const struct stat *sb, char *const *inputs, int count)
{
    for (int i = 0; i < count; i++) {
        struct stat in_sb;
        if (stat(inputs[i], &in_sb) == 0 && in_sb.st_dev == sb->st_dev &&
            in_sb.st_ino == sb->st_ino) {
            fprintf(stderr, "vdcheck: refusing to write the report over input %s\n", inputs[i]);
            return true;
        }
    }
    return false;
}

/*
 * A non-empty file that some format recognizes is evidence even when it is not on the
 * command line: the parent of a differencing image is found only during the analysis,
 * after -o has been opened. Read through the read-only source, never written.
 */
static bool is_disk_image(const char *path)
{
    const struct vd_format_driver *best = NULL;
    const struct vd_format_driver *other = NULL;
    struct vd_source *src = NULL;
    int err_no = 0;
    bool image = false;

    if (vd_source_open_file(path, &src, &err_no) != VD_OK) {
        return false;
    }
    if (vd_source_size(src) > 0 && vd_probe(src, &best, &other) == VD_OK && best != NULL) {
        fprintf(stderr, "vdcheck: refusing to write the report over %s: it is a %s image\n", path,
                best->name);
        image = true;
    }
    vd_source_close(src);
    return image;
}

/*
 * An existing path is compared with the inputs before anything opens it for writing (so
 * evidence never sees a write-mode open); then it is opened without O_TRUNC and the file
 * actually behind the descriptor is compared again before it is truncated, so a path
 * swapped in between cannot slip through.
 */
FILE *cli_open_output(const char *path, char *const *inputs, int count)
{
    struct stat sb;
    FILE *out = NULL;
    int fd;

    if (stat(path, &sb) == 0 && (names_an_input(&sb, inputs, count) || is_disk_image(path))) {
        return NULL;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "vdcheck: %s: %s\n", path, strerror(errno));
    } else if (!names_an_input(&sb, inputs, count)) {
        if (ftruncate(fd, 0) == 0 && (out = fdopen(fd, "w")) != NULL) {
            return out;
        }
        fprintf(stderr, "vdcheck: %s: %s\n", path, strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

bool cli_parse_log_view(const char *text, enum vd_log_view *out)
{
    if (strcmp(text, "replayed") == 0) {
        *out = VD_LOG_VIEW_REPLAYED;
    } else if (strcmp(text, "on-disk") == 0) {
        *out = VD_LOG_VIEW_ON_DISK;
    } else {
        fprintf(stderr, "vdcheck: --log-view is \"replayed\" or \"on-disk\"\n");
        return false;
    }
    return true;
}

bool cli_add_parent_dir(struct cli_parent_dirs *p, const char *dir)
{
    if (p->count == CLI_PARENT_DIRS_MAX) {
        fprintf(stderr, "vdcheck: at most %d --parent-dir roots\n", CLI_PARENT_DIRS_MAX);
        return false;
    }
    p->dirs[p->count++] = dir;
    return true;
}

char *cli_read_file(const char *path, size_t limit, size_t *len, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t used = 0;
    size_t size = 0;

    if (f == NULL) {
        snprintf(err, cap, "cannot open: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        if (used == size) {
            size_t next = size == 0 ? 65536 : size * 2;
            char *grown = next <= limit ? vd_realloc_array(buf, next + 1, 1) : NULL;
            if (grown == NULL) {
                snprintf(err, cap, "too large or out of memory");
                vd_free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
            size = next;
        }
        size_t got = fread(buf + used, 1, size - used, f);
        used += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, cap, "read error");
        vd_free(buf);
        buf = NULL;
    } else {
        buf[used] = '\0';
        *len = used;
    }
    fclose(f);
    return buf;
}

void cli_report_init(struct cli_report_args *args)
{
    *args = (struct cli_report_args){
        .reporter = &report_text, .analyze = {.limits = VD_LIMITS_DEFAULT}, .progress = true};
    vd_custody_init(&args->custody, cli_invocation.argc, cli_invocation.argv);
}

int cli_report_option(int c, const char *arg, struct cli_report_args *args)
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
        if (!vd_digest_parse_list(arg, &args->analyze.hash_mask)) {
            fprintf(stderr, "vdcheck: unknown digest in \"%s\" (md5, sha1, sha256, sha512)\n", arg);
            return VD_EXIT_USAGE;
        }
        return VD_EXIT_OK;
    case 'P':
        if (!cli_parse_size(arg, &args->analyze.piecewise_size)) {
            fprintf(stderr, "vdcheck: --piecewise takes a positive size (4096, 64K, 1M, 1G)\n");
            return VD_EXIT_USAGE;
        }
        return VD_EXIT_OK;
    case 'L':
        return cli_parse_log_view(arg, &args->analyze.log_view) ? VD_EXIT_OK : VD_EXIT_USAGE;
    case 'D':
        return cli_add_parent_dir(&args->parents, arg) ? VD_EXIT_OK : VD_EXIT_USAGE;
    case 'Z':
        args->analyze.no_parent = true;
        return VD_EXIT_OK;
    case 'C':
        args->custody.case_id = arg;
        return VD_EXIT_OK;
    case 'E':
        args->custody.examiner = arg;
        return VD_EXIT_OK;
    case 'N':
        args->custody.note = arg;
        return VD_EXIT_OK;
    case 'q':
        args->progress = false;
        return VD_EXIT_OK;
    case 'o':
        args->output = arg;
        return VD_EXIT_OK;
    default:
        return CLI_NOT_MINE;
    }
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

void cli_report_finish(struct cli_report_args *args)
{
    args->analyze.parent_dirs = args->parents.dirs;
    args->analyze.parent_dir_count = args->parents.count;
    if (args->analyze.piecewise_size != 0) {
        /* Windows use the strongest whole-disk digest; asking for windows implies sha256. */
        if (args->analyze.hash_mask == 0) {
            args->analyze.hash_mask = 1u << VD_DIGEST_SHA256;
        }
        args->analyze.piecewise_alg = strongest(args->analyze.hash_mask);
    }
}

void cli_report_usage(FILE *to)
{
    fputs("  --text            human-readable report (default)\n"
          "  --json            JSON report (schema vdcheck.report/1); one compact report\n"
          "                    per line (NDJSON) for several images, and always in scan\n"
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
          "  -o, --output FILE write the report to FILE (never one of the inputs)\n",
          to);
}
