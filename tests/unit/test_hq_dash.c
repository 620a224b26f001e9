/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dashboard's figures (hq_dash, hq_dash_days) on a real SQLite file,
 * fed through the real ingest: every number of a small chain checked by
 * hand, local days and hours in Berlin on its spring-forward day and in
 * Tokyo (whose "today" is already tomorrow), misuse, closed and unknown
 * times kept apart, the previous period and the movers, each role's view,
 * and the day totals rebuilt from the quarter hours.
 */
#include "testutil.h"

#include "hq_dash.h"
#include "hq_dash_days.h"
#include "hq_db.h"
#include "hq_scope.h"
#include "hq_store.h"
#include "hq_token.h"
#include "hq_users.h"
#include "rating.h"

static char dir[512], path[600], err[512];
static struct hq_store *db;

/* 2024-03-31 21:30 UTC: Berlin's 23:30 on its 23-hour DST day, Tokyo's 06:30 on 1 April. */
#define NOW 1711920600000LL
#define Z(y, mo, d, h, mi) (((int64_t)tzif_days_from_civil(y, mo, d) * 86400 + (h) * 3600 + (mi) * 60) * 1000)

static struct hq_kiosk kiosks[4];
static int64_t seqs[4];

static void add_kiosk(int i, const char *id, const char *store, const char *area, const char *tz, const char *region)
{
	struct hq_kiosk *k = &kiosks[i];
	memset(k, 0, sizeof(*k));
	snprintf(k->id, sizeof(k->id), "%s", id);
	snprintf(k->store, sizeof(k->store), "%s", store);
	snprintf(k->area, sizeof(k->area), "%s", area);
	snprintf(k->tz, sizeof(k->tz), "%s", tz);
	uint8_t hash[HQ_HASH_LEN];
	assert_int_equal(hq_token_hash(id, strlen(id), hash), 0);
	assert_int_equal(hq_store_kiosk_add(db, k, hash, err, sizeof(err)), 0);
	if (region)
		assert_int_equal(hq_scope_set_region(db, store, region, err, sizeof(err)), 0);
}

