#define _DEFAULT_SOURCE /* realpath, DT_* */
#include "vd_chain.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vd_alloc.h"

enum try_outcome {
    TRY_ABSENT,   /* nothing usable there */
    TRY_MATCH,    /* the parent, identity proven */
    TRY_MISMATCH, /* an image of the right format whose identity differs */
    TRY_STOP,     /* a cycle: resolution ends */
};

/* ---- where a parent may be ---- */

static bool within_roots(const struct vd_chain *c, const char *real)
{
    for (size_t i = 0; i < c->root_count; i++) {
        size_t len = strlen(c->roots[i]);
        if (strcmp(c->roots[i], "/") == 0 ||
            (strncmp(real, c->roots[i], len) == 0 && (real[len] == '/' || real[len] == '\0'))) {
            return true;
        }
    }
    return false;
}

static enum vd_status add_root(struct vd_chain *c, const char *dir)
{
    char real[PATH_MAX];

    if (c->root_count == VD_CHAIN_ROOTS_MAX || realpath(dir, real) == NULL) {
        return VD_OK; /* a root that does not exist holds no parent */
    }
    c->roots[c->root_count] = vd_strdup(real);
    if (c->roots[c->root_count] == NULL) {
        return VD_E_NOMEM;
    }
    c->root_count++;
    return VD_OK;
}

/* The folder of path, into out (PATH_MAX). */
static void folder_of(const char *path, char *out)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL) {
        snprintf(out, PATH_MAX, ".");
    } else if (slash == path) {
        snprintf(out, PATH_MAX, "/");
    } else {
        snprintf(out, PATH_MAX, "%.*s", (int)(slash - path), path);
    }
}

/* ---- identity ---- */

/* The parent shows one of the values the child expects under name (alternatives). */
static bool name_matches(const struct vd_identity *expect, const struct vd_identity *actual,
                         const char *name)
{
    for (size_t j = 0; j < expect->count; j++) {
        if (strcmp(expect->values[j].name, name) == 0 &&
            vd_identity_has(actual, name, expect->values[j].value)) {
            return true;
        }
    }
    return false;
}

/* Every name the child expects must be shown by the parent with one of the expected values. */
static bool identity_matches(const struct vd_identity *expect, const struct vd_identity *actual)
{
    if (expect->count == 0) {
        return false; /* nothing recorded: the link cannot be proven */
    }
    for (size_t i = 0; i < expect->count; i++) {
        if (!name_matches(expect, actual, expect->values[i].name)) {
            return false;
        }
    }
    return true;
}

/* The value a folder search looks for: the first one the child expects. */
static bool key_matches(const struct vd_identity *expect, const struct vd_identity *actual)
{
    return expect->count > 0 &&
           vd_identity_has(actual, expect->values[0].name, expect->values[0].value);
}

/* One finding per expected name none of whose values the parent shows. */
static void report_identity(struct vd_layer *child, const struct vd_image_result *parent)
{
    const struct vd_identity *expect = &child->result->info.parent.expect;

    if (expect->count == 0) {
        vd_report(&child->ctx, VD_F_IMAGE_PARENT_IDENTITY, VD_LOC("image", -1, 0, 0),
                  "%.200s: this image records no identity for its parent, so the link cannot "
                  "be proven",
                  parent->path);
    }
    for (size_t i = 0; i < expect->count; i++) {
        const struct vd_identity_value *v = &expect->values[i];
        bool seen = false; /* one finding per name, at its first value */
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(expect->values[j].name, v->name) == 0;
        }
        if (seen || name_matches(expect, &parent->info.identity, v->name)) {
            continue;
        }
        const char *actual = vd_identity_get(&parent->info.identity, v->name);
        vd_report_values(
            &child->ctx, VD_F_IMAGE_PARENT_IDENTITY,
            VD_LOC(v->structure != NULL ? v->structure : "image", -1, v->offset, v->length),
            v->value, actual != NULL ? actual : "(none)",
            "%.200s: its %s is not the one this image recorded", parent->path, v->name);
    }
}

/* ---- trying one file ---- */

