/* SPDX-License-Identifier: Apache-2.0 */
/* Protocol: the v1 wire format round-trips, and bad bodies are refused with a clear line. */
#include "testutil.h"

#include "protocol.h"

static char err[512];

static struct protocol_rating make(int64_t seq, int value, const char *boot)
{
	struct protocol_rating p = { .r = { .seq = seq, .value = value, .scale = 4, .source = SOURCE_BUTTON,
					    .wall_ms = 1700000000000 + seq, .boot_ms = 1000 + seq, .clock_synced = 1 } };
	snprintf(p.r.boot_id, sizeof(p.r.boot_id), "%s", boot);
	return p;
}

static int decode(const char *body, struct protocol_batch *b)
{
	return protocol_decode_batch(body, strlen(body), PROTOCOL_MAX_BATCH, b, err, sizeof(err));
}

static void test_batch_round_trips(void **state)
{
	(void)state;
	struct protocol_rating in[3] = { make(1, 0, "boot-a"), make(2, 3, "boot-a"), make(3, 2, "boot-b") };
	in[1].r.flags = RATING_MISUSE;
	in[1].r.source = SOURCE_TOUCH;
	in[2].r.clock_synced = 0;
	in[2].has_corrected = 1;
	in[2].corrected_ms = 1700000099999;
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_batch("k1", in, 3, &body, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(body, "\"boots\":[\"boot-a\",\"boot-b\"]"));
	struct protocol_batch b;
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, err, sizeof(err)), 0);
	free(body);
	assert_string_equal(b.kiosk_id, "k1");
	assert_int_equal(b.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(b.ratings[i].r.seq, in[i].r.seq);
		assert_int_equal(b.ratings[i].r.value, in[i].r.value);
		assert_int_equal(b.ratings[i].r.source, in[i].r.source);
		assert_int_equal(b.ratings[i].r.wall_ms, in[i].r.wall_ms);
		assert_int_equal(b.ratings[i].r.boot_ms, in[i].r.boot_ms);
		assert_string_equal(b.ratings[i].r.boot_id, in[i].r.boot_id);
		assert_string_equal(b.ratings[i].r.kiosk_id, "k1");
		assert_int_equal(b.ratings[i].r.clock_synced, in[i].r.clock_synced);
		assert_int_equal(b.ratings[i].r.flags, in[i].r.flags);
		assert_int_equal(b.ratings[i].has_corrected, in[i].has_corrected);
	}
	assert_int_equal(b.ratings[2].corrected_ms, 1700000099999);
	protocol_batch_free(&b);
}

static void test_the_documented_example_decodes(void **state)
{
	(void)state;
	struct protocol_batch b;
	assert_int_equal(decode("{\"kiosk\":\"demo-kiosk\",\"boots\":[\"b0\"],\"ratings\":"
				"[[1,3,4,\"button\",1700000000000,5000,0,1,null,0],"
				"[2,0,4,\"key\",1700000001000,6000,0,false,1700000001500,1,0,0,\"later field\"]],"
				"\"extra\":true}", &b), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.ratings[1].r.clock_synced, 0);
	assert_int_equal(b.ratings[1].corrected_ms, 1700000001500);
	protocol_batch_free(&b);
}

