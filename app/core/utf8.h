/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8: checking text from outside (names, request paths, log lines)
 * before it reaches a JSON document, a CSV file or a log line.
 *
 * JSON (and so jansson) only carries valid UTF-8, and a log line must stay
 * one line whatever a client sends: these functions make both true while
 * keeping every byte visible to a person, as \xNN.
 */
#ifndef TALLY_UTF8_H
#define TALLY_UTF8_H

#include <stddef.h>

/*
 * Length (1..4) of the well-formed UTF-8 character at s (at most len
 * bytes), or 0 when s does not start one (stray continuation byte,
 * overlong form, surrogate, above U+10FFFF, cut short).
 */
size_t utf8_char_len(const char *s, size_t len);

/* Whether the len bytes at s are well-formed UTF-8 (NUL bytes refused). */
int utf8_valid(const char *s, size_t len);

/* Whether s is a printable name: valid UTF-8 without control characters (C0, DEL, C1). */
int utf8_name_ok(const char *s);

/*
 * Copies the NUL-terminated s into out (outlen > 0), writing every byte
 * that is a control character (0x00-0x1f, 0x7f, U+0080-U+009F) or not
 * part of well-formed UTF-8 as the four characters \xNN. The result is
 * always valid UTF-8 and one line; when it does not fit it is cut on a
 * character boundary (never inside a character or an escape). Returns
 * the length written.
 */
size_t utf8_escape(const char *s, char *out, size_t outlen);

#endif
