/*
 * Untrusted bytes to text a report can carry: JSON and XML 1.0 need valid Unicode, and
 * XML 1.0 forbids most C0 controls, so anything else becomes hex or U+FFFD.
 */
#ifndef VD_TEXT_H
#define VD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes needed by vd_text_bytes for len input bytes. */
#define VD_TEXT_BYTES_CAP(len) (4 + 2 * (len) + 1)
/* Bytes needed by vd_text_utf16 for n UTF-16 code units. */
#define VD_TEXT_UTF16_CAP(units) (3 * (units) + 1)

/*
 * Trailing NULs are dropped; printable UTF-8 is kept as is; anything else becomes
 * "hex:<lowercase hex>". Returns true when the text was kept as is.
 */
bool vd_text_bytes(const uint8_t *p, size_t len, char *out, size_t cap);

/*
 * Decodes UTF-16 (big or little endian) up to the first NUL unit or len bytes. Unpaired
 * surrogates and control characters become U+FFFD. Returns false when any did.
 * cap must be at least VD_TEXT_UTF16_CAP(len / 2).
 */
bool vd_text_utf16(const uint8_t *p, size_t len, bool big_endian, char *out, size_t cap);

/* Length (1..4) of the well-formed UTF-8 sequence at p and its code point, or 0. */
size_t vd_utf8_decode(const uint8_t *p, size_t avail, uint32_t *cp);

/* Cuts s at its first byte that does not start a complete, valid UTF-8 sequence. */
void vd_text_utf8_trim(char *s);

/* Lowercase hex of len bytes; out must hold 2 * len + 1. */
void vd_text_hex(const uint8_t *p, size_t len, char *out);

/* "YYYY-MM-DDTHH:MM:SSZ" for seconds since the Unix epoch; out holds 32 bytes. */
void vd_text_time_utc(int64_t unix_seconds, char out[32]);

#endif
