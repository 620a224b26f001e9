/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch_scan: the tree-less batch reader decodes exactly what jansson's
 * tree decoder does, or declines and leaves the body to it.
 */
#include "testutil.h"

#include "batch_scan.h"
#include "protocol.h"

static char err[512];

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* A batch with every kind of rating the encoder writes. */
static char *sample_body(size_t n, const char *install, size_t *len)
{
	struct protocol_batch b = { .n = n };
	snprintf(b.kiosk_id, sizeof(b.kiosk_id), "kiosk-7");
	if (install)
		snprintf(b.install_id, sizeof(b.install_id), "%s", install);
	b.ratings = calloc(n, sizeof(*b.ratings));
	assert_non_null(b.ratings);
	for (size_t i = 0; i < n; i++) {
		struct protocol_rating *p = &b.ratings[i];
		p->r.seq = (int64_t)i + 1 + (i > 5 ? 1000000000000LL : 0);
		p->r.scale = 3 + (int)(next_rand() % 3);
		p->r.value = (int)(next_rand() % (uint32_t)p->r.scale);
		p->r.source = (enum rating_source)(next_rand() % 3);
		p->r.wall_ms = 1700000000000LL + (int64_t)i * 977;
		p->r.boot_ms = (int64_t)(next_rand() % 100000);
		snprintf(p->r.boot_id, sizeof(p->r.boot_id), "boot-%u", (unsigned)(i / 4));
		p->r.clock_synced = next_rand() % 2;
		p->r.flags = (int)(next_rand() % 4);
		switch (next_rand() % 3) {
		case 1:
			p->has_corrected = 1;
			p->corrected_ms = p->r.wall_ms + 5;
			break;
		case 2:
			p->has_corrected = 1;
			p->corrected_ms = p->r.wall_ms - 5;
			p->corrected_by = PROTOCOL_CORRECTED_HQ;
			p->corrected_err_ms = (int64_t)(next_rand() % 300);
			break;
		}
	}
	char *body;
	assert_int_equal(protocol_encode_batch_of(&b, &body, len, err, sizeof(err)), 0);
	free(b.ratings);
	return body;
}

static void assert_same(const struct protocol_batch *a, const struct protocol_batch *b)
{
	assert_string_equal(a->kiosk_id, b->kiosk_id);
	assert_string_equal(a->version, b->version);
	assert_string_equal(a->install_id, b->install_id);
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->nschedules, b->nschedules);
	if (a->n)
		assert_memory_equal(a->ratings, b->ratings, a->n * sizeof(*a->ratings));
}

/* The scanner either declines body or agrees with the tree decoder; returns 1 when it accepted. */
static int check(const char *body, size_t len)
{
	struct protocol_batch fast, tree;
	int scanned = batch_scan_decode(body, len, PROTOCOL_MAX_BATCH, &fast);
	int rc = protocol_decode_batch_tree(body, len, PROTOCOL_MAX_BATCH, &tree, err, sizeof(err));
	if (scanned == 0) {
		if (rc != PROTOCOL_OK)
			fail_msg("scanner accepted what the tree refuses (%s): %.*s", err, (int)len, body);
		assert_same(&fast, &tree);
		protocol_batch_free(&fast);
	} else {
		assert_int_equal(fast.n, 0);
		assert_null(fast.ratings);
		/* protocol_decode_batch then answers as the tree does. */
		struct protocol_batch again;
		char err2[512];
		assert_int_equal(protocol_decode_batch(body, len, PROTOCOL_MAX_BATCH, &again, err2, sizeof(err2)), rc);
		if (rc == PROTOCOL_OK) {
			assert_same(&again, &tree);
			protocol_batch_free(&again);
		} else {
			assert_string_equal(err2, err);
		}
	}
	if (rc == PROTOCOL_OK)
		protocol_batch_free(&tree);
	return scanned == 0;
}

static void test_encoder_batches_are_scanned_as_the_tree_reads_them(void **state)
{
	(void)state;
	for (size_t n = 0; n < 40; n += 3) {
		size_t len;
		char *body = sample_body(n, n % 2 ? "install-A_1" : NULL, &len);
		assert_true(check(body, len));
		free(body);
	}
}

