/* SPDX-License-Identifier: Apache-2.0 */
/* HQ API: ingest, idempotence, gaps, bad input, summaries on DST days, admin export; a real SQLite file, no sockets. */
#include "hqtest.h"

#include <jansson.h>
#include <sqlite3.h>
#include <time.h>

#include "csv_export.h"
#include "score.h"

#include "../support/hq_fixture.h"
#include "hq_api.h"
#include "hq_db.h"
#include "hq_store.h"
#include "log.h"

static struct hq_fixture fx;
static char err[512];
static const char *dir, *path;
static struct hq_store *db;
static const struct hq_api_options opt = { .max_batch = 100 };

#define TOKEN_A "Bearer aaaa-token"
#define TOKEN_B "Bearer bbbb-token"
#define TOKEN_C "Bearer cccc-token"
#define ADMIN HQ_FIXTURE_ADMIN

static void add_kiosk(const char *id, const char *store, const char *area, const char *tz, const char *token)
{
	assert_int_equal(hq_fixture_add_kiosk(&fx, id, store, area, tz, token, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	(void)state;
	hq_fixture_open(&fx);
	dir = fx.dir, path = fx.path, db = fx.db;
	add_kiosk("k-a", "Berlin", "Counter", "Europe/Berlin", TOKEN_A);
	add_kiosk("k-b", "Berlin", "Warehouse", "Europe/Berlin", TOKEN_B);
	add_kiosk("k-c", "London", "Counter", "Europe/London", TOKEN_C);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_fixture_close(&fx);
	return 0;
}

/* One request to the handler; args are "name=value" strings, NULL-terminated (NULL: none). */
static int call(const char *method, const char *p, const char *auth, const char *body, const char **args,
		struct hq_response *res)
{
	return hq_fixture_call(&fx, &opt, method, p, auth, body, args, res);
}

/* Cuts head office's clock (checked by its own test) out of an answer, so answers compare exactly. */
static void strip_time(char *out)
{
	char *t = strstr(out, ",\"hq_time_ms\":");
	char *end = t ? strrchr(t, '}') : NULL;
	if (t && end)
		memmove(t, end, strlen(end) + 1);
}

/* POSTs body and returns the status; the answer's body is copied to out, without head office's clock. */
static int post(const char *auth, const char *body, char *out, size_t outlen)
{
	struct hq_response res;
	int status = call("POST", "/api/v1/ratings", auth, body, NULL, &res);
	snprintf(out, outlen, "%.*s", (int)res.body_len, res.body ? res.body : "");
	strip_time(out);
	hq_api_response_free(&res);
	return status;
}

/* A batch body of kiosk with ratings seq from..to (value seq % 4, wall time t0 + seq minutes). */
static char *batch(const char *kiosk, int from, int to, int64_t t0)
{
	size_t cap = 256 + (size_t)(to - from + 1) * 96;
	char *b = malloc(cap);
	size_t n = (size_t)snprintf(b, cap, "{\"kiosk\":\"%s\",\"boots\":[\"boot-1\"],\"ratings\":[", kiosk);
	for (int s = from; s <= to; s++)
		n += (size_t)snprintf(b + n, cap - n, "%s[%d,%d,4,\"button\",%lld,%d,0,1,null,0]", s > from ? "," : "",
				      s, s % 4, (long long)(t0 + (int64_t)s * 60000), s * 1000);
	snprintf(b + n, cap - n, "]}");
	return b;
}

#define T_BERLIN_DST_DAY 1711839600000LL /* 2024-03-31 00:00 CET = 23:00 UTC the day before */

static void test_ingest_is_idempotent(void **state)
{
	(void)state;
	char out[1024];
	char *b = batch("k-a", 1, 10, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":10,\"duplicates\":0,\"acked_through\":10,\"gaps\":[]}");
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":0,\"duplicates\":10,\"acked_through\":10,\"gaps\":[]}");
	free(b);
	b = batch("k-a", 8, 12, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":2,\"duplicates\":3,\"acked_through\":12,\"gaps\":[]}");
	free(b);
}

static void test_gaps_are_named_and_filled(void **state)
{
	(void)state;
	char out[1024];
	char *b = batch("k-a", 3, 4, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	free(b);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":2,\"duplicates\":0,\"acked_through\":0,\"gaps\":[[1,2]]}");
	b = batch("k-a", 7, 9, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	free(b);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":3,\"duplicates\":0,\"acked_through\":0,\"gaps\":[[1,2],[5,6]]}");
	b = batch("k-a", 1, 2, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	free(b);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":2,\"duplicates\":0,\"acked_through\":4,\"gaps\":[[5,6]]}");
	b = batch("k-a", 5, 6, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	free(b);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":2,\"duplicates\":0,\"acked_through\":9,\"gaps\":[]}");
}

static void test_gap_list_is_capped(void **state)
{
	(void)state;
	char out[8192];
	/* Every other seq up to 400: 200 gaps, 100 listed. */
	for (int s = 2; s <= 400; s += 2) {
		char *b = batch("k-a", s, s, T_BERLIN_DST_DAY);
		assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
		free(b);
	}
	struct protocol_ack ack;
	assert_int_equal(protocol_decode_ack(out, strlen(out), &ack, err, sizeof(err)), 0);
	assert_int_equal(ack.ngaps, PROTOCOL_MAX_GAPS);
	assert_int_equal(ack.gaps[0].from, 1);
	assert_int_equal(ack.gaps[99].to, 199);
}

static int64_t kiosk_rows(const char *id)
{
	struct hq_kiosk *k;
	size_t n;
	int64_t rows = -1;
	assert_int_equal(hq_store_kiosk_list(db, &k, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(k[i].id, id))
			rows = k[i].ratings;
	free(k);
	return rows;
}

static void expect(const char *auth, const char *body, int status, const char *needle)
{
	char out[1024];
	assert_int_equal(post(auth, body, out, sizeof(out)), status);
	if (!strstr(out, "{\"error\":\"") || !strstr(out, needle))
		fail_msg("answer %s does not mention \"%s\"", out, needle);
}

static void test_bad_input_is_refused_and_writes_nothing(void **state)
{
	(void)state;
	expect(NULL, "{}", 401, "bearer");
	expect("Basic xyz", "{}", 401, "bearer");
	expect("Bearer wrong", "{}", 401, "unknown");
	expect(TOKEN_A, "{\"kiosk\":", 400, "malformed JSON");
	expect(TOKEN_A, "", 400, "malformed JSON");
	expect(TOKEN_A, "{\"kiosk\":\"k-a\",\"boots\":[\"b\"],\"ratings\":[[1,\"3\",4,\"button\",1,1,0,1,null,0]]}", 400, "integer");
	/* One bad rating after good ones: the whole batch is refused. */
	expect(TOKEN_A, "{\"kiosk\":\"k-a\",\"boots\":[\"b\"],\"ratings\":[[1,3,4,\"button\",1,1,0,1,null,0],"
			"[2,9,4,\"button\",1,1,0,1,null,0]]}", 400, "ratings[1]: value 9 out of range 0..3");
	expect(TOKEN_A, "{\"kiosk\":\"k-a\",\"boots\":[\"b\"],\"ratings\":[[1,1,7,\"button\",1,1,0,1,null,0]]}", 400, "scale");
	char *b = batch("k-b", 1, 3, T_BERLIN_DST_DAY);
	expect(TOKEN_A, b, 403, "token belongs to kiosk k-a");
	free(b);
	b = batch("k-a", 1, 101, T_BERLIN_DST_DAY); /* opt.max_batch is 100 */
	expect(TOKEN_A, b, 413, "at most 100");
	free(b);
	assert_int_equal(kiosk_rows("k-a"), 0);
	assert_int_equal(kiosk_rows("k-b"), 0);
}

static void test_revoked_token_is_refused(void **state)
{
	(void)state;
	char out[1024];
	char *b = batch("k-b", 1, 1, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_B, b, out, sizeof(out)), 200);
	assert_int_equal(hq_store_kiosk_revoke(db, "k-b", err, sizeof(err)), 0);
	expect(TOKEN_B, b, 401, "revoked");
	assert_int_equal(hq_store_kiosk_revoke(db, "nobody", err, sizeof(err)), 1);
	free(b);
}

static int database_gone(void *ctx, char *why, size_t len)
{
	(void)ctx;
	snprintf(why, len, "PostgreSQL database hq on db.example: cannot connect: Connection refused");
	return 0;
}

static void test_healthz_names_the_engine_and_says_503_while_the_database_is_gone(void **state)
{
	(void)state;
	struct hq_api_options o = opt;
	o.db_engine = "postgresql";
	o.db_ok = database_gone;
	struct hq_request req = { .method = "GET", .path = "/healthz", .peer = "test" };
	struct hq_response res;
	hq_api_handle(NULL, &o, &req, &res);
	assert_int_equal(res.status, 503);
	json_error_t je;
	json_t *j = json_loadb(res.body, res.body_len, 0, &je);
	assert_non_null(j);
	assert_false(json_is_true(json_object_get(j, "ok")));
	assert_string_equal(json_string_value(json_object_get(j, "db")), "postgresql");
	assert_false(json_is_true(json_object_get(j, "db_reachable")));
	assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "Connection refused"));
	json_decref(j);
	hq_api_response_free(&res);
}

