/* json_normalize: blanks the values of a JSON document that vary between runs, for golden tests.
 *
 * usage: json_normalize [--placeholder TEXT] [--select POINTER] [POINTER...] < IN > OUT
 *
 * IN holds one JSON value, or one value per line (NDJSON; blank lines are skipped). Every
 * value found at a POINTER is replaced by the string TEXT (default "<varies>"); its key stays,
 * so the shape of the document is still compared. A POINTER is an RFC 6901 JSON Pointer
 * ("/custody/started", "~1" for "/" and "~0" for "~" in a key) in which the token "*" stands
 * for every member of an object or every element of an array (the tokens "custody", "host",
 * "*" blank every host fact). A POINTER that names nothing is not an error: keys that are
 * absent stay absent.
 *
 * --select POINTER prints only the value at POINTER (no "*"), after the blanking; it is an
 * error when there is none.
 *
 * Each value is printed as vdcheck's JSON reporter prints one report (json-c, pretty, two
 * spaces, no escaped slashes) followed by a newline, keys in the order of the input, so a
 * golden file reads like a real report.
 *
 * Exit status: 0 done; 1 --select named nothing; 2 usage, unreadable or invalid JSON input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define NORMALIZE_MAX_DEPTH 128

/* One parsed pointer: tokens unescaped, NULL for the wildcard "*". */
struct pointer {
    char **tokens;
    size_t count;
};

static void usage(void)
{
    fputs("usage: json_normalize [--placeholder TEXT] [--select POINTER] [POINTER...] < IN\n",
          stderr);
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size != 0 ? size : 1);

    if (p == NULL) {
        fputs("json_normalize: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static void pointer_free(struct pointer *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->tokens[i]);
    }
    free(p->tokens);
    p->tokens = NULL;
    p->count = 0;
}

/* Splits TEXT into unescaped tokens; returns false (with a message) when it is malformed. */
static bool pointer_parse(const char *text, bool wildcards, struct pointer *out)
{
    size_t n = 0;
    const char *s;

    out->tokens = NULL;
    out->count = 0;
    if (text[0] == '\0') {
        return true; /* the whole document */
    }
    if (text[0] != '/') {
        fprintf(stderr, "json_normalize: %s: a pointer starts with '/'\n", text);
        return false;
    }
    for (s = text; *s != '\0'; s++) {
        n += *s == '/';
    }
    out->tokens = xmalloc(n * sizeof(*out->tokens));
    s = text + 1;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(s, "/");
        char *token = xmalloc(len + 1);
        size_t w = 0;

        for (size_t r = 0; r < len; r++) {
            if (s[r] != '~') {
                token[w++] = s[r];
            } else if (r + 1 < len && (s[r + 1] == '0' || s[r + 1] == '1')) {
                token[w++] = s[r + 1] == '0' ? '~' : '/';
                r++;
            } else {
                fprintf(stderr, "json_normalize: %s: '~' must be followed by 0 or 1\n", text);
                free(token);
                pointer_free(out);
                return false;
            }
        }
        token[w] = '\0';
        if (len == 1 && s[0] == '*') {
            free(token);
            if (!wildcards) {
                fprintf(stderr, "json_normalize: %s: no '*' in --select\n", text);
                pointer_free(out);
                return false;
            }
            token = NULL;
        }
        out->tokens[out->count++] = token;
        s += len + (s[len] == '/');
    }
    return true;
}

/* An array index token: decimal digits, no leading zero (RFC 6901). */
static bool array_index(const char *token, size_t length, size_t *index)
{
    size_t v = 0;

    if (token[0] == '\0' || (token[0] == '0' && token[1] != '\0')) {
        return false;
    }
    for (const char *c = token; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return false;
        }
        v = v * 10 + (size_t)(*c - '0');
        if (v >= length) {
            return false;
        }
    }
    *index = v;
    return true;
}

static json_object *placeholder_value(const char *placeholder)
{
    json_object *v = json_object_new_string(placeholder);

    if (v == NULL) {
        fputs("json_normalize: out of memory\n", stderr);
        exit(2);
    }
    return v;
}

/*
 * Blanks every value reached from OBJ by the tokens from I on. The values are replaced in
 * their container, so an object keeps its key order.
 */
static void blank(json_object *obj, const struct pointer *p, size_t i, const char *placeholder)
{
    const char *token = p->tokens[i];
    bool last = i + 1 == p->count;

    if (json_object_is_type(obj, json_type_object)) {
        json_object_object_foreach(obj, key, child)
        {
            if (token != NULL && strcmp(token, key) != 0) {
                continue;
            }
            if (last) {
                /* Replacing an existing key keeps its place and does not rehash. */
                json_object_object_add(obj, key, placeholder_value(placeholder));
            } else {
                blank(child, p, i + 1, placeholder);
            }
        }
    } else if (json_object_is_type(obj, json_type_array)) {
        size_t length = json_object_array_length(obj);
        size_t from = 0;
        size_t to = length;

        if (token != NULL) {
            if (!array_index(token, length, &from)) {
                return;
            }
            to = from + 1;
        }
        for (size_t k = from; k < to; k++) {
            if (last) {
                json_object_array_put_idx(obj, k, placeholder_value(placeholder));
            } else {
                blank(json_object_array_get_idx(obj, k), p, i + 1, placeholder);
            }
        }
    }
}

