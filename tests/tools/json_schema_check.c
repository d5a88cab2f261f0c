/* json_schema_check: a small, strict JSON Schema validator for the test suite.
 *
 * usage: json_schema_check SCHEMA.json DOC.json...
 *
 * Each DOC holds one JSON value, or one value per line (NDJSON; blank lines are skipped): a
 * file that parses as a single value is one value, otherwise it is read line by line. Every
 * value is validated against SCHEMA and every violation is printed on stdout as
 *
 *   DOC:LINE: /instance/pointer: what is wrong (schema path /keyword/path)
 *
 * LINE is the NDJSON line, or the line where a single value starts; "(root)" stands for the
 * empty pointer. Exit 0: everything validates; 1: violations; 2: a file could not be read or
 * parsed, or the schema is malformed or uses something this tool does not implement.
 *
 * Supported (draft 2020-12 subset): type, enum, const, properties, required,
 * additionalProperties, patternProperties, propertyNames, items (a schema), minItems, maxItems,
 * uniqueItems, minLength, maxLength (code points), pattern, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, allOf, anyOf, oneOf, not, if/then/else, $ref ("#" and "#/$defs/NAME"),
 * $defs, and the annotations $schema (must name draft 2020-12), $id (root only), title,
 * description, $comment, examples, default. Any other keyword is an error, never ignored.
 *
 * Strictness beyond json-c: the input must be RFC 8259 JSON (no single quotes, NaN, comments,
 * raw control characters, invalid UTF-8 or lone surrogates), integers must fit in int64 or
 * uint64 (json-c would silently saturate them), and duplicate object keys are an error.
 * Patterns are POSIX EREs (regcomp, REG_EXTENDED | REG_NOSUB, unanchored search, LC_CTYPE
 * C.UTF-8 when available); ECMA-262 escapes such as \d or \w, which POSIX reads differently,
 * are refused rather than silently misread.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_JSON_DEPTH 128 /* nesting of arrays and objects in any input */
#define MAX_EVAL_DEPTH 512 /* nested subschema evaluations: a backstop against runaway $ref */
#define MAX_SHOWN      80  /* bytes of a value quoted in a message */

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---------------------------------------------------------------- growable strings */

struct buf {
    char *p;
    size_t len, cap;
};

static void out_of_memory(void)
{
    fputs("json_schema_check: out of memory\n", stderr);
    exit(2);
}

static void buf_reserve(struct buf *b, size_t extra)
{
    if (b->cap - b->len > extra && b->p)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len <= extra)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        out_of_memory();
    b->p = p;
    b->cap = cap;
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_vprintf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

static void buf_trunc(struct buf *b, size_t len)
{
    buf_reserve(b, 0);
    b->len = len;
    b->p[len] = '\0';
}

static const char *buf_str(struct buf *b)
{
    buf_reserve(b, 0);
    return b->p;
}

/* Appends "/" and KEY escaped as a JSON Pointer token; returns the length to restore. */
static size_t ptr_push_key(struct buf *b, const char *key)
{
    size_t old = b->len;
    buf_add(b, "/", 1);
    for (const char *k = key; *k; k++) {
        if (*k == '~')
            buf_add(b, "~0", 2);
        else if (*k == '/')
            buf_add(b, "~1", 2);
        else
            buf_add(b, k, 1);
    }
    return old;
}

static size_t ptr_push_index(struct buf *b, size_t i)
{
    size_t old = b->len;
    buf_printf(b, "/%zu", i);
    return old;
}

/* Appends S as a JSON string literal, cut after about MAX_SHOWN bytes. */
static void buf_add_quoted(struct buf *b, const char *s, size_t n)
{
    size_t shown = n;
    if (shown > MAX_SHOWN) {
        shown = MAX_SHOWN;
        while (shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
            shown--; /* do not cut a UTF-8 sequence */
    }
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            buf_add(b, "\\", 1);
            buf_add(b, s + i, 1);
        } else if (ch < 0x20 || ch == 0x7F) {
            buf_printf(b, "\\u%04x", ch);
        } else {
            buf_add(b, s + i, 1);
        }
    }
    buf_add(b, "\"", 1);
    if (shown < n)
        buf_puts(b, "...");
}

/* Renders V as compact JSON, cut after about MAX_SHOWN bytes, into B (cleared first). */
static const char *show(struct buf *b, struct json_object *v)
{
    buf_trunc(b, 0);
    if (json_object_is_type(v, json_type_string)) {
        buf_add_quoted(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return buf_str(b);
    }
    const char *text =
        json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = strlen(text);
    if (n <= MAX_SHOWN) {
        buf_add(b, text, n);
    } else {
        size_t cut = MAX_SHOWN;
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut--;
        buf_add(b, text, cut);
        buf_puts(b, "...");
    }
    return buf_str(b);
}

/* Writes S with control characters escaped, so one message is always one line. */
static void put_line(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            fprintf(f, "\\u%04x", *p);
        else
            putc(*p, f);
    }
    putc('\n', f);
}

/* ---------------------------------------------------------------- strict JSON syntax */

/* json-c accepts more than RFC 8259 even in strict mode, saturates out-of-range integers and
 * keeps the last of duplicate keys; this scanner checks the text first. */
struct scan {
    const char *p, *end;
    unsigned depth;
    unsigned long members; /* object members, to detect duplicate keys after json-c */
    const char *err, *at;
};

static bool sc_fail(struct scan *s, const char *msg)
{
    if (!s->err) {
        s->err = msg;
        s->at = s->p;
    }
    return false;
}

static void sc_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Length of the valid UTF-8 sequence at P (a non-ASCII lead byte), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned lead = p[0], cp, min;
    size_t n;
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2, cp = lead & 0x1Fu, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3, cp = lead & 0x0Fu, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4, cp = lead & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static bool sc_hex4(struct scan *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        if (s->p >= s->end)
            return sc_fail(s, "truncated \\u escape");
        char ch = *s->p;
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else
            return sc_fail(s, "invalid \\u escape");
        v = v * 16 + d;
        s->p++;
    }
    *out = v;
    return true;
}

static bool sc_string(struct scan *s, bool key)
{
    s->p++; /* the opening quote */
    for (;;) {
        if (s->p >= s->end)
            return sc_fail(s, "unterminated string");
        unsigned char ch = (unsigned char)*s->p;
        if (ch == '"') {
            s->p++;
            return true;
        }
        if (ch < 0x20)
            return sc_fail(s, "raw control character in a string");
        if (ch >= 0x80) {
            size_t n = utf8_seq((const unsigned char *)s->p, (const unsigned char *)s->end);
            if (!n)
                return sc_fail(s, "invalid UTF-8");
            s->p += n;
            continue;
        }
        s->p++;
        if (ch != '\\')
            continue;
        if (s->p >= s->end)
            return sc_fail(s, "unterminated string");
        char e = *s->p;
        if (e && strchr("\"\\/bfnrt", e)) {
            s->p++;
            continue;
        }
        if (e != 'u')
            return sc_fail(s, "invalid escape in a string");
        s->p++;
        unsigned cp;
        if (!sc_hex4(s, &cp))
            return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return sc_fail(s, "unpaired low surrogate escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low;
            if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                return sc_fail(s, "unpaired high surrogate escape");
            s->p += 2;
            if (!sc_hex4(s, &low))
                return false;
            if (low < 0xDC00 || low > 0xDFFF)
                return sc_fail(s, "unpaired high surrogate escape");
        }
        if (cp == 0 && key)
            return sc_fail(s, "\\u0000 in an object key is not supported");
    }
}

