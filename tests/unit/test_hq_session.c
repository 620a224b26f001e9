/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Head office's people: Argon2id accounts (hq_users), what each role sees
 * (hq_scope), sessions expiring, the cookie, CSRF and login limits
 * (hq_session). A real SQLite file; times are passed in, never waited for.
 */
#include "hqtest.h"


#include "hq_db.h"
#include "hq_scope.h"
#include "hq_session.h"
#include "hq_store.h"
#include "hq_token.h"
#include "hq_users.h"

static char dir[512], path[600], err[512];
static struct hq_store *db;
static const struct hq_session_options so = { .hours = 12, .idle_minutes = 60, .max_failures = 3,
					      .max_failures_per_address = 5, .lockout_minutes = 15 };
#define H (3600LL * 1000)
#define MIN (60LL * 1000)
#define T0 1700000000000LL

static void add_kiosk(const char *id, const char *store, const char *region)
{
	struct hq_kiosk k;
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", id);
	snprintf(k.store, sizeof(k.store), "%s", store);
	snprintf(k.area, sizeof(k.area), "A");
	snprintf(k.tz, sizeof(k.tz), "UTC");
	uint8_t hash[HQ_HASH_LEN];
	assert_int_equal(hq_token_hash(id, strlen(id), hash), 0);
	assert_int_equal(hq_store_kiosk_add(db, &k, hash, err, sizeof(err)), 0);
	if (region)
		assert_int_equal(hq_scope_set_region(db, store, region, err, sizeof(err)), 0);
}

static void add_user(const char *name, enum hq_role role, const char *scope1, const char *scope2)
{
	static struct hq_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.role = role;
	if (scope1)
		snprintf(u.scopes[u.nscopes++], HQ_NAME_MAX, "%s", scope1);
	if (scope2)
		snprintf(u.scopes[u.nscopes++], HQ_NAME_MAX, "%s", scope2);
	assert_int_equal(hq_users_add(db, &u, "password-1", err, sizeof(err)), 0);
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(path, sizeof(path), dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	add_kiosk("k1", "N1", "North");
	add_kiosk("k2", "N2", "North");
	add_kiosk("k3", "S1", "South");
	add_kiosk("k4", "Z1", NULL);
	add_user("chain", HQ_ROLE_CHAIN, NULL, NULL);
	add_user("north", HQ_ROLE_REGION, "North", NULL);
	add_user("both", HQ_ROLE_REGION, "North", "South");
	add_user("z1", HQ_ROLE_STORE, "Z1", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

/* The stores user sees, joined with ",". */
static const char *sees(const char *user)
{
	static char out[512];
	struct hq_scope_store *s;
	size_t n;
	assert_int_equal(hq_scope_stores(db, user, &s, &n, err, sizeof(err)), 0);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "," : "", s[i].name);
	free(s);
	return out;
}

static void test_each_role_sees_its_stores_only(void **state)
{
	(void)state;
	assert_string_equal(sees(NULL), "N1,N2,S1,Z1");
	assert_string_equal(sees("chain"), "N1,N2,S1,Z1");
	assert_string_equal(sees("north"), "N1,N2");
	assert_string_equal(sees("both"), "N1,N2,S1");
	assert_string_equal(sees("z1"), "Z1");
	assert_string_equal(sees("nobody"), "");
	assert_int_equal(hq_scope_may_see(db, "north", "S1"), 0);
	assert_int_equal(hq_scope_may_see(db, "north", "N2"), 1);
	assert_int_equal(hq_scope_may_see(db, "z1", "Z1"), 1);
	assert_int_equal(hq_scope_may_see(db, "chain", "no-such-store"), 0);
	/* Moving a store moves what region users see, at once. */
	assert_int_equal(hq_scope_set_region(db, "Z1", "North", err, sizeof(err)), 0);
	assert_string_equal(sees("north"), "N1,N2,Z1");
	assert_int_equal(hq_scope_set_region(db, "Z1", "", err, sizeof(err)), 0);
	assert_string_equal(sees("north"), "N1,N2");
	assert_int_equal(hq_scope_set_region(db, "nope", "North", err, sizeof(err)), 1);
	assert_int_equal(hq_scope_set_region(db, "Z1", "bad\nname", err, sizeof(err)), -1);
}

static void test_passwords_are_argon2id_and_verify(void **state)
{
	(void)state;
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), "SELECT pw_hash FROM users WHERE name = 'north'", &st, err,
				       sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	assert_non_null(strstr(hq_db_column_text(st, 0), "$argon2id$v=19$m=65536,t=3,p=1$"));
	hq_db_finalize(st);
	assert_int_equal(hq_users_verify(db, "north", "password-1", 10, err, sizeof(err)), 1);
	assert_int_equal(hq_users_verify(db, "north", "password-2", 10, err, sizeof(err)), 0);
	assert_int_equal(hq_users_verify(db, "nobody", "password-1", 10, err, sizeof(err)), 0);
	/* Two users with one password: different salts, different hashes. */
	char a[256], b[256];
	assert_int_equal(hq_users_hash("same-pass", 9, a, sizeof(a), err, sizeof(err)), 0);
	assert_int_equal(hq_users_hash("same-pass", 9, b, sizeof(b), err, sizeof(err)), 0);
	assert_string_not_equal(a, b);
	static struct hq_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "shorty");
	u.role = HQ_ROLE_CHAIN;
	assert_int_equal(hq_users_add(db, &u, "short", err, sizeof(err)), -1);
	u.role = HQ_ROLE_STORE; /* a store user needs its store */
	assert_int_equal(hq_users_add(db, &u, "long-enough", err, sizeof(err)), -1);
	snprintf(u.name, sizeof(u.name), "north");
	u.role = HQ_ROLE_CHAIN;
	assert_int_equal(hq_users_add(db, &u, "long-enough", err, sizeof(err)), 1);
	snprintf(u.name, sizeof(u.name), "bad name");
	assert_int_equal(hq_users_add(db, &u, "long-enough", err, sizeof(err)), -1);
}