static bool in_chain(const struct vd_chain *c, const struct stat *sb)
{
    for (size_t i = 0; i < c->count; i++) {
        const struct vd_source_stat *st = &c->layers[i]->result->stat;
        if (st->device == (uint64_t)sb->st_dev && st->inode == (uint64_t)sb->st_ino) {
            return true;
        }
    }
    return false;
}

static void layer_free(struct vd_layer *l, bool keep_result)
{
    vd_layer_finish(l);
    if (!keep_result) {
        vd_result_free(l->result);
    }
    vd_free(l);
}

/*
 * Out of memory while trying a candidate: the search stops and the analysis ends with
 * VD_E_NOMEM, rather than report a parent missing, or of another format, that was never
 * looked at.
 */
static enum try_outcome try_nomem(struct vd_chain *c)
{
    vd_ctx_nomem(&c->layers[0]->ctx);
    return TRY_STOP;
}

/* Opens real as a candidate parent of child; *out is the open layer on MATCH / MISMATCH. */
static enum try_outcome try_file(struct vd_chain *c, struct vd_layer *child, const char *real,
                                 bool by_search, struct vd_layer **out)
{
    struct vd_layer *l;
    struct vd_source *src = NULL;
    struct stat sb;
    int err_no = 0;

    if (stat(real, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        return TRY_ABSENT;
    }
    if (in_chain(c, &sb)) {
        if (by_search) {
            return TRY_ABSENT;
        }
        vd_report(&child->ctx, VD_F_IMAGE_PARENT_CYCLE, VD_LOC("image", -1, 0, 0),
                  "the parent named, %s, is already in the chain", real);
        return TRY_STOP;
    }
    enum vd_status opened = vd_source_open_file(real, &src, &err_no);
    if (opened != VD_OK) {
        return opened == VD_E_NOMEM ? try_nomem(c) : TRY_ABSENT;
    }
    l = vd_calloc_array(1, sizeof(*l));
    struct vd_image_result *r = l != NULL ? vd_layer_result_new(real, c->opt) : NULL;
    if (r == NULL) {
        vd_free(l);
        vd_source_close(src);
        return try_nomem(c);
    }
    l->owned_src = src;
    vd_layer_open(l, src, r, c->opt);
    if (r->status == VD_E_NOMEM || r->findings.nomem || vd_facts_nomem(r->details) ||
        vd_facts_nomem(r->semantics)) { /* what vd_layer_finish would turn into VD_E_NOMEM */
        layer_free(l, false);
        return try_nomem(c);
    }
    if (!r->recognized || strcmp(r->info.format, child->result->info.format) != 0) {
        if (!by_search) {
            vd_report(&child->ctx, VD_F_IMAGE_PARENT_FORMAT, VD_LOC("image", -1, 0, 0),
                      "%s is %s%s, not a %s image", real, r->recognized ? "a " : "",
                      r->recognized ? r->info.format : "not a recognized image",
                      child->result->info.format);
        }
        layer_free(l, false);
        return TRY_ABSENT;
    }
    const struct vd_identity *expect = &child->result->info.parent.expect;
    if (by_search && !key_matches(expect, &r->info.identity)) {
        layer_free(l, false);
        return TRY_ABSENT;
    }
    *out = l;
    return identity_matches(expect, &r->info.identity) ? TRY_MATCH : TRY_MISMATCH;
}

/* Resolves path; only a file inside the roots is tried, an escape is reported once. */
static enum try_outcome try_path(struct vd_chain *c, struct vd_layer *child, const char *path,
                                 const char *asked, char tried[PATH_MAX], struct vd_layer **out)
{
    char real[PATH_MAX];

    /* A relative hint and its file name in the child's own folder are often one file. */
    if (realpath(path, real) == NULL || strcmp(real, tried) == 0) {
        return TRY_ABSENT;
    }
    snprintf(tried, PATH_MAX, "%s", real);
    if (!within_roots(c, real)) {
        vd_report(&child->ctx, VD_F_IMAGE_PARENT_OUTSIDE, VD_LOC("image", -1, 0, 0),
                  "the path \"%.200s\" leads to %.200s: not opened", asked, real);
        return TRY_ABSENT;
    }
    return try_file(c, child, real, false, out);
}

/* ---- the candidates of one hint ---- */

/* An absolute path that exists outside the roots is reported; it is never opened. */
static void report_if_outside(const struct vd_chain *c, struct vd_layer *child, const char *path,
                              const char *asked)
{
    char real[PATH_MAX];

    if (realpath(path, real) != NULL && !within_roots(c, real)) {
        vd_report(&child->ctx, VD_F_IMAGE_PARENT_OUTSIDE, VD_LOC("image", -1, 0, 0),
                  "the path \"%.200s\" names %.200s, outside the roots: not opened", asked, real);
    }
}

/*
 * A hint as a POSIX path: "file://" URLs (MacX) lose their scheme and host, Windows paths
 * get '/' separators. *absolute says whether it must not be tried as written.
 */
static bool hint_path(const char *hint, char *out, size_t cap, bool *absolute)
{
    const char *p = hint;

    if (strncmp(p, "file://", 7) == 0) {
        p += 7;
        p = strchr(p, '/') != NULL ? strchr(p, '/') : p;
    }
    if (strncmp(p, "\\\\?\\", 4) == 0) {
        p += 4;
    }
    *absolute = p[0] == '/' || p[0] == '\\' || (p[0] != '\0' && p[1] == ':');
    if (strlen(p) >= cap) {
        return false; /* cut short, it would name another file */
    }
    snprintf(out, cap, "%s", p);
    for (char *q = out; *q != '\0'; q++) {
        *q = *q == '\\' ? '/' : *q;
    }
    return true;
}

/*
 * One candidate's outcome folded into the hint's: a match ends the search (a mismatch kept so
 * far is dropped), the first mismatch is kept while the other candidates are tried.
 */
static bool fold_candidate(enum try_outcome o, struct vd_layer *l, enum try_outcome *best,
                           struct vd_layer **kept)
{
    if (o == TRY_MATCH || o == TRY_STOP) {
        if (*kept != NULL) {
            layer_free(*kept, false);
        }
        *kept = o == TRY_MATCH ? l : NULL;
        *best = o;
        return true;
    }
    if (o == TRY_MISMATCH && *kept == NULL) {
        *kept = l;
        *best = TRY_MISMATCH;
    } else if (o == TRY_MISMATCH) {
        layer_free(l, false);
    }
    return false;
}

/*
 * Tries the hint as written (relative ones) and by its file name in every root: the first
 * candidate whose identity matches, else the first image of the right format found.
 */
static enum try_outcome try_hint(struct vd_chain *c, struct vd_layer *child, const char *hint,
                                 struct vd_layer **out)
{
    char rel[PATH_MAX];
    char folder[PATH_MAX];
    char path[PATH_MAX];
    char tried[PATH_MAX] = "";
    bool absolute;
    enum try_outcome best = TRY_ABSENT;
    struct vd_layer *kept = NULL;

    if (!hint_path(hint, rel, sizeof(rel), &absolute)) {
        return TRY_ABSENT;
    }
    const char *base = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        return TRY_ABSENT;
    }
    folder_of(child->result->path, folder);
    if (absolute) {
        report_if_outside(c, child, rel, hint); /* named, never opened: only its file name is */
    }
    bool done = false;
    if (!absolute && snprintf(path, sizeof(path), "%s/%s", folder, rel) < (int)sizeof(path)) {
        struct vd_layer *l = NULL;
        enum try_outcome o = try_path(c, child, path, hint, tried, &l);
        done = fold_candidate(o, l, &best, &kept);
    }
    for (size_t i = 0; !done && i < c->root_count; i++) {
        if (snprintf(path, sizeof(path), "%s/%s", c->roots[i], base) < (int)sizeof(path)) {
            struct vd_layer *l = NULL;
            enum try_outcome o = try_path(c, child, path, hint, tried, &l);
            done = fold_candidate(o, l, &best, &kept);
        }
    }
    *out = kept;
    return best;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* VDI: the image in a root whose creation UUID the child's link names (in name order). */
static enum try_outcome search_root(struct vd_chain *c, struct vd_layer *child, const char *root,
                                    struct vd_layer **out)
{
    DIR *dir = opendir(root);
    char **names = NULL;
    size_t n = 0;
    enum try_outcome o = TRY_ABSENT;
    struct dirent *e;

    if (dir == NULL || (names = vd_calloc_array(VD_CHAIN_FOLDER_MAX, sizeof(*names))) == NULL) {
        if (dir != NULL) {
            closedir(dir);
            return try_nomem(c);
        }
        return TRY_ABSENT;
    }
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == VD_CHAIN_FOLDER_MAX) {
            c->search_truncated = true; /* said in image.parent.missing */
            break;
        }
        if ((names[n] = vd_strdup(e->d_name)) == NULL) {
            o = try_nomem(c);
            break;
        }
        n++;
    }
    closedir(dir);
    qsort(names, n, sizeof(*names), name_order);
    for (size_t i = 0; o == TRY_ABSENT && i < n; i++) { /* none tried after running out */
        char path[PATH_MAX];
        char real[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", root, names[i]) < (int)sizeof(path) &&
            realpath(path, real) != NULL && within_roots(c, real)) {
            o = try_file(c, child, real, true, out);
        }
    }
    for (size_t i = 0; i < n; i++) {
        vd_free(names[i]);
    }
    vd_free(names);
    return o;
}

