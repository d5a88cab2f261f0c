/* The human-readable report: what it is, how big, the verdict, then every finding. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"
#include "vd_alloc.h"
#include "vd_text.h"

static void text_size(FILE *out, uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)bytes;
    int u = -1;

    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    fprintf(out, "%" PRIu64 " bytes", bytes);
    if (u >= 0) {
        fprintf(out, " (%.1f %s)", v, units[u]);
    }
}

static void text_fact(FILE *out, const struct vd_fact *f, int depth)
{
    for (const struct vd_fact *c = f->first; c != NULL; c = c->next) {
        fprintf(out, "%*s", 4 + 2 * depth, "");
        if (c->key != NULL) {
            fprintf(out, "%s: ", c->key);
        } else {
            fprintf(out, "- ");
        }
        switch (c->kind) {
        case VD_FACT_OBJECT:
        case VD_FACT_ARRAY:
            fputc('\n', out);
            text_fact(out, c, depth + 1);
            continue;
        case VD_FACT_STRING:
            fputs(c->string, out);
            break;
        case VD_FACT_U64:
            fprintf(out, "%" PRIu64, c->u64);
            break;
        case VD_FACT_I64:
            fprintf(out, "%" PRId64, c->i64);
            break;
        case VD_FACT_BOOL:
            fputs(c->boolean ? "true" : "false", out);
            break;
        }
        fputc('\n', out);
    }
}

static void text_digests(FILE *out, const char *what, const struct vd_digests *d)
{
    for (int a = 0; a < VD_DIGEST_COUNT; a++) {
        if (d->mask & (1u << a)) {
            fprintf(out, "  %-9s %-7s %s\n", what, vd_digest_name((enum vd_digest_alg)a),
                    d->hex[a]);
        }
    }
}

/* Text from argv or an image (a path, a --note) printed with control bytes escaped. */
void report_text_untrusted(FILE *out, const char *text)
{
    size_t len = strlen(text);
    char *clean = vd_malloc(VD_TEXT_BYTES_CAP(len));

    if (clean != NULL) {
        vd_text_bytes((const uint8_t *)text, len, clean, VD_TEXT_BYTES_CAP(len));
    }
    fputs(clean != NULL ? clean : "(out of memory)", out);
    vd_free(clean);
}

static void text_labelled(FILE *out, const char *label, const char *text)
{
    if (text != NULL) {
        fprintf(out, "  %-9s ", label);
        report_text_untrusted(out, text);
        fputc('\n', out);
    }
}

/* The windows one per line: the text report is the examiner's printout. */
static void text_piecewise(FILE *out, const struct vd_piecewise *pw)
{
    if (pw->count == 0) {
        return;
    }
    fprintf(out, "  piecewise: %zu %s windows of %" PRIu64 " bytes over the virtual disk\n",
            pw->count, vd_digest_name(pw->alg), pw->window);
    for (size_t i = 0; i < pw->count; i++) {
        char hex[VD_DIGEST_HEX_MAX];
        vd_piecewise_hex(pw, i, hex);
        fprintf(out, "    %" PRIu64 "+%" PRIu64 " %s\n", (uint64_t)i * pw->window,
                vd_piecewise_length(pw, i), hex);
    }
}

static void text_custody(FILE *out, const struct vd_image_result *r, const struct vd_custody *c)
{
    char started[48];
    char finished[48];

    vd_time_format(&r->started, started);
    vd_time_format(&r->finished, finished);
    fprintf(out, "  analyzed: %s to %s", started, finished);
    if (c != NULL && c->host[0] != '\0') {
        fputs(" on ", out);
        report_text_untrusted(out, c->host);
    }
    fputc('\n', out);
    if (c != NULL) {
        text_labelled(out, "case:", c->case_id);
        text_labelled(out, "examiner:", c->examiner);
        text_labelled(out, "note:", c->note);
    }
    if (r->have_stat && r->stat.is_file) {
        fprintf(out, "  evidence: %s during the analysis%s\n",
                r->have_stat_after && r->status != VD_E_CHANGED ? "unchanged" : "CHANGED",
                r->stat.noatime ? "" : "; O_NOATIME refused, access time may have moved");
    }
}

