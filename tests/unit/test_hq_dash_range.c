/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dashboard's overview over long ranges (hq_dash.c reads the 16-day
 * blocks of rating_blocks inside a period and single days at its ends)
 * against a recount from the raw ratings, on SQLite and (tests/run.sh's
 * second pass) PostgreSQL: a chain in six zones (Berlin and New York with
 * their own DST dates, Sydney in the south, Kathmandu at +05:45, Tokyo a
 * day ahead at "now"), a 5-face and a 3-face kiosk among 4-face ones,
 * misuse, closed and unknown times, 14 months of ratings fed through the
 * real ingest. Ranges of 1 to 366 days at and off block boundaries, the
 * named periods while the zones disagree about today, as the admin, a
 * region and a store user: every store's counts in the period and the one
 * before must equal the recount. Then the same after the day and block
 * totals are dropped and refilled in slices of a few rows, as an upgraded
 * head office does once, and the refilled tables must equal ingest's.
 */
#include "hqtest.h"

#include "../support/hq_feed.h"
#include "hq_dash.h"
#include "hq_dash_days.h"
#include "hq_rollup.h"
#include "hq_scope.h"
#include "hq_store.h"
#include "hq_users.h"
#include "rating.h"
#include "tzday.h"

#define NK 6
#define FIRST ((int64_t)1693526400000LL)       /* 2023-09-01 00:00 UTC */
#define NOW 1729999800000LL                    /* 2024-10-27 03:30 UTC: New York's 26th, Tokyo's 27th */
#define SPAN_MS (NOW + 2 * 86400000LL - FIRST) /* to two days after now */
#define PER_KIOSK 1500

static char dir[512], path[600], err[512];
static struct hq_store *db;

static const struct {
	const char *id, *store, *area, *tz, *region;
	int scale;
} spec[NK] = {
	{ "ber-1", "Berlin", "Counter", "Europe/Berlin", "North", 4 },
	{ "ber-2", "Berlin", "Pickup", "Europe/Berlin", "North", 5 },
	{ "nyc-1", "New York", "Counter", "America/New_York", "West", 4 },
	{ "syd-1", "Sydney", "Counter", "Australia/Sydney", "South", 4 },
	{ "ktm-1", "Kathmandu", "Gate", "Asia/Kathmandu", NULL, 4 },
	{ "tok-1", "Tokyo", "Counter", "Asia/Tokyo", NULL, 3 },
};
static struct hq_kiosk kiosks[NK];

/* Every stored rating with its kiosk's local day number. */
static struct raw {
	int kiosk;
	int value, scale, flags, known;
	int64_t day;
} *raw;
static size_t nraw;

static uint32_t rnd_state = 4242;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* PER_KIOSK ratings of each kiosk over the span, in batches of up to 200 (weeks each). */
static void feed(void)
{
	static int64_t when[PER_KIOSK];
	for (int i = 0; i < NK; i++) {
		for (int j = 0; j < PER_KIOSK; j++) {
			int64_t t = FIRST + (int64_t)(rnd() % (uint32_t)(SPAN_MS / 86400000)) * 86400000 +
				    (int64_t)(rnd() % 86400) * 1000;
			/* A fifth of them on the last millisecond before a quarter hour: local midnights and DST changes. */
			if (j % 5 == 0)
				t = t / 3600000 * 3600000 + (int64_t)(rnd() % 4) * 900000 - 1;
			when[j] = t;
		}
		hq_feed_kiosk(db, &kiosks[i], spec[i].scale, when, PER_KIOSK, 200, rnd, NOW);
	}
}

static void add_user(const char *name, enum hq_role role, const char *scope)
{
	static struct hq_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.role = role;
	if (scope)
		snprintf(u.scopes[u.nscopes++], HQ_NAME_MAX, "%s", scope);
	assert_int_equal(hq_users_add(db, &u, "password-1", err, sizeof(err)), 0);
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(path, sizeof(path), dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	for (int i = 0; i < NK; i++) {
		hq_feed_add_kiosk(db, &kiosks[i], i + 1, spec[i].id, spec[i].store, spec[i].area, spec[i].tz);
		if (spec[i].region)
			assert_int_equal(hq_scope_set_region(db, spec[i].store, spec[i].region, err, sizeof(err)), 0);
	}
	add_user("north", HQ_ROLE_REGION, "North");
	add_user("tokyo", HQ_ROLE_STORE, "Tokyo");
	feed();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_rollup_slice_rows(0);
	free(raw);
	raw = NULL;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

/* --- the recount ---------------------------------------------------------------- */

static int kiosk_index(const char *id)
{
	for (int i = 0; i < NK; i++)
		if (id && !strcmp(spec[i].id, id))
			return i;
	fail();
	return 0;
}

static void read_raw(void)
{
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), "SELECT kiosk_id, value, scale, flags, best_ms, time_known"
				       " FROM ratings", &st, err, sizeof(err)), HQ_DB_DONE);
	raw = calloc(NK * PER_KIOSK, sizeof(*raw));
	assert_non_null(raw);
	nraw = 0;
	while (hq_db_step(st) == HQ_DB_ROW) {
		assert_true(nraw < NK * PER_KIOSK);
		struct raw *r = &raw[nraw++];
		r->kiosk = kiosk_index(hq_db_column_text(st, 0));
		r->value = (int)hq_db_column_int64(st, 1);
		r->scale = (int)hq_db_column_int64(st, 2);
		r->flags = (int)hq_db_column_int64(st, 3);
		struct tzdate d;
		int hour;
		assert_int_equal(tzday_date_of(spec[r->kiosk].tz, hq_db_column_int64(st, 4), &d, &hour, err,
					       sizeof(err)), 0);
		r->day = tzif_days_from_civil(d.year, d.month, d.day);
		r->known = hq_db_column_int64(st, 5) != 0;
	}
	hq_db_finalize(st);
	assert_int_equal(nraw, NK * PER_KIOSK);
}

