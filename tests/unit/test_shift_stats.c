/* SPDX-License-Identifier: Apache-2.0 */
/* Figures per shift from a real SQLite store, and the end-of-shift sentence: honest claims only. */
#include "testutil.h"

#include <time.h>

#include "rating.h"
#include "shift_schedule.h"
#include "shift_stats.h"
#include "store.h"

#define BERLIN "Europe/Berlin"

static char dir[512], path[600], err[1024];
static struct store *st;

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/kiosk.db", dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	tu_rmdir(dir);
	return 0;
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi };
	return (int64_t)timegm(&tm) * 1000;
}

static struct tzdate date(int y, int m, int d)
{
	struct tzdate t = { y, m, d };
	return t;
}

static int64_t add_rating(int value, int64_t wall_ms, int synced, int flags)
{
	struct rating r = { .value = value, .scale = 4, .source = SOURCE_BUTTON, .wall_ms = wall_ms, .boot_ms = 1000,
			    .clock_synced = synced, .flags = flags };
	snprintf(r.kiosk_id, sizeof(r.kiosk_id), "k1");
	snprintf(r.boot_id, sizeof(r.boot_id), "b0");
	assert_int_equal(store_add(st, &r, err, sizeof(err)), 0);
	return r.seq;
}

static void two_shifts(struct shifts *s)
{
	shifts_init(s);
	assert_int_equal(shifts_add_line(s, "Early", "Mon-Fri 06:00-14:00", 1, err, sizeof(err)), 0);
	assert_int_equal(shifts_add_line(s, "Late", "Mon-Fri 14:00-22:00", 2, err, sizeof(err)), 0);
}

static void history_of(struct shifts_history *h, const struct shifts *s)
{
	memset(h, 0, sizeof(*h));
	shifts_history_add(h, s, 0);
}

static void test_ratings_land_in_their_shift_by_local_time(void **state)
{
	(void)state;
	static struct shifts s;
	static struct shifts_history h;
	static struct shift_day d;
	two_shifts(&s);
	history_of(&h, &s);
	/* Tuesday 2026-06-16, Berlin UTC+2: Early 04:00-12:00 UTC, Late 12:00-20:00 UTC */
	add_rating(3, utc(2026, 6, 16, 4, 0), 1, 0);    /* Early, first minute */
	add_rating(3, utc(2026, 6, 16, 11, 59), 1, 0);  /* Early, last minute */
	add_rating(0, utc(2026, 6, 16, 12, 0), 1, 0);   /* Late, first minute */
	add_rating(2, utc(2026, 6, 16, 12, 1), 1, RATING_MISUSE); /* Late, misuse: apart */
	add_rating(2, utc(2026, 6, 16, 21, 0), 1, 0);   /* 23:00 local: no shift */
	add_rating(1, utc(2026, 6, 16, 9, 0), 0, 0);    /* unsynced, uncorrected: time unknown */
	int64_t fixed = add_rating(3, utc(2020, 1, 1, 0, 0), 0, 0); /* wrong clock, corrected into Late */
	char sql[200];
	snprintf(sql, sizeof(sql), "UPDATE ratings SET corrected_ms = %lld WHERE seq = %lld",
		 (long long)utc(2026, 6, 16, 15, 0), (long long)fixed);
	assert_int_equal(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL), SQLITE_OK);

	if (shift_stats_day(store_db(st), BERLIN, 4, &h, date(2026, 6, 16), 4, &d, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.shift[0].occ.name, "Early");
	assert_int_equal(d.shift[0].now.total, 2);
	assert_int_equal(d.shift[0].now.counts[3], 2);
	assert_true(d.shift[0].now.positive_pct == 100.0);
	assert_string_equal(d.shift[1].occ.name, "Late");
	assert_int_equal(d.shift[1].now.total, 2);
	assert_int_equal(d.shift[1].now.misuse, 1);
	assert_int_equal(d.shift[1].now.time_corrected, 1);
	assert_true(d.shift[1].now.positive_pct == 50.0);
	assert_int_equal(d.no_shift, 1);
	assert_int_equal(d.time_unknown, 1);
	assert_int_equal(shift_stats_current(&d, utc(2026, 6, 16, 13, 0)), 1);
	assert_int_equal(shift_stats_current(&d, utc(2026, 6, 16, 21, 0)), -1);
}