/* indent: spaces before each line (2 for the image's own findings). */
static void text_finding(FILE *out, const struct vd_finding *f, int indent)
{
    fprintf(out, "%*s%-7s %s at 0x%" PRIx64 " (%" PRIu64 " bytes, %s", indent, "",
            vd_severity_name(f->severity), vd_catalog_get(f->id)->id, f->loc.offset, f->loc.length,
            f->loc.structure);
    if (f->loc.index >= 0) {
        fprintf(out, "[%" PRId64 "]", f->loc.index);
    }
    fprintf(out, ")\n%*s%s", indent + 8, "", f->message);
    if (f->expected[0] != '\0' || f->actual[0] != '\0') {
        fprintf(out, " [expected %s, found %s]", f->expected, f->actual);
    }
    fputc('\n', out);
}

/* The verdict line and, when the analysis could not finish, why (indented). */
static void text_verdict(FILE *out, const struct vd_image_result *r, int indent)
{
    const size_t *n = r->findings.by_severity;

    fprintf(out, "%*sverdict:  %s (%zu fatal, %zu error, %zu warning, %zu info)\n", indent, "",
            vd_verdict_name(r->verdict), n[VD_SEV_FATAL], n[VD_SEV_ERROR], n[VD_SEV_WARNING],
            n[VD_SEV_INFO]);
    if (r->status != VD_OK) {
        fprintf(out, "%*sproblem:  %s%s%s\n", indent, "", vd_status_str(r->status),
                r->err_no ? ": " : "", r->err_no ? strerror(r->err_no) : "");
    }
}

/*
 * The parent's value under name: the one among the child's expected values when it has it,
 * else its first, else NULL; *match says which.
 */
static const char *text_actual(const struct vd_identity *expect, const struct vd_identity *actual,
                               const char *name, bool *match)
{
    for (size_t j = 0; j < expect->count; j++) {
        if (strcmp(expect->values[j].name, name) == 0 &&
            vd_identity_has(actual, name, expect->values[j].value)) {
            *match = true;
            return expect->values[j].value;
        }
    }
    *match = false;
    return vd_identity_get(actual, name);
}

/* Matching values by name; a mismatch with every value the child accepts and what was found. */
static void text_identity(FILE *out, const struct vd_chain_link *link)
{
    const struct vd_identity *expect = &link->expected;
    const struct vd_identity *actual = &link->result->info.identity;

    fprintf(out, "        identity: %s\n", link->identity_match ? "matches" : "MISMATCH");
    for (size_t i = 0; i < expect->count; i++) {
        const char *name = expect->values[i].name;
        bool first = true;
        bool match;
        const char *got;
        for (size_t j = 0; j < i && first; j++) {
            first = strcmp(expect->values[j].name, name) != 0;
        }
        if (!first) {
            continue;
        }
        got = text_actual(expect, actual, name, &match);
        fprintf(out, "          %s ", name);
        if (match) {
            report_text_untrusted(out, got);
            fputc('\n', out);
            continue;
        }
        fputs("expected ", out);
        for (size_t j = i, k = 0; j < expect->count; j++) {
            if (strcmp(expect->values[j].name, name) == 0) {
                fputs(k++ > 0 ? " or " : "", out);
                report_text_untrusted(out, expect->values[j].value);
            }
        }
        fputs(", found ", out);
        report_text_untrusted(out, got != NULL ? got : "(none)");
        fputc('\n', out);
    }
}

/* A child image's parents, nearest first, each with its own verdict and findings. */
static void text_chain(FILE *out, const struct vd_image_result *r)
{
    const char *plural = r->chain_count == 1 ? "" : "s";

    if (r->chain_complete) {
        fprintf(out, "  chain:    complete, %zu parent%s\n", r->chain_count, plural);
    } else if (r->chain_count == 0) {
        fputs("  chain:    INCOMPLETE, no parent found", out);
    } else {
        fprintf(out, "  chain:    INCOMPLETE after %zu parent%s", r->chain_count, plural);
    }
    if (!r->chain_complete) {
        fputs(r->parent_as_zero ? " (--no-parent: the missing sectors read as zero)\n" : "\n", out);
    }
    for (size_t i = 0; i < r->chain_count; i++) {
        const struct vd_chain_link *link = &r->chain[i];
        const struct vd_image_result *p = link->result;
        fprintf(out, "    [%zu] ", i + 1);
        report_text_untrusted(out, p->path);
        fputc('\n', out);
        if (link->asked != NULL) {
            fputs("        asked:    ", out);
            report_text_untrusted(out, link->asked);
            fputc('\n', out);
        } else {
            fputs("        found by identity in the folder\n", out);
        }
        if (p->recognized) {
            fprintf(out, "        format:   %s %s", p->info.format,
                    p->info.variant != NULL ? p->info.variant : "");
            if (p->info.has_virtual_size) {
                fputs(", ", out);
                text_size(out, p->info.virtual_size);
            }
            fputc('\n', out);
        }
        text_identity(out, link);
        text_verdict(out, p, 8);
        for (size_t k = 0; k < p->findings.count; k++) {
            text_finding(out, &p->findings.items[k], 8);
        }
    }
}

