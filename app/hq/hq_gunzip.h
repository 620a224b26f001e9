/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_gunzip: a request body sent with Content-Encoding: gzip, decompressed
 * within the body limit (PROTOCOL_MAX_BODY). Kept apart from hq_http so the
 * fuzz targets can drive it without a socket.
 */
#ifndef HQ_GUNZIP_H
#define HQ_GUNZIP_H

#include <stddef.h>

/*
 * Gunzips inlen bytes of in into a new buffer (*out, malloc'd, *outlen
 * bytes, not NUL-terminated). 0; 413 when it would exceed the limit (or
 * memory ran out); 400 when it is not valid gzip. *out is NULL unless 0.
 */
int hq_gunzip(const char *in, size_t inlen, char **out, size_t *outlen);

/*
 * The same within max bytes instead of PROTOCOL_MAX_BODY (max >= 1).
 * hq_gunzip is this with the body limit; tests/fuzz/fuzz_gunzip mostly
 * uses a smaller one, which takes the same paths for a sixteenth of the
 * inflating.
 */
int hq_gunzip_max(const char *in, size_t inlen, size_t max, char **out, size_t *outlen);

#endif
