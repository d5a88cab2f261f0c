/* The human-readable report: what it is, how big, the verdict, then every finding. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
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
static void text_untrusted(FILE *out, const char *text)
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
        text_untrusted(out, text);
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
        text_untrusted(out, c->host);
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

static void text_finding(FILE *out, const struct vd_finding *f)
{
    fprintf(out, "  %-7s %s at 0x%" PRIx64 " (%" PRIu64 " bytes, %s", vd_severity_name(f->severity),
            vd_catalog_get(f->id)->id, f->loc.offset, f->loc.length, f->loc.structure);
    if (f->loc.index >= 0) {
        fprintf(out, "[%" PRId64 "]", f->loc.index);
    }
    fprintf(out, ")\n          %s", f->message);
    if (f->expected[0] != '\0' || f->actual[0] != '\0') {
        fprintf(out, " [expected %s, found %s]", f->expected, f->actual);
    }
    fputc('\n', out);
}

static void text_header(FILE *out, const struct vd_image_result *r)
{
    text_untrusted(out, r->path);
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
    const size_t *n = r->findings.by_severity;

    text_header(out, r);
    fprintf(out, "  verdict:  %s (%zu fatal, %zu error, %zu warning, %zu info)\n",
            vd_verdict_name(r->verdict), n[VD_SEV_FATAL], n[VD_SEV_ERROR], n[VD_SEV_WARNING],
            n[VD_SEV_INFO]);
    if (r->status != VD_OK) {
        fprintf(out, "  problem:  %s%s%s\n", vd_status_str(r->status), r->err_no ? ": " : "",
                r->err_no ? strerror(r->err_no) : "");
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
        text_finding(out, &r->findings.items[i]);
    }
    return ferror(out) ? -1 : 0;
}

const struct vd_reporter report_text = {
    .name = "text",
    .image = text_write,
};