static void text_header(FILE *out, const struct vd_image_result *r)
{
    report_text_untrusted(out, r->path);
    fputc('\n', out);
    if (r->have_stat) {
        fputs("  file:     ", out);
        text_size(out, r->stat.size);
        fputc('\n', out);
    }
    if (!r->recognized) {
        return;
    }
    fprintf(out, "  format:   %s %s\n", r->info.format,
            r->info.variant != NULL ? r->info.variant : "");
    if (r->info.has_virtual_size) {
        fputs("  virtual:  ", out);
        text_size(out, r->info.virtual_size);
        fputc('\n', out);
    }
    if (r->info.block_size != 0) {
        fputs("  block:    ", out);
        text_size(out, r->info.block_size);
        fputc('\n', out);
    }
}

static int text_write(FILE *out, const struct vd_image_result *r, const struct report_options *opt)
{
    text_header(out, r);
    text_verdict(out, r, 2);
    if (r->recognized && r->info.needs_parent) {
        text_chain(out, r);
    }
    text_digests(out, "container", &r->container);
    text_digests(out, "virtual", &r->virtual_disk);
    text_piecewise(out, &r->piecewise);
    text_custody(out, r, opt->custody);
    if (r->semantics->first != NULL) {
        fputs("  read semantics:\n", out);
        text_fact(out, r->semantics, 0);
    }
    if (r->details->first != NULL) {
        fputs("  details:\n", out);
        text_fact(out, r->details, 0);
    }
    if (r->findings.count > 0) {
        fputs("  findings:\n", out);
    }
    for (size_t i = 0; i < r->findings.count; i++) {
        text_finding(out, &r->findings.items[i], 2);
    }
    return ferror(out) ? -1 : 0;
}

/* The distinct ids of the worst severity found, at most SCAN_IDS_SHOWN, in report order. */
#define SCAN_IDS_SHOWN 4

static void text_worst_ids(FILE *out, const struct vd_findings *list)
{
    int worst = VD_SEV_COUNT;
    size_t shown = 0;
    size_t more = 0;

    for (int sev = 0; sev < VD_SEV_COUNT && worst == VD_SEV_COUNT; sev++) {
        worst = list->by_severity[sev] != 0 && sev != VD_SEV_INFO ? sev : VD_SEV_COUNT;
    }
    for (size_t i = 0; i < list->count && worst != VD_SEV_COUNT; i++) {
        const struct vd_finding *f = &list->items[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = list->items[j].severity == f->severity && list->items[j].id == f->id;
        }
        if ((int)f->severity != worst || seen) {
            continue;
        }
        if (shown < SCAN_IDS_SHOWN) {
            fprintf(out, "%s%s", shown == 0 ? "  " : ",", vd_catalog_get(f->id)->id);
            shown++;
        } else {
            more++;
        }
    }
    if (more != 0) {
        fprintf(out, ",+%zu", more);
    }
}

/*
 * `scan --text`: one line per file, to read down a long list or grep:
 * verdict, format, variant, file size, path, and the distinct ids of the worst findings.
 */
static int text_scan_image(FILE *out, const struct vd_image_result *r,
                           const struct report_options *opt)
{
    (void)opt;
    fprintf(out, "%-12s %-5s %-12s %14" PRIu64 "  ", vd_verdict_name(r->verdict),
            r->recognized ? r->info.format : "-",
            r->recognized && r->info.variant != NULL ? r->info.variant : "-",
            r->have_stat ? r->stat.size : 0);
    report_text_untrusted(out, r->path);
    if (r->status != VD_OK) {
        fprintf(out, "  (%s%s%s)", vd_status_str(r->status), r->err_no ? ": " : "",
                r->err_no ? strerror(r->err_no) : "");
    }
    text_worst_ids(out, &r->findings);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

const struct vd_reporter report_text = {
    .name = "text",
    .image = text_write,
    .scan_image = text_scan_image,
};
