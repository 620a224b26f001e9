/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The summary served from the hour totals (hq_summary.c, hq_hours.c)
 * against a recount from the raw ratings, on SQLite and (tests/run.sh's
 * second pass) PostgreSQL: a chain in five zones (Berlin and New York,
 * each falling back on its own date, Sydney springing forward, Kathmandu
 * at +05:45, UTC), a 5-face kiosk among 4-face ones, misuse, closed and
 * unknown times, batches spanning many days, fed through the real ingest.
 * Every kiosk asks for every day of five weeks; every figure (counts, the
 * scale, misuse, closed, the 24 hours, Happy Index and % positive) of the
 * kiosk, its store, each area and the chain must equal the recount. Then
 * the same after the hour totals are dropped and refilled from the
 * quarter hours, as an upgraded head office does once (in slices as
 * large as a year's fill uses, and in slices of a few rows).
 */
#include "hqtest.h"

#include "../support/hq_feed.h"
#include "hq_hours.h"
#include "hq_rollup.h"
#include "hq_store.h"
#include "rating.h"
#include "score.h"
#include "tzday.h"

#define NK 7
#define NOW 1731196800000LL                   /* 2024-11-10 00:00 UTC */
#define FIRST ((int64_t)1727740800000LL)      /* 2024-10-01 00:00 UTC */
#define SPAN_MS ((int64_t)36 * 86400 * 1000) /* to 6 November: every zone's DST change of the autumn */
#define PER_KIOSK 700

static char dir[512], path[600], err[512];
static struct hq_store *db;

static const struct {
	const char *id, *store, *area, *tz;
	int scale;
} spec[NK] = {
	{ "ber-1", "Berlin", "Counter", "Europe/Berlin", 4 },
	{ "ber-2", "Berlin", "Pickup", "Europe/Berlin", 5 },
	{ "ber-3", "Berlin", "Counter", "Europe/Berlin", 4 },
	{ "nyc-1", "New York", "Counter", "America/New_York", 4 },
	{ "syd-1", "Sydney", "Counter", "Australia/Sydney", 4 },
	{ "ktm-1", "Kathmandu", "Gate", "Asia/Kathmandu", 4 },
	{ "utc-1", "Online", "Web", "UTC", 4 },
};
static struct hq_kiosk kiosks[NK];

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* PER_KIOSK ratings of each kiosk over the span, in batches of up to 120 (several days each). */
static void feed(void)
{
	static int64_t when[PER_KIOSK];
	for (int i = 0; i < NK; i++) {
		for (int j = 0; j < PER_KIOSK; j++) {
			/* A fifth of them on the quarter hours around midnight and the DST changes' hours. */
			int64_t t = FIRST + (int64_t)(rnd() % (uint32_t)(SPAN_MS / 1000)) * 1000;
			if (j % 5 == 0)
				t = t / 3600000 * 3600000 + (int64_t)(rnd() % 4) * 900000 - 1;
			when[j] = t;
		}
		hq_feed_kiosk(db, &kiosks[i], spec[i].scale, when, PER_KIOSK, 120, rnd, NOW);
	}
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(path, sizeof(path), dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	for (int i = 0; i < NK; i++) {
		hq_feed_add_kiosk(db, &kiosks[i], i + 1, spec[i].id, spec[i].store, spec[i].area, spec[i].tz);
	}
	feed();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

/* --- the recount ---------------------------------------------------------------- */

/* Every stored rating with its kiosk's local date and hour (-1: time unknown). */
static struct raw {
	int kiosk;
	int value, scale, flags, hour;
	struct tzdate date;
} *raw;
static size_t nraw;

static int kiosk_index(const char *id)
{
	for (int i = 0; i < NK; i++)
		if (id && !strcmp(spec[i].id, id))
			return i;
	fail();
	return 0;
}

/* Every stored rating (expect of them) into raw. */
static void read_raw(size_t expect)
{
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), "SELECT kiosk_id, value, scale, flags, best_ms, time_known"
				       " FROM ratings", &st, err, sizeof(err)), HQ_DB_DONE);
	size_t cap = expect;
	raw = calloc(cap, sizeof(*raw));
	assert_non_null(raw);
	nraw = 0;
	while (hq_db_step(st) == HQ_DB_ROW) {
		assert_true(nraw < cap);
		struct raw *r = &raw[nraw++];
		int i = kiosk_index(hq_db_column_text(st, 0));
		r->kiosk = i;
		r->value = (int)hq_db_column_int64(st, 1);
		r->scale = (int)hq_db_column_int64(st, 2);
		r->flags = (int)hq_db_column_int64(st, 3);
		assert_int_equal(tzday_date_of(spec[i].tz, hq_db_column_int64(st, 4), &r->date, &r->hour, err,
					       sizeof(err)), 0);
		if (!hq_db_column_int64(st, 5))
			r->hour = -1;
	}
	hq_db_finalize(st);
	assert_int_equal(nraw, expect);
}