static void expect_malformed(const char *body, const char *needle)
{
	struct protocol_batch b;
	assert_int_equal(decode(body, &b), PROTOCOL_MALFORMED);
	assert_null(b.ratings);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_bad_bodies_are_refused_with_a_reason(void **state)
{
	(void)state;
	expect_malformed("{\"kiosk\":", "malformed JSON");
	expect_malformed("[1,2]", "object");
	expect_malformed("{\"kiosk\":5,\"boots\":[],\"ratings\":[]}", "kiosk");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[3],\"ratings\":[]}", "boots[0]");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[],\"ratings\":{}}", "ratings");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,2,4,\"button\",1,1,0,1,null]]}", "10 elements");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,4,4,\"button\",1,1,0,1,null,0]]}", "value 4 out of range 0..3");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,1,6,\"button\",1,1,0,1,null,0]]}", "scale");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[0,1,4,\"button\",1,1,0,1,null,0]]}", "seq");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,1,4,\"foot\",1,1,0,1,null,0]]}", "source");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,1,4,\"button\",1,1,1,1,null,0]]}", "boot_index");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,1.5,4,\"button\",1,1,0,1,null,0]]}", "integer");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,1,4,\"button\",-1,1,0,1,null,0]]}", "wall_ms");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,1,4,\"button\",1,1,0,2,null,0]]}", "synced");
	expect_malformed("{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":[[1,1,4,\"button\",1,1,0,1,\"x\",0]]}", "corrected_ms");
	expect_malformed("{\"kiosk\":\"k\",\"kiosk\":\"j\",\"boots\":[],\"ratings\":[]}", "duplicate");
}

static void test_too_many_ratings(void **state)
{
	(void)state;
	struct protocol_batch b;
	const char *body = "{\"kiosk\":\"k\",\"boots\":[\"b\"],\"ratings\":"
			   "[[1,1,4,\"button\",1,1,0,1,null,0],[2,1,4,\"button\",1,1,0,1,null,0]]}";
	assert_int_equal(protocol_decode_batch(body, strlen(body), 1, &b, err, sizeof(err)), PROTOCOL_TOO_MANY);
}

static void test_encoder_refuses_what_the_decoder_would(void **state)
{
	(void)state;
	struct protocol_rating r = make(1, 4, "b");
	char *body;
	assert_int_equal(protocol_encode_batch("k1", &r, 1, &body, NULL, err, sizeof(err)), -1);
	assert_null(body);
}

static void test_ack_round_trips(void **state)
{
	(void)state;
	struct protocol_ack a = { .kiosk_id = "k1", .accepted = 5, .duplicates = 2, .acked_through = 7, .ngaps = 2,
				  .gaps = { { 8, 9 }, { 12, 12 } } };
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_ack(&a, &body, &len, err, sizeof(err)), 0);
	assert_string_equal(body, "{\"kiosk\":\"k1\",\"accepted\":5,\"duplicates\":2,\"acked_through\":7,\"gaps\":[[8,9],[12,12]]}");
	struct protocol_ack back;
	assert_int_equal(protocol_decode_ack(body, len, &back, err, sizeof(err)), 0);
	free(body);
	assert_memory_equal(&a, &back, sizeof(a));
	assert_int_equal(protocol_decode_ack("{\"kiosk\":\"k\"}", 13, &back, err, sizeof(err)), PROTOCOL_MALFORMED);
}

static void test_summary_round_trips(void **state)
{
	(void)state;
	struct protocol_summary s;
	memset(&s, 0, sizeof(s));
	snprintf(s.day, sizeof(s.day), "2024-03-31");
	snprintf(s.store_name, sizeof(s.store_name), "Berlin Mitte");
	s.as_of_ms = 1711900000000;
	s.kiosk = (struct protocol_figures){ .scale = 4, .counts = { 1, 2, 3, 4 }, .total = 10, .misuse = 3,
					     .positive_pct = 70, .happy_index = 66.7 };
	s.kiosk.hourly[9] = 10;
	s.store_total = s.kiosk;
	s.chain = s.kiosk;
	s.chain.happy_index = -1;
	s.nareas = 1;
	snprintf(s.areas[0].area, sizeof(s.areas[0].area), "Counter");
	s.areas[0].figures = s.kiosk;
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_summary(&s, &body, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(body, "\"happy_index\":null"));
	struct protocol_summary back;
	assert_int_equal(protocol_decode_summary(body, len, &back, err, sizeof(err)), 0);
	char *again;
	assert_int_equal(protocol_encode_summary(&back, &again, NULL, err, sizeof(err)), 0);
	assert_string_equal(body, again);
	assert_int_equal(back.kiosk.hourly[9], 10);
	assert_int_equal(back.nareas, 1);
	free(body);
	free(again);
}

