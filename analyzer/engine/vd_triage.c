#define _DEFAULT_SOURCE /* dprintf is POSIX 2008; kill, pipe, poll */
#include "vd_triage.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vd_alloc.h"
#include "vd_probe.h"
#include "vd_tree.h"

/* AddressSanitizer reserves terabytes of shadow address space: RLIMIT_AS would kill it. */
#if defined(__SANITIZE_ADDRESS__)
#define TRIAGE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRIAGE_ASAN 1
#endif
#endif

#define TRIAGE_MESSAGE_MAX (64 * 1024) /* a child's answer; ids beyond it are cut */
#define TRIAGE_READ_CHUNK  (1024 * 1024)

/* What one analyzed input came to. */
struct triage_answer {
    enum vd_triage_outcome outcome;
    char *format;
    char **ids;
    size_t id_count;
    char *signal;
    char *key;
};

struct triage_run {
    const struct vd_triage_options *opt;
    struct vd_triage_report *report;
    size_t input_cap;
    uint8_t *buffer;               /* hashing */
    size_t *unique;                /* indices of the inputs analyzed, in path order */
    struct triage_answer *answers; /* [k]: unique[k]'s */
    size_t answer_count;
    struct pollfd *pfd; /* one per job */
    size_t *pfd_child;  /* which child each pollfd is */
    bool nomem;
};

/* ---- collecting and hashing the inputs ---- */

static enum vd_status hash_file(struct triage_run *run, const char *path, uint64_t *size,
                                uint8_t digest[32], int *err_no)
{
    struct vd_source *src = NULL;
    struct vd_hash h;
    uint8_t out[VD_DIGEST_MAX];
    enum vd_status st = vd_source_open_file(path, &src, err_no);

    if (st != VD_OK) {
        return st;
    }
    *size = vd_source_size(src);
    st = vd_hash_init(&h, VD_DIGEST_SHA256);
    for (uint64_t off = 0; st == VD_OK && off < *size;) {
        size_t n = *size - off < TRIAGE_READ_CHUNK ? (size_t)(*size - off) : TRIAGE_READ_CHUNK;
        st = vd_source_read(src, off, run->buffer, n);
        if (st == VD_OK) {
            vd_hash_update(&h, run->buffer, n);
        }
        off += n;
    }
    if (st == VD_OK) {
        st = vd_hash_final(&h, out);
        memcpy(digest, out, 32);
    }
    vd_hash_fini(&h);
    vd_source_close(src);
    return st;
}

static bool add_input(struct triage_run *run, const char *path)
{
    struct vd_triage_report *rep = run->report;
    struct vd_triage_input in = {.same_as = rep->input_count, .next_same = VD_TRIAGE_NONE};
    int err_no = 0;
    enum vd_status st = hash_file(run, path, &in.size, in.sha256, &err_no);

    if (st == VD_E_NOMEM) {
        return false;
    }
    if (st != VD_OK) {
        fprintf(stderr, "vdcheck triage: %s: %s (skipped)\n", path,
                err_no != 0 ? strerror(err_no) : vd_status_str(st));
        rep->skipped++;
        return true;
    }
    if (rep->input_count == run->input_cap) {
        size_t cap = run->input_cap == 0 ? 256 : run->input_cap * 2;
        struct vd_triage_input *bigger = vd_realloc_array(rep->inputs, cap, sizeof(*bigger));
        if (bigger == NULL) {
            return false;
        }
        rep->inputs = bigger;
        run->input_cap = cap;
    }
    in.path = vd_strdup(path);
    if (in.path == NULL) {
        return false;
    }
    rep->inputs[rep->input_count++] = in;
    return true;
}

static bool collect_visit(void *arg, const struct vd_tree_entry *e)
{
    struct triage_run *run = arg;

    if (e->kind == VD_TREE_FILE) {
        if (!add_input(run, e->path)) {
            run->nomem = true;
            return false;
        }
        return true;
    }
    if (e->kind == VD_TREE_UNREADABLE) {
        fprintf(stderr, "vdcheck triage: %s: %s (skipped)\n", e->path, strerror(e->err_no));
        run->report->unreadable_roots += e->rel[0] == '\0';
    }
    run->report->skipped++;
    return true;
}