static void test_sessions_expire_idle_and_absolute(void **state)
{
	(void)state;
	char id[HQ_SESSION_ID_LEN + 1], csrf[HQ_SESSION_ID_LEN + 1];
	struct hq_session s;
	assert_int_equal(hq_session_create(db, &so, "north", T0, id, csrf, err, sizeof(err)), 0);
	assert_int_equal(hq_session_lookup(db, &so, id, T0 + 59 * MIN, &s), 1);
	assert_string_equal(s.user, "north");
	assert_string_equal(s.csrf, csrf);
	/* Used every 50 minutes it lives on, up to 12 hours after login and no further. */
	int64_t t = T0 + 59 * MIN;
	while (t + 50 * MIN < T0 + 12 * H) {
		t += 50 * MIN;
		assert_int_equal(hq_session_lookup(db, &so, id, t, &s), 1);
	}
	assert_int_equal(hq_session_lookup(db, &so, id, T0 + 12 * H, &s), 0);
	/* Idle: an hour unused ends it, and it stays ended. */
	assert_int_equal(hq_session_create(db, &so, "north", T0, id, csrf, err, sizeof(err)), 0);
	assert_int_equal(hq_session_lookup(db, &so, id, T0 + 60 * MIN, &s), 0);
	assert_int_equal(hq_session_lookup(db, &so, id, T0 + 1, &s), 0);
	/* Ended; malformed; unknown. */
	assert_int_equal(hq_session_create(db, &so, "north", T0, id, csrf, err, sizeof(err)), 0);
	assert_int_equal(hq_session_end(db, id), 0);
	assert_int_equal(hq_session_lookup(db, &so, id, T0, &s), 0);
	assert_int_equal(hq_session_lookup(db, &so, "zz", T0, &s), 0);
	/* Deleting the user ends its sessions. */
	assert_int_equal(hq_session_create(db, &so, "z1", T0, id, csrf, err, sizeof(err)), 0);
	assert_int_equal(hq_users_del(db, "z1", err, sizeof(err)), 0);
	assert_int_equal(hq_session_lookup(db, &so, id, T0, &s), 0);
	assert_int_equal(hq_users_del(db, "z1", err, sizeof(err)), 1);
}