/* ---- one link ---- */

/*
 * The parent of child: the first candidate whose identity matches; failing that, the first
 * image of the right format found (reported as a mismatch); *asked is the hint used.
 */
static enum try_outcome find_parent(struct vd_chain *c, struct vd_layer *child,
                                    struct vd_layer **parent, const char **asked)
{
    const struct vd_parent_ref *ref = &child->result->info.parent;
    struct vd_layer *mismatch = NULL;
    const char *mismatch_asked = NULL;

    for (size_t i = 0; i < ref->hint_count; i++) {
        struct vd_layer *l = NULL;
        enum try_outcome o = try_hint(c, child, ref->hints[i].path, &l);
        if (o == TRY_STOP) {
            if (mismatch != NULL) {
                layer_free(mismatch, false);
            }
            return TRY_STOP;
        }
        if (o == TRY_MATCH) {
            if (mismatch != NULL) {
                layer_free(mismatch, false);
            }
            *parent = l;
            *asked = ref->hints[i].path;
            return TRY_MATCH;
        }
        if (o == TRY_MISMATCH && mismatch == NULL) {
            mismatch = l;
            mismatch_asked = ref->hints[i].path;
        } else if (o == TRY_MISMATCH) {
            layer_free(l, false);
        }
    }
    for (size_t i = 0; ref->search_folder && mismatch == NULL && i < c->root_count; i++) {
        struct vd_layer *l = NULL;
        enum try_outcome o = search_root(c, child, c->roots[i], &l);
        if (o == TRY_MATCH || o == TRY_MISMATCH) {
            *parent = l;
            *asked = NULL;
            return o;
        }
    }
    *parent = mismatch;
    *asked = mismatch_asked;
    return mismatch != NULL ? TRY_MISMATCH : TRY_ABSENT;
}