/*
 * A summary whose counts are beyond any chain is refused: the wall display
 * summed INT64_MAX counts and overflowed (undefined behaviour, fatal under
 * UBSan) when head office sent them. The largest allowed count decodes.
 */
static void test_summary_counts_beyond_any_chain_are_refused(void **state)
{
	(void)state;
	static struct protocol_summary s, back;
	memset(&s, 0, sizeof(s));
	snprintf(s.day, sizeof(s.day), "2024-03-31");
	snprintf(s.store_name, sizeof(s.store_name), "S");
	s.kiosk = (struct protocol_figures){ .scale = 4, .counts = { 1, 2, PROTOCOL_MAX_COUNT, 4 }, .total = 10,
					     .positive_pct = 70, .happy_index = 66.7 };
	s.store_total = s.chain = s.kiosk;
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_summary(&s, &body, &len, err, sizeof(err)), 0);
	assert_int_equal(protocol_decode_summary(body, len, &back, err, sizeof(err)), 0);
	free(body);
	int64_t *too_big[] = { &s.chain.counts[2], &s.chain.hourly[5], &s.chain.total, &s.chain.misuse, &s.chain.closed };
	for (size_t i = 0; i < sizeof(too_big) / sizeof(too_big[0]); i++) {
		int64_t keep = *too_big[i];
		*too_big[i] = i == 0 ? INT64_MAX : PROTOCOL_MAX_COUNT + 1;
		assert_int_equal(protocol_encode_summary(&s, &body, &len, err, sizeof(err)), 0);
		assert_int_equal(protocol_decode_summary(body, len, &back, err, sizeof(err)), PROTOCOL_MALFORMED);
		assert_non_null(strstr(err, "out of range"));
		free(body);
		*too_big[i] = keep;
	}
}

/*
 * Found by tests/fuzz/fuzz_protocol: an error bound with corrected_by 0 was
 * accepted, though the encoder writes one only for a head-office
 * correction, so the rating changed on its way back out. It is refused.
 */
static void test_error_bound_without_head_office_correction_is_refused(void **state)
{
	(void)state;
	static const char bad[] = "{\"kiosk\":\"k\",\"boots\":[\"b0\"],"
				  "\"ratings\":[[1,3,4,\"button\",17643,123456,0,1,1764320,0,0,2500]]}";
	static const char good[] = "{\"kiosk\":\"k\",\"boots\":[\"b0\"],"
				   "\"ratings\":[[1,3,4,\"button\",17643,123456,0,1,1764320,0,1,2500]]}";
	struct protocol_batch b;
	assert_int_equal(protocol_decode_batch(bad, strlen(bad), 10, &b, err, sizeof(err)), PROTOCOL_MALFORMED);
	assert_non_null(strstr(err, "corrected_err_ms without corrected_by 1"));
	assert_int_equal(protocol_decode_batch(good, strlen(good), 10, &b, err, sizeof(err)), PROTOCOL_OK);
	assert_true(b.ratings[0].corrected_err_ms == 2500);
	protocol_batch_free(&b);
}

static void test_days(void **state)
{
	(void)state;
	int y, m, d;
	assert_int_equal(protocol_parse_day("2024-02-29", &y, &m, &d), 0);
	assert_int_equal(y * 10000 + m * 100 + d, 20240229);
	assert_int_equal(protocol_parse_day("2023-02-29", &y, &m, &d), -1);
	assert_int_equal(protocol_parse_day("2023-13-01", &y, &m, &d), -1);
	assert_int_equal(protocol_parse_day("2023-1-01", &y, &m, &d), -1);
	assert_int_equal(protocol_parse_day("", &y, &m, &d), -1);
}