static void test_cookie_parse_and_set(void **state)
{
	(void)state;
	char v[80], c[256];
	assert_int_equal(hq_session_cookie("a=1; tally_session=abc; b=2", "tally_session", v, sizeof(v)), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(hq_session_cookie("xtally_session=abc", "tally_session", v, sizeof(v)), -1);
	assert_int_equal(hq_session_cookie("", "tally_session", v, sizeof(v)), -1);
	hq_session_set_cookie(c, sizeof(c), "abc", &so, 1);
	assert_string_equal(c, "tally_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure");
	hq_session_set_cookie(c, sizeof(c), NULL, &so, 0);
	assert_string_equal(c, "tally_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static void test_csrf_needs_token_and_same_origin(void **state)
{
	(void)state;
	struct hq_session s = { .user = "u" };
	snprintf(s.csrf, sizeof(s.csrf), "%s", "ab12");
	char why[256];
	assert_int_equal(hq_session_csrf_check(&s, "ab12", NULL, NULL, "h:1", 0, why, sizeof(why)), 0);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "http://h:1", "same-origin", "h:1", 0, why, sizeof(why)), 0);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "https://h:1", NULL, "h:1", 1, why, sizeof(why)), 0);
	assert_int_equal(hq_session_csrf_check(&s, NULL, NULL, NULL, "h:1", 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab13", NULL, NULL, "h:1", 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab1", NULL, NULL, "h:1", 0, why, sizeof(why)), -1);
	/* Either scheme with this Host: behind a TLS-terminating proxy the origin is https, tally-hq plain. */
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "https://h:1", NULL, "h:1", 0, why, sizeof(why)), 0);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "https://h:2", NULL, "h:1", 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "ftp://h:1", NULL, "h:1", 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "null", NULL, "h:1", 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "http://h:1", NULL, NULL, 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", "http://evil", NULL, "h:1", 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", NULL, "cross-site", "h:1", 0, why, sizeof(why)), -1);
	assert_int_equal(hq_session_csrf_check(&s, "ab12", NULL, "same-site", "h:1", 0, why, sizeof(why)), -1);
}

static void test_login_limits_per_account_and_address(void **state)
{
	(void)state;
	/* Per account: the 4th attempt within the window waits until 15 minutes after the first failure. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(hq_session_login_allowed(&so, "acct", "10.0.0.1", T0 + i * 1000), 0);
		hq_session_login_failed(&so, "acct", "10.0.0.1", T0 + i * 1000);
	}
	assert_int_equal(hq_session_login_allowed(&so, "acct", "10.0.0.2", T0 + 5000), 15 * 60 - 5);
	assert_int_equal(hq_session_login_allowed(&so, "other", "10.0.0.1", T0 + 5000), 0);
	assert_int_equal(hq_session_login_allowed(&so, "acct", "10.0.0.2", T0 + 15 * MIN), 0);
	/* A success clears the account's count. */
	hq_session_login_failed(&so, "acct2", "10.0.0.3", T0);
	hq_session_login_failed(&so, "acct2", "10.0.0.3", T0);
	hq_session_login_ok("acct2");
	hq_session_login_failed(&so, "acct2", "10.0.0.3", T0);
	assert_int_equal(hq_session_login_allowed(&so, "acct2", "10.0.0.4", T0), 0);
	/* Per address: 5 failures spread over 5 accounts lock the address, not the accounts. */
	for (int i = 0; i < 5; i++) {
		char u[32];
		snprintf(u, sizeof(u), "spray%d", i);
		hq_session_login_failed(&so, u, "10.9.9.9", T0 + i);
	}
	assert_true(hq_session_login_allowed(&so, "spray9", "10.9.9.9", T0 + 10) > 0);
	assert_int_equal(hq_session_login_allowed(&so, "spray0", "10.9.9.8", T0 + 10), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_each_role_sees_its_stores_only),
		T(test_passwords_are_argon2id_and_verify),
		T(test_sessions_expire_idle_and_absolute),
		T(test_cookie_parse_and_set),
		T(test_csrf_needs_token_and_same_origin),
		T(test_login_limits_per_account_and_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