static void count_in(struct hq_dash_acc *a, const struct raw *r)
{
	if (r->flags & RATING_MISUSE)
		a->misuse++;
	else if (r->flags & RATING_CLOSED)
		a->closed++;
	else if (!r->known)
		a->unknown++;
	else
		a->counts[r->scale][r->value]++;
}

/* Store `store`'s counts over p (each kiosk's period in its own zone) and the period before, one rating at a time. */
static void recount(const struct hq_dash_period *p, const char *store, struct hq_dash_acc *cur, struct hq_dash_acc *prev)
{
	memset(cur, 0, sizeof(*cur));
	memset(prev, 0, sizeof(*prev));
	for (size_t j = 0; j < nraw; j++) {
		const struct raw *r = &raw[j];
		if (strcmp(spec[r->kiosk].store, store))
			continue;
		int64_t from, to;
		hq_dash_period_days(p, hq_dash_zone(spec[r->kiosk].tz), NOW, &from, &to);
		if (r->day >= from && r->day <= to)
			count_in(cur, r);
		else if (r->day < from && r->day >= from - (to - from + 1))
			count_in(prev, r);
	}
}

static void assert_acc(const struct hq_dash_acc *want, const struct hq_dash_acc *got, const char *what)
{
	if (!memcmp(want, got, sizeof(*want)))
		return;
	fprintf(stderr, "%s: recount misuse %lld closed %lld unknown %lld, dashboard %lld %lld %lld\n", what,
		(long long)want->misuse, (long long)want->closed, (long long)want->unknown, (long long)got->misuse,
		(long long)got->closed, (long long)got->unknown);
	for (int sc = 3; sc <= 5; sc++)
		for (int v = 0; v < sc; v++)
			if (want->counts[sc][v] != got->counts[sc][v])
				fprintf(stderr, "  scale %d value %d: recount %lld, dashboard %lld\n", sc, v,
					(long long)want->counts[sc][v], (long long)got->counts[sc][v]);
	fail();
}

/* The overview over p as user (NULL: the admin) against the recount; the stores it shows. */
static size_t check_overview(const struct hq_dash_period *p, const char *user, const char *label)
{
	struct hq_dash_overview o;
	assert_int_equal(hq_dash_overview(db, user, p, NOW, 1, &o, err, sizeof(err)), 0);
	struct hq_dash_acc chain_cur, chain_prev;
	memset(&chain_cur, 0, sizeof(chain_cur));
	memset(&chain_prev, 0, sizeof(chain_prev));
	char what[160];
	for (size_t i = 0; i < o.nstores; i++) {
		struct hq_dash_acc cur, prev;
		recount(p, o.stores[i].name, &cur, &prev);
		snprintf(what, sizeof(what), "%s as %s: %s, this period", label, user ? user : "admin", o.stores[i].name);
		assert_acc(&cur, &o.stores[i].cur, what);
		snprintf(what, sizeof(what), "%s as %s: %s, the period before", label, user ? user : "admin",
			 o.stores[i].name);
		assert_acc(&prev, &o.stores[i].prev, what);
		hq_dash_acc_merge(&chain_cur, &cur);
		hq_dash_acc_merge(&chain_prev, &prev);
	}
	snprintf(what, sizeof(what), "%s as %s: the chain", label, user ? user : "admin");
	assert_acc(&chain_cur, &o.chain.cur, what);
	assert_acc(&chain_prev, &o.chain.prev, what);
	size_t n = o.nstores;
	hq_dash_overview_free(&o);
	return n;
}