static void test_routes_and_methods(void **state)
{
	(void)state;
	struct hq_response res;
	assert_int_equal(call("GET", "/healthz", NULL, NULL, NULL, &res), 200);
	assert_non_null(strstr(res.body, "{\"ok\":true,\"db\":\"sqlite\",\"db_reachable\":true,\"hq_time_ms\":"));
	hq_api_response_free(&res);
	assert_int_equal(call("GET", "/nothing", NULL, NULL, NULL, &res), 404);
	hq_api_response_free(&res);
	assert_int_equal(call("DELETE", "/api/v1/ratings", ADMIN, NULL, NULL, &res), 405);
	hq_api_response_free(&res);
}

/* Log lines the API wrote, for the test below. */
static char logged[1024];
static void keep_line(void *arg, int priority, const char *ident, const char *message, const struct log_field *fields,
		      size_t nfields)
{
	(void)arg, (void)priority, (void)ident, (void)fields, (void)nfields;
	snprintf(logged, sizeof(logged), "%s", message);
}

/*
 * Found by tests/fuzz/fuzz_hq_api: a path that is not UTF-8 (MHD hands
 * over %F4 decoded) made the 404's JSON body fail to encode, so the answer
 * had no body at all; a %0A in the path forged a second log line.
 */
static void test_error_for_any_path_is_one_line_of_json(void **state)
{
	(void)state;
	struct hq_response res;
	log_set_sink(keep_line, NULL);
	assert_int_equal(call("GET", "/\xf4x\ny\xc3\xa9\xed\xa0\x80", NULL, NULL, NULL, &res), 404);
	log_set_sink(NULL, NULL);
	char msg[256];
	assert_non_null(res.body);
	assert_int_equal(protocol_decode_error(res.body, res.body_len, msg, sizeof(msg)), 0);
	/* Bytes that are not UTF-8 and control characters are written \xNN (utf8_escape), é kept. */
	assert_string_equal(msg, "no such resource: /\\xf4x\\x0ay\xc3\xa9\\xed\\xa0\\x80");
	assert_null(strchr(logged, '\n'));
	assert_non_null(strstr(logged, "x\\x0ay\xc3\xa9"));
	assert_non_null(strstr(logged, ": 404"));
	hq_api_response_free(&res);
}

