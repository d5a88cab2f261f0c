/* Helpers the renderers in reports/ share; not part of the reporters' interface. */
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H

#include <stdio.h>

#include <json-c/json.h>

/* Untrusted or non-UTF-8 text (a path, a note) as a JSON string; NULL when out of memory. */
json_object *report_json_text(const char *s);

/* The same text printed with control bytes and invalid UTF-8 escaped. */
void report_text_untrusted(FILE *out, const char *text);

#endif
