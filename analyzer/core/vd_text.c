#include "vd_text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

size_t vd_utf8_decode(const uint8_t *p, size_t avail, uint32_t *cp)
{
    static const uint32_t shortest[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n;

    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        *cp = p[0] & 0x1fu;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        *cp = p[0] & 0x0fu;
    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        *cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (n > avail) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        *cp = (*cp << 6) | (p[i] & 0x3fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629). */
    if (*cp < shortest[n] || (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff) {
        return 0;
    }
    return n;
}

/* Length of the valid, printable UTF-8 sequence at p, or 0 (C0 and C1 controls, DEL). */
static size_t utf8_char_len(const uint8_t *p, size_t avail)
{
    uint32_t cp;
    size_t n = vd_utf8_decode(p, avail, &cp);

    return n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : n;
}

void vd_text_utf8_trim(char *s)
{
    size_t len = strlen(s);
    size_t i = 0;

    while (i < len) {
        size_t n = utf8_char_len((const uint8_t *)s + i, len - i);
        if (n == 0 && (uint8_t)s[i] != '\t' && (uint8_t)s[i] != '\n') {
            break;
        }
        i += n == 0 ? 1 : n;
    }
    s[i] = '\0';
}

void vd_text_hex(const uint8_t *p, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    out[2 * len] = '\0';
}

bool vd_text_bytes(const uint8_t *p, size_t len, char *out, size_t cap)
{
    size_t i = 0;

    while (len > 0 && p[len - 1] == 0) {
        len--;
    }
    while (i < len) {
        size_t n = utf8_char_len(p + i, len - i);
        if (n == 0) {
            break;
        }
        i += n;
    }
    if (i == len && len < cap) {
        memcpy(out, p, len);
        out[len] = '\0';
        return true;
    }
    if (cap < VD_TEXT_BYTES_CAP(len)) {
        len = cap < 6 ? 0 : (cap - 5) / 2;
    }
    memcpy(out, "hex:", 4);
    vd_text_hex(p, len, out + 4);
    return false;
}

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

bool vd_text_utf16(const uint8_t *p, size_t len, bool big_endian, char *out, size_t cap)
{
    size_t units = len / 2;
    size_t o = 0;
    bool valid = true;

    for (size_t i = 0; i < units; i++) {
        const uint8_t *u = p + 2 * i;
        uint32_t cp = big_endian ? ((uint32_t)u[0] << 8 | u[1]) : ((uint32_t)u[1] << 8 | u[0]);

        if (cp == 0) {
            break;
        }
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < units) {
            const uint8_t *v = p + 2 * (i + 1);
            uint32_t lo = big_endian ? ((uint32_t)v[0] << 8 | v[1]) : ((uint32_t)v[1] << 8 | v[0]);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
        }
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp < 0x20 || cp == 0x7f ||
            (cp >= 0x80 && cp < 0xa0)) {
            cp = 0xfffd;
            valid = false;
        }
        /* A surrogate pair is 2 units and 4 output bytes: within the 3-per-unit budget. */
        if (o + 4 >= cap) {
            break;
        }
        o += utf8_put(cp, out + o);
    }
    out[o] = '\0';
    return valid;
}

void vd_text_time_utc(int64_t unix_seconds, char out[32])
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 32, "@%lld", (long long)unix_seconds);
    }
}
