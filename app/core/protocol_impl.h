/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol_impl: what the files of the protocol module share (protocol.c,
 * protocol_batch.c, protocol_summary.c): one way to report a problem, to
 * dump and load a document and to read a checked member. Nothing outside
 * the module includes it; the rest of Tally uses protocol.h.
 */
#ifndef TALLY_PROTOCOL_IMPL_H
#define TALLY_PROTOCOL_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* err gets the formatted line (err NULL or errlen 0: nothing). */
void protocol_say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Dumps j compactly into a malloc'd string; frees j. */
int protocol_dump(json_t *j, char **out, size_t *outlen, char *err, size_t errlen);
/* body as a JSON object (duplicate members refused); NULL with err. */
json_t *protocol_load(const char *body, size_t len, char *err, size_t errlen);
/* An integer member in lo..hi. */
int protocol_get_int(json_t *v, const char *what, int64_t lo, int64_t hi, int64_t *out, char *err, size_t errlen);
/* A string member of 1..outlen-1 bytes without NUL into out. */
int protocol_get_string(json_t *v, const char *what, char *out, size_t outlen, char *err, size_t errlen);

#endif