static void test_unusual_bodies_are_left_to_the_tree(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		/* escapes, other members, another order, reals, too long numbers, 13 elements, duplicates */
		"{\"kiosk\":\"k\\u0031\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",5,6,0,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",5,6,0,1,null,0]],\"shifts\":[]}",
		"{\"boots\":[\"b\"],\"kiosk\":\"k1\",\"ratings\":[[1,0,4,\"button\",5,6,0,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"ratings\":[[1,0,4,\"button\",5,6,0,1,null,0]],\"boots\":[\"b\"]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4.0,\"button\",5,6,0,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",1234567890123456789,6,0,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",5,6,0,1,9,1,0,7]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",5,6,0,1,9,1,3,7]]}",
		"{\"kiosk\":\"k1\",\"kiosk\":\"k2\",\"boots\":[\"b\"],\"ratings\":[]}",
		/* errors the tree names */
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,4,4,\"button\",5,6,0,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",5,6,1,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[0,0,4,\"button\",5,6,0,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"foot\",5,6,0,1,null,0]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",5,6,0,1,null,0,1]]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[1,0,4,\"button\",5,6,0,1,7,0,0,3]]}",
		"{\"kiosk\":\"k1\",\"install\":\"a b\",\"boots\":[\"b\"],\"ratings\":[]}",
		"{\"kiosk\":\"\",\"boots\":[\"b\"],\"ratings\":[]}",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[]} x",
		"{\"kiosk\":\"k1\",\"boots\":[\"b\"],\"ratings\":[[01,0,4,\"button\",5,6,0,1,null,0]]}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct protocol_batch b;
		assert_int_equal(batch_scan_decode(bodies[i], strlen(bodies[i]), PROTOCOL_MAX_BATCH, &b), 1);
		check(bodies[i], strlen(bodies[i]));
	}
	/* And the ones it takes, with whitespace and the synced member as a boolean. */
	const char *ok = " { \"kiosk\" : \"k1\" , \"version\":\"1.2\", \"boots\" : [ \"b\" ] ,\n\"ratings\" : [ [ 1 , 2 , 4 ,"
			 " \"touch\" , 5 , 6 , 0 , true , null , 1 ] , [2,0,3,\"key\",5,6,0,false,3,0,1,9] ] } \n";
	assert_true(check(ok, strlen(ok)));
}

static void test_too_many_ratings_are_left_to_the_tree(void **state)
{
	(void)state;
	size_t len;
	char *body = sample_body(10, NULL, &len);
	struct protocol_batch b;
	assert_int_equal(batch_scan_decode(body, len, 9, &b), 1);
	assert_int_equal(protocol_decode_batch(body, len, 9, &b, err, sizeof(err)), PROTOCOL_TOO_MANY);
	assert_int_equal(batch_scan_decode(body, len, 10, &b), 0);
	protocol_batch_free(&b);
	free(body);
}

/* Mutated bodies: whatever the scanner accepts, the tree decodes to the same. */
static void test_mutated_bodies_never_differ(void **state)
{
	(void)state;
	static const char alphabet[] = "0123456789\",[]{}: \\-.eEntrufl\x01\x80\xff";
	size_t len;
	char *body = sample_body(12, "inst-1", &len);
	char *m = malloc(len + 8);
	assert_non_null(m);
	int accepted = 0, rounds = 20000;
	for (int r = 0; r < rounds; r++) {
		memcpy(m, body, len);
		size_t n = len;
		int edits = 1 + (int)(next_rand() % 3);
		for (int e = 0; e < edits; e++) {
			size_t at = next_rand() % n;
			char ch = alphabet[next_rand() % (sizeof(alphabet) - 1)];
			switch (next_rand() % 3) {
			case 0:
				m[at] = ch;
				break;
			case 1: /* delete */
				memmove(m + at, m + at + 1, n - at - 1);
				n--;
				break;
			default: /* insert */
				if (n < len + 8) {
					memmove(m + at + 1, m + at, n - at);
					m[at] = ch;
					n++;
				}
			}
		}
		accepted += check(m, n);
	}
	/* Many edits (a digit for a digit) leave a valid batch: the comparison has been made. */
	assert_true(accepted > rounds / 50);
	free(m);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoder_batches_are_scanned_as_the_tree_reads_them),
		cmocka_unit_test(test_unusual_bodies_are_left_to_the_tree),
		cmocka_unit_test(test_too_many_ratings_are_left_to_the_tree),
		cmocka_unit_test(test_mutated_bodies_never_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