static void test_error_body(void **state)
{
	(void)state;
	char *body, msg[64];
	size_t len;
	assert_int_equal(protocol_encode_error("bad \"thing\"", &body, &len), 0);
	assert_int_equal(protocol_decode_error(body, len, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "bad \"thing\"");
	free(body);
}

static void test_shift_schedules_ride_along_and_are_optional(void **state)
{
	(void)state;
	struct protocol_rating r;
	memset(&r, 0, sizeof(r));
	r.r.seq = 1;
	r.r.scale = 4;
	r.r.value = 2;
	r.r.wall_ms = 1000;
	snprintf(r.r.boot_id, sizeof(r.r.boot_id), "b");
	struct protocol_schedule sched[2] = { { 5, "Early = Mon-Fri 06:00-14:00\n" },
					      { 9, "Early = Mon-Fri 07:00-15:00\n" } };
	char *body, e[256];
	size_t len;
	struct protocol_batch with = { .kiosk_id = "k1", .n = 1, .ratings = &r, .nschedules = 2, .schedules = sched };
	assert_int_equal(protocol_encode_batch_of(&with, &body, &len, e, sizeof(e)), 0);
	assert_non_null(strstr(body, "\"shifts\":[[5,\"Early = Mon-Fri 06:00-14:00\\n\"],[9,"));
	struct protocol_batch b;
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, e, sizeof(e)), PROTOCOL_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.nschedules, 2);
	assert_true(b.schedules[1].from_ms == 9);
	assert_string_equal(b.schedules[1].definition, "Early = Mon-Fri 07:00-15:00\n");
	protocol_batch_free(&b);
	free(body);
	/* an older kiosk sends none: nothing changes */
	assert_int_equal(protocol_encode_batch("k1", &r, 1, &body, &len, e, sizeof(e)), 0);
	assert_null(strstr(body, "shifts"));
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, e, sizeof(e)), PROTOCOL_OK);
	assert_int_equal(b.nschedules, 0);
	protocol_batch_free(&b);
	free(body);
	/* a malformed one is refused with where */
	const char *bad = "{\"kiosk\":\"k1\",\"boots\":[],\"ratings\":[],\"shifts\":[[1,2]]}";
	assert_int_equal(protocol_decode_batch(bad, strlen(bad), 10, &b, e, sizeof(e)), PROTOCOL_MALFORMED);
	assert_non_null(strstr(e, "shifts[0]"));
}

static void test_batch_carries_the_install_id(void **state)
{
	(void)state;
	struct protocol_rating in[1] = { make(1, 2, "boot-a") };
	struct protocol_batch out = { .kiosk_id = "k1", .install_id = "0123456789abcdef0123456789abcdef",
				      .n = 1, .ratings = in };
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_batch_of(&out, &body, &len, err, sizeof(err)), 0);
	struct protocol_batch b;
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, err, sizeof(err)), 0);
	free(body);
	assert_string_equal(b.install_id, "0123456789abcdef0123456789abcdef");
	protocol_batch_free(&b);
}

static void test_batch_without_install_is_the_legacy_identity(void **state)
{
	(void)state;
	struct protocol_batch b;
	assert_int_equal(decode("{\"kiosk\":\"k1\",\"boots\":[\"x\"],"
				"\"ratings\":[[1,0,4,\"button\",5,6,0,1,null,0]]}", &b), 0);
	assert_string_equal(b.install_id, "");
	protocol_batch_free(&b);
	assert_int_equal(decode("{\"kiosk\":\"k1\",\"install\":\"a b\",\"boots\":[],\"ratings\":[]}", &b),
			 PROTOCOL_MALFORMED);
	assert_non_null(strstr(err, "install"));
	assert_int_equal(decode("{\"kiosk\":\"k1\",\"install\":7,\"boots\":[],\"ratings\":[]}", &b),
			 PROTOCOL_MALFORMED);
}