static bool collect(struct triage_run *run, const char *const *roots, size_t count)
{
    struct vd_tree_options topt = {.follow_symlinks = false};
    struct vd_tree *tree = vd_tree_new(&topt);
    bool nomem = tree == NULL;

    for (size_t i = 0; i < count && !nomem && !run->nomem; i++) {
        (void)vd_tree_walk(tree, roots[i], collect_visit, run, &nomem);
    }
    vd_tree_free(tree);
    return !nomem && !run->nomem;
}

/* ---- identical inputs ---- */

/* qsort has no context argument in C11; triage runs on one thread. */
static const struct vd_triage_input *sort_inputs;

static int compare_by_content(const void *a, const void *b)
{
    size_t i = *(const size_t *)a;
    size_t j = *(const size_t *)b;
    int c = memcmp(sort_inputs[i].sha256, sort_inputs[j].sha256, 32);

    return c != 0 ? c : (i > j) - (i < j);
}

/* The first input (by path) of each content is analyzed; the others chain to it. */
static bool find_duplicates(struct triage_run *run)
{
    struct vd_triage_report *rep = run->report;
    size_t n = rep->input_count;
    size_t *order = vd_calloc_array(n, sizeof(*order));

    run->unique = vd_calloc_array(n, sizeof(*run->unique));
    if (order == NULL || run->unique == NULL) {
        vd_free(order);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
    }
    sort_inputs = rep->inputs;
    qsort(order, n, sizeof(*order), compare_by_content);
    for (size_t k = 1; k < n; k++) {
        struct vd_triage_input *prev = &rep->inputs[order[k - 1]];
        struct vd_triage_input *cur = &rep->inputs[order[k]];
        if (memcmp(prev->sha256, cur->sha256, 32) == 0) {
            cur->same_as = prev->same_as;
            prev->next_same = order[k];
        }
    }
    vd_free(order);
    for (size_t i = 0; i < n; i++) {
        if (rep->inputs[i].same_as == i) {
            run->unique[rep->unique_count++] = i;
        }
    }
    return true;
}

/* ---- the child ---- */

static void child_limits(const struct vd_triage_options *opt)
{
    struct rlimit none = {0, 0};
    rlim_t cpu = (rlim_t)opt->timeout_s + 2;  /* whole seconds past the wall timeout */
    struct rlimit cpu_limit = {cpu, cpu + 1}; /* SIGXCPU at the soft limit, SIGKILL after */

    /* A crash leaves no core file anywhere: RLIMIT_CORE 0 stops the kernel writing one,
     * but a piped handler (systemd-coredump) ignores it; not being dumpable stops both. */
    (void)setrlimit(RLIMIT_CORE, &none);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    (void)setrlimit(RLIMIT_CPU, &cpu_limit);
#ifndef TRIAGE_ASAN
    if (opt->memory_limit != 0) {
        struct rlimit as = {(rlim_t)opt->memory_limit, (rlim_t)opt->memory_limit};
        (void)setrlimit(RLIMIT_AS, &as);
    }
#endif
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct error and fatal ids, sorted, one "id" line each. */
static void child_send_ids(int fd, const struct vd_findings *list)
{
    const char **ids = vd_calloc_array(list->count, sizeof(*ids));
    size_t n = 0;

    if (ids == NULL) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].severity == VD_SEV_ERROR || list->items[i].severity == VD_SEV_FATAL) {
            ids[n++] = vd_catalog_get(list->items[i].id)->id;
        }
    }
    qsort(ids, n, sizeof(*ids), compare_strings);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0) {
            dprintf(fd, "id %s\n", ids[i]);
        }
    }
    vd_free(ids);
}

