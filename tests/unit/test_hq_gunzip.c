/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_gunzip: a gzip body comes back byte for byte up to exactly the 1 MiB
 * limit, one byte more is 413 however small the compressed body, and a
 * body that is cut short, corrupt or not gzip at all is 400, with nothing
 * handed back.
 */
#include "testutil.h"

#include <zlib.h>

#include "hq_gunzip.h"
#include "protocol.h"

/* gzip of n bytes of pattern p (0: zeros, else a rolling byte), malloc'd. */
static unsigned char *gz(size_t n, int p, size_t *zlen)
{
	unsigned char *plain = malloc(n ? n : 1);
	assert_non_null(plain);
	for (size_t i = 0; i < n; i++)
		plain[i] = p ? (unsigned char)(i * 31 + i / 7) : 0;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&zs, n) + 32;
	unsigned char *z = malloc(cap);
	assert_non_null(z);
	zs.next_in = plain;
	zs.avail_in = (uInt)n;
	zs.next_out = z;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*zlen = cap - zs.avail_out;
	deflateEnd(&zs);
	free(plain);
	return z;
}

static void test_round_trip_up_to_exactly_the_limit(void **state)
{
	(void)state;
	size_t sizes[] = { 0, 1, 16383, 16384, 16385, 300000, PROTOCOL_MAX_BODY };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int p = 0; p < 2; p++) {
			size_t zlen, outlen;
			unsigned char *z = gz(sizes[k], p, &zlen);
			char *out;
			assert_int_equal(hq_gunzip((const char *)z, zlen, &out, &outlen), 0);
			assert_int_equal(outlen, sizes[k]);
			for (size_t i = 0; i < outlen; i++)
				if ((unsigned char)out[i] != (p ? (unsigned char)(i * 31 + i / 7) : 0))
					fail_msg("byte %zu of %zu differs", i, outlen);
			free(out);
			free(z);
		}
	}
}

static void test_one_byte_over_the_limit_is_413(void **state)
{
	(void)state;
	size_t zlen, outlen = 7;
	unsigned char *z = gz(PROTOCOL_MAX_BODY + 1, 0, &zlen);
	assert_true(zlen < 2000); /* a bomb: tiny on the wire */
	char *out = (char *)z;
	assert_int_equal(hq_gunzip((const char *)z, zlen, &out, &outlen), 413);
	assert_null(out);
	assert_int_equal(outlen, 0);
	free(z);
}

static void test_cut_short_corrupt_or_plain_is_400(void **state)
{
	(void)state;
	size_t zlen, outlen;
	char *out;
	unsigned char *z = gz(100000, 1, &zlen);
	assert_int_equal(hq_gunzip((const char *)z, zlen - 5, &out, &outlen), 400); /* no trailer */
	assert_null(out);
	z[zlen - 8] ^= 1; /* the CRC */
	assert_int_equal(hq_gunzip((const char *)z, zlen, &out, &outlen), 400);
	assert_null(out);
	assert_int_equal(hq_gunzip("{\"kiosk\":\"k\"}", 13, &out, &outlen), 400);
	assert_int_equal(hq_gunzip("", 0, &out, &outlen), 400);
	free(z);
}

/* A smaller limit (fuzz_gunzip's): exactly at it comes back, one byte over is 413, under the first buffer too. */
static void test_a_smaller_limit_holds_the_same_way(void **state)
{
	(void)state;
	size_t limits[] = { 100, 65536 };
	for (size_t k = 0; k < 2; k++) {
		size_t zlen, outlen;
		char *out;
		unsigned char *z = gz(limits[k], 1, &zlen);
		assert_int_equal(hq_gunzip_max((const char *)z, zlen, limits[k], &out, &outlen), 0);
		assert_int_equal(outlen, limits[k]);
		free(out);
		free(z);
		z = gz(limits[k] + 1, 0, &zlen);
		assert_int_equal(hq_gunzip_max((const char *)z, zlen, limits[k], &out, &outlen), 413);
		assert_null(out);
		assert_int_equal(outlen, 0);
		free(z);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_up_to_exactly_the_limit),
		cmocka_unit_test(test_one_byte_over_the_limit_is_413),
		cmocka_unit_test(test_cut_short_corrupt_or_plain_is_400),
		cmocka_unit_test(test_a_smaller_limit_holds_the_same_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
