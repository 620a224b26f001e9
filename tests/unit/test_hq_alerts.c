/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alerts at head office: rules, the evaluator's episodes (once, all clear,
 * misuse never counts, silence only in opening hours), reports queued once,
 * ISO weeks and the webhook signature; a real SQLite file, the clock given.
 */
#include "testutil.h"

#include <jansson.h>
#include <time.h>

#include "hq_alert_eval.h"
#include "hq_alert_store.h"
#include "hq_api.h"
#include "hq_deliver.h"
#include "hq_report.h"
#include "hq_db.h"
#include "hq_store.h"
#include "hq_token.h"

static char dir[512], path[600], err[512];
static struct hq_store *db;
static const struct hq_api_options opt = { .max_batch = 1000 };
static const struct hq_alert_env env = { .public_url = "https://hq.example.com/", .webhook_url = "http://127.0.0.1:9/h",
					 .mail_to = "ops@example.com", .report_time = "07:00", .mail = 1 };

/* 2026-11-25 12:00 UTC, a Wednesday */
#define NOON 1795608000000LL
#define MIN 60000LL
#define HOUR 3600000LL

static void add_kiosk(const char *id, const char *store, const char *tz, const char *token)
{
	struct hq_kiosk k;
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", id);
	snprintf(k.store, sizeof(k.store), "%s", store);
	snprintf(k.area, sizeof(k.area), "Counter");
	snprintf(k.tz, sizeof(k.tz), "%s", tz);
	uint8_t hash[HQ_HASH_LEN];
	assert_int_equal(hq_token_hash(token, strlen(token), hash), 0);
	assert_int_equal(hq_store_kiosk_add(db, &k, hash, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/hq.db", dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	add_kiosk("k-a", "Berlin", "Europe/Berlin", "token-a");
	add_kiosk("k-b", "London", "Europe/London", "token-b");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

static int seq_a, seq_b;

/* Posts (value, ms, flags) triples on the 4-face scale as kiosk k-a or k-b would. */
static void post(const char *kiosk, const int64_t (*r)[3], int n)
{
	int *seq = !strcmp(kiosk, "k-a") ? &seq_a : &seq_b;
	size_t cap = 256 + (size_t)n * 96, used;
	char *b = malloc(cap);
	used = (size_t)snprintf(b, cap, "{\"kiosk\":\"%s\",\"boots\":[\"boot-1\"],\"ratings\":[", kiosk);
	for (int i = 0; i < n; i++) {
		++*seq;
		used += (size_t)snprintf(b + used, cap - used, "%s[%d,%lld,4,\"button\",%lld,%d,0,1,null,%lld]", i ? "," : "",
					 *seq, (long long)r[i][0], (long long)r[i][1], *seq, (long long)r[i][2]);
	}
	snprintf(b + used, cap - used, "]}");
	char auth[32];
	snprintf(auth, sizeof(auth), "Bearer token-%c", kiosk[2]);
	struct hq_request req = { .method = "POST", .path = "/api/v1/ratings", .authorization = auth, .body = b,
				  .body_len = strlen(b), .peer = "test" };
	struct hq_response res;
	hq_api_handle(db, &opt, &req, &res);
	assert_int_equal(res.status, 200);
	hq_api_response_free(&res);
	free(b);
}

static struct hq_alert_rule rule(const char *kind, const char *scope_kind, const char *scope)
{
	struct hq_alert_rule r;
	assert_int_equal(hq_alert_rule_defaults(&r, kind), 0);
	snprintf(r.scope_kind, sizeof(r.scope_kind), "%s", scope_kind);
	snprintf(r.scope, sizeof(r.scope), "%s", scope);
	assert_int_equal(hq_alert_rule_save(db, &r, NOON - HOUR, err, sizeof(err)), 0);
	return r;
}

static int queued(void)
{
	struct hq_alert_msg *m;
	size_t n;
	assert_int_equal(hq_alert_outbox_due(db, INT64_MAX, 1000, &m, &n, err, sizeof(err)), 0);
	hq_alert_msg_free(m, n);
	free(m);
	return (int)n;
}

static struct hq_alert_eval_stats eval(int64_t now)
{
	struct hq_alert_eval_stats st;
	assert_int_equal(hq_alert_eval(db, &env, now, &st, err, sizeof(err)), 0);
	return st;
}

static void test_negative_share_alerts_once_then_all_clear(void **state)
{
	(void)state;
	struct hq_alert_rule r = rule("negative", "store", "Berlin");
	assert_true(r.threshold == 50 && r.window_min == 15 && r.min_ratings == 4);
	/* Three ratings, all negative: not yet the 4 the rule asks for. */
	const int64_t three[][3] = { { 0, NOON - 5 * MIN, 0 }, { 1, NOON - 4 * MIN, 0 }, { 0, NOON - 3 * MIN, 0 } };
	post("k-a", three, 3);
	assert_int_equal(eval(NOON).opened, 0);
	const int64_t fourth[][3] = { { 3, NOON - 2 * MIN, 0 } };
	post("k-a", fourth, 1);
	struct hq_alert_eval_stats st = eval(NOON);
	assert_int_equal(st.opened, 1);
	assert_int_equal(queued(), 2); /* the webhook and the mail */
	/* Checked again, or by a new connection (a restart): nothing new. */
	assert_int_equal(eval(NOON + MIN).opened, 0);
	hq_store_close(db);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	assert_int_equal(eval(NOON + 2 * MIN).opened, 0);
	assert_int_equal(queued(), 2);
	struct hq_alert_episode e;
	assert_int_equal(hq_alert_episode_open_of(db, r.id, "Berlin", &e), 1);
	assert_true(e.value == 75 && e.ratings == 4);
	/* The window moves past the ratings: the episode ends with an all clear. */
	st = eval(NOON + 20 * MIN);
	assert_int_equal(st.cleared, 1);
	assert_int_equal(queued(), 4);
	assert_int_equal(hq_alert_episode_open_of(db, r.id, "Berlin", &e), 0);
	/* The messages name the episode and link its page. */
	struct hq_alert_msg *m;
	size_t n;
	assert_int_equal(hq_alert_outbox_due(db, INT64_MAX, 10, &m, &n, err, sizeof(err)), 0);
	json_t *body = json_loads(m[0].body, 0, NULL);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "event")), "alert");
	assert_int_equal(json_integer_value(json_object_get(body, "episode")), e.id ? e.id : 1);
	assert_string_equal(json_string_value(json_object_get(body, "link")), "https://hq.example.com/alerts?episode=1");
	json_decref(body);
	assert_non_null(strstr(m[1].subject, "Tally alert: Berlin"));
	assert_string_equal(m[1].target, "ops@example.com");
	assert_non_null(strstr(m[3].subject, "Tally all clear: Berlin"));
	hq_alert_msg_free(m, n);
	free(m);
}