static void report_missing(const struct vd_chain *c, struct vd_layer *child)
{
    const struct vd_parent_ref *ref = &child->result->info.parent;
    const struct vd_identity_value *first = ref->expect.count > 0 ? &ref->expect.values[0] : NULL;

    vd_report(&child->ctx, VD_F_IMAGE_PARENT_MISSING,
              VD_LOC(first != NULL && first->structure != NULL ? first->structure : "image", -1,
                     first != NULL ? first->offset : 0, first != NULL ? first->length : 0),
              "no parent found%s%.200s%s%s", ref->hint_count > 0 ? " for \"" : " by identity",
              ref->hint_count > 0 ? ref->hints[0].path : "", ref->hint_count > 0 ? "\"" : "",
              c->search_truncated ? " (a root holds more files than the search examines)" : "");
}

/* Records the parent's analysis as the next link of the top image's chain. */
static enum vd_status add_link(struct vd_chain *c, struct vd_layer *child, struct vd_layer *parent,
                               const char *asked, bool match)
{
    struct vd_image_result *top = c->layers[0]->result;
    struct vd_chain_link *links =
        vd_realloc_array(top->chain, top->chain_count + 1, sizeof(*links));

    if (links == NULL) {
        return VD_E_NOMEM;
    }
    top->chain = links;
    links[top->chain_count] = (struct vd_chain_link){
        .result = parent->result,
        .asked = asked != NULL ? vd_strdup(asked) : NULL,
        .identity_match = match,
        .expected = child->result->info.parent.expect,
    };
    top->chain_count++;
    if (asked != NULL && links[top->chain_count - 1].asked == NULL) {
        vd_ctx_nomem(&c->layers[0]->ctx); /* the link stands (it owns the result): no hint */
    }
    return VD_OK;
}