static bool is_digit(const struct scan *s)
{
    return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static bool sc_number(struct scan *s)
{
    const char *start = s->p;
    bool neg = false, integer = true;
    if (*s->p == '-') {
        neg = true;
        s->p++;
    }
    if (!is_digit(s))
        return sc_fail(s, "invalid number");
    if (*s->p == '0') {
        s->p++;
    } else {
        while (is_digit(s))
            s->p++;
    }
    const char *digits_end = s->p;
    if (s->p < s->end && *s->p == '.') {
        integer = false;
        s->p++;
        if (!is_digit(s))
            return sc_fail(s, "invalid number");
        while (is_digit(s))
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        integer = false;
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!is_digit(s))
            return sc_fail(s, "invalid number");
        while (is_digit(s))
            s->p++;
    }
    if (integer) {
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : UINT64_MAX, v = 0;
        for (const char *d = start + (neg ? 1 : 0); d < digits_end; d++) {
            unsigned digit = (unsigned)(*d - '0');
            if (v > (limit - digit) / 10) {
                s->p = start;
                return sc_fail(s, "integer outside the int64/uint64 range json-c can hold");
            }
            v = v * 10 + digit;
        }
        return true;
    }
    /* The input ends in a NUL (see read_file) and a valid number token is the longest prefix
     * strtod accepts, so strtod stops where the scanner did. */
    char *stop;
    errno = 0;
    double d = strtod(start, &stop);
    if (stop != s->p || (errno == ERANGE && (d > 1.0 || d < -1.0))) {
        s->p = start;
        return sc_fail(s, "number outside the range of a double");
    }
    return true;
}

static bool sc_word(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return sc_fail(s, "unexpected character");
    s->p += n;
    return true;
}

static bool sc_value(struct scan *s);

static bool sc_array(struct scan *s)
{
    if (++s->depth > MAX_JSON_DEPTH)
        return sc_fail(s, "arrays and objects nested too deep");
    s->p++;
    sc_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        if (!sc_value(s))
            return false;
        sc_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            sc_ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == ']') {
            s->p++;
            s->depth--;
            return true;
        }
        return sc_fail(s, "expected ',' or ']'");
    }
}

static bool sc_object(struct scan *s)
{
    if (++s->depth > MAX_JSON_DEPTH)
        return sc_fail(s, "arrays and objects nested too deep");
    s->p++;
    sc_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        if (s->p >= s->end || *s->p != '"')
            return sc_fail(s, "expected a string key");
        if (!sc_string(s, true))
            return false;
        sc_ws(s);
        if (s->p >= s->end || *s->p != ':')
            return sc_fail(s, "expected ':'");
        s->p++;
        sc_ws(s);
        if (!sc_value(s))
            return false;
        s->members++;
        sc_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            sc_ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            s->depth--;
            return true;
        }
        return sc_fail(s, "expected ',' or '}'");
    }
}

static bool sc_value(struct scan *s)
{
    if (s->p >= s->end)
        return sc_fail(s, "unexpected end of input");
    switch (*s->p) {
    case '{':
        return sc_object(s);
    case '[':
        return sc_array(s);
    case '"':
        return sc_string(s, false);
    case 't':
        return sc_word(s, "true");
    case 'f':
        return sc_word(s, "false");
    case 'n':
        return sc_word(s, "null");
    default:
        if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
            return sc_number(s);
        return sc_fail(s, "unexpected character");
    }
}

static unsigned long count_members(struct json_object *v)
{
    unsigned long n = 0;
    if (json_object_is_type(v, json_type_array)) {
        size_t len = json_object_array_length(v);
        for (size_t i = 0; i < len; i++)
            n += count_members(json_object_array_get_idx(v, i));
    } else if (json_object_is_type(v, json_type_object)) {
        struct json_object_iterator it = json_object_iter_begin(v);
        struct json_object_iterator end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            n += 1 + count_members(json_object_iter_peek_value(&it));
        }
    }
    return n;
}

/* Parses exactly one JSON value (with surrounding whitespace) from P[0..N) into *OUT (NULL
 * is json-c's null). On failure returns false with *MSG set and *AT at the offending byte. */
static bool parse_one(const char *p, size_t n, struct json_object **out, const char **msg,
                      const char **at)
{
    struct scan s = {.p = p, .end = p + n};
    sc_ws(&s);
    if (s.p == s.end) {
        sc_fail(&s, "no JSON value");
    } else if (sc_value(&s)) {
        sc_ws(&s);
        if (s.p != s.end)
            sc_fail(&s, "unexpected data after the JSON value");
    }
    *out = NULL;
    if (s.err) {
        *msg = s.err;
        *at = s.at;
        return false;
    }
    *at = p;
    if (n > INT_MAX) {
        *msg = "input too large";
        return false;
    }
    struct json_tokener *tok = json_tokener_new_ex(2 * MAX_JSON_DEPTH);
    if (!tok)
        out_of_memory();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    struct json_object *v = json_tokener_parse_ex(tok, p, (int)n);
    if (!v && json_tokener_get_error(tok) == json_tokener_continue)
        v = json_tokener_parse_ex(tok, "", 1); /* end of input ends a trailing number */
    bool ok = json_tokener_get_error(tok) == json_tokener_success;
    if (!ok)
        *msg = json_tokener_error_desc(json_tokener_get_error(tok));
    else if (count_members(v) != s.members)
        *msg = "duplicate key in an object", ok = false;
    json_tokener_free(tok);
    if (ok)
        *out = v;
    else
        json_object_put(v);
    return ok;
}

static unsigned long line_of(const char *text, const char *at)
{
    unsigned long line = 1;
    for (const char *q = text; q < at; q++)
        line += *q == '\n';
    return line;
}

static char *read_file(const char *path, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return NULL;
    }
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    if (ferror(f)) {
        *why = strerror(errno ? errno : EIO);
        fclose(f);
        free(b.p);
        return NULL;
    }
    fclose(f);
    buf_reserve(&b, 0);
    b.p[b.len] = '\0';
    *len = b.len;
    return b.p;
}

struct value {
    struct json_object *v;
    unsigned long line;
};

struct values {
    struct value *at;
    size_t n, cap;
};

static void values_add(struct values *vs, struct json_object *v, unsigned long line)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? vs->cap * 2 : 16;
        struct value *at = realloc(vs->at, cap * sizeof *at);
        if (!at)
            out_of_memory();
        vs->at = at;
        vs->cap = cap;
    }
    vs->at[vs->n].v = v;
    vs->at[vs->n].line = line;
    vs->n++;
}

static void values_clear(struct values *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        json_object_put(vs->at[i].v);
    vs->n = 0;
}

static bool blank(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return false;
    return true;
}