/* The figures of the ratings of day for which in(kiosk) holds, recounted one by one. */
static void recount(struct tzdate day, int (*in)(int kiosk, const void *arg), const void *arg, int default_scale,
		    struct protocol_figures *f)
{
	int64_t counts[6][5] = { { 0 } };
	memset(f, 0, sizeof(*f));
	for (size_t j = 0; j < nraw; j++) {
		const struct raw *r = &raw[j];
		if (r->date.year != day.year || r->date.month != day.month || r->date.day != day.day || !in(r->kiosk, arg))
			continue;
		if (r->flags & RATING_MISUSE) {
			f->misuse++;
		} else if (r->flags & RATING_CLOSED) {
			f->closed++;
		} else {
			counts[r->scale][r->value]++;
			f->total++;
			if (r->hour >= 0)
				f->hourly[r->hour]++;
		}
	}
	/* The scale shown is the one with most ratings; HI and % positive weigh each scale by its ratings. */
	int dominant = 0;
	for (int sc = 5; sc >= 3; sc--) {
		int64_t n = score_total(counts[sc], sc);
		if (n > 0 && (dominant == 0 || n > score_total(counts[dominant], dominant)))
			dominant = sc;
	}
	f->scale = dominant ? dominant : default_scale;
	memcpy(f->counts, counts[f->scale], sizeof(f->counts));
	f->happy_index = f->positive_pct = -1;
	if (!f->total)
		return;
	double hi = 0, pos = 0;
	for (int sc = 3; sc <= 5; sc++) {
		double n = (double)score_total(counts[sc], sc);
		if (n > 0) {
			hi += score_happy_index(counts[sc], sc) * n;
			pos += score_positive_pct(counts[sc], sc) * n;
		}
	}
	f->happy_index = (double)(int64_t)(hi / (double)f->total * 10 + 0.5) / 10;
	f->positive_pct = (double)(int64_t)(pos / (double)f->total * 10 + 0.5) / 10;
}

static int in_kiosk(int kiosk, const void *arg)
{
	return kiosk == *(const int *)arg;
}

static int in_store(int kiosk, const void *arg)
{
	return !strcmp(spec[kiosk].store, arg);
}

struct store_area {
	const char *store, *area;
};

static int in_area(int kiosk, const void *arg)
{
	const struct store_area *sa = arg;
	return !strcmp(spec[kiosk].store, sa->store) && !strcmp(spec[kiosk].area, sa->area);
}

static int in_chain(int kiosk, const void *arg)
{
	(void)kiosk;
	(void)arg;
	return 1;
}

static void assert_figures(const struct protocol_figures *want, const struct protocol_figures *got, const char *what)
{
	if (memcmp(want->counts, got->counts, sizeof(want->counts)) || memcmp(want->hourly, got->hourly, sizeof(want->hourly)) ||
	    want->scale != got->scale || want->total != got->total || want->misuse != got->misuse ||
	    want->closed != got->closed || want->happy_index != got->happy_index ||
	    want->positive_pct != got->positive_pct) {
		fprintf(stderr, "%s: recount total %lld misuse %lld closed %lld scale %d HI %.1f, summary total %lld"
			" misuse %lld closed %lld scale %d HI %.1f\n", what, (long long)want->total,
			(long long)want->misuse, (long long)want->closed, want->scale, want->happy_index,
			(long long)got->total, (long long)got->misuse, (long long)got->closed, got->scale,
			got->happy_index);
		for (int h = 0; h < 24; h++)
			if (want->hourly[h] != got->hourly[h])
				fprintf(stderr, "  hour %d: recount %lld, summary %lld\n", h, (long long)want->hourly[h],
					(long long)got->hourly[h]);
		fail();
	}
}

