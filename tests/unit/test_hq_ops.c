/*
 * Head office operations (issue 9): exports that fail loudly, error bodies
 * that are always JSON, log lines that cannot be forged, spreadsheet-safe
 * CSV. hq_api against a real SQLite file, no sockets.
 */
#include "testutil.h"

#include <sqlite3.h>

#include "hq_api.h"
#include "hq_store.h"
#include "hq_token.h"
#include "log.h"
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
	snprintf(path, sizeof(path), "%s/hq.db", dir);
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
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	sqlite3_busy_timeout(raw, 5000);
	char *e = NULL;
	int rc = sqlite3_exec(raw, stmt, NULL, NULL, &e);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", stmt, e);
	sqlite3_close(raw);
}

/* --- 5: exports never end early without saying so ---------------------------- */

static void test_export_with_a_row_it_cannot_encode_is_an_error(void **state)
{
	(void)state;
	post_batch("k-a", TOKEN_A, 1, 5);
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_export_with_a_row_it_cannot_encode_is_an_error),
		T(test_kiosk_names_must_be_utf8),
		T(test_error_bodies_are_always_json),
		T(test_csv_export_neutralises_formulas),
		T(test_control_characters_from_requests_are_escaped_in_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