/* Loads PATH as one value or, failing that, as NDJSON (only if ALLOW_LINES). */
static bool load(const char *path, bool allow_lines, struct values *out)
{
    size_t len;
    const char *why, *msg, *at;
    char *text = read_file(path, &len, &why);
    if (!text) {
        fprintf(stderr, "%s: cannot read: %s\n", path, why);
        return false;
    }
    bool ok = true;
    struct json_object *v;
    if (parse_one(text, len, &v, &msg, &at)) {
        const char *first = text;
        while (first < text + len && blank(first, first + 1))
            first++;
        values_add(out, v, line_of(text, first));
    } else if (!allow_lines || len == 0) {
        fprintf(stderr, "%s:%lu: invalid JSON: %s\n", path, line_of(text, at), msg);
        ok = false;
    } else {
        /* NDJSON: every non-blank line is one value. Report the line error if some earlier
         * line parsed (the file looks like NDJSON), else the whole-document error. */
        size_t before = out->n;
        unsigned long line = 1;
        const char *lmsg = NULL, *lat;
        for (const char *p = text; p < text + len; line++) {
            const char *nl = memchr(p, '\n', (size_t)(text + len - p));
            const char *end = nl ? nl : text + len;
            if (!blank(p, end)) {
                struct json_object *lv;
                if (!parse_one(p, (size_t)(end - p), &lv, &lmsg, &lat))
                    break;
                values_add(out, lv, line);
            }
            p = nl ? nl + 1 : end;
        }
        if (lmsg && out->n > before) {
            fprintf(stderr, "%s:%lu: invalid NDJSON line: %s\n", path, line, lmsg);
            ok = false;
        } else if (lmsg || out->n == before) {
            fprintf(stderr, "%s:%lu: invalid JSON: %s\n", path, line_of(text, at), msg);
            ok = false;
        }
        if (!ok) {
            for (size_t i = before; i < out->n; i++)
                json_object_put(out->at[i].v);
            out->n = before;
        }
    }
    free(text);
    return ok;
}

/* ---------------------------------------------------------------- numbers and equality */

/* An exact view of a json-c number: integers as sign and magnitude (json-c holds int64 and,
 * above INT64_MAX, uint64), doubles as they are. */
struct num {
    bool integer, neg;
    uint64_t mag;
    double d;
};

static struct num num_of(struct json_object *v)
{
    struct num n = {0};
    if (json_object_is_type(v, json_type_int)) {
        int64_t i = json_object_get_int64(v);
        n.integer = true;
        if (i < 0) {
            n.neg = true;
            n.mag = (uint64_t)(-(i + 1)) + 1;
        } else {
            n.mag = json_object_get_uint64(v); /* exact also above INT64_MAX */
        }
    } else {
        n.d = json_object_get_double(v);
    }
    return n;
}

static int cmp_int(bool aneg, uint64_t amag, bool bneg, uint64_t bmag)
{
    if (aneg != bneg)
        return aneg ? -1 : 1;
    if (amag == bmag)
        return 0;
    return ((amag < bmag) != aneg) ? -1 : 1;
}