/* Summary of day for the kiosk with token auth, decoded. */
static void summary(const char *auth, const char *day, struct protocol_summary *s)
{
	char arg[32];
	snprintf(arg, sizeof(arg), "day=%s", day);
	const char *args[] = { arg, NULL };
	struct hq_response res;
	assert_int_equal(call("GET", "/api/v1/summary", auth, NULL, args, &res), 200);
	assert_int_equal(protocol_decode_summary(res.body, res.body_len, s, err, sizeof(err)), 0);
	hq_api_response_free(&res);
}

/* One rating as JSON, synced, at UTC ms t. */
static void post_one(const char *auth, const char *kiosk, int seq, int value, int scale, int64_t t, int flags)
{
	char body[512], out[512];
	snprintf(body, sizeof(body), "{\"kiosk\":\"%s\",\"boots\":[\"b\"],\"ratings\":[[%d,%d,%d,\"touch\",%lld,1,0,1,null,%d]]}",
		 kiosk, seq, value, scale, (long long)t, flags);
	assert_int_equal(post(auth, body, out, sizeof(out)), 200);
}

static void test_summary_on_the_spring_forward_day(void **state)
{
	(void)state;
	const int64_t h = 3600000;
	/* Berlin, 2024-03-31: 00:00 CET is 23:00 UTC on the 30th; at 02:00 CET clocks jump to 03:00 CEST. */
	post_one(TOKEN_A, "k-a", 1, 3, 4, T_BERLIN_DST_DAY - 1, 0);        /* 23:59:59.999 on the 30th: not today */
	post_one(TOKEN_A, "k-a", 2, 3, 4, T_BERLIN_DST_DAY, 0);            /* 00:00 */
	post_one(TOKEN_A, "k-a", 3, 0, 4, T_BERLIN_DST_DAY + 2 * h, 0);    /* 01:00 UTC = 03:00 CEST */
	post_one(TOKEN_A, "k-a", 4, 1, 4, T_BERLIN_DST_DAY + 2 * h + 1000, RATING_MISUSE);
	post_one(TOKEN_A, "k-a", 5, 2, 4, T_BERLIN_DST_DAY + 23 * h - 1, 0); /* 23:59:59.999 CEST: last instant */
	post_one(TOKEN_A, "k-a", 6, 2, 4, T_BERLIN_DST_DAY + 23 * h, 0);   /* next day */
	post_one(TOKEN_B, "k-b", 1, 3, 4, T_BERLIN_DST_DAY + 10 * h, 0);   /* 09:00 UTC: same store, other area */
	post_one(TOKEN_C, "k-c", 1, 4, 5, T_BERLIN_DST_DAY + 12 * h, 0);   /* London, 5 faces */
	struct protocol_summary s;
	summary(TOKEN_A, "2024-03-31", &s);
	assert_string_equal(s.day, "2024-03-31");
	assert_int_equal(s.kiosk.scale, 4);
	assert_int_equal(s.kiosk.total, 3);
	assert_int_equal(s.kiosk.misuse, 1);
	assert_int_equal(s.kiosk.counts[0], 1);
	assert_int_equal(s.kiosk.counts[1], 0); /* the misuse press is counted apart */
	assert_int_equal(s.kiosk.counts[2], 1);
	assert_int_equal(s.kiosk.counts[3], 1);
	assert_int_equal(s.kiosk.hourly[0], 1);
	assert_int_equal(s.kiosk.hourly[2], 0); /* 02:00 does not exist that day */
	assert_int_equal(s.kiosk.hourly[3], 1);
	assert_int_equal(s.kiosk.hourly[23], 1);
	assert_true(s.kiosk.happy_index > 55.55 && s.kiosk.happy_index < 55.65); /* (100 + 0 + 66.7) / 3 */
	assert_true(s.kiosk.positive_pct > 66.65 && s.kiosk.positive_pct < 66.75);
	assert_string_equal(s.store_name, "Berlin");
	assert_int_equal(s.store_total.total, 4);
	assert_int_equal(s.nareas, 2);
	assert_string_equal(s.areas[0].area, "Counter");
	assert_int_equal(s.areas[0].figures.total, 3);
	assert_string_equal(s.areas[1].area, "Warehouse");
	assert_int_equal(s.areas[1].figures.total, 1);
	assert_int_equal(s.areas[1].figures.hourly[11], 1); /* 09:00 UTC = 11:00 CEST */
	/* Chain: 4 on the 4-face scale plus London's 5-face rating; the Happy Index mixes them evenly. */
	assert_int_equal(s.chain.scale, 4);
	assert_int_equal(s.chain.total, 5);
	assert_int_equal(s.chain.counts[3], 2);
	assert_true(s.chain.happy_index > 73.25 && s.chain.happy_index < 73.35); /* (100+0+66.7+100+100)/5 */
	/* A day with nothing: nulls, not zeros. */
	summary(TOKEN_A, "2020-01-01", &s);
	assert_int_equal(s.kiosk.total, 0);
	assert_true(s.kiosk.happy_index < 0);
	assert_true(s.kiosk.positive_pct < 0);
}

