/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_gunzip: head office's gunzip of a request body (hq_gunzip), on
 * arbitrary bytes as they arrive with Content-Encoding: gzip.
 *
 * Byte 0 picks the mode. Odd: the rest is the body as sent; whatever it
 * is, the answer is 0 with at most the limit's bytes, 413 or 400, and
 * nothing is handed back unless 0. The limit is PROTOCOL_MAX_BODY when
 * byte 0 has bit 1 set (hq_gunzip, as head office calls it), else 64 KiB
 * (hq_gunzip_max): the same paths (grow, exactly full, one byte over) for
 * a sixteenth of the inflating, where a mutated 1 MiB bomb had held the
 * target near 300 inputs a second, most of it inflating and faulting in
 * fresh 1 MiB buffers. Even: the rest is a plain body that the harness
 * gzips first (byte 0 / 2 % 10 is the compression level, as a client may
 * choose any); it must come back byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_util.h"
#include "hq_gunzip.h"
#include "protocol.h"

#define SMALL_LIMIT (64 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

static void round_trip(const uint8_t *data, size_t size, int level)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		fuzz_die("deflateInit2 failed");
	size_t cap = deflateBound(&zs, size) + 32;
	char *z = malloc(cap);
	if (!z)
		fuzz_die("out of memory");
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)size;
	zs.next_out = (Bytef *)z;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		fuzz_die("deflate failed");
	size_t zlen = cap - zs.avail_out;
	deflateEnd(&zs);
	char *out;
	size_t outlen;
	if (hq_gunzip(z, zlen, &out, &outlen) != 0)
		fuzz_die("a valid gzip body was refused");
	if (outlen != size || (size && memcmp(out, data, size)))
		fuzz_die("gunzip changed the body");
	free(out);
	free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int mode = data[0];
	data++, size--;
	if (!(mode & 1)) {
		round_trip(data, size, (mode >> 1) % 10);
		return 0;
	}
	/* An exact-size copy: reading past the end is a finding. */
	char *body = malloc(size ? size : 1);
	if (!body)
		fuzz_die("out of memory");
	memcpy(body, data, size);
	char *out = (char *)1;
	size_t outlen = 1, max = mode & 2 ? PROTOCOL_MAX_BODY : SMALL_LIMIT;
	int rc = mode & 2 ? hq_gunzip(body, size, &out, &outlen) : hq_gunzip_max(body, size, max, &out, &outlen);
	if (rc == 0) {
		if (outlen > max)
			fuzz_die("gunzip went past the body limit");
		free(out);
	} else if (rc != 413 && rc != 400) {
		fuzz_die("gunzip returned something other than 0, 413 or 400");
	} else if (out != NULL || outlen != 0) {
		fuzz_die("a refused body left output behind");
	}
	free(body);
	return 0;
}