static void test_misuse_and_closed_presses_never_alert(void **state)
{
	(void)state;
	rule("negative", "store", "Berlin");
	struct hq_alert_rule idx = rule("index", "store", "Berlin");
	(void)idx;
	int64_t r[20][3];
	for (int i = 0; i < 20; i++) {
		r[i][0] = 0;
		r[i][1] = NOON - 10 * MIN + i * 1000;
		r[i][2] = i % 2 ? 1 : 2; /* misuse, closed-hours */
	}
	post("k-a", (const int64_t(*)[3])r, 20);
	struct hq_alert_eval_stats st = eval(NOON);
	assert_int_equal(st.opened, 0);
	assert_int_equal(queued(), 0);
}

static void test_index_below_threshold_on_the_local_day(void **state)
{
	(void)state;
	struct hq_alert_rule r;
	assert_int_equal(hq_alert_rule_defaults(&r, "index"), 0);
	snprintf(r.scope, sizeof(r.scope), "London");
	r.threshold = 40;
	r.min_ratings = 4;
	assert_int_equal(hq_alert_rule_save(db, &r, NOON, err, sizeof(err)), 0);
	/* Yesterday's bad ratings do not count today. */
	const int64_t old[][3] = { { 0, NOON - 20 * HOUR, 0 }, { 0, NOON - 20 * HOUR, 0 }, { 0, NOON - 20 * HOUR, 0 },
				   { 0, NOON - 20 * HOUR, 0 } };
	post("k-b", old, 4);
	assert_int_equal(eval(NOON).opened, 0);
	/* Today: 0, 0, 1, 2 -> (0 + 0 + 33.3 + 66.7) / 4 = 25. */
	const int64_t today[][3] = { { 0, NOON - HOUR, 0 }, { 0, NOON - HOUR, 0 }, { 1, NOON - HOUR, 0 }, { 2, NOON - HOUR, 0 } };
	post("k-b", today, 4);
	assert_int_equal(eval(NOON).opened, 1);
	struct hq_alert_episode e;
	assert_int_equal(hq_alert_episode_open_of(db, r.id, "London", &e), 1);
	assert_true(e.value > 24.9 && e.value < 25.1);
	/* Enough good ratings lift it to 40 or more: cleared. */
	const int64_t good[][3] = { { 3, NOON - MIN, 0 }, { 3, NOON - MIN, 0 } };
	post("k-b", good, 2);
	assert_int_equal(eval(NOON).cleared, 1);
}