static void test_summary_on_the_fall_back_day(void **state)
{
	(void)state;
	const int64_t h = 3600000;
	/* Berlin, 2024-10-27: 00:00 CEST = 22:00 UTC on the 26th; 25 hours; 02:00-03:00 happens twice. */
	const int64_t start = 1729980000000LL;
	post_one(TOKEN_A, "k-a", 1, 3, 4, start + 2 * h, 0);  /* 02:00 CEST */
	post_one(TOKEN_A, "k-a", 2, 3, 4, start + 3 * h, 0);  /* 02:00 CET, the second time */
	post_one(TOKEN_A, "k-a", 3, 3, 4, start + 24 * h + 1, 0); /* 23:00 CET */
	post_one(TOKEN_A, "k-a", 4, 3, 4, start + 25 * h, 0); /* next day */
	struct protocol_summary s;
	summary(TOKEN_A, "2024-10-27", &s);
	assert_int_equal(s.kiosk.total, 3);
	assert_int_equal(s.kiosk.hourly[2], 2);
	assert_int_equal(s.kiosk.hourly[23], 1);
}

static void test_unsynced_time_counts_but_not_hourly(void **state)
{
	(void)state;
	char out[512];
	/* Unsynced and uncorrected: counted, hour unknown. Unsynced but corrected: the corrected time rules. */
	const char *body = "{\"kiosk\":\"k-a\",\"boots\":[\"b\"],\"ratings\":["
			   "[1,3,4,\"key\",1711879200000,1,0,0,null,0],"
			   "[2,3,4,\"key\",1000,2,0,0,1711879200000,0]]}";
	assert_int_equal(post(TOKEN_A, body, out, sizeof(out)), 200);
	struct protocol_summary s;
	summary(TOKEN_A, "2024-03-31", &s);
	assert_int_equal(s.kiosk.total, 2);
	int64_t hourly = 0;
	for (int i = 0; i < 24; i++)
		hourly += s.kiosk.hourly[i];
	assert_int_equal(hourly, 1);
	assert_int_equal(s.kiosk.hourly[12], 1); /* 10:00 UTC = 12:00 CEST */
}

static void test_summary_needs_a_day_and_a_token(void **state)
{
	(void)state;
	struct hq_response res;
	const char *bad[] = { "day=2024-02-30", NULL };
	assert_int_equal(call("GET", "/api/v1/summary", TOKEN_A, NULL, bad, &res), 400);
	hq_api_response_free(&res);
	assert_int_equal(call("GET", "/api/v1/summary", NULL, NULL, bad, &res), 401);
	hq_api_response_free(&res);
}

static void test_admin_export_pages_json_and_csv(void **state)
{
	(void)state;
	char out[512];
	char *b = batch("k-a", 1, 25, T_BERLIN_DST_DAY);
	assert_int_equal(post(TOKEN_A, b, out, sizeof(out)), 200);
	free(b);
	struct hq_response res;
	const char *args[] = { "from=2024-03-31", "to=2024-03-31", "limit=10", NULL };
	assert_int_equal(call("GET", "/api/v1/ratings", TOKEN_A, NULL, args, &res), 403); /* a kiosk token is not enough */
	hq_api_response_free(&res);
	int seen = 0;
	char after[64] = "";
	for (int page = 0; page < 10; page++) {
		const char *pargs[] = { "from=2024-03-31", "to=2024-03-31", "limit=10", after, NULL };
		assert_int_equal(call("GET", "/api/v1/ratings", ADMIN, NULL, after[0] ? pargs : args, &res), 200);
		char *p = res.body;
		while ((p = strstr(p, "\"seq\":")))
			seen++, p++;
		int last = res.next_cursor[0] == '\0';
		if (!last) {
			assert_non_null(strstr(res.link, "rel=\"next\""));
			snprintf(after, sizeof(after), "after=%s", res.next_cursor);
		}
		hq_api_response_free(&res);
		if (last)
			break;
	}
	assert_int_equal(seen, 25);
	const char *csv[] = { "from=2024-03-31", "to=2024-03-31", "format=csv", "store=Berlin", NULL };
	assert_int_equal(call("GET", "/api/v1/ratings", ADMIN, NULL, csv, &res), 200);
	assert_string_equal(res.content_type, "text/csv; charset=utf-8");
	int lines = 0;
	for (size_t i = 0; i < res.body_len; i++)
		lines += res.body[i] == '\n';
	assert_int_equal(lines, 26);
	/* The kiosk's export's schema (tallyctl export writes the same header), the face's label beside its value. */
	const char *h = csv_export_header();
	assert_memory_equal(res.body, h, strlen(h));
	char row[1024];
	snprintf(row, sizeof(row), "%.*s", (int)strcspn(res.body + strlen(h), "\r"), res.body + strlen(h));
	char *field[32] = { 0 }, *rest = row, *f;
	int nf = 0;
	while (nf < 32 && (f = strsep(&rest, ",")))
		field[nf++] = f;
	assert_int_equal(nf, 23);
	if (nf != 23)
		return; /* (the assert failed; scan-build does not know it returns no more) */
	assert_string_equal(field[0], "k-a");
	assert_string_equal(field[8], score_face_label(atoi(field[7]), atoi(field[9])));
	assert_non_null(strstr(field[5], "T")); /* RFC 3339 */
	assert_int_equal(field[5][strlen(field[5]) - 1], 'Z');
	hq_api_response_free(&res);
	const char *other[] = { "from=2024-03-31", "to=2024-03-31", "format=csv", "store=London", NULL };
	assert_int_equal(call("GET", "/api/v1/ratings", ADMIN, NULL, other, &res), 200);
	assert_null(strstr(res.body, "k-a"));
	hq_api_response_free(&res);
	const char *bad[] = { "from=2024-04-01", "to=2024-03-31", NULL };
	assert_int_equal(call("GET", "/api/v1/ratings", ADMIN, NULL, bad, &res), 400);
	hq_api_response_free(&res);
}

