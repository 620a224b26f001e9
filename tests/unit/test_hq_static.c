/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dashboard's files as head office serves them (hq_static through
 * hq_api_handle): pages only to a live session (others are sent to /login
 * and back), the right Content-Type, an ETag that gives 304, no way out of
 * the web directory (.., hidden files, a symlink leading out), no listing;
 * a 404 is a page for a person's browser and JSON for a script or /api/.
 * A real web directory and a real SQLite file with a real session.
 */
#include "testutil.h"

#include <sys/stat.h>
#include <time.h>

#include "hq_api.h"
#include "hq_session.h"
#include "hq_static.h"
#include "hq_store.h"
#include "hq_users.h"

static char dir[512], web[600], dbpath[600], err[512], cookie[128];
static struct hq_store *db;
static struct hq_api_options opt;

struct args {
	const char *names[4], *values[4];
};

static const char *query(void *ctx, const char *name)
{
	const struct args *a = ctx;
	for (int i = 0; i < 4 && a->names[i]; i++)
		if (!strcmp(a->names[i], name))
			return a->values[i];
	return NULL;
}

static void put(const char *rel, const char *text)
{
	char p[900];
	snprintf(p, sizeof(p), "%s/%s", web, rel);
	tu_write(p, text);
}

static int setup(void **state)
{
	(void)state;
	char p[900];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(web, sizeof(web), "%s/web", dir);
	assert_int_equal(mkdir(web, 0755), 0);
	snprintf(p, sizeof(p), "%s/vendor", web);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/vendor/chart", web);
	assert_int_equal(mkdir(p, 0755), 0);
	put("index.html", "<!doctype html><title>overview</title>");
	put("store.html", "<!doctype html><title>store</title>");
	put("fleet.html", "<!doctype html><title>fleet</title>");
	put("login.html", "<!doctype html><title>login</title>");
	put("not-found.html", "<!doctype html><title>Page not found</title><a href=\"/\">overview</a>");
	put("app.css", "body{}");
	put("common.js", "'use strict';");
	put("vendor/chart/LICENSE", "MIT");
	put("vendor/chart/chart.min.js", "var c;");
	put(".secret.js", "SECRET-HIDDEN");
	snprintf(p, sizeof(p), "%s/outside.js", dir);
	tu_write(p, "SECRET-OUTSIDE");
	char link[900];
	snprintf(link, sizeof(link), "%s/leak.js", web);
	assert_int_equal(symlink(p, link), 0);
	snprintf(dbpath, sizeof(dbpath), "%s/hq.db", dir);
	assert_int_equal(hq_store_open(&db, dbpath, err, sizeof(err)), 0);
	struct hq_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "anna");
	u.role = HQ_ROLE_CHAIN;
	assert_int_equal(hq_users_add(db, &u, "password-1", err, sizeof(err)), 0);
	memset(&opt, 0, sizeof(opt));
	opt.session = (struct hq_session_options){ .hours = 12, .idle_minutes = 60 };
	opt.web_root = web;
	char id[HQ_SESSION_ID_LEN + 1], csrf[HQ_SESSION_ID_LEN + 1];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	assert_int_equal(hq_session_create(db, &opt.session, "anna", (int64_t)ts.tv_sec * 1000, id, csrf, err, sizeof(err)), 0);
	snprintf(cookie, sizeof(cookie), "other=1; %s=%s", HQ_SESSION_COOKIE, id);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

static void get(const char *path, const char *cookie_hdr, const struct args *a, const char *inm, struct hq_response *res)
{
	struct hq_request req = { .method = "GET", .path = path, .cookie = cookie_hdr, .if_none_match = inm,
				  .query = a ? query : NULL, .query_ctx = (void *)a, .peer = "127.0.0.1" };
	hq_api_handle(db, &opt, &req, res);
}

static void test_pages_need_a_session_and_come_back_after_login(void **state)
{
	(void)state;
	struct hq_response res;
	struct args a = { { "store", "period" }, { "Berlin Mitte & Co", "7d" } };
	get("/store", NULL, &a, NULL, &res);
	assert_int_equal(res.status, 303);
	assert_string_equal(res.location, "/login?next=%2Fstore%3Fstore%3DBerlin%2520Mitte%2520%2526%2520Co%26period%3D7d");
	assert_null(res.body);
	hq_api_response_free(&res);
	/* A cookie of no live session is nobody. */
	get("/", "tally_session=0000000000000000000000000000000000000000000000000000000000000000", NULL, NULL, &res);
	assert_int_equal(res.status, 303);
	assert_string_equal(res.location, "/login?next=%2F");
	hq_api_response_free(&res);
	/* The login form is for everyone; a signed-in user gets every page. */
	get("/login", NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(res.body, "<title>login</title>"));
	assert_non_null(res.csp);
	hq_api_response_free(&res);
	const char *paths[] = { "/", "/store", "/fleet" }, *titles[] = { "overview", "store", "fleet" };
	for (int i = 0; i < 3; i++) {
		get(paths[i], cookie, &a, NULL, &res);
		assert_int_equal(res.status, 200);
		assert_non_null(strstr(res.body, titles[i]));
		assert_non_null(strstr(res.csp, "default-src 'self'"));
		hq_api_response_free(&res);
	}
	/* No alerts page installed: a plain 404 that says so. */
	get("/alerts", cookie, NULL, NULL, &res);
	assert_int_equal(res.status, 404);
	assert_non_null(strstr(res.body, "no alerts page"));
	hq_api_response_free(&res);
}