/* Every kiosk's summary of every day from 30 September to 7 November against the recount; the ratings seen. */
static int64_t check_every_day(void)
{
	static struct protocol_summary s;
	int64_t seen = 0;
	struct tzdate first = { 2024, 9, 30 };
	for (int d = 0; d < 39; d++) {
		struct tzdate day = tzday_add_days(first, d);
		struct protocol_figures want;
		char what[120];
		for (int i = 0; i < NK; i++) {
			assert_int_equal(hq_store_summary(db, &kiosks[i], day, &s, err, sizeof(err)), 0);
			snprintf(what, sizeof(what), "%04d-%02d-%02d as %s: kiosk", day.year, day.month, day.day, spec[i].id);
			recount(day, in_kiosk, &i, spec[i].scale, &want);
			assert_figures(&want, &s.kiosk, what);
			seen += want.total + want.misuse + want.closed;
			snprintf(what, sizeof(what), "%04d-%02d-%02d as %s: store", day.year, day.month, day.day, spec[i].id);
			recount(day, in_store, spec[i].store, spec[i].scale, &want);
			assert_figures(&want, &s.store_total, what);
			snprintf(what, sizeof(what), "%04d-%02d-%02d as %s: chain", day.year, day.month, day.day, spec[i].id);
			recount(day, in_chain, NULL, spec[i].scale, &want);
			assert_figures(&want, &s.chain, what);
			/* Every area of the store, in name order, those without ratings that day too. */
			size_t nareas = 0;
			for (int j = 0; j < NK; j++) {
				int first_of_area = !strcmp(spec[j].store, spec[i].store);
				for (int m = 0; m < j && first_of_area; m++)
					if (!strcmp(spec[m].store, spec[j].store) && !strcmp(spec[m].area, spec[j].area))
						first_of_area = 0;
				nareas += first_of_area;
			}
			assert_int_equal(s.nareas, nareas);
			for (size_t a = 0; a < s.nareas; a++) {
				struct store_area sa = { spec[i].store, s.areas[a].area };
				snprintf(what, sizeof(what), "%04d-%02d-%02d as %s: area %s", day.year, day.month, day.day,
					 spec[i].id, s.areas[a].area);
				recount(day, in_area, &sa, spec[i].scale, &want);
				assert_figures(&want, &s.areas[a].figures, what);
				if (a)
					assert_true(strcmp(s.areas[a - 1].area, s.areas[a].area) < 0);
			}
		}
	}
	return seen;
}

static void test_summaries_equal_a_recount_from_the_ratings(void **state)
{
	(void)state;
	read_raw(NK * PER_KIOSK);
	/* Every rating of every kiosk lies in the days checked: none was lost or counted twice. */
	assert_int_equal(check_every_day(), NK * PER_KIOSK);
	free(raw);
	raw = NULL;
}

static void test_hour_totals_refilled_after_an_upgrade(void **state)
{
	(void)state;
	/* A database from before migration 10: no hour totals, marked unfilled. */
	assert_int_equal(hq_db_exec(hq_store_sql(db), "DELETE FROM rating_hours;"
				    " UPDATE dash_state SET value = 0 WHERE name = 'rating_hours'", err, sizeof(err)),
			 HQ_DB_DONE);
	read_raw(NK * PER_KIOSK);
	assert_int_equal(check_every_day(), NK * PER_KIOSK);
	free(raw);
	raw = NULL;
	/* Again, filled in slices of about 40 quarter-hour rows: every day and many hours span two slices. */
	assert_int_equal(hq_db_exec(hq_store_sql(db), "DELETE FROM rating_hours;"
				    " UPDATE dash_state SET value = 0 WHERE name = 'rating_hours'", err, sizeof(err)),
			 HQ_DB_DONE);
	hq_rollup_slice_rows(40);
	assert_int_equal(hq_hours_ready(db, err, sizeof(err)), 0);
	hq_rollup_slice_rows(0);
	read_raw(NK * PER_KIOSK);
	assert_int_equal(check_every_day(), NK * PER_KIOSK);
	free(raw);
	raw = NULL;
	/* Filled once: ingest keeps adding after it. */
	assert_int_equal(hq_hours_ready(db, err, sizeof(err)), 0);
	static struct protocol_rating r;
	memset(&r, 0, sizeof(r));
	r.r.seq = PER_KIOSK + 1;
	r.r.scale = 4;
	r.r.value = 3;
	r.r.source = SOURCE_BUTTON;
	r.r.wall_ms = FIRST + 12 * 3600000; /* 1 October, 12:00 UTC */
	r.r.boot_ms = r.r.seq * 1000;
	r.r.clock_synced = 1;
	snprintf(r.r.boot_id, sizeof(r.r.boot_id), "boot");
	struct protocol_batch b = { .n = 1, .ratings = &r };
	snprintf(b.kiosk_id, sizeof(b.kiosk_id), "%s", spec[6].id);
	snprintf(b.install_id, sizeof(b.install_id), "i1");
	struct protocol_ack ack;
	assert_int_equal(hq_store_ingest(db, &kiosks[6], &b, NOW, &ack, err, sizeof(err)), 0);
	read_raw(NK * PER_KIOSK + 1);
	assert_int_equal(check_every_day(), NK * PER_KIOSK + 1);
	free(raw);
	raw = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_summaries_equal_a_recount_from_the_ratings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hour_totals_refilled_after_an_upgrade, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