static enum vd_triage_outcome child_outcome(const struct vd_image_result *r)
{
    if (r == NULL || r->status == VD_E_NOMEM || r->findings.nomem) {
        return VD_TRIAGE_OOM;
    }
    if (!r->recognized) {
        return VD_TRIAGE_UNRECOGNIZED;
    }
    return r->findings.by_severity[VD_SEV_ERROR] + r->findings.by_severity[VD_SEV_FATAL] != 0
               ? VD_TRIAGE_FINDINGS
               : VD_TRIAGE_CLEAN;
}

/*
 * The child: limits, the test hook, then the analysis. The format goes out as soon as the
 * probe named it, so an input that kills the child later still has its format.
 */
static void child_main(const struct vd_triage_options *opt, const char *path, int fd)
{
    const struct vd_format_driver *best = NULL;
    const struct vd_format_driver *runner_up = NULL;
    struct vd_source *src = NULL;
    struct vd_image_result *r = NULL;
    int err_no = 0;
    enum vd_status st;

    child_limits(opt);
    if (opt->child_hook != NULL) {
        opt->child_hook(path, opt->child_arg);
    }
    st = vd_source_open_file(path, &src, &err_no);
    if (st == VD_OK && vd_probe(src, &best, &runner_up) == VD_OK && best != NULL) {
        dprintf(fd, "format %s\n", best->name);
    }
    if (st == VD_OK) {
        r = vd_analyze_source(src, path, &opt->analyze);
        vd_source_close(src);
    }
    if (st != VD_OK && st != VD_E_NOMEM) {
        _exit(3); /* the parent read it a moment ago: reported as a crash with "exit 3" */
    }
    enum vd_triage_outcome outcome = child_outcome(r);
    dprintf(fd, "outcome %s\n", vd_triage_outcome_name(outcome));
    if (outcome == VD_TRIAGE_FINDINGS) {
        child_send_ids(fd, &r->findings);
    }
    dprintf(fd, "end\n");
    _exit(0);
}

/* ---- the parent: children, their answers ---- */

struct triage_child {
    pid_t pid;
    int fd;
    size_t slot; /* index into run->unique / run->answers */
    double deadline;
    char *message;
    size_t len;
    bool timed_out;
};

static double now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGABRT:
        return "SIGABRT";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    case SIGTRAP:
        return "SIGTRAP";
    case SIGSYS:
        return "SIGSYS";
    case SIGKILL:
        return "SIGKILL";
    case SIGTERM:
        return "SIGTERM";
    case SIGPIPE:
        return "SIGPIPE";
    default:
        return NULL;
    }
}

/* "SIG31" or "exit 3": what a child that ended unasked is known by. */
static char *ending_text(const char *prefix, int value)
{
    char text[32];

    snprintf(text, sizeof(text), "%s%d", prefix, value);
    return vd_strdup(text);
}

static bool add_id(struct triage_answer *a, const char *id)
{
    char **bigger = vd_realloc_array(a->ids, a->id_count + 1, sizeof(*bigger));

    if (bigger == NULL) {
        return false;
    }
    a->ids = bigger;
    a->ids[a->id_count] = vd_strdup(id);
    return a->ids[a->id_count++] != NULL;
}

/* Parses "format X", "outcome Y", "id Z"..., "end"; false when "end" never came. */
static bool parse_message(struct triage_answer *a, char *message, bool *nomem)
{
    bool ended = false;

    for (char *line = strtok(message, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "format ", 7) == 0 && a->format == NULL) {
            a->format = vd_strdup(line + 7);
            *nomem |= a->format == NULL;
        } else if (strncmp(line, "outcome ", 8) == 0) {
            for (int o = 0; o < VD_TRIAGE_OUTCOME_COUNT; o++) {
                if (strcmp(line + 8, vd_triage_outcome_name((enum vd_triage_outcome)o)) == 0) {
                    a->outcome = (enum vd_triage_outcome)o;
                }
            }
        } else if (strncmp(line, "id ", 3) == 0) {
            *nomem |= !add_id(a, line + 3);
        } else if (strcmp(line, "end") == 0) {
            ended = true;
        }
    }
    return ended;
}

