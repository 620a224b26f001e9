/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_gunzip: one gzip member inflated into a buffer that grows with the
 * output, up to one byte past the limit, so "exactly at the limit" and
 * "over it" are told apart without ever holding more than the limit plus
 * one byte. It starts at eight times the compressed size (a batch gzips
 * about 4:1), at least 16 KiB, rather than at the limit: a 200-byte body
 * no longer reserves 1 MiB, which across head office's 1024 connections
 * could have been 1 GiB.
 */
#include "hq_gunzip.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "protocol.h"

#define FIRST_CAP 16384

int hq_gunzip(const char *in, size_t inlen, char **out, size_t *outlen)
{
	return hq_gunzip_max(in, inlen, PROTOCOL_MAX_BODY, out, outlen);
}

int hq_gunzip_max(const char *in, size_t inlen, size_t max, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (inlen > UINT_MAX)
		return 413;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return 400;
	size_t limit = max + 1; /* one byte over tells "too big" from "exactly full" */
	size_t cap = inlen < limit / 8 ? inlen * 8 : limit;
	if (cap < FIRST_CAP)
		cap = FIRST_CAP;
	if (cap > limit)
		cap = limit;
	char *buf = malloc(cap);
	if (!buf) {
		inflateEnd(&zs);
		return 413;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)inlen;
	size_t produced = 0;
	int rc;
	for (;;) {
		zs.next_out = (Bytef *)buf + produced;
		zs.avail_out = (uInt)(cap - produced);
		rc = inflate(&zs, Z_NO_FLUSH);
		produced = cap - zs.avail_out;
		if (rc == Z_STREAM_END || produced > max)
			break;
		/* Out of room: grow. Out of input with room left: the body is cut short. */
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || zs.avail_out != 0)
			break;
		size_t more = cap * 2 < limit ? cap * 2 : limit;
		char *b = realloc(buf, more);
		if (!b) {
			free(buf);
			inflateEnd(&zs);
			return 413;
		}
		buf = b;
		cap = more;
	}
	inflateEnd(&zs);
	if (produced > max) {
		free(buf);
		return 413;
	}
	if (rc != Z_STREAM_END) {
		free(buf);
		return 400;
	}
	*out = buf;
	*outlen = produced;
	return 0;
}