static void test_newer_schema_is_refused(void **state)
{
	(void)state;
	/* The same refusal on both engines, each keeping its version its own way. */
	assert_int_equal(hq_db_exec(hq_store_sql(db), hqtest_pg() ? "UPDATE schema_version SET version = 99"
								  : "PRAGMA user_version = 99", err, sizeof(err)),
			 HQ_DB_DONE);
	struct hq_store *other;
	assert_int_equal(hq_store_open(&other, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer"));
}


/* A batch of kiosk's store `install` ("" : none sent): seq from..to, value (seq + shift) % 4, wall t0 + seq min. */
static char *batch_of(const char *kiosk, const char *install, int from, int to, int shift, const char *boot)
{
	size_t cap = 256 + (size_t)(to - from + 1) * 96;
	char *b = malloc(cap);
	size_t n = (size_t)snprintf(b, cap, "{\"kiosk\":\"%s\",", kiosk);
	if (*install)
		n += (size_t)snprintf(b + n, cap - n, "\"install\":\"%s\",", install);
	n += (size_t)snprintf(b + n, cap - n, "\"boots\":[\"%s\"],\"ratings\":[", boot);
	for (int s = from; s <= to; s++)
		n += (size_t)snprintf(b + n, cap - n, "%s[%d,%d,4,\"button\",%lld,%d,0,1,null,0]", s > from ? "," : "",
				      s, (s + shift) % 4, (long long)(T_BERLIN_DST_DAY + (int64_t)s * 60000), s * 1000);
	snprintf(b + n, cap - n, "]}");
	return b;
}

static int64_t rows_where(const char *where)
{
	struct hq_db_stmt *st;
	char sql[512];
	int64_t n = -1;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM ratings WHERE %s", where);
	assert_int_equal(hq_db_prepare(hq_store_sql(db), sql, &st, err, sizeof(err)), HQ_DB_DONE);
	if (hq_db_step(st) == HQ_DB_ROW)
		n = hq_db_column_int64(st, 0);
	hq_db_finalize(st);
	return n;
}

#define INSTALL_OLD "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define INSTALL_NEW "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void test_reimaged_store_is_a_new_identity(void **state)
{
	(void)state;
	char out[1024];
	char *old = batch_of("k-a", INSTALL_OLD, 1, 5, 0, "boot-old");
	char *fresh = batch_of("k-a", INSTALL_NEW, 1, 5, 1, "boot-new");
	assert_int_equal(post(TOKEN_A, old, out, sizeof(out)), 200);
	/* Same kiosk, same seqs, a new store: new ratings, not duplicates. */
	assert_int_equal(post(TOKEN_A, fresh, out, sizeof(out)), 200);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":5,\"duplicates\":0,\"acked_through\":5,\"gaps\":[],"
				 "\"install\":\"" INSTALL_NEW "\"}");
	assert_int_equal(post(TOKEN_A, old, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"duplicates\":5"));
	assert_int_equal(rows_where("kiosk_id = 'k-a'"), 10);
	struct hq_install *in;
	size_t n;
	assert_int_equal(hq_store_install_list(db, "k-a", &in, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(in[0].install_id, INSTALL_OLD);
	assert_int_equal(in[0].acked_through, 5);
	assert_int_equal(in[1].ratings, 5);
	free(in);
	free(old);
	free(fresh);
}

static void test_same_identity_other_content_is_a_conflict_that_stores_nothing(void **state)
{
	(void)state;
	char out[2048];
	char *first = batch_of("k-a", INSTALL_OLD, 1, 3, 0, "boot-1");
	assert_int_equal(post(TOKEN_A, first, out, sizeof(out)), 200);
	/* seq 3 again with another value (and 4..6 new): the whole batch is refused. */
	char *clash = batch_of("k-a", INSTALL_OLD, 3, 6, 1, "boot-1");
	struct hq_response res;
	assert_int_equal(call("POST", "/api/v1/ratings", TOKEN_A, clash, NULL, &res), 409);
	struct protocol_conflict c;
	assert_int_equal(protocol_decode_conflict(res.body, res.body_len, &c), 0);
	assert_string_equal(c.install_id, INSTALL_OLD);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.items[0].seq, 3);
	assert_string_equal(c.items[0].fields, "value");
	char msg[512];
	assert_int_equal(protocol_decode_error(res.body, res.body_len, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "seq 3"));
	hq_api_response_free(&res);
	assert_int_equal(rows_where("kiosk_id = 'k-a'"), 3);
	assert_int_equal(rows_where("kiosk_id = 'k-a' AND seq = 3 AND value = 3"), 1);
	int64_t conflicts;
	assert_int_equal(hq_store_conflict_count(db, "k-a", &conflicts), 0);
	assert_int_equal(conflicts, 1);
	/* Sent again (a kiosk retrying): still refused, still one conflict recorded. */
	assert_int_equal(post(TOKEN_A, clash, out, sizeof(out)), 409);
	assert_int_equal(hq_store_conflict_count(db, "k-a", &conflicts), 0);
	assert_int_equal(conflicts, 1);
	/* An exact repeat stays a duplicate. */
	assert_int_equal(post(TOKEN_A, first, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"duplicates\":3"));
	free(first);
	free(clash);
}

static void test_a_correction_added_on_resend_is_no_conflict(void **state)
{
	(void)state;
	char out[1024];
	const char *plain = "{\"kiosk\":\"k-a\",\"install\":\"" INSTALL_OLD "\",\"boots\":[\"b\"],"
			    "\"ratings\":[[1,2,4,\"button\",5000,7000,0,0,null,0]]}";
	const char *corrected = "{\"kiosk\":\"k-a\",\"install\":\"" INSTALL_OLD "\",\"boots\":[\"b\"],"
				"\"ratings\":[[1,2,4,\"button\",5000,7000,0,0,1700000000000,0,1,40]]}";
	assert_int_equal(post(TOKEN_A, plain, out, sizeof(out)), 200);
	assert_int_equal(post(TOKEN_A, corrected, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"duplicates\":1"));
}

static void test_legacy_ratings_are_adopted_by_the_upgraded_store(void **state)
{
	(void)state;
	char out[1024];
	char *legacy = batch_of("k-a", "", 1, 5, 0, "boot-1");
	assert_int_equal(post(TOKEN_A, legacy, out, sizeof(out)), 200);
	/* The same store after the upgrade resends 4..5 (ack lost) with its new install id. */
	char *upgraded = batch_of("k-a", INSTALL_OLD, 4, 8, 0, "boot-1");
	assert_int_equal(post(TOKEN_A, upgraded, out, sizeof(out)), 200);
	assert_string_equal(out, "{\"kiosk\":\"k-a\",\"accepted\":3,\"duplicates\":2,\"acked_through\":8,\"gaps\":[],"
				 "\"install\":\"" INSTALL_OLD "\"}");
	assert_int_equal(rows_where("kiosk_id = 'k-a'"), 8);
	assert_int_equal(rows_where("install IN (SELECT id FROM installs WHERE install_id = '')"), 0);
	/* A re-imaged kiosk after that: seq from 1 again, other ratings, all kept. */
	char *fresh = batch_of("k-a", INSTALL_NEW, 1, 3, 1, "boot-2");
	assert_int_equal(post(TOKEN_A, fresh, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"accepted\":3"));
	assert_int_equal(rows_where("kiosk_id = 'k-a'"), 11);
	free(legacy);
	free(upgraded);
	free(fresh);
}

static void test_reimaged_store_after_legacy_leaves_legacy_alone(void **state)
{
	(void)state;
	char out[1024];
	char *legacy = batch_of("k-a", "", 1, 5, 0, "boot-1");
	char *fresh = batch_of("k-a", INSTALL_NEW, 1, 3, 1, "boot-2");
	assert_int_equal(post(TOKEN_A, legacy, out, sizeof(out)), 200);
	assert_int_equal(post(TOKEN_A, fresh, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"accepted\":3"));
	assert_int_equal(rows_where("install IN (SELECT id FROM installs WHERE install_id = '')"), 5);
	assert_int_equal(rows_where("install IN (SELECT id FROM installs WHERE install_id = '" INSTALL_NEW "')"), 3);
	/* An old kiosk (no install id) re-imaged: its seq 1 with other content is a conflict, not a duplicate. */
	char *old_reimaged = batch_of("k-a", "", 1, 2, 2, "boot-3");
	assert_int_equal(post(TOKEN_A, old_reimaged, out, sizeof(out)), 409);
	free(legacy);
	free(fresh);
	free(old_reimaged);
}

static void test_every_answer_carries_head_office_clock(void **state)
{
	(void)state;
	char root[600], flag[700];
	snprintf(root, sizeof(root), "%s/clock", dir);
	snprintf(flag, sizeof(flag), "mkdir -p '%s/run/systemd/timesync'", root);
	assert_int_equal(system(flag), 0);
	setenv("TALLY_CLOCK_ROOT", root, 1);
	struct hq_response res;
	int64_t ms;
	int synced;
	assert_int_equal(call("GET", "/healthz", NULL, NULL, NULL, &res), 200);
	assert_int_equal(protocol_decode_hq_time(res.body, res.body_len, &ms, &synced), 0);
	assert_int_equal(synced, 0);
	hq_api_response_free(&res);
	snprintf(flag, sizeof(flag), "%s/run/systemd/timesync/synchronized", root);
	tu_write(flag, "");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t before = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	char *b = batch("k-a", 1, 2, T_BERLIN_DST_DAY);
	const char *args[] = { "day=2024-03-31", NULL };
	struct { const char *method, *path, *auth, *body; const char **args; int status; } calls[] = {
		{ "GET", "/healthz", NULL, NULL, NULL, 200 },
		{ "POST", "/api/v1/ratings", TOKEN_A, b, NULL, 200 },
		{ "GET", "/api/v1/summary", TOKEN_A, NULL, args, 200 },
		{ "GET", "/api/v1/summary", NULL, NULL, args, 401 },
		{ "GET", "/nothing", NULL, NULL, NULL, 404 },
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		assert_int_equal(call(calls[i].method, calls[i].path, calls[i].auth, calls[i].body, calls[i].args, &res),
				 calls[i].status);
		assert_int_equal(protocol_decode_hq_time(res.body, res.body_len, &ms, &synced), 0);
		assert_int_equal(synced, 1);
		assert_true(ms >= before);
		hq_api_response_free(&res);
	}
	free(b);
	unsetenv("TALLY_CLOCK_ROOT");
}

static void test_schema_1_migrates_to_install_identity(void **state)
{
	(void)state;
	char old[700];
	snprintf(old, sizeof(old), "%s/v1.db", dir);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(old, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
		"CREATE TABLE kiosks (id TEXT PRIMARY KEY, store TEXT NOT NULL, area TEXT NOT NULL, tz TEXT NOT NULL,"
		" token_hash BLOB NOT NULL UNIQUE, created_ms INTEGER NOT NULL, revoked_ms INTEGER NOT NULL DEFAULT 0,"
		" acked_through INTEGER NOT NULL DEFAULT 0);"
		"CREATE TABLE admin_tokens (token_hash BLOB PRIMARY KEY, created_ms INTEGER NOT NULL,"
		" revoked_ms INTEGER NOT NULL DEFAULT 0);"
		"CREATE TABLE ratings (kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL, value INTEGER NOT NULL,"
		" scale INTEGER NOT NULL, source TEXT NOT NULL, wall_ms INTEGER NOT NULL, boot_ms INTEGER NOT NULL,"
		" boot_id TEXT NOT NULL, clock_synced INTEGER NOT NULL, corrected_ms INTEGER, flags INTEGER NOT NULL,"
		" best_ms INTEGER NOT NULL, time_known INTEGER NOT NULL, received_ms INTEGER NOT NULL,"
		" UNIQUE (kiosk_id, seq));"
		"CREATE INDEX ratings_best ON ratings(best_ms);"
		"INSERT INTO kiosks VALUES ('k-x', 'S', 'A', 'UTC', x'01', 1, 0, 2);"
		"INSERT INTO ratings (rowid, kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced,"
		" corrected_ms, flags, best_ms, time_known, received_ms) VALUES"
		" (7, 'k-x', 1, 1, 4, 'button', 10, 1, 'b', 1, NULL, 0, 10, 1, 11),"
		" (9, 'k-x', 2, 2, 4, 'button', 20, 2, 'b', 1, NULL, 0, 20, 1, 21);"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	struct hq_store *m;
	assert_int_equal(hq_store_open(&m, old, err, sizeof(err)), 0);
	struct hq_install *in;
	size_t n;
	assert_int_equal(hq_store_install_list(m, "k-x", &in, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(in[0].install_id, "");
	assert_int_equal(in[0].acked_through, 2);
	assert_int_equal(in[0].ratings, 2);
	free(in);
	hq_store_close(m);
	assert_int_equal(sqlite3_open(old, &h), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT group_concat(r.rowid || ':' || i.install_id || ':' || r.seq) FROM ratings r"
					    " JOIN installs i ON i.id = r.install",
					    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	/* rowids kept: they are the export cursor */
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "7::1,9::2");
	sqlite3_finalize(st);
	sqlite3_close(h);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
/* GET /api/v1/summary?by=shift as JSON. */
static json_t *summary_by_shift(const char *auth, const char *day)
{
	char arg[32];
	snprintf(arg, sizeof(arg), "day=%s", day);
	const char *args[] = { arg, "by=shift", NULL };
	struct hq_response res;
	assert_int_equal(call("GET", "/api/v1/summary", auth, NULL, args, &res), 200);
	json_t *j = json_loadb(res.body, res.body_len, 0, NULL);
	assert_non_null(j);
	hq_api_response_free(&res);
	return j;
}

static void test_summary_by_shift_counts_by_the_schedule_in_force(void **state)
{
	(void)state;
	char out[512];
	/* k-a: Early/Late 06-14-22 until Wednesday 2024-06-12 00:00 Berlin, then 07-15-23. */
	assert_int_equal(post(TOKEN_A, "{\"kiosk\":\"k-a\",\"boots\":[\"b\"],\"ratings\":["
				       "[1,3,4,\"touch\",1718080200000,1,0,1,null,0],"  /* Tue 06:30: Early */
				       "[2,0,4,\"touch\",1718109000000,1,0,1,null,0],"  /* Tue 14:30: Late (old) */
				       "[3,3,4,\"touch\",1718195400000,1,0,1,null,0],"  /* Wed 14:30: Early (new) */
				       "[4,3,4,\"touch\",1718092800000,1,0,0,null,0],"  /* Tue, time unknown */
				       "[5,2,4,\"touch\",1718109001000,1,0,1,null,1]]," /* Tue 14:30, misuse */
				       "\"shifts\":[[0,\"Early = Mon-Fri 06:00-14:00\\nLate = Mon-Fri 14:00-22:00\\n\"],"
				       "[1718143200000,\"Early = Mon-Fri 07:00-15:00\\nLate = Mon-Fri 15:00-23:00\\n\"]]}",
			      out, sizeof(out)), 200);
	/* k-b, same store: one Early, its own schedule */
	assert_int_equal(post(TOKEN_B, "{\"kiosk\":\"k-b\",\"boots\":[\"b\"],\"ratings\":["
				       "[1,0,4,\"touch\",1718082000000,1,0,1,null,0]],"
				       "\"shifts\":[[0,\"Early = Mon-Fri 06:00-14:00\\n\"]]}", out, sizeof(out)), 200);
	/* the same schedules again (every batch carries them): kept once */
	assert_int_equal(post(TOKEN_B, "{\"kiosk\":\"k-b\",\"boots\":[\"b\"],\"ratings\":[],"
				       "\"shifts\":[[0,\"Early = Mon-Fri 06:00-14:00\\n\"]]}", out, sizeof(out)), 200);
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), "SELECT count(*) FROM kiosk_shifts", &st, err, sizeof(err)),
			 HQ_DB_DONE);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	assert_int_equal(hq_db_column_int64(st, 0), 3);
	hq_db_finalize(st);

	json_t *j = summary_by_shift(TOKEN_A, "2024-06-11");
	json_t *mine = json_object_get(json_object_get(j, "shifts"), "kiosk");
	json_t *list = json_object_get(mine, "shifts");
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "shift")), "Early");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "from")), "14:00");
	json_t *late = json_object_get(json_array_get(list, 1), "figures");
	assert_int_equal(json_integer_value(json_object_get(late, "total")), 1);
	assert_int_equal(json_integer_value(json_object_get(late, "misuse")), 1);
	assert_int_equal(json_integer_value(json_object_get(mine, "time_unknown")), 1);
	json_t *store = json_object_get(json_object_get(j, "shifts"), "store");
	json_t *early = json_array_get(json_object_get(store, "shifts"), 0);
	assert_int_equal(json_integer_value(json_object_get(early, "kiosks")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(early, "figures"), "total")), 2);
	assert_true(json_real_value(json_object_get(json_object_get(early, "figures"), "positive_pct")) == 50.0);
	/* the day's usual summary is all still there */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "kiosk"), "total")), 3);
	json_decref(j);

	/* Wednesday: the new schedule, Early until 15:00 */
	j = summary_by_shift(TOKEN_A, "2024-06-12");
	list = json_object_get(json_object_get(json_object_get(j, "shifts"), "kiosk"), "shifts");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "to")), "15:00");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(list, 0), "figures"), "total")), 1);
	json_decref(j);

	/* by=nonsense is refused */
	const char *args[] = { "day=2024-06-12", "by=week", NULL };
	struct hq_response res;
	assert_int_equal(call("GET", "/api/v1/summary", TOKEN_A, NULL, args, &res), 400);
	hq_api_response_free(&res);
}