/* Every range and named period, as each user; the ratings the admin's ranges saw (to show none is missed). */
static void check_all(void)
{
	static const struct {
		const char *from, *to;
	} ranges[] = {
		{ "2023-10-27", "2024-10-26" }, /* 366 days: the longest allowed, its previous year before the data */
		{ "2023-11-01", "2024-10-31" }, /* a year to after now: both ends mid-block */
		{ "2024-04-21", "2024-10-20" }, /* 183 days, the half year before just inside the data */
		{ "2024-02-20", "2024-03-31" }, /* 41 days over Berlin's spring DST change (31 March) */
		{ "2023-12-21", "2024-01-21" }, /* 32 days, exactly two blocks (day 19712 = 16 x 1232) */
		{ "2023-12-22", "2024-01-22" }, /* the same a day later: one whole block, days at both ends */
		{ "2024-07-01", "2024-07-01" }, /* one day */
		{ "2023-09-01", "2023-09-30" }, /* the first month: nothing before it */
		{ "2025-01-01", "2025-12-31" }, /* after the data */
	};
	static const char *const named[] = { "today", "yesterday", "7d", "30d" };
	static const char *const users[] = { NULL, "north", "tokyo" };
	static const size_t stores_seen[] = { 5, 1, 1 };
	for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
		for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
			struct hq_dash_period p;
			assert_int_equal(hq_dash_period_parse(NULL, ranges[i].from, ranges[i].to, &p, err, sizeof(err)), 0);
			char label[64];
			snprintf(label, sizeof(label), "%s to %s", ranges[i].from, ranges[i].to);
			assert_int_equal(check_overview(&p, users[u], label), stores_seen[u]);
		}
		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
			struct hq_dash_period p;
			assert_int_equal(hq_dash_period_parse(named[i], NULL, NULL, &p, err, sizeof(err)), 0);
			assert_int_equal(check_overview(&p, users[u], named[i]), stores_seen[u]);
		}
	}
}

static void test_long_ranges_equal_a_recount_from_the_ratings(void **state)
{
	(void)state;
	read_raw();
	/* The data reach every kind of band end: ratings in the first and last week. */
	int64_t first = INT64_MAX, last = INT64_MIN;
	for (size_t j = 0; j < nraw; j++) {
		first = raw[j].day < first ? raw[j].day : first;
		last = raw[j].day > last ? raw[j].day : last;
	}
	assert_true(first <= tzif_days_from_civil(2023, 9, 7));
	assert_true(last >= tzif_days_from_civil(2024, 10, 27));
	check_all();
	free(raw);
	raw = NULL;
}

/* Every row of table (a roll-up with kiosk_id, key, scale, known), as one string. */
static char *dump(const char *table, const char *key)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT kiosk_id, %s, scale, known, v0, v1, v2, v3, v4, misuse, closed FROM %s"
		 " ORDER BY kiosk_id, %s, scale, known", key, table, key);
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), sql, &st, err, sizeof(err)), HQ_DB_DONE);
	size_t cap = 1 << 20, len = 0;
	char *out = calloc(1, cap);
	assert_non_null(out);
	while (hq_db_step(st) == HQ_DB_ROW) {
		assert_true(cap - len > 256);
		len += (size_t)snprintf(out + len, cap - len, "%s", hq_db_column_text(st, 0));
		for (int i = 1; i < 11; i++)
			len += (size_t)snprintf(out + len, cap - len, ",%lld", (long long)hq_db_column_int64(st, i));
		len += (size_t)snprintf(out + len, cap - len, "\n");
	}
	hq_db_finalize(st);
	return out;
}

static void test_day_and_block_totals_refilled_in_slices(void **state)
{
	(void)state;
	char *days = dump("rating_days", "day"), *blocks = dump("rating_blocks", "block");
	assert_true(strlen(days) > 0 && strlen(blocks) > 0);
	/* A database from before the tables: empty, marked unfilled; filled in slices of about 40 quarter-hour rows. */
	assert_int_equal(hq_db_exec(hq_store_sql(db), "DELETE FROM rating_days; DELETE FROM rating_blocks;"
				    " UPDATE dash_state SET value = 0 WHERE name IN ('rating_days', 'rating_blocks')",
				    err, sizeof(err)), HQ_DB_DONE);
	hq_rollup_slice_rows(40);
	assert_int_equal(hq_dash_days_ready(db, err, sizeof(err)), 0);
	char *days2 = dump("rating_days", "day"), *blocks2 = dump("rating_blocks", "block");
	assert_string_equal(days, days2);
	assert_string_equal(blocks, blocks2);
	free(days);
	free(days2);
	free(blocks);
	free(blocks2);
	read_raw();
	check_all();
	free(raw);
	raw = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_long_ranges_equal_a_recount_from_the_ratings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_day_and_block_totals_refilled_in_slices, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
