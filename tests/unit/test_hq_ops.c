/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Head office operations (issue 9): exports that fail loudly, error bodies
 * that are always JSON, log lines that cannot be forged, spreadsheet-safe
 * CSV. hq_api against a real SQLite file, no sockets.
 */
#include "hqtest.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "hq_api.h"
#include "hq_store.h"
#include "hq_registry.h"
#include "hq_token.h"
#include "log.h"
#include "protocol.h"
#include "tzif.h"
#include "utf8.h"

static char dir[512], path[600], err[512];
static struct hq_store *db;
static const struct hq_api_options opt = { .max_batch = 100 };

#define TOKEN_A "Bearer aaaa-token"
#define ADMIN "Bearer admin-token"
#define T_DAY 1711839600000LL /* 2024-03-31 00:00 Europe/Berlin */

static int add_kiosk(const char *id, const char *store, const char *area, const char *tz, const char *token)
{
	struct hq_kiosk k;
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", id);
	snprintf(k.store, sizeof(k.store), "%s", store);
	snprintf(k.area, sizeof(k.area), "%s", area);
	snprintf(k.tz, sizeof(k.tz), "%s", tz);
	uint8_t hash[HQ_HASH_LEN];
	assert_int_equal(hq_token_hash(token + 7, strlen(token + 7), hash), 0);
	return hq_store_kiosk_add(db, &k, hash, err, sizeof(err));
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(path, sizeof(path), dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	assert_int_equal(add_kiosk("k-a", "Berlin", "Counter", "Europe/Berlin", TOKEN_A), 0);
	uint8_t hash[HQ_HASH_LEN];
	assert_int_equal(hq_token_hash("admin-token", 11, hash), 0);
	assert_int_equal(hq_store_admin_add(db, hash, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	log_set_sink(NULL, NULL);
	return 0;
}

static const char *query(void *ctx, const char *name)
{
	for (const char **a = ctx; *a; a++) {
		size_t n = strlen(name);
		if (!strncmp(*a, name, n) && (*a)[n] == '=')
			return *a + n + 1;
	}
	return NULL;
}

static int call(const char *method, const char *p, const char *auth, const char *body, const char **args,
		struct hq_response *res)
{
	static const char *none[] = { NULL };
	struct hq_request req = { .method = method, .path = p, .authorization = auth, .body = body,
				  .body_len = body ? strlen(body) : 0, .query = query,
				  .query_ctx = (void *)(args ? args : none), .peer = "test" };
	hq_api_handle(db, &opt, &req, res);
	return res->status;
}

static void post_batch(const char *kiosk, const char *auth, int from, int to)
{
	char body[8192];
	size_t n = (size_t)snprintf(body, sizeof(body), "{\"kiosk\":\"%s\",\"boots\":[\"boot-1\"],\"ratings\":[", kiosk);
	for (int s = from; s <= to; s++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s[%d,%d,4,\"button\",%lld,%d,0,1,null,0]",
				      s > from ? "," : "", s, s % 4, (long long)(T_DAY + (int64_t)s * 60000), s * 1000);
	snprintf(body + n, sizeof(body) - n, "]}");
	struct hq_response res;
	assert_int_equal(call("POST", "/api/v1/ratings", auth, body, NULL, &res), 200);
	hq_api_response_free(&res);
}

/* Whether body[0..len) is one JSON object with a string "error" (parsed by jansson through protocol.h). */
static int is_json_error(const struct hq_response *res, char *msg, size_t msglen)
{
	return res->body && protocol_decode_error(res->body, res->body_len, msg, msglen) == 0;
}

static void sql(const char *stmt)
{
	struct hq_db *raw;
	char e[512];
	assert_int_equal(hq_db_open(&raw, path, e, sizeof(e)), 0);
	if (hq_db_exec(raw, stmt, e, sizeof(e)) != HQ_DB_DONE)
		fail_msg("%s: %s", stmt, e);
	hq_db_close(raw);
}

/* --- 5: exports never end early without saying so ---------------------------- */

static void test_export_with_a_row_it_cannot_encode_is_an_error(void **state)
{
	(void)state;
	post_batch("k-a", TOKEN_A, 1, 5);
	/* PostgreSQL refuses text that is not UTF-8 at the door: such a row cannot exist there. */
	if (hqtest_pg())
		return;
	/* A name written before names were checked (or by hand): Latin-1, not UTF-8. */
	sql("UPDATE kiosks SET store = 'Stra' || x'df' || 'e' WHERE id = 'k-a'");
	for (int csv = 0; csv < 2; csv++) {
		const char *args[] = { "from=2024-03-31", "to=2024-03-31", csv ? "format=csv" : "format=json", NULL };
		struct hq_response res;
		int status = call("GET", "/api/v1/ratings", ADMIN, NULL, args, &res);
		char msg[512];
		/* Today: 200 with no rows and "next": null, as if the export were complete. */
		assert_int_equal(status, 500);
		assert_string_equal(res.content_type, "application/json");
		assert_true(is_json_error(&res, msg, sizeof(msg)));
		assert_non_null(strstr(msg, "not valid UTF-8"));
		assert_non_null(strstr(msg, "Stra\\xdfe"));
		hq_api_response_free(&res);
	}
}

static void test_kiosk_names_must_be_utf8(void **state)
{
	(void)state;
	assert_int_equal(add_kiosk("k-x", "Stra\xdf" "e", "Counter", "UTC", "Bearer x-token"), -1);
	assert_non_null(strstr(err, "store"));
	assert_int_equal(add_kiosk("k-y", "Berlin", "Coun\nter", "UTC", "Bearer y-token"), -1);
	assert_non_null(strstr(err, "area"));
	assert_int_equal(add_kiosk("k-z", "M\xc3\xbcnchen", "Kasse", "UTC", "Bearer z-token"), 0);
}

static void test_error_bodies_are_always_json(void **state)
{
	(void)state;
	struct hq_response res;
	char msg[600];
	/* MHD hands the handler the unescaped path: GET /%ff is the byte 0xff. */
	assert_int_equal(call("GET", "/\xff", NULL, NULL, NULL, &res), 404);
	assert_true(is_json_error(&res, msg, sizeof(msg))); /* today: an empty body */
	assert_string_equal(msg, "no such resource: /\\xff");
	hq_api_response_free(&res);
	/* A long path of multi-byte characters is cut on a character boundary, still JSON. */
	char longpath[2048] = "/";
	for (int i = 0; i < 600; i++)
		strcat(longpath, "\xc3\xa9");
	assert_int_equal(call("GET", longpath, NULL, NULL, NULL, &res), 404);
	assert_true(is_json_error(&res, msg, sizeof(msg)));
	assert_true(utf8_valid(msg, strlen(msg)));
	assert_true(strlen(msg) > 400);
	hq_api_response_free(&res);
}

/* --- 7: CSV is safe to open in a spreadsheet --------------------------------- */

static void test_csv_export_neutralises_formulas(void **state)
{
	(void)state;
	post_batch("k-a", TOKEN_A, 1, 2);
	sql("UPDATE kiosks SET store = '=HYPERLINK(\"http://evil\",\"x\")', area = '@SUM(1)' WHERE id = 'k-a'");
	const char *args[] = { "from=2024-03-31", "to=2024-03-31", "format=csv", NULL };
	struct hq_response res;
	assert_int_equal(call("GET", "/api/v1/ratings", ADMIN, NULL, args, &res), 200);
	assert_non_null(strstr(res.body, ",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'@SUM(1),"));
	assert_null(strstr(res.body, ",=HYPERLINK"));
	assert_null(strstr(res.body, ",\"=HYPERLINK"));
	hq_api_response_free(&res);
}

/* --- 8: logs cannot be forged ------------------------------------------------ */

static char logged[4096];

static void capture(void *arg, int priority, const char *ident, const char *message, const struct log_field *f,
		    size_t nf)
{
	(void)arg, (void)priority, (void)ident, (void)f, (void)nf;
	snprintf(logged + strlen(logged), sizeof(logged) - strlen(logged), "%s\n", message);
}

static void test_control_characters_from_requests_are_escaped_in_logs(void **state)
{
	(void)state;
	logged[0] = '\0';
	log_set_sink(capture, NULL);
	struct hq_response res;
	/* A fake second log line, a terminal escape, a tab, NUL-less C0 bytes, DEL and a C1 CSI. */
	const char *evil = "/x\ntally-hq: notice: admin logged in\x1b[2J\t\x01\x7f\xc2\x9b";
	assert_int_equal(call("GET", evil, NULL, NULL, NULL, &res), 404);
	char msg[600];
	assert_true(is_json_error(&res, msg, sizeof(msg)));
	assert_null(strpbrk(msg, "\n\r\t\x1b\x01\x7f"));
	hq_api_response_free(&res);
	log_set_sink(NULL, NULL);
	/* One line, every control byte visible as \xNN. */
	assert_non_null(strstr(logged, "/x\\x0atally-hq: notice: admin logged in\\x1b[2J\\x09\\x01\\x7f\\xc2\\x9b"));
	assert_int_equal(strchr(logged, '\n') - logged, (long)strlen(logged) - 1);
}


/* --- 12: fleet health, kept by ingest --------------------------------------- */

static void test_sync_sends_its_version_and_ingest_records_it(void **state)
{
	(void)state;
	struct protocol_rating r;
	memset(&r, 0, sizeof(r));
	snprintf(r.r.kiosk_id, sizeof(r.r.kiosk_id), "k-a");
	snprintf(r.r.boot_id, sizeof(r.r.boot_id), "boot-1");
	r.r.seq = 7;
	r.r.value = 2;
	r.r.scale = 4;
	r.r.wall_ms = T_DAY + 3600000;
	r.has_corrected = 1;
	r.corrected_ms = T_DAY + 3600000;
	char *body;
	size_t len;
	assert_int_equal(protocol_encode_batch("k-a", &r, 1, &body, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(body, "\"version\":\"" TALLY_VERSION "\""));
	struct hq_response res;
	assert_int_equal(call("POST", "/api/v1/ratings", TOKEN_A, body, NULL, &res), 200);
	hq_api_response_free(&res);
	free(body);
	/* A refused batch (bad JSON) leaves the registry as it was: the update is in the ingest transaction. */
	assert_int_equal(call("POST", "/api/v1/ratings", TOKEN_A, "{\"kiosk\":\"k-a\",\"version\":\"6.6.6\"", NULL, &res),
			 400);
	hq_api_response_free(&res);
	struct hq_fleet_kiosk *f;
	size_t n;
	assert_int_equal(hq_registry_fleet(db, &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].version, TALLY_VERSION);
	assert_string_equal(f[0].clock, "corrected");
	assert_int_equal(f[0].last_seq, 7);
	assert_int_equal(f[0].batches, 1);
	assert_true(f[0].last_batch_ms > 0);
	free(f);
}

static void test_fleet_counts_conflicts(void **state)
{
	(void)state;
	assert_int_equal(add_kiosk("k-b", "Berlin", "Kasse", "Europe/Berlin", "Bearer bbbb-token"), 0);
	post_batch("k-a", TOKEN_A, 1, 3);
	/* A restored backup posts seq 1..2 again with other content: 409, nothing stored, both logged. */
	char body[512];
	snprintf(body, sizeof(body), "{\"kiosk\":\"k-a\",\"boots\":[\"boot-1\"],\"ratings\":["
		 "[1,3,4,\"touch\",%lld,1,0,1,null,0],[2,3,4,\"touch\",%lld,2,0,1,null,0]]}",
		 (long long)T_DAY + 5000, (long long)T_DAY + 6000);
	struct hq_response res;
	assert_int_equal(call("POST", "/api/v1/ratings", TOKEN_A, body, NULL, &res), 409);
	hq_api_response_free(&res);
	struct hq_fleet_kiosk *f;
	size_t n;
	assert_int_equal(hq_registry_fleet(db, &f, &n, err, sizeof(err)), 0);
	/* Silent first: k-b never posted. */
	assert_int_equal(n, 2);
	assert_string_equal(f[0].k.id, "k-b");
	assert_int_equal(f[0].conflicts, 0);
	assert_string_equal(f[1].k.id, "k-a");
	assert_true(f[1].conflicts >= 1);
	assert_int_equal(f[1].batches, 1); /* the refused batch is not counted as stored */
	free(f);
}

static void test_expiry_is_days_or_a_date(void **state)
{
	(void)state;
	int64_t ms, now = 1795900000000LL; /* 2026-11-28 */
	assert_int_equal(hq_registry_parse_expiry("30", now, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, now + 30 * 86400000LL);
	assert_int_equal(hq_registry_parse_expiry("2027-01-31", now, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, 1801440000000LL); /* 2027-02-01 00:00 UTC: valid through the 31st */
	assert_int_equal(hq_registry_parse_expiry("2020-01-01", now, &ms, err, sizeof(err)), -1);
	assert_int_equal(hq_registry_parse_expiry("0", now, &ms, err, sizeof(err)), -1);
	assert_int_equal(hq_registry_parse_expiry("soon", now, &ms, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "number of days or a date"));
}

/* --- 6: no limit on time zones, no $TZ in the server ------------------------- */

#define NZONES 400

/* Zones from this machine's tzdata: the tricky ones first, then whatever is on disk. */
static size_t pick_zones(char names[][64], size_t max)
{
	static const char *first[] = { "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
				       "Pacific/Chatham", "Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns",
				       "Australia/Sydney", "America/Santiago", "Africa/Casablanca", "Asia/Tehran" };
	static const char *dirs[] = { "Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic",
				      "Indian", "Antarctica", "Etc", "America/Argentina", "America/Indiana",
				      "America/Kentucky", "America/North_Dakota", "US", "Canada", "Brazil", "Mexico",
				      "Chile", "Arctic" };
	size_t n = 0;
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		snprintf(names[n++], 64, "%s", first[i]);
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]) && n < max; d++) {
		char dpath[256];
		snprintf(dpath, sizeof(dpath), "/usr/share/zoneinfo/%s", dirs[d]);
		DIR *dir = opendir(dpath);
		struct dirent *e;
		while (dir && (e = readdir(dir)) && n < max) {
			if (e->d_name[0] == '.' || strlen(e->d_name) > 40)
				continue;
			char name[320];
			snprintf(name, sizeof(name), "%s/%s", dirs[d], e->d_name);
			if (strlen(name) >= 64)
				continue;
			int dup = 0;
			for (size_t i = 0; i < n && !dup; i++)
				dup = !strcmp(names[i], name);
			struct tzif *z;
			if (dup || tzif_load(&z, name, NULL, 0))
				continue; /* a directory, or a name already taken */
			tzif_free(z);
			memcpy(names[n++], name, strlen(name) + 1);
		}
		if (dir)
			closedir(dir);
	}
	return n;
}

/* The reference: glibc, through $TZ (this test is one thread). */
static struct tm glibc_local(const char *tz, int64_t t)
{
	setenv("TZ", tz, 1);
	tzset();
	time_t tt = (time_t)t;
	struct tm tm;
	assert_non_null(localtime_r(&tt, &tm));
	return tm;
}

/* First UTC second whose local date in tz is y-m-d or later, by bisection over glibc's localtime. */
static int64_t glibc_day_start(const char *tz, int y, int m, int d)
{
	int64_t utc_midnight = tzif_days_from_civil(y, m, d) * 86400;
	int64_t lo = utc_midnight - 16 * 3600, hi = utc_midnight + 14 * 3600;
	long want = (long)y * 10000 + m * 100 + d;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		struct tm tm = glibc_local(tz, mid);
		long got = (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
		if (got >= want)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

struct zone_expect {
	int64_t start[2], end[2];       /* the two test days, UTC seconds */
	int hour_first[2], hour_last[2]; /* local hours of the first and last second */
};

static void test_summaries_with_kiosks_in_400_zones_across_dst(void **state)
{
	(void)state;
	static char names[NZONES][64];
	static struct zone_expect ex[NZONES];
	if (pick_zones(names, NZONES) < NZONES)
		skip(); /* this machine's tzdata is not complete */
	/* Berlin's 25-hour last Sunday of October; New York's 23-hour second Sunday of March. */
	const int days[2][3] = { { 2024, 10, 27 }, { 2024, 3, 10 } };
	const char *tz = getenv("TZ");
	char *old_tz = tz ? strdup(tz) : NULL;
	for (int i = 0; i < NZONES; i++)
		for (int d = 0; d < 2; d++) {
			ex[i].start[d] = glibc_day_start(names[i], days[d][0], days[d][1], days[d][2]);
			struct tzdate next = tzday_add_days((struct tzdate){ days[d][0], days[d][1], days[d][2] }, 1);
			ex[i].end[d] = glibc_day_start(names[i], next.year, next.month, next.day);
			ex[i].hour_first[d] = glibc_local(names[i], ex[i].start[d]).tm_hour;
			ex[i].hour_last[d] = glibc_local(names[i], ex[i].end[d] - 1).tm_hour;
		}
	if (old_tz) {
		setenv("TZ", old_tz, 1);
		free(old_tz);
	} else {
		unsetenv("TZ");
	}
	tzset();
	/* Berlin's and New York's DST days really are 25 and 23 hours long. */
	assert_int_equal(ex[0].end[0] - ex[0].start[0], 25 * 3600);
	assert_int_equal(ex[1].end[1] - ex[1].start[1], 23 * 3600);

	sql("DELETE FROM kiosks");
	for (int i = 0; i < NZONES; i++) {
		char id[32], token[48], store[32];
		snprintf(id, sizeof(id), "z-%03d", i);
		snprintf(token, sizeof(token), "Bearer zone-token-%03d", i);
		snprintf(store, sizeof(store), "Store %d", i % 20);
		assert_int_equal(add_kiosk(id, store, "Counter", names[i], token), 0);
		/* Per day: the second before it, its first and last second, the second after it. */
		char body[2048];
		size_t n = (size_t)snprintf(body, sizeof(body), "{\"kiosk\":\"%s\",\"boots\":[\"b\"],\"ratings\":[", id);
		int seq = 1;
		for (int d = 0; d < 2; d++) {
			int64_t at[4] = { ex[i].start[d] - 1, ex[i].start[d], ex[i].end[d] - 1, ex[i].end[d] };
			for (int k = 0; k < 4; k++, seq++)
				n += (size_t)snprintf(body + n, sizeof(body) - n, "%s[%d,3,4,\"button\",%lld,%d,0,1,null,0]",
						      seq > 1 ? "," : "", seq, (long long)at[k] * 1000, seq);
		}
		snprintf(body + n, sizeof(body) - n, "]}");
		struct hq_response res;
		assert_int_equal(call("POST", "/api/v1/ratings", token, body, NULL, &res), 200);
		hq_api_response_free(&res);
	}
	for (int d = 0; d < 2; d++) {
		char day[32];
		snprintf(day, sizeof(day), "day=%04d-%02d-%02d", days[d][0], days[d][1], days[d][2]);
		const char *args[] = { day, NULL };
		/* Every kiosk asks on the DST day of Europe, every 10th on America's. */
		for (int i = 0; i < NZONES; i += d ? 10 : 1) {
			char token[48];
			snprintf(token, sizeof(token), "Bearer zone-token-%03d", i);
			struct hq_response res;
			int status = call("GET", "/api/v1/summary", token, NULL, args, &res);
			if (status != 200)
				fail_msg("%s for %s (%s): %.*s", day, names[i], token, (int)res.body_len, res.body);
			static struct protocol_summary sum;
			assert_int_equal(protocol_decode_summary(res.body, res.body_len, &sum, err, sizeof(err)), 0);
			hq_api_response_free(&res);
			/* Each kiosk's own day holds exactly its first and last second, in the right local hours. */
			if (sum.kiosk.total != 2 || sum.kiosk.hourly[ex[i].hour_first[d]] < 1 ||
			    sum.kiosk.hourly[ex[i].hour_last[d]] < 1)
				fail_msg("%s in %s: %lld ratings (want 2), hours %d and %d", day, names[i],
					 (long long)sum.kiosk.total, ex[i].hour_first[d], ex[i].hour_last[d]);
			assert_int_equal(sum.chain.total, 2 * NZONES);
		}
	}
	/* The export of the Berlin DST day across all stores: two rows per kiosk, on one page. */
	const char *eargs[] = { "from=2024-10-27", "to=2024-10-27", "limit=10000", NULL };
	struct hq_response res;
	assert_int_equal(call("GET", "/api/v1/ratings", ADMIN, NULL, eargs, &res), 200);
	int rows = 0;
	for (char *p = res.body; (p = strstr(p, "\"seq\":")); p++)
		rows++;
	assert_int_equal(rows, 2 * NZONES);
	hq_api_response_free(&res);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_export_with_a_row_it_cannot_encode_is_an_error),
		T(test_kiosk_names_must_be_utf8),
		T(test_error_bodies_are_always_json),
		T(test_csv_export_neutralises_formulas),
		T(test_control_characters_from_requests_are_escaped_in_logs),
		T(test_sync_sends_its_version_and_ingest_records_it),
		T(test_fleet_counts_conflicts),
		T(test_expiry_is_days_or_a_date),
		T(test_summaries_with_kiosks_in_400_zones_across_dst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