/* One integer from sql on the test's database. */
static int64_t count_of(const char *sql)
{
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), sql, &st, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	int64_t n = hq_db_column_int64(st, 0);
	hq_db_finalize(st);
	return n;
}

/*
 * The schedules go in the batch's own transaction: when they cannot be
 * written, the batch is refused and nothing of it is stored (before, the
 * ratings were committed and acknowledged first, and the shift names of an
 * acknowledged batch could be lost).
 */
static void test_a_shift_write_that_fails_stores_nothing_of_the_batch(void **state)
{
	(void)state;
	char out[512];
	const char *body = "{\"kiosk\":\"k-a\",\"boots\":[\"b\"],\"ratings\":["
			   "[1,3,4,\"touch\",1718080200000,1,0,1,null,0]],"
			   "\"shifts\":[[0,\"Early = Mon-Fri 06:00-14:00\\n\"]]}";
	/* The write of the schedules fails (its table is gone), on either engine. */
	assert_int_equal(hq_db_exec(hq_store_sql(db), "DROP TABLE kiosk_shifts", err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(post(TOKEN_A, body, out, sizeof(out)), 503);
	assert_int_equal(count_of("SELECT count(*) FROM ratings"), 0);
	assert_int_equal(count_of("SELECT count(*) FROM rating_counts"), 0);
	assert_int_equal(count_of("SELECT acked_through FROM kiosks WHERE id = 'k-a'"), 0);
	/* The table back: the kiosk's resend is stored whole, schedules and all. */
	assert_int_equal(hq_db_exec(hq_store_sql(db), "CREATE TABLE kiosk_shifts (kiosk_id TEXT NOT NULL,"
				    " valid_from_ms BIGINT NOT NULL, definition TEXT NOT NULL, received_ms BIGINT NOT NULL,"
				    " PRIMARY KEY (kiosk_id, valid_from_ms))", err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(post(TOKEN_A, body, out, sizeof(out)), 200);
	assert_int_equal(count_of("SELECT count(*) FROM ratings"), 1);
	assert_int_equal(count_of("SELECT count(*) FROM kiosk_shifts"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ingest_is_idempotent),
		T(test_summary_by_shift_counts_by_the_schedule_in_force),
		T(test_gaps_are_named_and_filled),
		T(test_gap_list_is_capped),
		T(test_bad_input_is_refused_and_writes_nothing),
		T(test_revoked_token_is_refused),
		T(test_routes_and_methods),
		T(test_healthz_names_the_engine_and_says_503_while_the_database_is_gone),
		T(test_error_for_any_path_is_one_line_of_json),
		T(test_summary_on_the_spring_forward_day),
		T(test_summary_on_the_fall_back_day),
		T(test_unsynced_time_counts_but_not_hourly),
		T(test_summary_needs_a_day_and_a_token),
		T(test_admin_export_pages_json_and_csv),
		T(test_newer_schema_is_refused),
		T(test_reimaged_store_is_a_new_identity),
		T(test_same_identity_other_content_is_a_conflict_that_stores_nothing),
		T(test_a_correction_added_on_resend_is_no_conflict),
		T(test_legacy_ratings_are_adopted_by_the_upgraded_store),
		T(test_reimaged_store_after_legacy_leaves_legacy_alone),
		T(test_every_answer_carries_head_office_clock),
		T(test_schema_1_migrates_to_install_identity),
		T(test_a_shift_write_that_fails_stores_nothing_of_the_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
