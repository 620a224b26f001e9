/*
 * hq_gunzip: one gzip member inflated in a single pass into a buffer one
 * byte larger than the limit, so "exactly at the limit" and "over it" are
 * told apart without ever holding more than the limit plus one byte.
 */
#include "hq_gunzip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "protocol.h"

/* Gunzips in into a new buffer of at most PROTOCOL_MAX_BODY bytes. 0; 413 too big; 400 corrupt. */
int hq_gunzip(const char *in, size_t inlen, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return 400;
	size_t cap = PROTOCOL_MAX_BODY + 1; /* one byte over tells "too big" from "exactly full" */
	char *buf = malloc(cap);
	if (!buf) {
		inflateEnd(&zs);
		return 413;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)inlen;
	zs.next_out = (Bytef *)buf;
	zs.avail_out = (uInt)cap;
	int rc = inflate(&zs, Z_FINISH);
	size_t produced = cap - zs.avail_out;
	inflateEnd(&zs);
	if (produced > PROTOCOL_MAX_BODY) {
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