static void test_silence_counts_only_opening_hours(void **state)
{
	(void)state;
	struct hq_alert_rule r;
	assert_int_equal(hq_alert_rule_defaults(&r, "silent"), 0);
	snprintf(r.scope, sizeof(r.scope), "London");
	r.threshold = 2;
	assert_int_equal(hq_alert_rule_save(db, &r, NOON, err, sizeof(err)), 0);
	const int64_t one[][3] = { { 3, NOON - 10 * HOUR, 0 } };
	post("k-b", one, 1); /* last heard: now (the receive time), whatever the rating's time */
	/* Open 09:00-17:00 London (UTC in November) on weekdays. */
	const char *week[7] = { "closed", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "closed" };
	assert_int_equal(hq_alert_hours_set(db, "k-b", week, err, sizeof(err)), 0);
	assert_int_equal(hq_alert_hours_set(db, "nobody", week, err, sizeof(err)), 1);
	/* The receive time is the real clock: set it to a known Friday 16:00 UTC, so the hours decide. */
	const int64_t friday16 = NOON + 2 * 24 * HOUR + 4 * HOUR; /* 2026-11-27 16:00 */
	char sql[160];
	snprintf(sql, sizeof(sql), "UPDATE kiosks SET last_batch_ms = %lld, created_ms = %lld WHERE id = 'k-b'",
		 (long long)friday16, (long long)(friday16 - 24 * HOUR));
	assert_int_equal(hq_db_exec(hq_store_sql(db), sql, err, sizeof(err)), HQ_DB_DONE);
	const int64_t heard = friday16;
	/* Saturday and Sunday closed: by Monday 09:30 only 1.5 h of opening hours have passed. */
	const int64_t monday0930 = heard + 2 * 24 * HOUR + 17 * HOUR + 30 * MIN;
	assert_int_equal(eval(monday0930).opened, 0);
	/* Monday 10:05: 2 h 5 min of opening hours. */
	assert_int_equal(eval(monday0930 + 35 * MIN).opened, 1);
	struct hq_alert_episode e;
	assert_int_equal(hq_alert_episode_open_of(db, r.id, "k-b", &e), 1);
	assert_string_equal(e.store, "London");
}

static void test_a_changed_rule_starts_afresh(void **state)
{
	(void)state;
	struct hq_alert_rule r = rule("negative", "store", "Berlin");
	const int64_t bad[][3] = { { 0, NOON - MIN, 0 }, { 0, NOON - MIN, 0 }, { 0, NOON - MIN, 0 }, { 0, NOON - MIN, 0 } };
	post("k-a", bad, 4);
	assert_int_equal(eval(NOON).opened, 1);
	r.threshold = 90;
	assert_int_equal(hq_alert_rule_save(db, &r, NOON, err, sizeof(err)), 0);
	struct hq_alert_episode e;
	assert_int_equal(hq_alert_episode_open_of(db, r.id, "Berlin", &e), 0);
	assert_int_equal(eval(NOON).opened, 1);
	assert_int_equal(hq_alert_rule_delete(db, r.id, err, sizeof(err)), 0);
	assert_int_equal(hq_alert_rule_delete(db, r.id, err, sizeof(err)), 1);
	assert_int_equal(hq_alert_episode_open_of(db, r.id, "Berlin", &e), 0);
}