static void test_files_have_their_type_and_an_etag_that_gives_304(void **state)
{
	(void)state;
	struct hq_response res;
	get("/static/app.css", NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.content_type, "text/css; charset=utf-8");
	assert_string_equal(res.cache_control, "no-cache");
	assert_int_equal(res.body_len, 6);
	assert_memory_equal(res.body, "body{}", 6);
	char etag[48];
	snprintf(etag, sizeof(etag), "%s", res.etag);
	assert_true(etag[0] == '"');
	hq_api_response_free(&res);
	get("/static/app.css", NULL, NULL, etag, &res);
	assert_int_equal(res.status, 304);
	assert_null(res.body);
	hq_api_response_free(&res);
	char list[128];
	snprintf(list, sizeof(list), "\"old\", %s", etag);
	get("/static/app.css", NULL, NULL, list, &res);
	assert_int_equal(res.status, 304);
	hq_api_response_free(&res);
	/* The file changed: another tag, the new content. */
	put("app.css", "body{color:#000}");
	get("/static/app.css", NULL, NULL, etag, &res);
	assert_int_equal(res.status, 200);
	assert_string_not_equal(res.etag, etag);
	hq_api_response_free(&res);
	get("/static/common.js", NULL, NULL, NULL, &res);
	assert_string_equal(res.content_type, "text/javascript; charset=utf-8");
	assert_null(res.csp);
	hq_api_response_free(&res);
	get("/static/vendor/chart/LICENSE", NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.content_type, "text/plain; charset=utf-8");
	hq_api_response_free(&res);
	assert_string_equal(hq_static_type("a/b.svg"), "image/svg+xml");
	assert_null(hq_static_type("x.exe"));
	assert_null(hq_static_type("x.db"));
}

static void test_no_way_out_of_the_web_directory_and_no_listing(void **state)
{
	(void)state;
	/* Paths arrive decoded (%2e%2e is ..): each of these is 404, with JSON saying so. */
	const char *bad[] = { "/static/../outside.js", "/static/vendor/../../outside.js", "/static/.secret.js",
			      "/static/leak.js", "/static/vendor", "/static/vendor/", "/static/", "/static//app.css",
			      "/static/vendor/chart/", "/static/index.html", "/static/app.css/", "/static/no-such.js",
			      "/static/a\\b.js", "/static/hq.db", "/static/./app.css" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hq_response res;
		get(bad[i], cookie, NULL, NULL, &res);
		if (res.status != 404)
			fail_msg("%s: %d", bad[i], res.status);
		assert_string_equal(res.content_type, "application/json");
		assert_null(strstr(res.body, "SECRET"));
		hq_api_response_free(&res);
	}
	/* Only GET and HEAD. */
	struct hq_request req = { .method = "POST", .path = "/static/app.css", .peer = "127.0.0.1" };
	struct hq_response res;
	hq_api_handle(db, &opt, &req, &res);
	assert_int_equal(res.status, 405);
	hq_api_response_free(&res);
	req.method = "HEAD";
	hq_api_handle(db, &opt, &req, &res);
	assert_int_equal(res.status, 200);
	hq_api_response_free(&res);
}