static void test_compared_with_last_week_and_its_four_week_average(void **state)
{
	(void)state;
	static struct shifts s;
	static struct shifts_history h;
	static struct shift_day d;
	two_shifts(&s);
	history_of(&h, &s);
	/* Early on Tuesday 2026-06-16: 3 of 4 positive */
	add_rating(3, utc(2026, 6, 16, 5, 0), 1, 0);
	add_rating(3, utc(2026, 6, 16, 5, 1), 1, 0);
	add_rating(2, utc(2026, 6, 16, 5, 2), 1, 0);
	add_rating(0, utc(2026, 6, 16, 5, 3), 1, 0);
	/* a week before: 1 of 2; and Monday 2026-06-01 (in the 28 days): 0 of 2 */
	add_rating(3, utc(2026, 6, 9, 5, 0), 1, 0);
	add_rating(0, utc(2026, 6, 9, 5, 1), 1, 0);
	add_rating(0, utc(2026, 6, 1, 5, 0), 1, 0);
	add_rating(1, utc(2026, 6, 1, 5, 1), 1, 0);
	/* 29 days before: outside the average */
	add_rating(3, utc(2026, 5, 18, 5, 0), 1, 0);
	if (shift_stats_day(store_db(st), BERLIN, 4, &h, date(2026, 6, 16), 4, &d, err, sizeof(err)))
		fail_msg("%s", err);
	const struct shift_result *e = &d.shift[0];
	assert_true(e->has_last_week);
	assert_int_equal(e->last_week.total, 2);
	assert_true(e->last_week.positive_pct == 50.0);
	assert_int_equal(e->average.total, 4);
	assert_true(e->average.positive_pct == 25.0);
	assert_int_equal(e->average_shifts, 20); /* every weekday's Early in 28 days */
	assert_true(e->week_ran[0] && e->week_ran[3]);
	assert_int_equal(e->week[0].total, 2);
	assert_int_equal(e->week[3].total, 1 - 1); /* 2026-05-19 had none */
}

/* A result built by hand for the chooser: now, and the same weekday k+1 weeks before. */
static struct shift_result result(int total, double pct, const int *week_totals, const double *week_pct, int nweeks,
				  int avg_total, double avg_pct)
{
	struct shift_result r;
	memset(&r, 0, sizeof(r));
	snprintf(r.occ.name, sizeof(r.occ.name), "Early");
	r.occ.date = date(2026, 6, 16); /* a Tuesday */
	r.now.total = total;
	r.now.positive_pct = pct;
	r.now.happy_index = pct * 0.9;
	r.weeks = nweeks;
	for (int k = 0; k < nweeks; k++) {
		r.week_ran[k] = 1;
		r.week[k].total = week_totals[k];
		r.week[k].positive_pct = week_pct[k];
	}
	r.average_shifts = avg_total > 0 ? 20 : 0;
	r.average.total = avg_total;
	r.average.positive_pct = avg_pct;
	return r;
}