/* How the child ended, and what it said, into its answer. */
static void settle_child(struct triage_run *run, struct triage_child *c, int status)
{
    struct triage_answer *a = &run->answers[c->slot];
    bool ended;

    c->message[c->len] = '\0';
    ended = parse_message(a, c->message, &run->nomem);
    if (c->timed_out || (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)) {
        a->outcome = VD_TRIAGE_TIMEOUT;
    } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        a->outcome = VD_TRIAGE_OOM; /* not ours: the kernel's out-of-memory killer */
    } else if (WIFSIGNALED(status)) {
        const char *name = signal_name(WTERMSIG(status));
        a->outcome = VD_TRIAGE_CRASH;
        a->signal = name != NULL ? vd_strdup(name) : ending_text("SIG", WTERMSIG(status));
        run->nomem |= a->signal == NULL;
    } else if (!ended || WEXITSTATUS(status) != 0) {
        /* A sanitizer report exits 1 without a signal; so does anything else unasked. */
        a->outcome = VD_TRIAGE_CRASH;
        a->signal = ending_text("exit ", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        run->nomem |= a->signal == NULL;
    }
    if (a->outcome != VD_TRIAGE_FINDINGS) { /* ids key only the findings outcome */
        vd_triage_ids_free(a->ids, a->id_count);
        a->ids = NULL;
        a->id_count = 0;
    }
}

static void finish_child(struct triage_run *run, struct triage_child *c)
{
    int status = 0;

    close(c->fd);
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
    }
    settle_child(run, c, status);
    vd_free(c->message);
    c->message = NULL;
    c->pid = 0;
}

static bool start_child(struct triage_run *run, struct triage_child *c, size_t slot,
                        const struct triage_child *running, size_t count)
{
    const char *path = run->report->inputs[run->unique[slot]].path;
    int fds[2];

    c->message = vd_malloc(TRIAGE_MESSAGE_MAX + 1);
    if (c->message == NULL) {
        run->nomem = true;
        return false;
    }
    if (pipe(fds) != 0) {
        vd_free(c->message);
        c->message = NULL;
        return false;
    }
    fflush(NULL); /* nothing buffered is written twice */
    c->pid = fork();
    if (c->pid == 0) {
        close(fds[0]);
        for (size_t i = 0; i < count; i++) {
            if (running[i].pid > 0) {
                close(running[i].fd);
            }
        }
        child_main(run->opt, path, fds[1]);
    }
    close(fds[1]);
    if (c->pid < 0) {
        close(fds[0]);
        vd_free(c->message);
        c->message = NULL;
        c->pid = 0;
        return false;
    }
    c->fd = fds[0];
    c->slot = slot;
    c->len = 0;
    c->timed_out = false;
    c->deadline = now_seconds() + run->opt->timeout_s;
    return true;
}

/* Reads what the child wrote; true at end of file. A message past the cap is cut. */
static bool read_child(struct triage_child *c)
{
    char discard[4096];
    bool room = c->len < TRIAGE_MESSAGE_MAX;
    ssize_t n = room ? read(c->fd, c->message + c->len, TRIAGE_MESSAGE_MAX - c->len)
                     : read(c->fd, discard, sizeof(discard));

    if (n > 0 && room) {
        c->len += (size_t)n;
    }
    return n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN);
}