/* Sign of (integer A) - D, exactly. */
static int cmp_int_double(bool neg, uint64_t mag, double d)
{
    if (d >= 18446744073709551616.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    bool tneg = false;
    uint64_t tmag;
    if (d >= 0) {
        tmag = (uint64_t)d; /* truncates toward zero; in range */
    } else {
        int64_t t = (int64_t)d;
        tneg = t < 0;
        tmag = tneg ? (uint64_t)(-(t + 1)) + 1 : 0;
    }
    int r = cmp_int(neg, mag, tneg, tmag);
    if (r)
        return r;
    /* A equals trunc(D); the fraction decides. (double)tmag is exact whenever D has one. */
    double td = tneg ? -(double)tmag : (double)tmag;
    return d > td ? -1 : d < td ? 1 : 0;
}

static int num_cmp(struct num a, struct num b)
{
    if (a.integer && b.integer)
        return cmp_int(a.neg, a.mag, b.neg, b.mag);
    if (a.integer)
        return cmp_int_double(a.neg, a.mag, b.d);
    if (b.integer)
        return -cmp_int_double(b.neg, b.mag, a.d);
    return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
}

static bool is_number(struct json_object *v)
{
    return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

static bool is_integral(struct json_object *v)
{
    if (json_object_is_type(v, json_type_int))
        return true;
    if (!json_object_is_type(v, json_type_double))
        return false;
    double d = json_object_get_double(v);
    if (d >= 9223372036854775808.0 || d <= -9223372036854775808.0)
        return d == d; /* every double this large is an integer */
    return (double)(int64_t)d == d;
}

/* A non-negative integer schema value (a count), saturated to UINT64_MAX. */
static bool count_of(struct json_object *v, uint64_t *out)
{
    if (!is_number(v) || !is_integral(v))
        return false;
    struct num n = num_of(v);
    if (n.integer) {
        if (n.neg)
            return false;
        *out = n.mag;
        return true;
    }
    if (n.d < 0)
        return false;
    *out = n.d >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)n.d;
    return true;
}

/* JSON Schema equality: numbers by value (1 == 1.0), objects regardless of key order. */
static bool json_equal(struct json_object *a, struct json_object *b)
{
    if (is_number(a) && is_number(b))
        return num_cmp(num_of(a), num_of(b)) == 0;
    enum json_type t = json_object_get_type(a);
    if (t != json_object_get_type(b))
        return false;
    switch (t) {
    case json_type_null:
        return true;
    case json_type_boolean:
        return !json_object_get_boolean(a) == !json_object_get_boolean(b);
    case json_type_string: {
        int n = json_object_get_string_len(a);
        return n == json_object_get_string_len(b) &&
               memcmp(json_object_get_string(a), json_object_get_string(b), (size_t)n) == 0;
    }
    case json_type_array: {
        size_t n = json_object_array_length(a);
        if (n != json_object_array_length(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!json_equal(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
                return false;
        return true;
    }
    case json_type_object: {
        if (json_object_object_length(a) != json_object_object_length(b))
            return false;
        struct json_object_iterator it = json_object_iter_begin(a);
        struct json_object_iterator end = json_object_iter_end(a);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            struct json_object *other;
            if (!json_object_object_get_ex(b, json_object_iter_peek_name(&it), &other) ||
                !json_equal(json_object_iter_peek_value(&it), other))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

static const char *type_name(struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_int:
        return "integer";
    case json_type_double:
        return "number";
    case json_type_string:
        return "string";
    case json_type_array:
        return "array";
    case json_type_object:
        return "object";
    }
    return "?";
}

static bool type_known(const char *name)
{
    static const char *const names[] = {"null",   "boolean", "object", "array",
                                        "number", "string",  "integer"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static bool type_matches(const char *name, struct json_object *v)
{
    if (strcmp(name, "integer") == 0)
        return is_integral(v);
    if (strcmp(name, "number") == 0)
        return is_number(v);
    return strcmp(name, type_name(v)) == 0;
}

/* Code points in a valid UTF-8 string. */
static uint64_t code_points(const char *s, size_t n)
{
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* ---------------------------------------------------------------- context */

struct regex_entry {
    const char *pattern; /* owned by the schema; entries are found by this pointer */
    regex_t re;
};

/* A $ref being evaluated. Along one evaluation chain the instance pointer only grows, so
 * its length identifies the instance (json-c's nulls are all NULL and cannot be told apart). */
struct ref_frame {
    struct json_object *schema;
    size_t instance;
};

struct ctx {
    struct json_object *root;
    const char *schema_file;
    struct regex_entry *rx;
    size_t rx_n, rx_cap;
    unsigned schema_errors;

    const char *doc;
    unsigned long line;
    struct buf ipath, spath, msg, v1, v2, subject;
    unsigned quiet; /* > 0 inside not, anyOf, oneOf, if: collect no messages */
    unsigned depth;
    struct ref_frame refs[MAX_EVAL_DEPTH];
    unsigned nrefs;
    unsigned long violations;
    bool fatal;
};

static void schema_error(struct ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void schema_error(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    buf_trunc(&c->msg, 0);
    buf_printf(&c->msg, "%s: %s: ", c->schema_file, c->spath.len ? buf_str(&c->spath) : "(root)");
    va_start(ap, fmt);
    buf_vprintf(&c->msg, fmt, ap);
    va_end(ap);
    put_line(stderr, buf_str(&c->msg));
    c->schema_errors++;
}

/* A violation at the current instance pointer and schema path. */
static void report(struct ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void report(struct ctx *c, const char *fmt, ...)
{
    if (c->quiet)
        return;
    va_list ap;
    buf_trunc(&c->msg, 0);
    buf_printf(&c->msg, "%s:%lu: %s: %s", c->doc, c->line,
               c->ipath.len ? buf_str(&c->ipath) : "(root)", buf_str(&c->subject));
    va_start(ap, fmt);
    buf_vprintf(&c->msg, fmt, ap);
    va_end(ap);
    buf_printf(&c->msg, " (schema path %s)", c->spath.len ? buf_str(&c->spath) : "(root)");
    put_line(stdout, buf_str(&c->msg));
    c->violations++;
}

/* The tool cannot go on with this value (exit 2). */
static void fatal(struct ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void fatal(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    buf_trunc(&c->msg, 0);
    buf_printf(&c->msg, "%s:%lu: %s: ", c->doc, c->line,
               c->ipath.len ? buf_str(&c->ipath) : "(root)");
    va_start(ap, fmt);
    buf_vprintf(&c->msg, fmt, ap);
    va_end(ap);
    buf_printf(&c->msg, " (schema path %s)", c->spath.len ? buf_str(&c->spath) : "(root)");
    put_line(stderr, buf_str(&c->msg));
    c->fatal = true;
}

/* ---------------------------------------------------------------- regular expressions */

/* POSIX ERE and ECMA-262 read some escapes differently (\d is "d" in POSIX; "[\d]" is a
 * backslash or "d"). Refuse what would be silently misread; describe the problem in WHY. */
static bool ere_portable(const char *pat, struct buf *why)
{
    bool bracket = false;
    for (const char *q = pat; *q; q++) {
        if (bracket) {
            if (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
                char delim = q[1];
                const char *e = q + 2;
                while (*e && !(e[0] == delim && e[1] == ']'))
                    e++;
                if (!*e) {
                    buf_printf(why, "unterminated [%c in a bracket expression", delim);
                    return false;
                }
                q = e + 1;
            } else if (*q == '\\') {
                buf_puts(why, "a backslash in a bracket expression is literal in POSIX ERE "
                              "(write [0-9], [[:space:]], ... instead of ECMA-262 escapes)");
                return false;
            } else if (*q == ']') {
                bracket = false;
            }
            continue;
        }
        if (*q == '[') {
            bracket = true;
            if (q[1] == '^')
                q++;
            if (q[1] == ']')
                q++;
        } else if (*q == '\\') {
            if (!q[1] || !strchr("^.[]$()|*+?{}\\/-", q[1])) {
                buf_printf(why,
                           "escape \\%c is not portable POSIX ERE (ECMA-262 \\d, \\w, "
                           "\\s, ... are not supported; use bracket expressions)",
                           q[1] ? q[1] : ' ');
                return false;
            }
            q++;
        }
    }
    return true;
}

static regex_t *regex_find(struct ctx *c, const char *pattern)
{
    for (size_t i = 0; i < c->rx_n; i++)
        if (c->rx[i].pattern == pattern)
            return &c->rx[i].re;
    return NULL;
}

/* Compiles PATTERN (a string owned by the schema) once; reports a schema error on failure. */
static bool regex_add(struct ctx *c, const char *pattern)
{
    if (regex_find(c, pattern))
        return true;
    struct buf why = {0}, quoted = {0};
    buf_add_quoted(&quoted, pattern, strlen(pattern));
    bool portable = ere_portable(pattern, &why);
    if (!portable)
        schema_error(c, "pattern %s: %s", buf_str(&quoted), buf_str(&why));
    free(why.p);
    if (!portable) {
        free(quoted.p);
        return false;
    }
    if (c->rx_n == c->rx_cap) {
        size_t cap = c->rx_cap ? c->rx_cap * 2 : 16;
        struct regex_entry *rx = realloc(c->rx, cap * sizeof *rx);
        if (!rx)
            out_of_memory();
        c->rx = rx;
        c->rx_cap = cap;
    }
    struct regex_entry *e = &c->rx[c->rx_n];
    int rc = regcomp(&e->re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char text[256];
        regerror(rc, &e->re, text, sizeof text); /* a failed regcomp holds nothing to free */
        schema_error(c, "pattern %s is not a valid POSIX ERE: %s", buf_str(&quoted), text);
        free(quoted.p);
        return false;
    }
    free(quoted.p);
    e->pattern = pattern;
    c->rx_n++;
    return true;
}

/* Unanchored search of PATTERN in S[0..N); false with c->fatal set if it cannot be done. */
static bool regex_search(struct ctx *c, const char *pattern, const char *s, size_t n, bool *hit)
{
    regex_t *re = regex_find(c, pattern);
    if (!re) {
        fatal(c, "internal error: pattern %s was not compiled", pattern);
        return false;
    }
    if (strlen(s) != n) {
        fatal(c, "cannot match pattern %s: the string contains U+0000", pattern);
        return false;
    }
    *hit = regexec(re, s, 0, NULL, 0) == 0;
    return true;
}

/* ---------------------------------------------------------------- $ref */

#define DRAFT_2020_12 "https://json-schema.org/draft/2020-12/schema"

/* Resolves "#" or "#/$defs/NAME" against the root schema; NULL with WHY set otherwise. */
static struct json_object *resolve_ref(struct ctx *c, const char *ref, const char **why)
{
    if (strcmp(ref, "#") == 0)
        return c->root;
    static const char prefix[] = "#/$defs/";
    if (strncmp(ref, prefix, sizeof prefix - 1) != 0) {
        *why = "only \"#\" and \"#/$defs/NAME\" references are supported";
        return NULL;
    }
    const char *token = ref + sizeof prefix - 1;
    struct buf name = {0};
    buf_trunc(&name, 0);
    for (const char *q = token; *q; q++) {
        if (*q == '/' || *q == '%' || (*q == '~' && q[1] != '0' && q[1] != '1')) {
            *why = *q == '%'   ? "percent-encoded references are not supported"
                   : *q == '/' ? "only \"#/$defs/NAME\" references are supported"
                               : "invalid ~ escape in the reference";
            free(name.p);
            return NULL;
        }
        if (*q == '~') {
            buf_add(&name, q[1] == '0' ? "~" : "/", 1);
            q++;
        } else {
            buf_add(&name, q, 1);
        }
    }
    struct json_object *defs, *target = NULL;
    if (!*token)
        *why = "empty $defs name";
    else if (!json_object_is_type(c->root, json_type_object) ||
             !json_object_object_get_ex(c->root, "$defs", &defs) ||
             !json_object_is_type(defs, json_type_object))
        *why = "the root schema has no $defs";
    else if (!json_object_object_get_ex(defs, buf_str(&name), &target))
        *why = "no such name in the root $defs";
    free(name.p);
    return target;
}

/* ---------------------------------------------------------------- schema checking */

enum kind {
    K_SCHEMA_URI, /* $schema */
    K_ID,         /* $id */
    K_STRING,     /* title, description, $comment */
    K_ARRAY,      /* examples */
    K_ANY,        /* default, const */
    K_SCHEMA,     /* one subschema */
    K_SCHEMA_MAP, /* properties, $defs */
    K_PATTERN_MAP,
    K_SCHEMA_LIST, /* allOf, anyOf, oneOf */
    K_TYPE,
    K_ENUM,
    K_REQUIRED,
    K_COUNT,
    K_BOOL,
    K_PATTERN,
    K_NUMBER,
    K_REF,
    K_THEN_ELSE,
};

typedef bool (*keyword_fn)(struct ctx *c, struct json_object *schema, struct json_object *value,
                           struct json_object *inst);

struct keyword {
    const char *name;
    enum kind kind;
    keyword_fn eval; /* NULL: no assertion of its own */
};

static const struct keyword *keyword_find(const char *name);

static bool check_schema(struct ctx *c, struct json_object *s, bool root);

static void check_sub(struct ctx *c, struct json_object *s, const char *key, size_t index,
                      bool by_key)
{
    size_t mark = by_key ? ptr_push_key(&c->spath, key) : ptr_push_index(&c->spath, index);
    check_schema(c, s, false);
    buf_trunc(&c->spath, mark);
}

static void check_keyword(struct ctx *c, struct json_object *schema, const struct keyword *k,
                          struct json_object *v, bool root)
{
    enum json_type t = json_object_get_type(v);
    switch (k->kind) {
    case K_SCHEMA_URI:
        if (t != json_type_string || (strcmp(json_object_get_string(v), DRAFT_2020_12) != 0 &&
                                      strcmp(json_object_get_string(v), DRAFT_2020_12 "#") != 0))
            schema_error(c, "only \"%s\" is supported", DRAFT_2020_12);
        break;
    case K_ID:
        if (t != json_type_string)
            schema_error(c, "must be a string");
        else if (!root)
            schema_error(c, "$id below the root (an embedded schema resource) is not supported");
        break;
    case K_STRING:
        if (t != json_type_string)
            schema_error(c, "must be a string");
        break;
    case K_ARRAY:
        if (t != json_type_array)
            schema_error(c, "must be an array");
        break;
    case K_ANY:
        break;
    case K_SCHEMA:
        check_schema(c, v, false);
        break;
    case K_THEN_ELSE:
        if (!json_object_object_get_ex(schema, "if", NULL))
            schema_error(c, "%s without \"if\" has no effect", k->name);
        check_schema(c, v, false);
        break;
    case K_SCHEMA_MAP:
    case K_PATTERN_MAP: {
        if (t != json_type_object) {
            schema_error(c, "must be an object");
            break;
        }
        struct json_object_iterator it = json_object_iter_begin(v);
        struct json_object_iterator end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            const char *name = json_object_iter_peek_name(&it);
            if (k->kind == K_PATTERN_MAP) {
                size_t mark = ptr_push_key(&c->spath, name);
                regex_add(c, name);
                buf_trunc(&c->spath, mark);
            }
            check_sub(c, json_object_iter_peek_value(&it), name, 0, true);
        }
        break;
    }
    case K_SCHEMA_LIST: {
        size_t n = t == json_type_array ? json_object_array_length(v) : 0;
        if (n == 0)
            schema_error(c, "must be a non-empty array of schemas");
        for (size_t i = 0; i < n; i++)
            check_sub(c, json_object_array_get_idx(v, i), NULL, i, false);
        break;
    }
    case K_TYPE:
        if (t == json_type_string) {
            if (!type_known(json_object_get_string(v)))
                schema_error(c, "unknown type %s", json_object_get_string(v));
        } else if (t == json_type_array && json_object_array_length(v) > 0) {
            size_t n = json_object_array_length(v);
            for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string) ||
                    !type_known(json_object_get_string(e))) {
                    schema_error(c, "entry %zu is not a type name", i);
                    continue;
                }
                for (size_t j = 0; j < i; j++)
                    if (json_equal(e, json_object_array_get_idx(v, j)))
                        schema_error(c, "type %s is listed twice", json_object_get_string(e));
            }
        } else {
            schema_error(c, "must be a type name or a non-empty array of type names");
        }
        break;
    case K_ENUM:
        if (t != json_type_array || json_object_array_length(v) == 0)
            schema_error(c, "must be a non-empty array");
        break;
    case K_REQUIRED: {
        if (t != json_type_array) {
            schema_error(c, "must be an array of strings");
            break;
        }
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            struct json_object *e = json_object_array_get_idx(v, i);
            if (!json_object_is_type(e, json_type_string) ||
                strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e)) {
                schema_error(c, "entry %zu is not a property name", i);
                continue;
            }
            for (size_t j = 0; j < i; j++)
                if (json_equal(e, json_object_array_get_idx(v, j)))
                    schema_error(c, "property %s is listed twice", json_object_get_string(e));
        }
        break;
    }
    case K_COUNT: {
        uint64_t n;
        if (!count_of(v, &n))
            schema_error(c, "must be a non-negative integer");
        break;
    }
    case K_BOOL:
        if (t != json_type_boolean)
            schema_error(c, "must be a boolean");
        break;
    case K_PATTERN:
        if (t != json_type_string ||
            strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
            schema_error(c, "must be a string (without U+0000)");
        else
            regex_add(c, json_object_get_string(v));
        break;
    case K_NUMBER:
        if (!is_number(v))
            schema_error(c, "must be a number");
        break;
    case K_REF: {
        const char *why = NULL;
        if (t != json_type_string)
            schema_error(c, "must be a string");
        else if (!resolve_ref(c, json_object_get_string(v), &why))
            schema_error(c, "cannot resolve %s: %s", json_object_get_string(v), why);
        break;
    }
    }
}

static bool check_schema(struct ctx *c, struct json_object *s, bool root)
{
    unsigned before = c->schema_errors;
    if (json_object_is_type(s, json_type_boolean))
        return true;
    if (!json_object_is_type(s, json_type_object)) {
        schema_error(c, "a schema must be an object or a boolean, not %s", type_name(s));
        return false;
    }
    struct json_object_iterator it = json_object_iter_begin(s);
    struct json_object_iterator end = json_object_iter_end(s);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *name = json_object_iter_peek_name(&it);
        size_t mark = ptr_push_key(&c->spath, name);
        const struct keyword *k = keyword_find(name);
        if (!k)
            schema_error(c, "keyword \"%s\" is not implemented by json_schema_check", name);
        else
            check_keyword(c, s, k, json_object_iter_peek_value(&it), root);
        buf_trunc(&c->spath, mark);
    }
    return c->schema_errors == before;
}

/* ---------------------------------------------------------------- evaluation */

static bool eval(struct ctx *c, struct json_object *schema, struct json_object *inst);

/* How a subschema evaluation extends the paths: the instance pointer gains IKEY, or IINDEX
 * unless it is NO_STEP; the schema path gains SKEY, or SINDEX unless it is NO_STEP. */
struct step {
    const char *ikey;
    size_t iindex;
    const char *skey;
    size_t sindex;
};
#define NO_STEP SIZE_MAX

static bool eval_step(struct ctx *c, struct json_object *sub, struct json_object *child,
                      struct step st)
{
    size_t imark = c->ipath.len, smark = c->spath.len;
    if (st.ikey)
        ptr_push_key(&c->ipath, st.ikey);
    else if (st.iindex != NO_STEP)
        ptr_push_index(&c->ipath, st.iindex);
    if (st.skey)
        ptr_push_key(&c->spath, st.skey);
    else if (st.sindex != NO_STEP)
        ptr_push_index(&c->spath, st.sindex);
    bool ok = eval(c, sub, child);
    buf_trunc(&c->ipath, imark);
    buf_trunc(&c->spath, smark);
    return ok;
}

/* Both paths gain KEY (properties, patternProperties). */
static struct step both_key(const char *ikey, const char *skey)
{
    return (struct step){.ikey = ikey, .iindex = NO_STEP, .skey = skey, .sindex = NO_STEP};
}

/* The instance pointer gains KEY; the schema path stays (additionalProperties, ...). */
static struct step instance_key(const char *ikey)
{
    return (struct step){.ikey = ikey, .iindex = NO_STEP, .skey = NULL, .sindex = NO_STEP};
}

/* The instance pointer gains INDEX; the schema path stays (items). */
static struct step instance_index(size_t i)
{
    return (struct step){.ikey = NULL, .iindex = i, .skey = NULL, .sindex = NO_STEP};
}

/* The same instance; the schema path gains INDEX (allOf, anyOf, oneOf). */
static struct step schema_index(size_t i)
{
    return (struct step){.ikey = NULL, .iindex = NO_STEP, .skey = NULL, .sindex = i};
}

/* The same instance; the schema path gains KEY (then, else). */
static struct step schema_key(const char *skey)
{
    return (struct step){.ikey = NULL, .iindex = NO_STEP, .skey = skey, .sindex = NO_STEP};
}

static bool kw_type(struct ctx *c, struct json_object *schema, struct json_object *v,
                    struct json_object *inst)
{
    (void)schema;
    if (json_object_is_type(v, json_type_string)) {
        if (type_matches(json_object_get_string(v), inst))
            return true;
        report(c, "expected type %s, got %s", json_object_get_string(v), type_name(inst));
        return false;
    }
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++)
        if (type_matches(json_object_get_string(json_object_array_get_idx(v, i)), inst))
            return true;
    report(c, "expected type %s, got %s", show(&c->v1, v), type_name(inst));
    return false;
}

static bool kw_enum(struct ctx *c, struct json_object *schema, struct json_object *v,
                    struct json_object *inst)
{
    (void)schema;
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++)
        if (json_equal(json_object_array_get_idx(v, i), inst))
            return true;
    report(c, "%s is not one of %s", show(&c->v1, inst), show(&c->v2, v));
    return false;
}

static bool kw_const(struct ctx *c, struct json_object *schema, struct json_object *v,
                     struct json_object *inst)
{
    (void)schema;
    if (json_equal(v, inst))
        return true;
    report(c, "%s is not the constant %s", show(&c->v1, inst), show(&c->v2, v));
    return false;
}

static bool kw_required(struct ctx *c, struct json_object *schema, struct json_object *v,
                        struct json_object *inst)
{
    (void)schema;
    if (!json_object_is_type(inst, json_type_object))
        return true;
    bool ok = true;
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n && (ok || !c->quiet); i++) {
        struct json_object *name = json_object_array_get_idx(v, i);
        if (!json_object_object_get_ex(inst, json_object_get_string(name), NULL)) {
            report(c, "missing required property %s", show(&c->v1, name));
            ok = false;
        }
    }
    return ok;
}

static bool kw_properties(struct ctx *c, struct json_object *schema, struct json_object *v,
                          struct json_object *inst)
{
    (void)schema;
    if (!json_object_is_type(inst, json_type_object))
        return true;
    bool ok = true;
    struct json_object_iterator it = json_object_iter_begin(v);
    struct json_object_iterator end = json_object_iter_end(v);
    for (; !json_object_iter_equal(&it, &end) && (ok || !c->quiet) && !c->fatal;
         json_object_iter_next(&it)) {
        const char *name = json_object_iter_peek_name(&it);
        struct json_object *child;
        if (json_object_object_get_ex(inst, name, &child))
            ok &= eval_step(c, json_object_iter_peek_value(&it), child, both_key(name, name));
    }
    return ok;
}

static bool kw_pattern_properties(struct ctx *c, struct json_object *schema, struct json_object *v,
                                  struct json_object *inst)
{
    (void)schema;
    if (!json_object_is_type(inst, json_type_object))
        return true;
    bool ok = true;
    struct json_object_iterator it = json_object_iter_begin(inst);
    struct json_object_iterator end = json_object_iter_end(inst);
    for (; !json_object_iter_equal(&it, &end) && (ok || !c->quiet) && !c->fatal;
         json_object_iter_next(&it)) {
        const char *name = json_object_iter_peek_name(&it);
        struct json_object_iterator pit = json_object_iter_begin(v);
        struct json_object_iterator pend = json_object_iter_end(v);
        for (; !json_object_iter_equal(&pit, &pend); json_object_iter_next(&pit)) {
            const char *pattern = json_object_iter_peek_name(&pit);
            bool hit;
            if (!regex_search(c, pattern, name, strlen(name), &hit))
                return false;
            if (hit)
                ok &= eval_step(c, json_object_iter_peek_value(&pit),
                                json_object_iter_peek_value(&it), both_key(name, pattern));
        }
    }
    return ok;
}

static bool kw_additional_properties(struct ctx *c, struct json_object *schema,
                                     struct json_object *v, struct json_object *inst)
{
    if (!json_object_is_type(inst, json_type_object))
        return true;
    struct json_object *props = NULL, *patterns = NULL;
    json_object_object_get_ex(schema, "properties", &props);
    json_object_object_get_ex(schema, "patternProperties", &patterns);
    bool ok = true;
    struct json_object_iterator it = json_object_iter_begin(inst);
    struct json_object_iterator end = json_object_iter_end(inst);
    for (; !json_object_iter_equal(&it, &end) && (ok || !c->quiet) && !c->fatal;
         json_object_iter_next(&it)) {
        const char *name = json_object_iter_peek_name(&it);
        if (props && json_object_object_get_ex(props, name, NULL))
            continue;
        bool matched = false;
        if (patterns) {
            struct json_object_iterator pit = json_object_iter_begin(patterns);
            struct json_object_iterator pend = json_object_iter_end(patterns);
            for (; !matched && !json_object_iter_equal(&pit, &pend); json_object_iter_next(&pit))
                if (!regex_search(c, json_object_iter_peek_name(&pit), name, strlen(name),
                                  &matched))
                    return false;
        }
        if (matched)
            continue;
        if (json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v)) {
            size_t mark = ptr_push_key(&c->ipath, name);
            report(c, "property is not allowed (additionalProperties is false)");
            buf_trunc(&c->ipath, mark);
            ok = false;
        } else {
            ok &= eval_step(c, v, json_object_iter_peek_value(&it), instance_key(name));
        }
    }
    return ok;
}

static bool kw_property_names(struct ctx *c, struct json_object *schema, struct json_object *v,
                              struct json_object *inst)
{
    (void)schema;
    if (!json_object_is_type(inst, json_type_object))
        return true;
    bool ok = true;
    size_t subject_mark = c->subject.len;
    struct json_object_iterator it = json_object_iter_begin(inst);
    struct json_object_iterator end = json_object_iter_end(inst);
    for (; !json_object_iter_equal(&it, &end) && (ok || !c->quiet) && !c->fatal;
         json_object_iter_next(&it)) {
        const char *name = json_object_iter_peek_name(&it);
        struct json_object *str = json_object_new_string(name);
        if (!str)
            out_of_memory();
        buf_puts(&c->subject, "property name: ");
        ok &= eval_step(c, v, str, instance_key(name));
        buf_trunc(&c->subject, subject_mark);
        json_object_put(str);
    }
    return ok;
}

static bool kw_items(struct ctx *c, struct json_object *schema, struct json_object *v,
                     struct json_object *inst)
{
    (void)schema;
    if (!json_object_is_type(inst, json_type_array))
        return true;
    bool ok = true;
    size_t n = json_object_array_length(inst);
    for (size_t i = 0; i < n && (ok || !c->quiet) && !c->fatal; i++)
        ok &= eval_step(c, v, json_object_array_get_idx(inst, i), instance_index(i));
    return ok;
}

static bool check_count(struct ctx *c, struct json_object *v, uint64_t have, bool min,
                        const char *what, const char *unit, const char *keyword)
{
    uint64_t limit = 0;
    count_of(v, &limit);
    if (min ? have >= limit : have <= limit)
        return true;
    report(c, "%s %llu %s, %s %s %llu", what, (unsigned long long)have, unit,
           min ? "fewer than" : "more than", keyword, (unsigned long long)limit);
    return false;
}

static bool kw_min_items(struct ctx *c, struct json_object *schema, struct json_object *v,
                         struct json_object *inst)
{
    (void)schema;
    return !json_object_is_type(inst, json_type_array) ||
           check_count(c, v, json_object_array_length(inst), true, "array has", "items",
                       "minItems");
}

static bool kw_max_items(struct ctx *c, struct json_object *schema, struct json_object *v,
                         struct json_object *inst)
{
    (void)schema;
    return !json_object_is_type(inst, json_type_array) ||
           check_count(c, v, json_object_array_length(inst), false, "array has", "items",
                       "maxItems");
}

static uint64_t string_length(struct json_object *inst)
{
    return code_points(json_object_get_string(inst), (size_t)json_object_get_string_len(inst));
}

static bool kw_min_length(struct ctx *c, struct json_object *schema, struct json_object *v,
                          struct json_object *inst)
{
    (void)schema;
    return !json_object_is_type(inst, json_type_string) ||
           check_count(c, v, string_length(inst), true, "string has", "characters", "minLength");
}

static bool kw_max_length(struct ctx *c, struct json_object *schema, struct json_object *v,
                          struct json_object *inst)
{
    (void)schema;
    return !json_object_is_type(inst, json_type_string) ||
           check_count(c, v, string_length(inst), false, "string has", "characters", "maxLength");
}

static bool kw_unique_items(struct ctx *c, struct json_object *schema, struct json_object *v,
                            struct json_object *inst)
{
    (void)schema;
    if (!json_object_get_boolean(v) || !json_object_is_type(inst, json_type_array))
        return true;
    bool ok = true;
    size_t n = json_object_array_length(inst);
    for (size_t j = 1; j < n && (ok || !c->quiet); j++) {
        for (size_t i = 0; i < j; i++) {
            if (json_equal(json_object_array_get_idx(inst, i),
                           json_object_array_get_idx(inst, j))) {
                report(c, "items %zu and %zu are equal", i, j);
                ok = false;
                break;
            }
        }
    }
    return ok;
}

static bool kw_pattern(struct ctx *c, struct json_object *schema, struct json_object *v,
                       struct json_object *inst)
{
    (void)schema;
    if (!json_object_is_type(inst, json_type_string))
        return true;
    bool hit;
    if (!regex_search(c, json_object_get_string(v), json_object_get_string(inst),
                      (size_t)json_object_get_string_len(inst), &hit))
        return false;
    if (!hit)
        report(c, "%s does not match pattern %s", show(&c->v1, inst), show(&c->v2, v));
    return hit;
}

static bool check_bound(struct ctx *c, struct json_object *v, struct json_object *inst,
                        int fail_sign, bool fail_equal, const char *what)
{
    if (!is_number(inst))
        return true;
    int r = num_cmp(num_of(inst), num_of(v));
    if (r != fail_sign && !(fail_equal && r == 0))
        return true;
    report(c, "%s is %s %s", show(&c->v1, inst), what, show(&c->v2, v));
    return false;
}

static bool kw_minimum(struct ctx *c, struct json_object *schema, struct json_object *v,
                       struct json_object *inst)
{
    (void)schema;
    return check_bound(c, v, inst, -1, false, "less than the minimum");
}

static bool kw_maximum(struct ctx *c, struct json_object *schema, struct json_object *v,
                       struct json_object *inst)
{
    (void)schema;
    return check_bound(c, v, inst, 1, false, "greater than the maximum");
}

static bool kw_exclusive_minimum(struct ctx *c, struct json_object *schema, struct json_object *v,
                                 struct json_object *inst)
{
    (void)schema;
    return check_bound(c, v, inst, -1, true, "not greater than the exclusiveMinimum");
}

static bool kw_exclusive_maximum(struct ctx *c, struct json_object *schema, struct json_object *v,
                                 struct json_object *inst)
{
    (void)schema;
    return check_bound(c, v, inst, 1, true, "not less than the exclusiveMaximum");
}

static bool kw_all_of(struct ctx *c, struct json_object *schema, struct json_object *v,
                      struct json_object *inst)
{
    (void)schema;
    bool ok = true;
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n && (ok || !c->quiet) && !c->fatal; i++)
        ok &= eval_step(c, json_object_array_get_idx(v, i), inst, schema_index(i));
    return ok;
}

/* Evaluates alternative I of V silently. */
static bool try_alternative(struct ctx *c, struct json_object *v, size_t i,
                            struct json_object *inst)
{
    c->quiet++;
    bool ok = eval_step(c, json_object_array_get_idx(v, i), inst, schema_index(i));
    c->quiet--;
    return ok;
}

static bool kw_any_of(struct ctx *c, struct json_object *schema, struct json_object *v,
                      struct json_object *inst)
{
    (void)schema;
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n && !c->fatal; i++)
        if (try_alternative(c, v, i, inst))
            return true;
    if (!c->fatal)
        report(c, "matches none of the %zu anyOf alternatives", n);
    return false;
}