static void test_chooser_best_only_when_every_week_is_beaten(void **state)
{
	(void)state;
	int n[] = { 20, 20, 20 };
	double p[] = { 80, 79, 83.4 };
	struct shift_result r = result(30, 84, n, p, 3, 100, 80);
	struct shift_claim c = shift_choose(&r, 4, 5);
	assert_int_equal(c.kind, SHIFT_CLAIM_BEST);
	assert_int_equal(c.weeks, 4);
	struct shift_texts t;
	shift_texts_default(&t);
	char out[256];
	assert_int_equal(shift_sentence(&r, 4, 5, &t, out, sizeof(out)), 0);
	assert_string_equal(out, "Early shift: 84% positive, Happy Index 76, best Tuesday in 4 weeks");
	/* a tie (84 against 83.6, both shown as 84) is no record: the average speaks instead */
	p[2] = 83.6;
	r = result(30, 84, n, p, 3, 100, 80);
	c = shift_choose(&r, 4, 5);
	assert_int_equal(c.kind, SHIFT_CLAIM_ABOVE);
	assert_int_equal(c.points, 4);
	assert_int_equal(shift_sentence(&r, 4, 5, &t, out, sizeof(out)), 0);
	assert_string_equal(out, "Early shift: 84% positive, Happy Index 76, 4 points above its four-week average");
}

static void test_chooser_worst_said_plainly(void **state)
{
	(void)state;
	int n[] = { 20, 20, 20 };
	double p[] = { 80, 79, 83 };
	struct shift_result r = result(30, 60, n, p, 3, 100, 80);
	struct shift_claim c = shift_choose(&r, 4, 5);
	assert_int_equal(c.kind, SHIFT_CLAIM_WORST);
	struct shift_texts t;
	shift_texts_default(&t);
	char out[256];
	shift_claim_text(&r, c, &t, out, sizeof(out));
	assert_string_equal(out, "lowest Tuesday in 4 weeks");
}

static void test_chooser_too_few_ratings_say_nothing(void **state)
{
	(void)state;
	int n[] = { 20, 20, 20 };
	double p[] = { 10, 10, 10 };
	/* 4 ratings, all happy: 100 %, but no claim */
	struct shift_result r = result(4, 100, n, p, 3, 100, 50);
	assert_int_equal(shift_choose(&r, 4, 5).kind, SHIFT_CLAIM_NONE);
	struct shift_texts t;
	shift_texts_default(&t);
	char out[256];
	assert_int_equal(shift_sentence(&r, 4, 5, &t, out, sizeof(out)), 0);
	assert_string_equal(out, "Early shift: 100% positive, Happy Index 90");
	/* weeks before with too few ratings are no yardstick: a record needs two in a row */
	int thin[] = { 20, 3, 20 };
	r = result(30, 95, thin, p, 3, 0, 0);
	assert_int_equal(shift_choose(&r, 4, 5).kind, SHIFT_CLAIM_NONE);
	/* the most recent two suffice, and the claim says 3 weeks, not 4 */
	int two[] = { 20, 20, 3 };
	r = result(30, 95, two, p, 3, 0, 0);
	struct shift_claim c = shift_choose(&r, 4, 5);
	assert_int_equal(c.kind, SHIFT_CLAIM_BEST);
	assert_int_equal(c.weeks, 3);
}

static void test_chooser_below_and_level_with_average(void **state)
{
	(void)state;
	int n[] = { 20 };
	double p[] = { 70 };
	struct shift_result r = result(30, 77, n, p, 1, 100, 78.4);
	struct shift_claim c = shift_choose(&r, 4, 5);
	assert_int_equal(c.kind, SHIFT_CLAIM_BELOW);
	assert_int_equal(c.points, 1);
	struct shift_texts t;
	shift_texts_default(&t);
	char out[256];
	shift_claim_text(&r, c, &t, out, sizeof(out));
	assert_string_equal(out, "1 point below its four-week average");
	r = result(30, 78, n, p, 1, 100, 78.4);
	assert_int_equal(shift_choose(&r, 4, 5).kind, SHIFT_CLAIM_SAME);
	/* no ratings at all: said so */
	r = result(0, -1, n, p, 1, 100, 78.4);
	assert_int_equal(shift_sentence(&r, 4, 5, &t, out, sizeof(out)), 0);
	assert_string_equal(out, "Early shift: no ratings");
}