/* Waits for output or the nearest deadline; settles the children that ended. */
static void poll_children(struct triage_run *run, struct triage_child *kids, size_t jobs,
                          size_t *settled)
{
    struct pollfd *pfd = run->pfd;
    size_t *idx = run->pfd_child;
    size_t n = 0;
    double nearest = 0;

    for (size_t i = 0; i < jobs; i++) {
        if (kids[i].pid > 0) {
            pfd[n] = (struct pollfd){.fd = kids[i].fd, .events = POLLIN};
            idx[n++] = i;
            nearest = n == 1 || kids[i].deadline < nearest ? kids[i].deadline : nearest;
        }
    }
    double wait = nearest - now_seconds();
    int ms = wait <= 0 ? 0 : wait > 1000.0 ? 1000000 : (int)(wait * 1000.0) + 1;
    if (poll(pfd, (nfds_t)n, ms) < 0 && errno != EINTR) {
        return;
    }
    for (size_t k = 0; k < n; k++) {
        struct triage_child *c = &kids[idx[k]];
        if ((pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && read_child(c)) {
            finish_child(run, c);
            ++*settled;
        } else if (now_seconds() >= c->deadline) {
            kill(c->pid, SIGKILL);
            c->timed_out = true;
            finish_child(run, c);
            ++*settled;
        }
    }
}

/* Every distinct input through a child, jobs at a time. False when no child could start. */
static bool run_children(struct triage_run *run)
{
    size_t jobs = run->opt->jobs == 0 ? 1 : run->opt->jobs;
    size_t total = run->report->unique_count;
    struct triage_child *kids = vd_calloc_array(jobs, sizeof(*kids));
    size_t next = 0;
    size_t settled = 0;
    bool ok = true;

    run->answers = vd_calloc_array(total, sizeof(*run->answers));
    run->answer_count = run->answers != NULL ? total : 0;
    run->pfd = vd_calloc_array(jobs, sizeof(*run->pfd));
    run->pfd_child = vd_calloc_array(jobs, sizeof(*run->pfd_child));
    if (kids == NULL || run->answers == NULL || run->pfd == NULL || run->pfd_child == NULL) {
        vd_free(kids);
        run->nomem = true;
        return false;
    }
    while (settled < total && !run->nomem) {
        size_t busy = 0;
        for (size_t i = 0; i < jobs; i++) {
            if (kids[i].pid == 0 && next < total && start_child(run, &kids[i], next, kids, jobs)) {
                next++;
            }
            busy += kids[i].pid > 0;
        }
        if (busy == 0) {
            ok = false; /* fork or pipe failed with nothing running to wait for */
            break;
        }
        size_t before = settled;
        poll_children(run, kids, jobs, &settled);
        if (settled != before && run->opt->progress != NULL) {
            run->opt->progress(run->opt->progress_arg, settled, total);
        }
    }
    for (size_t i = 0; i < jobs; i++) {
        if (kids[i].pid > 0) { /* stopped early: no child outlives the run */
            kill(kids[i].pid, SIGKILL);
            finish_child(run, &kids[i]);
        }
    }
    vd_free(kids);
    return ok && !run->nomem;
}

/* ---- buckets ---- */

/* "format/outcome[/detail]": the ids joined by ',', or the signal; "-" for no format. */
static char *answer_key(const struct triage_answer *a)
{
    size_t cap = 64 + (a->format != NULL ? strlen(a->format) : 0) +
                 (a->signal != NULL ? strlen(a->signal) : 0);
    char *key;
    size_t o;

    for (size_t i = 0; i < a->id_count; i++) {
        cap += strlen(a->ids[i]) + 1;
    }
    key = vd_malloc(cap);
    if (key == NULL) {
        return NULL;
    }
    o = (size_t)snprintf(key, cap, "%s/%s", a->format != NULL ? a->format : "-",
                         vd_triage_outcome_name(a->outcome));
    for (size_t i = 0; i < a->id_count; i++) {
        o += (size_t)snprintf(key + o, cap - o, "%s%s", i == 0 ? "/" : ",", a->ids[i]);
    }
    if (a->signal != NULL) {
        snprintf(key + o, cap - o, "/%s", a->signal);
    }
    return key;
}

static const struct triage_run *sort_run;

static int compare_by_key(const void *a, const void *b)
{
    size_t i = *(const size_t *)a;
    size_t j = *(const size_t *)b;
    int c = strcmp(sort_run->answers[i].key, sort_run->answers[j].key);

    return c != 0 ? c : (i > j) - (i < j);
}

static int compare_buckets(const void *a, const void *b)
{
    const struct vd_triage_bucket *x = a;
    const struct vd_triage_bucket *y = b;

    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return strcmp(x->key, y->key);
}

/* Moves the answer of the group's first member into the bucket (the key, format, ids). */
static void bucket_take(struct vd_triage_bucket *b, struct triage_answer *a)
{
    b->key = a->key;
    b->outcome = a->outcome;
    b->format = a->format;
    b->ids = a->ids;
    b->id_count = a->id_count;
    b->signal = a->signal;
    *a = (struct triage_answer){0};
}

static bool make_bucket(struct triage_run *run, struct vd_triage_bucket *b, const size_t *group,
                        size_t n)
{
    const struct vd_triage_input *inputs = run->report->inputs;

    b->members = vd_calloc_array(n, sizeof(*b->members));
    if (b->members == NULL) {
        return false;
    }
    bucket_take(b, &run->answers[group[0]]);
    b->count = n;
    b->representative = run->unique[group[0]];
    for (size_t k = 0; k < n; k++) {
        size_t input = run->unique[group[k]];
        b->members[k] = input; /* unique[] is in path order, and so is a group */
        if (inputs[input].size < inputs[b->representative].size) {
            b->representative = input;
        }
    }
    return true;
}

static bool make_buckets(struct triage_run *run)
{
    struct vd_triage_report *rep = run->report;
    size_t n = rep->unique_count;
    size_t *order = vd_calloc_array(n, sizeof(*order));

    rep->buckets = vd_calloc_array(n, sizeof(*rep->buckets));
    if (order == NULL || rep->buckets == NULL) {
        vd_free(order);
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        run->answers[k].key = answer_key(&run->answers[k]);
        if (run->answers[k].key == NULL) {
            vd_free(order);
            return false;
        }
        order[k] = k;
    }
    sort_run = run;
    qsort(order, n, sizeof(*order), compare_by_key);
    for (size_t start = 0, end; start < n; start = end) {
        for (end = start + 1;
             end < n && strcmp(run->answers[order[end]].key, run->answers[order[start]].key) == 0;
             end++) {
        }
        if (!make_bucket(run, &rep->buckets[rep->bucket_count++], order + start, end - start)) {
            vd_free(order);
            return false;
        }
    }
    vd_free(order);
    qsort(rep->buckets, rep->bucket_count, sizeof(*rep->buckets), compare_buckets);
    return true;
}

static void free_answers(struct triage_run *run)
{
    for (size_t k = 0; k < run->answer_count; k++) {
        struct triage_answer *a = &run->answers[k];
        vd_triage_ids_free(a->ids, a->id_count);
        vd_free(a->format);
        vd_free(a->signal);
        vd_free(a->key);
    }
    vd_free(run->answers);
}

enum vd_status vd_triage(const char *const *roots, size_t root_count,
                         const struct vd_triage_options *opt, struct vd_triage_report **out)
{
    struct triage_run run = {.opt = opt};
    enum vd_status st = VD_E_NOMEM;

    *out = NULL;
    run.report = vd_calloc_array(1, sizeof(*run.report));
    run.buffer = vd_malloc(TRIAGE_READ_CHUNK);
    if (run.report == NULL || run.buffer == NULL) {
        goto out;
    }
    run.report->timeout_s = opt->timeout_s;
    run.report->memory_limit = opt->memory_limit;
#ifndef TRIAGE_ASAN
    run.report->memory_enforced = opt->memory_limit != 0;
#endif
    if (!collect(&run, roots, root_count) || !find_duplicates(&run)) {
        goto out;
    }
    if (!run_children(&run)) {
        st = run.nomem ? VD_E_NOMEM : VD_E_IO;
        goto out;
    }
    if (!make_buckets(&run)) {
        goto out;
    }
    *out = run.report;
    run.report = NULL;
    st = VD_OK;
out:
    free_answers(&run);
    vd_free(run.pfd);
    vd_free(run.pfd_child);
    vd_free(run.unique);
    vd_free(run.buffer);
    vd_triage_report_free(run.report);
    return st;
}