static void test_bad_rules_are_refused(void **state)
{
	(void)state;
	struct hq_alert_rule r;
	assert_int_equal(hq_alert_rule_defaults(&r, "sometimes"), -1);
	assert_int_equal(hq_alert_rule_defaults(&r, "negative"), 0);
	assert_int_equal(hq_alert_rule_check(&r, err, sizeof(err)), -1); /* no scope */
	snprintf(r.scope, sizeof(r.scope), "Berlin");
	assert_int_equal(hq_alert_rule_check(&r, err, sizeof(err)), 0);
	r.threshold = 101;
	assert_int_equal(hq_alert_rule_check(&r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 100"));
	r.threshold = 50;
	snprintf(r.webhook, sizeof(r.webhook), "ftp://x");
	assert_int_equal(hq_alert_rule_check(&r, err, sizeof(err)), -1);
	r.webhook[0] = '\0';
	snprintf(r.send_at, sizeof(r.send_at), "25:00");
	assert_int_equal(hq_alert_rule_check(&r, err, sizeof(err)), -1);
}

static void test_reports_are_queued_once_at_their_time(void **state)
{
	(void)state;
	/* Berlin's day 2026-11-24 (a Tuesday): 3 ratings at 14:xx local. */
	const int64_t t = 1795525200000LL; /* 2026-11-24 13:00 UTC = 14:00 CET */
	const int64_t day[][3] = { { 3, t, 0 }, { 2, t + MIN, 0 }, { 3, t + 2 * MIN, 0 }, { 0, t + 3 * MIN, 1 } };
	post("k-a", day, 4);
	struct hq_alert_rule r = rule("daily", "store", "Berlin");
	int n;
	/* 2026-11-25 06:59 CET = 05:59 UTC: not yet. */
	const int64_t before = 1795586340000LL;
	assert_int_equal(hq_report_queue_due(db, &env, before, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hq_report_queue_due(db, &env, before + 2 * MIN, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hq_report_queue_due(db, &env, before + 60 * MIN, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	struct hq_alert_msg *m;
	size_t k;
	assert_int_equal(hq_alert_outbox_due(db, INT64_MAX, 10, &m, &k, err, sizeof(err)), 0);
	assert_int_equal(k, 2);
	assert_non_null(strstr(m[1].subject, "Tally daily report: Berlin, 2026-11-24: Happy Index 88.9"));
	assert_non_null(strstr(m[1].body, "Ratings      3 (left out: 1 misuse, 0 closed-hours presses)"));
	assert_non_null(strstr(m[1].body, "Best hour    14:00-15:00"));
	hq_alert_msg_free(m, k);
	free(m);
	(void)r;
}

static void test_iso_weeks(void **state)
{
	(void)state;
	struct tzdate d;
	char w[16];
	assert_int_equal(hq_report_parse_week("2026-W01", &d), 0);
	assert_true(d.year == 2025 && d.month == 12 && d.day == 29);
	assert_int_equal(hq_report_parse_week("2026-W53", &d), 0); /* 2026 has 53 weeks */
	assert_true(d.year == 2026 && d.month == 12 && d.day == 28);
	assert_int_equal(hq_report_parse_week("2025-W53", &d), -1); /* 2025 has 52 */
	assert_int_equal(hq_report_parse_week("2026-48", &d), -1);
	hq_report_week_name((struct tzdate){ 2027, 1, 3 }, w);
	assert_string_equal(w, "2026-W53");
	hq_report_week_name((struct tzdate){ 2026, 11, 29 }, w);
	assert_string_equal(w, "2026-W48");
}

static void test_webhook_signature_is_hmac_sha256_of_time_and_body(void **state)
{
	(void)state;
	char sig[128];
	assert_int_equal(hq_deliver_sign("key", 1700000000, "{\"a\":1}", sig, sizeof(sig)), 0);
	assert_string_equal(sig, "t=1700000000,v1=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_negative_share_alerts_once_then_all_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse_and_closed_presses_never_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_below_threshold_on_the_local_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence_counts_only_opening_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_changed_rule_starts_afresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rules_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_are_queued_once_at_their_time, setup, teardown),
		cmocka_unit_test(test_iso_weeks),
		cmocka_unit_test(test_webhook_signature_is_hmac_sha256_of_time_and_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