static void test_schedule_versions_are_recorded_once_and_read_back(void **state)
{
	(void)state;
	static struct shifts s, later;
	static struct shifts_history h;
	two_shifts(&s);
	sqlite3 *db = store_db(st);
	/* no table yet: an empty history, and the current schedule from now */
	assert_int_equal(shift_schedule_history(db, &s, 5000, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(shift_schedule_record(db, &s, 1000, err, sizeof(err)), 1);
	assert_int_equal(shift_schedule_record(db, &s, 2000, err, sizeof(err)), 0);
	shifts_init(&later);
	assert_int_equal(shifts_add_line(&later, "Early", "Mon-Fri 07:00-15:00", 1, err, sizeof(err)), 0);
	assert_int_equal(shift_schedule_record(db, &later, 3000, err, sizeof(err)), 1);
	struct shift_schedule_row rows[4];
	assert_int_equal(shift_schedule_rows(db, rows, 4, err, sizeof(err)), 2);
	assert_true(rows[0].from_ms == 1000 && rows[1].from_ms == 3000);
	assert_string_equal(rows[1].definition, "Early = Mon-Fri 07:00-15:00\n");
	assert_int_equal(shift_schedule_history(db, &later, 5000, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 2);
	assert_true(h.v[1].from_ms == 3000);
	/* a clock set back never records a version before the newest */
	assert_int_equal(shift_schedule_record(db, &s, 500, err, sizeof(err)), 1);
	assert_int_equal(shift_schedule_rows(db, rows, 4, err, sizeof(err)), 3);
	assert_true(rows[2].from_ms == 3001);
}

static void test_cache_reads_the_weeks_before_once_and_today_always(void **state)
{
	(void)state;
	static struct shifts s;
	static struct shifts_history h;
	static struct shift_day a, b, plain;
	shifts_init(&s);
	assert_int_equal(shifts_add_line(&s, "Night", "Sun-Sat 22:00-06:00", 1, err, sizeof(err)), 0);
	history_of(&h, &s);
	/* Monday night into Tuesday, and Tuesday night; Berlin UTC+2 */
	add_rating(3, utc(2026, 6, 15, 23, 0), 1, 0);  /* Tue 01:00 local: Monday's Night */
	add_rating(0, utc(2026, 6, 16, 21, 0), 1, 0);  /* Tue 23:00 local: Tuesday's Night */
	struct shift_stats_cache cache = { 0 };
	assert_int_equal(shift_stats_day_cached(store_db(st), BERLIN, 4, &h, date(2026, 6, 16), 4, &cache, &a, err, sizeof(err)), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.shift[0].now.total, 1);
	add_rating(3, utc(2026, 6, 16, 21, 5), 1, 0);  /* a new press tonight */
	add_rating(3, utc(2026, 6, 15, 23, 5), 1, 0);  /* a late row for last night: past, read once per date */
	assert_int_equal(shift_stats_day_cached(store_db(st), BERLIN, 4, &h, date(2026, 6, 16), 4, &cache, &b, err, sizeof(err)), 0);
	assert_int_equal(b.shift[0].now.total, 2);
	assert_int_equal(b.shift[0].average.total, 1); /* not counted twice by the second read */
	assert_int_equal(shift_stats_day(store_db(st), BERLIN, 4, &h, date(2026, 6, 16), 4, &plain, err, sizeof(err)), 0);
	assert_int_equal(plain.shift[0].now.total, 2);
	assert_int_equal(plain.shift[0].average.total, 2);
	shift_stats_cache_free(&cache);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_ratings_land_in_their_shift_by_local_time),
		T(test_compared_with_last_week_and_its_four_week_average),
		cmocka_unit_test(test_chooser_best_only_when_every_week_is_beaten),
		cmocka_unit_test(test_chooser_worst_said_plainly),
		cmocka_unit_test(test_chooser_too_few_ratings_say_nothing),
		cmocka_unit_test(test_chooser_below_and_level_with_average),
		T(test_schedule_versions_are_recorded_once_and_read_back),
		T(test_cache_reads_the_weeks_before_once_and_today_always),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