enum vd_status vd_chain_resolve(struct vd_chain *c, struct vd_layer *top,
                                const struct vd_analyze_options *opt)
{
    char folder[PATH_MAX];
    enum vd_status st = VD_OK;

    memset(c, 0, sizeof(*c));
    c->opt = opt;
    c->layers[0] = top;
    c->count = 1;
    if (!top->result->stat.is_file || !top->result->info.needs_parent) {
        return VD_OK; /* an image in memory has no folder; the roots serve parents only */
    }
    folder_of(top->result->path, folder);
    st = add_root(c, folder);
    for (size_t i = 0; st == VD_OK && i < opt->parent_dir_count; i++) {
        st = add_root(c, opt->parent_dirs[i]);
    }
    while (st == VD_OK) {
        struct vd_layer *child = c->layers[c->count - 1];
        struct vd_layer *parent = NULL;
        const char *asked = NULL;
        if (!child->result->info.needs_parent || !vd_layer_readable(child)) {
            break;
        }
        if (c->count > VD_CHAIN_MAX_DEPTH) {
            vd_report(&child->ctx, VD_F_IMAGE_PARENT_DEPTH, VD_LOC("image", -1, 0, 0),
                      "more than %d parents: not followed further", VD_CHAIN_MAX_DEPTH);
            break;
        }
        const struct vd_parent_ref *ref = &child->result->info.parent;
        if (ref->hint_count == 0 && !ref->search_folder) {
            break; /* the image names no parent (Bochs redologs): image.parent.unresolved */
        }
        enum try_outcome o = find_parent(c, child, &parent, &asked);
        if (parent == NULL) {
            if (o == TRY_ABSENT) {
                report_missing(c, child);
            }
            break;
        }
        st = add_link(c, child, parent, asked, o == TRY_MATCH);
        if (st != VD_OK || o != TRY_MATCH) {
            if (o == TRY_MISMATCH) {
                report_identity(child, parent->result);
                vd_layer_walk(parent); /* validated in full all the same, for its own report */
            }
            layer_free(parent, st == VD_OK);
            break;
        }
        vd_layer_walk(parent);
        if (parent->result->info.virtual_size != child->result->info.virtual_size) {
            char want[24];
            char got[24];
            snprintf(want, sizeof(want), "%llu",
                     (unsigned long long)child->result->info.virtual_size);
            snprintf(got, sizeof(got), "%llu",
                     (unsigned long long)parent->result->info.virtual_size);
            vd_report_values(&child->ctx, VD_F_IMAGE_PARENT_SIZE, VD_LOC("image", -1, 0, 0), want,
                             got, "the parent %s is %s bytes", parent->result->path, got);
        }
        c->layers[c->count++] = parent;
    }
    struct vd_layer *last = c->layers[c->count - 1];
    top->result->chain_complete = !last->result->info.needs_parent && vd_layer_readable(last);
    return st;
}

void vd_chain_finish(struct vd_chain *c)
{
    for (size_t i = 1; i < c->count; i++) {
        layer_free(c->layers[i], true);
    }
    /* A parent whose analysis ran out of memory leaves the chain unproven: so did this one. */
    for (size_t i = 0; c->count > 0 && i < c->layers[0]->result->chain_count; i++) {
        if (c->layers[0]->result->chain[i].result->status == VD_E_NOMEM) {
            vd_ctx_nomem(&c->layers[0]->ctx);
        }
    }
    for (size_t i = 0; i < c->root_count; i++) {
        vd_free(c->roots[i]);
    }
    memset(c, 0, sizeof(*c));
}