static void test_head_office_correction_round_trips(void **state)
{
	(void)state;
	struct protocol_rating in[2] = { make(1, 1, "b"), make(2, 1, "b") };
	in[0].r.clock_synced = in[1].r.clock_synced = 0;
	in[0].has_corrected = in[1].has_corrected = 1;
	in[0].corrected_ms = 1700000000500;
	in[1].corrected_ms = 1700000000600;
	in[1].corrected_by = PROTOCOL_CORRECTED_HQ;
	in[1].corrected_err_ms = 12;
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_batch("k1", in, 2, &body, &len, err, sizeof(err)), 0);
	/* the kiosk-corrected rating keeps the short v1 form */
	assert_non_null(strstr(body, "1700000000500,0]"));
	assert_non_null(strstr(body, "1700000000600,0,1,12]"));
	struct protocol_batch b;
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, err, sizeof(err)), 0);
	free(body);
	assert_int_equal(b.ratings[0].corrected_by, PROTOCOL_CORRECTED_KIOSK);
	assert_int_equal(b.ratings[1].corrected_by, PROTOCOL_CORRECTED_HQ);
	assert_int_equal(b.ratings[1].corrected_err_ms, 12);
	protocol_batch_free(&b);
	/* corrected by head office, but no corrected time: refused */
	assert_int_equal(decode("{\"kiosk\":\"k1\",\"boots\":[\"x\"],"
				"\"ratings\":[[1,0,4,\"button\",5,6,0,0,null,0,1,3]]}", &b), PROTOCOL_MALFORMED);
	assert_non_null(strstr(err, "corrected_by"));
}

static void test_conflict_round_trips(void **state)
{
	(void)state;
	struct protocol_conflict c = { .kiosk_id = "k1", .install_id = "abc", .count = 3, .n = 2,
				       .items = { { 5, "value,wall_ms" }, { 6, "flags" } } };
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_conflict("seq 5 differs", &c, &body, &len), 0);
	char msg[64];
	assert_int_equal(protocol_decode_error(body, len, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "seq 5 differs");
	struct protocol_conflict d;
	assert_int_equal(protocol_decode_conflict(body, len, &d), 0);
	free(body);
	assert_string_equal(d.kiosk_id, "k1");
	assert_string_equal(d.install_id, "abc");
	assert_int_equal(d.count, 3);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.items[0].seq, 5);
	assert_string_equal(d.items[0].fields, "value,wall_ms");
	assert_string_equal(d.items[1].fields, "flags");
	assert_int_equal(protocol_decode_conflict("{\"error\":\"x\"}", 13, &d), -1);
}

static void test_head_office_time_is_stamped_on_any_object(void **state)
{
	(void)state;
	const char *bodies[] = { "{\"ok\":true}", "{}", "{ }\n" };
	for (size_t i = 0; i < 3; i++) {
		char *b = strdup(bodies[i]);
		size_t len = strlen(b);
		assert_int_equal(protocol_stamp_hq_time(&b, &len, 1700000000123, i != 1), 0);
		assert_int_equal(len, strlen(b));
		int64_t ms;
		int synced;
		assert_int_equal(protocol_decode_hq_time(b, len, &ms, &synced), 0);
		assert_int_equal(ms, 1700000000123);
		assert_int_equal(synced, i != 1);
		free(b);
	}
	char *b = strdup("[1]");
	size_t len = 3;
	assert_int_equal(protocol_stamp_hq_time(&b, &len, 1, 1), -1);
	assert_string_equal(b, "[1]");
	free(b);
	int64_t ms;
	int synced;
	assert_int_equal(protocol_decode_hq_time("{\"ok\":true}", 11, &ms, &synced), -1);
}