static bool kw_one_of(struct ctx *c, struct json_object *schema, struct json_object *v,
                      struct json_object *inst)
{
    (void)schema;
    size_t n = json_object_array_length(v), matches = 0, first = 0;
    for (size_t i = 0; i < n && !c->fatal; i++) {
        if (try_alternative(c, v, i, inst)) {
            if (matches++ == 0) {
                first = i;
            } else {
                report(c, "matches oneOf alternatives %zu and %zu; exactly one must match", first,
                       i);
                return false;
            }
        }
    }
    if (c->fatal)
        return false;
    if (matches == 0)
        report(c, "matches none of the %zu oneOf alternatives", n);
    return matches == 1;
}

static bool kw_not(struct ctx *c, struct json_object *schema, struct json_object *v,
                   struct json_object *inst)
{
    (void)schema;
    c->quiet++;
    bool matched = eval(c, v, inst);
    c->quiet--;
    if (c->fatal)
        return false;
    if (matched)
        report(c, "must not match the \"not\" schema");
    return !matched;
}

static bool kw_if(struct ctx *c, struct json_object *schema, struct json_object *v,
                  struct json_object *inst)
{
    c->quiet++;
    bool cond = eval(c, v, inst);
    c->quiet--;
    if (c->fatal)
        return false;
    const char *branch = cond ? "then" : "else";
    struct json_object *sub;
    if (!json_object_object_get_ex(schema, branch, &sub))
        return true;
    /* "then" and "else" are siblings of "if": drop "/if" (the caller restores the path). */
    buf_trunc(&c->spath, c->spath.len - strlen("/if"));
    return eval_step(c, sub, inst, schema_key(branch));
}