static void test_without_installed_files_the_api_still_answers(void **state)
{
	(void)state;
	const char *keep = opt.web_root;
	opt.web_root = NULL;
	struct hq_response res;
	get("/", cookie, NULL, NULL, &res);
	assert_int_equal(res.status, 404);
	assert_non_null(strstr(res.body, "not installed"));
	hq_api_response_free(&res);
	get("/healthz", NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	hq_api_response_free(&res);
	opt.web_root = keep;
}

#define BROWSER "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

static void test_accept_prefers_html_only_when_it_says_so(void **state)
{
	(void)state;
	static const struct {
		const char *accept;
		int html;
	} cases[] = {
		{ BROWSER, 1 },
		{ "text/html", 1 },
		{ "TEXT/HTML ; charset=utf-8", 1 },
		{ "text/*", 1 },
		{ "*/*;q=0.8, text/html", 1 },
		{ "application/json;q=0.5, text/html;q=0.9", 1 },
		{ "text/html ; level=1 ; q=0.4,application/json;q=0.3", 1 },
		{ " application/json;q=0.9;x=1 , text/html;q=0.95", 1 },
		{ NULL, 0 },
		{ "", 0 },
		{ "*/*", 0 },                                  /* curl, fetch(), Python's urllib */
		{ "application/json", 0 },
		{ "application/json, text/html", 0 },          /* a tie: the API's answer */
		{ "text/html;q=0.5, application/json", 0 },
		{ "text/html;q=0.9, */*", 0 },
		{ "text/html;q=0", 0 },
		{ "text/plain", 0 },
		{ "text/*;q=0.9, application/*", 0 },
		{ "text/htmlx, application/json;q=0.1", 0 },
		{ "text/html;q=0.3, application/json;q=", 0 },   /* an unreadable q counts as 1 */
		{ ",,;;q=1,/", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = hq_static_wants_html(cases[i].accept);
		if (got != cases[i].html)
			fail_msg("Accept: %s: wants_html %d, expected %d", cases[i].accept ? cases[i].accept : "(none)", got,
				 cases[i].html);
	}
}

/* What head office's HTTP layer does with one request: hq_api_handle, then hq_static_not_found. */
static void ask(const char *method, const char *path, const char *accept, struct hq_response *res)
{
	struct hq_request req = { .method = method, .path = path, .accept = accept, .peer = "127.0.0.1",
				  .cookie = cookie };
	hq_api_handle(db, &opt, &req, res);
	hq_static_not_found(&opt, &req, res);
}

static void test_a_person_gets_the_not_found_page_a_script_the_json(void **state)
{
	(void)state;
	struct hq_response res;
	const char *guesses[] = { "/fleet.html", "/nothing", "/static/missing.js", "/store/Hamburg" };
	for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++) {
		ask("GET", guesses[i], BROWSER, &res);
		assert_int_equal(res.status, 404);
		assert_string_equal(res.content_type, "text/html; charset=utf-8");
		assert_non_null(res.csp);
		assert_true(res.body_len > 0 && strstr(res.body, "Page not found") && strstr(res.body, "href=\"/\""));
		hq_api_response_free(&res);
		/* The same address from a script: the JSON 404 of docs/http-api.md. */
		ask("GET", guesses[i], "*/*", &res);
		assert_int_equal(res.status, 404);
		assert_true(!res.content_type || !strcmp(res.content_type, "application/json"));
		assert_non_null(strstr(res.body, "\"error\":\"no such "));
		hq_api_response_free(&res);
	}
	ask("HEAD", "/nothing", BROWSER, &res);
	assert_int_equal(res.status, 404);
	assert_string_equal(res.content_type, "text/html; charset=utf-8");
	hq_api_response_free(&res);
	/* The API's paths stay JSON whoever asks; so do other methods, and any answer but 404. */
	const char *json_too[][2] = { { "GET", "/api/v1/nothing" }, { "GET", "/api" }, { "POST", "/nothing" } };
	for (size_t i = 0; i < sizeof(json_too) / sizeof(json_too[0]); i++) {
		ask(json_too[i][0], json_too[i][1], BROWSER, &res);
		assert_true(res.status == 404 || res.status == 405);
		assert_true(!res.content_type || !strcmp(res.content_type, "application/json"));
		assert_non_null(strstr(res.body, "\"error\":"));
		hq_api_response_free(&res);
	}
	ask("GET", "/fleet", BROWSER, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "<title>fleet</title>"));
	hq_api_response_free(&res);
	/* An install without the page (an older web directory): the JSON 404, not an empty page. */
	char from[900], to[900];
	snprintf(from, sizeof(from), "%s/not-found.html", web);
	snprintf(to, sizeof(to), "%s/not-found.keep", dir);
	assert_int_equal(rename(from, to), 0);
	ask("GET", "/nothing", BROWSER, &res);
	assert_int_equal(res.status, 404);
	assert_non_null(strstr(res.body, "\"error\":\"no such resource: /nothing\""));
	hq_api_response_free(&res);
	assert_int_equal(rename(to, from), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_need_a_session_and_come_back_after_login),
		cmocka_unit_test(test_files_have_their_type_and_an_etag_that_gives_304),
		cmocka_unit_test(test_no_way_out_of_the_web_directory_and_no_listing),
		cmocka_unit_test(test_without_installed_files_the_api_still_answers),
		cmocka_unit_test(test_accept_prefers_html_only_when_it_says_so),
		cmocka_unit_test(test_a_person_gets_the_not_found_page_a_script_the_json),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