static json_object *select_value(json_object *obj, const struct pointer *p)
{
    for (size_t i = 0; i < p->count && obj != NULL; i++) {
        json_object *next = NULL;
        size_t k;

        if (json_object_is_type(obj, json_type_object)) {
            if (!json_object_object_get_ex(obj, p->tokens[i], &next)) {
                next = NULL;
            }
        } else if (json_object_is_type(obj, json_type_array) &&
                   array_index(p->tokens[i], json_object_array_length(obj), &k)) {
            next = json_object_array_get_idx(obj, k);
        }
        obj = next;
    }
    return obj;
}

/* The whole of standard input, NUL-terminated. */
static char *read_all(size_t *length)
{
    size_t cap = 65536;
    size_t len = 0;
    char *buf = xmalloc(cap);

    for (;;) {
        size_t got = fread(buf + len, 1, cap - len - 1, stdin);

        len += got;
        if (got == 0) {
            break;
        }
        if (cap - len - 1 == 0) {
            char *bigger;

            if (cap > SIZE_MAX / 2) {
                fputs("json_normalize: input too large\n", stderr);
                exit(2);
            }
            cap *= 2;
            bigger = realloc(buf, cap);
            if (bigger == NULL) {
                fputs("json_normalize: out of memory\n", stderr);
                exit(2);
            }
            buf = bigger;
        }
    }
    if (ferror(stdin)) {
        fprintf(stderr, "json_normalize: reading standard input: %s\n", strerror(errno));
        exit(2);
    }
    buf[len] = '\0';
    *length = len;
    return buf;
}

/* Parses TEXT[0..LEN) as exactly one strict JSON value; NULL when it is not one. */
static json_object *parse_one(json_tokener *tok, const char *text, size_t len)
{
    json_object *obj;
    size_t end;

    if (len > (size_t)INT32_MAX - 1 || memchr(text, '\0', len) != NULL) {
        return NULL;
    }
    json_tokener_reset(tok);
    /* The terminating NUL is passed too, so a bare number at the end is complete. */
    obj = json_tokener_parse_ex(tok, text, (int)len + 1);
    if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(obj);
        return NULL;
    }
    end = json_tokener_get_parse_end(tok);
    while (end < len && strchr(" \t\r\n", text[end]) != NULL) {
        end++;
    }
    if (end < len) {
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

static bool blank_only(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (strchr(" \t\r\n", s[i]) == NULL) {
            return false;
        }
    }
    return true;
}

struct job {
    struct pointer *pointers;
    size_t count;
    const char *placeholder;
    bool selecting;
    struct pointer select;
};

/* Normalizes and prints one value; returns the exit status it calls for. */
static int emit(const struct job *job, json_object *obj)
{
    const int flags =
        JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
    json_object *out = obj;
    const char *text;

    for (size_t i = 0; i < job->count; i++) {
        blank(obj, &job->pointers[i], 0, job->placeholder);
    }
    if (job->selecting) {
        out = select_value(obj, &job->select);
        if (out == NULL) {
            fputs("json_normalize: --select names no value\n", stderr);
            return 1;
        }
    }
    text = json_object_to_json_string_ext(out, flags);
    if (text == NULL || printf("%s\n", text) < 0) {
        fputs("json_normalize: cannot write the output\n", stderr);
        return 2;
    }
    return 0;
}

static int run(const struct job *job)
{
    size_t len;
    char *input = read_all(&len);
    json_tokener *tok = json_tokener_new_ex(NORMALIZE_MAX_DEPTH);
    json_object *whole;
    int status = 0;

    if (tok == NULL) {
        fputs("json_normalize: out of memory\n", stderr);
        free(input);
        return 2;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    whole = blank_only(input, len) ? NULL : parse_one(tok, input, len);
    if (whole != NULL) {
        status = emit(job, whole);
        json_object_put(whole);
    } else {
        /* NDJSON: one value per line. */
        size_t line = 0;
        size_t values = 0;

        for (size_t at = 0; at < len && status == 0;) {
            size_t n = strcspn(input + at, "\n");
            json_object *obj;

            line++;
            if (!blank_only(input + at, n)) {
                obj = parse_one(tok, input + at, n);
                if (obj == NULL) {
                    fprintf(stderr, "json_normalize: line %zu: not a JSON value\n", line);
                    status = 2;
                    break;
                }
                values++;
                status = emit(job, obj);
                json_object_put(obj);
            }
            at += n + (at + n < len);
        }
        if (status == 0 && values == 0) {
            fputs("json_normalize: no JSON value on standard input\n", stderr);
            status = 2;
        }
    }
    json_tokener_free(tok);
    free(input);
    return status;
}

int main(int argc, char **argv)
{
    struct job job = {.placeholder = "<varies>"};
    int status = 2;
    int i = 1;

    job.pointers = xmalloc((size_t)argc * sizeof(*job.pointers));
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--placeholder") == 0 && i + 1 < argc) {
            job.placeholder = argv[++i];
        } else if (strcmp(argv[i], "--select") == 0 && i + 1 < argc && !job.selecting) {
            if (!pointer_parse(argv[++i], false, &job.select)) {
                goto done;
            }
            job.selecting = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            usage();
            goto done;
        } else {
            break;
        }
    }
    for (; i < argc; i++) {
        if (!pointer_parse(argv[i], true, &job.pointers[job.count])) {
            goto done;
        }
        job.count++;
        if (job.pointers[job.count - 1].count == 0) {
            fputs("json_normalize: the empty pointer would blank the whole document\n", stderr);
            goto done;
        }
    }
    status = run(&job);
done:
    for (size_t k = 0; k < job.count; k++) {
        pointer_free(&job.pointers[k]);
    }
    free(job.pointers);
    if (job.selecting) {
        pointer_free(&job.select);
    }
    return status;
}