static bool kw_ref(struct ctx *c, struct json_object *schema, struct json_object *v,
                   struct json_object *inst)
{
    (void)schema;
    const char *why = NULL;
    struct json_object *target = resolve_ref(c, json_object_get_string(v), &why);
    if (!target) {
        fatal(c, "cannot resolve %s: %s", json_object_get_string(v), why);
        return false;
    }
    for (unsigned i = 0; i < c->nrefs; i++) {
        if (c->refs[i].schema == target && c->refs[i].instance == c->ipath.len) {
            fatal(c, "$ref %s loops: it reaches itself on the same instance",
                  json_object_get_string(v));
            return false;
        }
    }
    if (c->nrefs == MAX_EVAL_DEPTH) {
        fatal(c, "$ref chain longer than %d", MAX_EVAL_DEPTH);
        return false;
    }
    c->refs[c->nrefs++] = (struct ref_frame){target, c->ipath.len};
    bool ok = eval(c, target, inst);
    c->nrefs--;
    return ok;
}

static const struct keyword keywords[] = {
    {"$schema", K_SCHEMA_URI, NULL},
    {"$id", K_ID, NULL},
    {"title", K_STRING, NULL},
    {"description", K_STRING, NULL},
    {"$comment", K_STRING, NULL},
    {"examples", K_ARRAY, NULL},
    {"default", K_ANY, NULL},
    {"$defs", K_SCHEMA_MAP, NULL},
    {"$ref", K_REF, kw_ref},
    {"type", K_TYPE, kw_type},
    {"enum", K_ENUM, kw_enum},
    {"const", K_ANY, kw_const},
    {"properties", K_SCHEMA_MAP, kw_properties},
    {"required", K_REQUIRED, kw_required},
    {"additionalProperties", K_SCHEMA, kw_additional_properties},
    {"patternProperties", K_PATTERN_MAP, kw_pattern_properties},
    {"propertyNames", K_SCHEMA, kw_property_names},
    {"items", K_SCHEMA, kw_items},
    {"minItems", K_COUNT, kw_min_items},
    {"maxItems", K_COUNT, kw_max_items},
    {"uniqueItems", K_BOOL, kw_unique_items},
    {"minLength", K_COUNT, kw_min_length},
    {"maxLength", K_COUNT, kw_max_length},
    {"pattern", K_PATTERN, kw_pattern},
    {"minimum", K_NUMBER, kw_minimum},
    {"maximum", K_NUMBER, kw_maximum},
    {"exclusiveMinimum", K_NUMBER, kw_exclusive_minimum},
    {"exclusiveMaximum", K_NUMBER, kw_exclusive_maximum},
    {"allOf", K_SCHEMA_LIST, kw_all_of},
    {"anyOf", K_SCHEMA_LIST, kw_any_of},
    {"oneOf", K_SCHEMA_LIST, kw_one_of},
    {"not", K_SCHEMA, kw_not},
    {"if", K_SCHEMA, kw_if},
    {"then", K_THEN_ELSE, NULL},
    {"else", K_THEN_ELSE, NULL},
};