static void test_reasons_ride_along_and_are_optional(void **state)
{
	(void)state;
	struct protocol_rating r;
	memset(&r, 0, sizeof(r));
	r.r.seq = 7;
	r.r.scale = 4;
	r.r.value = 1;
	r.r.wall_ms = 1000;
	snprintf(r.r.boot_id, sizeof(r.r.boot_id), "b");
	struct protocol_reason why[2] = { { 7, "Waiting time" }, { 3, "Caf\xc3\xa9 \"quiet\"" } };
	char *body, e[256];
	size_t len;
	struct protocol_batch with = { .kiosk_id = "k1", .n = 1, .ratings = &r, .nreasons = 2, .reasons = why };
	assert_int_equal(protocol_encode_batch_of(&with, &body, &len, e, sizeof(e)), 0);
	assert_non_null(strstr(body, "\"reasons\":[[7,\"Waiting time\"],[3,"));
	struct protocol_batch b;
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, e, sizeof(e)), PROTOCOL_OK);
	assert_int_equal(b.nreasons, 2);
	assert_int_equal(b.reasons[1].seq, 3);
	assert_string_equal(b.reasons[1].text, "Caf\xc3\xa9 \"quiet\"");
	protocol_batch_free(&b);
	free(body);
	/* Reasons alone, no ratings (an answer after its rating was sent). */
	struct protocol_batch alone = { .kiosk_id = "k1", .nreasons = 1, .reasons = why };
	assert_int_equal(protocol_encode_batch_of(&alone, &body, &len, e, sizeof(e)), 0);
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, e, sizeof(e)), PROTOCOL_OK);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.nreasons, 1);
	protocol_batch_free(&b);
	free(body);
	/* An older kiosk sends none: no answers. */
	assert_int_equal(protocol_encode_batch("k1", &r, 1, &body, &len, e, sizeof(e)), 0);
	assert_null(strstr(body, "reasons"));
	assert_int_equal(protocol_decode_batch(body, len, 10, &b, e, sizeof(e)), PROTOCOL_OK);
	assert_int_equal(b.nreasons, 0);
	protocol_batch_free(&b);
	free(body);
	/* Too long, empty, a control character, not a seq: refused with where. */
	const char *bad[] = {
		"{\"kiosk\":\"k1\",\"boots\":[],\"ratings\":[],\"reasons\":[[1,\"0123456789012345678901234567890123456789012345678901234567890123456789\"]]}",
		"{\"kiosk\":\"k1\",\"boots\":[],\"ratings\":[],\"reasons\":[[1,\"\"]]}",
		"{\"kiosk\":\"k1\",\"boots\":[],\"ratings\":[],\"reasons\":[[1,\"a\\nb\"]]}",
		"{\"kiosk\":\"k1\",\"boots\":[],\"ratings\":[],\"reasons\":[[0,\"ok\"]]}",
		"{\"kiosk\":\"k1\",\"boots\":[],\"ratings\":[],\"reasons\":{}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(protocol_decode_batch(bad[i], strlen(bad[i]), 10, &b, e, sizeof(e)), PROTOCOL_MALFORMED);
		assert_non_null(strstr(e, "reasons"));
	}
	/* The encoder refuses what the decoder would. */
	struct protocol_reason empty = { 1, "" };
	struct protocol_batch worse = { .kiosk_id = "k1", .nreasons = 1, .reasons = &empty };
	assert_int_equal(protocol_encode_batch_of(&worse, &body, &len, e, sizeof(e)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shift_schedules_ride_along_and_are_optional),
		cmocka_unit_test(test_batch_round_trips),
		cmocka_unit_test(test_the_documented_example_decodes),
		cmocka_unit_test(test_bad_bodies_are_refused_with_a_reason),
		cmocka_unit_test(test_too_many_ratings),
		cmocka_unit_test(test_encoder_refuses_what_the_decoder_would),
		cmocka_unit_test(test_ack_round_trips),
		cmocka_unit_test(test_summary_round_trips),
		cmocka_unit_test(test_summary_counts_beyond_any_chain_are_refused),
		cmocka_unit_test(test_error_bound_without_head_office_correction_is_refused),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_batch_carries_the_install_id),
		cmocka_unit_test(test_batch_without_install_is_the_legacy_identity),
		cmocka_unit_test(test_head_office_correction_round_trips),
		cmocka_unit_test(test_conflict_round_trips),
		cmocka_unit_test(test_head_office_time_is_stamped_on_any_object),
		cmocka_unit_test(test_reasons_ride_along_and_are_optional),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