/* One rating of kiosk i through the real ingest. */
static void post(int i, int64_t ms, int value, int synced, int flags)
{
	struct protocol_rating r;
	memset(&r, 0, sizeof(r));
	r.r.seq = ++seqs[i];
	snprintf(r.r.kiosk_id, sizeof(r.r.kiosk_id), "%s", kiosks[i].id);
	r.r.value = value;
	r.r.scale = 4;
	r.r.source = SOURCE_BUTTON;
	r.r.wall_ms = ms;
	r.r.boot_ms = 1000 + r.r.seq;
	snprintf(r.r.boot_id, sizeof(r.r.boot_id), "boot-0");
	r.r.clock_synced = synced;
	r.r.flags = flags;
	struct protocol_batch b = { .n = 1, .ratings = &r };
	snprintf(b.kiosk_id, sizeof(b.kiosk_id), "%s", kiosks[i].id);
	struct protocol_ack ack;
	assert_int_equal(hq_store_ingest(db, &kiosks[i], &b, NOW, &ack, err, sizeof(err)), 0);
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
	snprintf(path, sizeof(path), "%s/hq.db", dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	memset(seqs, 0, sizeof(seqs));
	add_kiosk(0, "b1", "Berlin", "Counter", "Europe/Berlin", "North");
	add_kiosk(1, "b2", "Berlin", "Pickup", "Europe/Berlin", NULL);
	add_kiosk(2, "t1", "Tokyo", "Counter", "Asia/Tokyo", "East");
	add_kiosk(3, "n1", "Nowhere", "Counter", "UTC", NULL);
	add_user("boss", HQ_ROLE_CHAIN, NULL);
	add_user("north", HQ_ROLE_REGION, "North");
	add_user("tokyo", HQ_ROLE_STORE, "Tokyo");
	/* Berlin, 30 March: its last millisecond (22:59:59.999 UTC is 23:59:59.999 CET). */
	post(0, Z(2024, 3, 30, 22, 59) + 59999, 1, 1, 0);
	/* Berlin, 31 March (starts 23:00 UTC the day before, 23 hours long). */
	post(0, Z(2024, 3, 30, 23, 0), 3, 1, 0);     /* 00:00 local */
	post(0, Z(2024, 3, 31, 1, 30), 3, 1, 0);     /* 03:30 CEST: the hour after the gap */
	post(0, Z(2024, 3, 31, 21, 59), 0, 1, 0);    /* 23:59 CEST */
	post(0, Z(2024, 3, 31, 22, 0), 3, 1, 0);     /* 1 April 00:00: not today */
	post(0, Z(2024, 3, 31, 8, 0), 3, 1, RATING_MISUSE);
	post(0, Z(2024, 3, 31, 9, 0), 3, 1, RATING_CLOSED);
	post(0, Z(2024, 3, 31, 11, 0), 3, 0, 0);     /* unsynced, never corrected: time unknown */
	post(1, Z(2024, 3, 31, 10, 0), 2, 1, 0);     /* 12:00 CEST, Pickup */
	/* Tokyo (UTC+9): 14:59 UTC is 23:59 on 31 March, 15:00 UTC is midnight of 1 April, its today. */
	post(2, Z(2024, 3, 31, 14, 59), 0, 1, 0);
	post(2, Z(2024, 3, 31, 15, 0), 3, 1, 0);
	post(3, Z(2024, 3, 31, 12, 0), 1, 1, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

static struct hq_dash_period period(const char *name, const char *from, const char *to)
{
	struct hq_dash_period p;
	assert_int_equal(hq_dash_period_parse(name, from, to, &p, err, sizeof(err)), 0);
	return p;
}

static const struct hq_dash_row *store_row(const struct hq_dash_overview *o, const char *name)
{
	for (size_t i = 0; i < o->nstores; i++)
		if (!strcmp(o->stores[i].name, name))
			return &o->stores[i];
	return NULL;
}

static void assert_score(const struct hq_dash_acc *a, int64_t ratings, double hi, double pos)
{
	struct hq_dash_score s;
	hq_dash_score_of(a, &s);
	assert_int_equal(s.ratings, ratings);
	assert_true(s.happy_index > hi - 0.01 && s.happy_index < hi + 0.01);
	assert_true(s.positive_pct > pos - 0.01 && s.positive_pct < pos + 0.01);
}

static void test_overview_counts_each_store_on_its_own_local_day(void **state)
{
	(void)state;
	struct hq_dash_period p = period("today", NULL, NULL);
	struct hq_dash_overview o;
	assert_int_equal(hq_dash_overview(db, NULL, &p, NOW, 1, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nstores, 3);
	const struct hq_dash_row *b = store_row(&o, "Berlin"), *t = store_row(&o, "Tokyo"), *n = store_row(&o, "Nowhere");
	assert_non_null(b);
	assert_non_null(t);
	assert_non_null(n);
	/* Berlin's 31 March: 3, 3, 0 at the counter, 2 at pickup; 1 April's 00:00 is not in it. */
	assert_score(&b->cur, 4, 66.7, 75.0);
	assert_int_equal(b->cur.misuse, 1);
	assert_int_equal(b->cur.closed, 1);
	assert_int_equal(b->cur.unknown, 1);
	assert_int_equal(b->kiosks, 2);
	assert_string_equal(b->region, "North");
	assert_string_equal(b->tz, "Europe/Berlin");
	char d[16];
	hq_dash_day_text(b->from_day, d, sizeof(d));
	assert_string_equal(d, "2024-03-31");
	/* Its previous day holds the last millisecond of 30 March. */
	assert_score(&b->prev, 1, 33.3, 0.0);
	/* Tokyo is already on 1 April: its midnight rating is today, 23:59 the day before. */
	hq_dash_day_text(t->from_day, d, sizeof(d));
	assert_string_equal(d, "2024-04-01");
	assert_score(&t->cur, 1, 100.0, 100.0);
	assert_score(&t->prev, 1, 0.0, 0.0);
	assert_score(&n->cur, 1, 33.3, 0.0);
	assert_score(&n->prev, 0, -1, -1);
	/* The chain sums them; misuse, closed and unknown stay apart. */
	assert_score(&o.chain.cur, 6, 66.7, 66.7);
	assert_int_equal(o.chain.stores, 3);
	assert_int_equal(o.chain.cur.misuse, 1);
	/* The ranking: Happy Index first. */
	assert_string_equal(o.stores[0].name, "Tokyo");
	assert_int_equal(o.stores[0].rank, 1);
	assert_string_equal(o.stores[1].name, "Berlin");
	assert_string_equal(o.stores[2].name, "Nowhere");
	/* Regions by name, "" for stores in none. */
	assert_int_equal(o.nregions, 3);
	assert_string_equal(o.regions[0].name, "");
	assert_string_equal(o.regions[1].name, "East");
	assert_string_equal(o.regions[2].name, "North");
	/* Movers: the biggest change first; Nowhere had no ratings before. */
	assert_int_equal(o.nmovers, 2);
	assert_string_equal(o.stores[o.movers[0]].name, "Tokyo");
	assert_string_equal(o.stores[o.movers[1]].name, "Berlin");
	hq_dash_overview_free(&o);
	/* With a minimum of 2 ratings in both periods, one press makes no mover. */
	assert_int_equal(hq_dash_overview(db, NULL, &p, NOW, 2, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nmovers, 0);
	hq_dash_overview_free(&o);
}

static void test_each_role_sees_only_its_stores(void **state)
{
	(void)state;
	struct hq_dash_period p = period("7d", NULL, NULL);
	struct hq_dash_overview o;
	assert_int_equal(hq_dash_overview(db, "boss", &p, NOW, 1, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nstores, 3);
	hq_dash_overview_free(&o);
	assert_int_equal(hq_dash_overview(db, "north", &p, NOW, 1, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nstores, 1);
	assert_string_equal(o.stores[0].name, "Berlin");
	assert_int_equal(o.nregions, 1);
	assert_score(&o.chain.cur, 5, 60.0, 60.0); /* Berlin's week: 1, 3, 3, 0, 2 */
	hq_dash_overview_free(&o);
	assert_int_equal(hq_dash_overview(db, "tokyo", &p, NOW, 1, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nstores, 1);
	assert_string_equal(o.stores[0].name, "Tokyo");
	assert_score(&o.chain.cur, 2, 50.0, 50.0);
	hq_dash_overview_free(&o);
	assert_int_equal(hq_dash_overview(db, "nobody", &p, NOW, 1, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nstores, 0);
	hq_dash_overview_free(&o);
	struct hq_dash_store *d = malloc(sizeof(*d));
	assert_non_null(d);
	assert_int_equal(hq_dash_store(db, "tokyo", "Berlin", &p, NOW, d, err, sizeof(err)), 1);
	assert_int_equal(hq_dash_store(db, "north", "Tokyo", &p, NOW, d, err, sizeof(err)), 1);
	assert_int_equal(hq_dash_store(db, "boss", "Nowhere-else", &p, NOW, d, err, sizeof(err)), 1);
	assert_int_equal(hq_dash_store(db, "tokyo", "Tokyo", &p, NOW, d, err, sizeof(err)), 0);
	hq_dash_store_free(d);
	free(d);
}

static void test_store_heat_map_uses_local_hours_on_a_dst_day(void **state)
{
	(void)state;
	struct hq_dash_period p = period(NULL, "2024-03-31", "2024-03-31");
	struct hq_dash_store *d = malloc(sizeof(*d));
	assert_non_null(d);
	assert_int_equal(hq_dash_store(db, NULL, "Berlin", &p, NOW, d, err, sizeof(err)), 0);
	assert_score(&d->totals.cur, 4, 66.7, 75.0);
	assert_int_equal(d->nareas, 2);
	assert_string_equal(d->areas[0].name, "Counter");
	assert_score(&d->areas[0].cur, 3, 66.7, 66.7);
	assert_string_equal(d->areas[1].name, "Pickup");
	assert_score(&d->areas[1].cur, 1, 66.7, 100.0);
	assert_int_equal(d->nkiosks, 2);
	assert_string_equal(d->kiosks[0].name, "b1");
	/* 31 March 2024 was a Sunday (weekday 0). */
	assert_int_equal(d->heat[0][0].counts[4][3], 1);
	assert_int_equal(d->heat[0][2].counts[4][3] + d->heat[0][2].counts[4][0], 0); /* 02:00 never happened */
	assert_int_equal(d->heat[0][3].counts[4][3], 1);
	assert_int_equal(d->heat[0][12].counts[4][2], 1);
	assert_int_equal(d->heat[0][23].counts[4][0], 1);
	/* Neither misuse (10:00 CEST), closed (11:00) nor the unknown time (13:00) is placed. */
	assert_int_equal(d->heat[0][10].counts[4][3] + d->heat[0][11].counts[4][3] + d->heat[0][13].counts[4][3], 0);
	/* The previous day (Saturday) is not in this period's map. */
	assert_int_equal(d->heat[6][23].counts[4][1], 0);
	assert_int_equal(d->ndays, 1);
	assert_score(&d->trend[0], 4, 66.7, 75.0);
	hq_dash_store_free(d);
	/* A week: every day listed, the 30th holding its one rating. */
	p = period(NULL, "2024-03-25", "2024-03-31");
	assert_int_equal(hq_dash_store(db, NULL, "Berlin", &p, NOW, d, err, sizeof(err)), 0);
	assert_int_equal(d->ndays, 7);
	assert_score(&d->trend[5], 1, 33.3, 0.0);
	assert_score(&d->trend[6], 4, 66.7, 75.0);
	assert_int_equal(d->trend[6].misuse, 1);
	assert_int_equal(d->trend[6].unknown, 1);
	assert_score(&d->trend[0], 0, -1, -1);
	assert_int_equal(d->heat[6][23].counts[4][1], 1);
	hq_dash_store_free(d);
	free(d);
}

/* Every row of rating_days, as one string (through hq_db.h: the same on either engine). */
static char *dump_days(void)
{
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), "SELECT kiosk_id, day, scale, known, v0, v1, v2, v3, v4,"
				       " misuse, closed FROM rating_days ORDER BY kiosk_id, day, scale, known", &st, err,
				       sizeof(err)), HQ_DB_DONE);
	char *out = calloc(1, 8192);
	assert_non_null(out);
	while (hq_db_step(st) == HQ_DB_ROW) {
		snprintf(out + strlen(out), 8192 - strlen(out), "%s", hq_db_column_text(st, 0));
		for (int i = 1; i < 11; i++)
			snprintf(out + strlen(out), 8192 - strlen(out), ",%lld", (long long)hq_db_column_int64(st, i));
		snprintf(out + strlen(out), 8192 - strlen(out), "\n");
	}
	hq_db_finalize(st);
	return out;
}

static void test_day_totals_rebuilt_from_quarter_hours(void **state)
{
	(void)state;
	char *kept = dump_days();
	assert_true(strlen(kept) > 0);
	/* A database from before the table: empty, marked unfilled. */
	assert_int_equal(hq_db_exec(hq_store_sql(db), "DELETE FROM rating_days; UPDATE dash_state SET value = 0", err,
				    sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_dash_days_ready(db, err, sizeof(err)), 0);
	char *rebuilt = dump_days();
	assert_string_equal(kept, rebuilt);
	free(kept);
	free(rebuilt);
	/* Filled once: a second call changes nothing, and ingest keeps adding. */
	assert_int_equal(hq_dash_days_ready(db, err, sizeof(err)), 0);
	post(3, Z(2024, 3, 31, 13, 0), 3, 1, 0);
	struct hq_dash_period p = period("today", NULL, NULL);
	struct hq_dash_overview o;
	assert_int_equal(hq_dash_overview(db, NULL, &p, NOW, 1, &o, err, sizeof(err)), 0);
	assert_score(&store_row(&o, "Nowhere")->cur, 2, 66.7, 50.0);
	hq_dash_overview_free(&o);
}

static void test_period_parsing(void **state)
{
	(void)state;
	struct hq_dash_period p;
	assert_int_equal(hq_dash_period_parse(NULL, NULL, NULL, &p, err, sizeof(err)), 0);
	assert_string_equal(p.name, "today");
	assert_int_equal(hq_dash_period_parse("30d", NULL, NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(p.days, 30);
	int64_t from, to;
	hq_dash_period_days(&p, hq_dash_zone("Asia/Tokyo"), NOW, &from, &to);
	assert_int_equal(to, tzif_days_from_civil(2024, 4, 1));
	assert_int_equal(from, to - 29);
	assert_int_equal(hq_dash_period_parse("yesterday", NULL, NULL, &p, err, sizeof(err)), 0);
	hq_dash_period_days(&p, hq_dash_zone("Europe/Berlin"), NOW, &from, &to);
	assert_int_equal(to, tzif_days_from_civil(2024, 3, 30));
	assert_int_equal(hq_dash_period_parse("week", NULL, NULL, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "period must be"));
	assert_int_equal(hq_dash_period_parse(NULL, "2024-03-02", "2024-03-01", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is after"));
	assert_int_equal(hq_dash_period_parse(NULL, "2024-01-01", NULL, &p, err, sizeof(err)), -1);
	assert_int_equal(hq_dash_period_parse(NULL, "2023-01-01", "2024-01-02", &p, err, sizeof(err)), -1);
	assert_int_equal(hq_dash_period_parse(NULL, "2023-01-02", "2024-01-01", &p, err, sizeof(err)), 0);
	assert_int_equal(p.days, 365);
	assert_int_equal(hq_dash_period_parse(NULL, "2024-02-30", "2024-03-01", &p, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overview_counts_each_store_on_its_own_local_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_role_sees_only_its_stores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_heat_map_uses_local_hours_on_a_dst_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_day_totals_rebuilt_from_quarter_hours, setup, teardown),
		cmocka_unit_test(test_period_parsing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