static const struct keyword *keyword_find(const char *name)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(name, keywords[i].name) == 0)
            return &keywords[i];
    return NULL;
}

static bool eval(struct ctx *c, struct json_object *schema, struct json_object *inst)
{
    if (json_object_is_type(schema, json_type_boolean)) {
        if (json_object_get_boolean(schema))
            return true;
        report(c, "no value is allowed here (the schema is false)");
        return false;
    }
    if (c->depth >= MAX_EVAL_DEPTH) {
        fatal(c, "subschemas nested deeper than %d", MAX_EVAL_DEPTH);
        return false;
    }
    c->depth++;
    bool ok = true;
    struct json_object_iterator it = json_object_iter_begin(schema);
    struct json_object_iterator end = json_object_iter_end(schema);
    for (; !json_object_iter_equal(&it, &end) && (ok || !c->quiet) && !c->fatal;
         json_object_iter_next(&it)) {
        const struct keyword *k = keyword_find(json_object_iter_peek_name(&it));
        if (!k || !k->eval)
            continue; /* annotations; unknown keywords were refused by check_schema */
        size_t mark = ptr_push_key(&c->spath, k->name);
        ok &= k->eval(c, schema, json_object_iter_peek_value(&it), inst);
        buf_trunc(&c->spath, mark);
    }
    c->depth--;
    return ok && !c->fatal;
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: json_schema_check SCHEMA.json DOC.json...\n", stderr);
        return 2;
    }
    /* Patterns match code points where the C.UTF-8 locale exists, bytes otherwise. */
    setlocale(LC_CTYPE, "C.UTF-8");

    static struct ctx c; /* large (the $ref stack): not on the stack */
    c.schema_file = argv[1];
    struct values schema = {0}, docs = {0};
    int status = 0;
    if (!load(argv[1], false, &schema)) {
        status = 2;
        goto out;
    }
    c.root = schema.at[0].v;
    if (!check_schema(&c, c.root, true)) {
        status = 2;
        goto out;
    }
    for (int i = 2; i < argc; i++) {
        values_clear(&docs);
        if (!load(argv[i], true, &docs)) {
            status = 2;
            continue;
        }
        c.doc = argv[i];
        for (size_t j = 0; j < docs.n; j++) {
            c.line = docs.at[j].line;
            c.fatal = false;
            c.depth = 0;
            c.nrefs = 0;
            c.quiet = 0;
            buf_trunc(&c.ipath, 0);
            buf_trunc(&c.spath, 0);
            buf_trunc(&c.subject, 0);
            eval(&c, c.root, docs.at[j].v);
            if (c.fatal)
                status = 2;
        }
    }
    if (status == 0 && c.violations)
        status = 1;
out:
    values_clear(&docs);
    values_clear(&schema);
    free(docs.at);
    free(schema.at);
    for (size_t i = 0; i < c.rx_n; i++)
        regfree(&c.rx[i].re);
    free(c.rx);
    free(c.ipath.p);
    free(c.spath.p);
    free(c.msg.p);
    free(c.v1.p);
    free(c.v2.p);
    free(c.subject.p);
    return status;
}
