/* SPDX-License-Identifier: Apache-2.0 */
/* Stats: a store's local day, its scores, hours and comparisons, from a real SQLite file. */
#include "testutil.h"

#include <math.h>
#include <time.h>

#include "rating.h"
#include "stats.h"
#include "store.h"
#include "tzday.h"

#define BERLIN "Europe/Berlin"

static char dir[512];
static char path[600];
static char err[1024];
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

/* UTC milliseconds of a UTC date and time. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return (int64_t)timegm(&tm) * 1000;
}

static struct tzdate date(int y, int m, int d)
{
	struct tzdate t = { y, m, d };
	return t;
}

/* Stores one rating; returns its seq. */
static int64_t add_rating(int value, int scale, int64_t wall_ms, int synced, int flags)
{
	struct rating r = { .value = value, .scale = scale, .source = SOURCE_BUTTON, .wall_ms = wall_ms,
			    .boot_ms = 1000, .clock_synced = synced, .flags = flags };
	snprintf(r.kiosk_id, sizeof(r.kiosk_id), "k1");
	snprintf(r.boot_id, sizeof(r.boot_id), "b0");
	assert_int_equal(store_add(st, &r, err, sizeof(err)), 0);
	return r.seq;
}

static int64_t add(int value, int64_t wall_ms)
{
	return add_rating(value, 4, wall_ms, 1, 0);
}

/* What tally-sync's time fix does: a corrected wall time for one row. */
static void set_corrected(int64_t seq, int64_t corrected_ms)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "UPDATE ratings SET corrected_ms = %lld WHERE seq = %lld", (long long)corrected_ms,
		 (long long)seq);
	assert_int_equal(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL), SQLITE_OK);
}

static struct stats_day day_of(struct tzdate d)
{
	struct stats_day s;
	if (stats_day_compute(store_db(st), BERLIN, 4, d, &s, err, sizeof(err)) != 0)
		fail_msg("stats_day_compute: %s", err);
	return s;
}

static int64_t hours_total(const struct stats_day *d)
{
	int64_t n = 0;
	for (int h = 0; h < 24; h++)
		n += d->hourly[h];
	return n;
}

static void test_empty_day_has_no_scores(void **state)
{
	(void)state;
	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 0);
	assert_int_equal(d.misuse, 0);
	assert_int_equal(d.hours_in_day, 24);
	assert_true(d.happy_index < 0);
	assert_true(d.positive_pct < 0);
	assert_int_equal(hours_total(&d), 0);

	struct stats_view v;
	assert_int_equal(stats_view_compute(store_db(st), BERLIN, 4, date(2026, 3, 10), &v, err, sizeof(err)), 0);
	assert_false(v.vs_yesterday.comparable);
	assert_false(v.vs_last_week.comparable);
	struct stats_texts t;
	stats_texts_default(&t);
	char s[200];
	assert_int_equal(stats_summary(&v, &t, s, sizeof(s)), 0);
	assert_string_equal(s, "No ratings yet today.");
}

static void test_single_rating_lands_in_its_local_hour(void **state)
{
	(void)state;
	add(3, utc(2026, 3, 10, 9, 30, 0)); /* 10:30 in Berlin (CET, UTC+1) */
	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 1);
	assert_int_equal(d.counts[3], 1);
	assert_int_equal(d.hourly[10], 1);
	assert_int_equal(hours_total(&d), 1);
	assert_true(fabs(d.happy_index - 100.0) < 1e-9);
	assert_true(fabs(d.positive_pct - 100.0) < 1e-9);
	assert_int_equal(d.day.wday, 2); /* a Tuesday */
	assert_int_equal(d.day.start_ms, utc(2026, 3, 9, 23, 0, 0));
	assert_int_equal(d.day.end_ms, utc(2026, 3, 10, 23, 0, 0));
}

static void test_spring_forward_day_has_23_hours(void **state)
{
	(void)state;
	/* 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST (01:00 UTC). */
	add(3, utc(2026, 3, 28, 23, 0, 0));  /* 00:00 CET, the first instant */
	add(2, utc(2026, 3, 29, 0, 59, 59)); /* 01:59:59 CET */
	add(1, utc(2026, 3, 29, 1, 0, 0));   /* 03:00 CEST */
	add(0, utc(2026, 3, 29, 21, 59, 59)); /* 23:59:59 CEST, the last second */
	add(3, utc(2026, 3, 29, 22, 0, 0));  /* 00:00 on the 30th: not this day */
	struct stats_day d = day_of(date(2026, 3, 29));
	assert_int_equal(d.hours_in_day, 23);
	assert_int_equal(d.day.start_ms, utc(2026, 3, 28, 23, 0, 0));
	assert_int_equal(d.day.end_ms, utc(2026, 3, 29, 22, 0, 0));
	assert_int_equal(d.total, 4);
	assert_int_equal(d.hourly[0], 1);
	assert_int_equal(d.hourly[1], 1);
	assert_int_equal(d.hourly[2], 0); /* does not exist that day */
	assert_int_equal(d.hourly[3], 1);
	assert_int_equal(d.hourly[23], 1);
	assert_int_equal(hours_total(&d), 4);
	assert_int_equal(day_of(date(2026, 3, 30)).total, 1);
}

static void test_fall_back_day_has_25_hours(void **state)
{
	(void)state;
	/* 2026-10-25 in Berlin: 03:00 CEST falls back to 02:00 CET (01:00 UTC). */
	add(3, utc(2026, 10, 24, 22, 0, 0)); /* 00:00 CEST, the first instant */
	add(3, utc(2026, 10, 25, 0, 30, 0)); /* 02:30 CEST */
	add(2, utc(2026, 10, 25, 1, 30, 0)); /* 02:30 CET, the same clock hour again */
	add(1, utc(2026, 10, 25, 22, 59, 0)); /* 23:59 CET */
	add(0, utc(2026, 10, 25, 23, 0, 0)); /* 00:00 on the 26th */
	add(0, utc(2026, 10, 24, 21, 59, 59)); /* 23:59:59 on the 24th */
	struct stats_day d = day_of(date(2026, 10, 25));
	assert_int_equal(d.hours_in_day, 25);
	assert_int_equal(d.day.start_ms, utc(2026, 10, 24, 22, 0, 0));
	assert_int_equal(d.day.end_ms, utc(2026, 10, 25, 23, 0, 0));
	assert_int_equal(d.total, 4);
	assert_int_equal(d.hourly[0], 1);
	assert_int_equal(d.hourly[2], 2);
	assert_int_equal(d.hourly[23], 1);
	assert_int_equal(hours_total(&d), 4);
}

static void test_ratings_either_side_of_local_midnight(void **state)
{
	(void)state;
	add(0, utc(2026, 3, 9, 22, 59, 59) + 999); /* 23:59:59.999 on the 9th, Berlin */
	add(3, utc(2026, 3, 9, 23, 0, 0));         /* 00:00:00.000 on the 10th */
	struct stats_day before = day_of(date(2026, 3, 9));
	struct stats_day after = day_of(date(2026, 3, 10));
	assert_int_equal(before.total, 1);
	assert_int_equal(before.counts[0], 1);
	assert_int_equal(before.hourly[23], 1);
	assert_int_equal(after.total, 1);
	assert_int_equal(after.counts[3], 1);
	assert_int_equal(after.hourly[0], 1);
}

static void test_misuse_and_closed_are_counted_apart(void **state)
{
	(void)state;
	int64_t t = utc(2026, 3, 10, 9, 0, 0);
	add(3, t);
	add_rating(0, 4, t + 1000, 1, RATING_MISUSE);
	add_rating(0, 4, t + 2000, 1, RATING_MISUSE);
	add_rating(0, 4, t + 3000, 1, RATING_CLOSED);
	add_rating(0, 4, t + 4000, 1, RATING_CLOSED | RATING_MISUSE);
	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 1);
	assert_int_equal(d.counts[0], 0);
	assert_int_equal(d.misuse, 3);
	assert_int_equal(d.closed, 1);
	assert_int_equal(hours_total(&d), 1);
	assert_true(fabs(d.happy_index - 100.0) < 1e-9);
}

static void test_other_scale_is_counted_apart(void **state)
{
	(void)state;
	int64_t t = utc(2026, 3, 10, 9, 0, 0);
	add(1, t);
	add_rating(4, 5, t + 10000, 1, 0); /* before the store switched to 4 faces */
	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 1);
	assert_int_equal(d.other_scale, 1);
}

static void test_corrected_time_moves_rating_to_its_real_day_and_hour(void **state)
{
	(void)state;
	/* Pressed after a power cut: clock said the 8th, really the 10th 14:10 Berlin. */
	int64_t seq = add_rating(2, 4, utc(2026, 3, 8, 20, 0, 0), 0, 0);
	set_corrected(seq, utc(2026, 3, 10, 13, 10, 0));
	/* Clock said the 10th, really the 11th: belongs to the 11th. */
	int64_t away = add_rating(1, 4, utc(2026, 3, 10, 12, 0, 0), 0, 0);
	set_corrected(away, utc(2026, 3, 11, 8, 0, 0));
	/* A synced clock wins over any correction. */
	int64_t synced = add_rating(3, 4, utc(2026, 3, 10, 7, 0, 0), 1, 0);
	set_corrected(synced, utc(2026, 3, 12, 7, 0, 0));

	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 2);
	assert_int_equal(d.counts[2], 1);
	assert_int_equal(d.counts[3], 1);
	assert_int_equal(d.time_corrected, 1);
	assert_int_equal(d.time_unknown, 0);
	assert_int_equal(d.hourly[14], 1);
	assert_int_equal(d.hourly[8], 1);
	assert_int_equal(day_of(date(2026, 3, 8)).total, 0);
	struct stats_day next = day_of(date(2026, 3, 11));
	assert_int_equal(next.total, 1);
	assert_int_equal(next.hourly[9], 1);
	assert_int_equal(day_of(date(2026, 3, 12)).total, 0);
}

static void test_clock_wrong_by_years_still_finds_the_real_day(void **state)
{
	(void)state;
	/* No RTC: after a power cut the clock came up in 1970; corrected later. */
	int64_t seq = add_rating(3, 4, 5 * 86400000LL, 0, 0);
	set_corrected(seq, utc(2026, 3, 10, 15, 30, 0));
	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 1);
	assert_int_equal(d.time_corrected, 1);
	assert_int_equal(d.hourly[16], 1);
	assert_int_equal(day_of(date(1970, 1, 6)).total, 0);
}

static void test_unknown_time_counts_for_its_day_but_no_hour(void **state)
{
	(void)state;
	add_rating(3, 4, utc(2026, 3, 10, 9, 0, 0), 0, 0);
	add(0, utc(2026, 3, 10, 10, 0, 0));
	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 2);
	assert_int_equal(d.time_unknown, 1);
	assert_int_equal(hours_total(&d), 1);
	assert_int_equal(d.hourly[11], 1);
	assert_true(fabs(d.happy_index - 50.0) < 1e-9);
}

static void test_happy_index_market_example(void **state)
{
	(void)state;
	/* 126/60/16/17 from best to worst gives 78.2. */
	static const int n[4] = { 17, 16, 60, 126 };
	int64_t t = utc(2026, 3, 10, 8, 0, 0);
	sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL);
	for (int v = 0; v < 4; v++)
		for (int i = 0; i < n[v]; i++, t += 60000)
			add(v, t);
	sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
	struct stats_day d = day_of(date(2026, 3, 10));
	assert_int_equal(d.total, 219);
	assert_int_equal(d.counts[3], 126);
	assert_int_equal(d.counts[0], 17);
	assert_true(fabs(d.happy_index - 78.2) < 0.05);
	assert_true(fabs(d.positive_pct - 100.0 * 186 / 219) < 1e-9);
}

static void add_n(int value, int count, int64_t t)
{
	for (int i = 0; i < count; i++)
		add(value, t + i * 60000);
}

static void test_comparisons_with_yesterday_and_last_week(void **state)
{
	(void)state;
	/* Tuesday 2026-03-17: 17 of 20 positive = 85%. */
	add_n(3, 17, utc(2026, 3, 17, 9, 0, 0));
	add_n(0, 3, utc(2026, 3, 17, 12, 0, 0));
	/* Monday: 9 of 10 = 90%. */
	add_n(2, 9, utc(2026, 3, 16, 9, 0, 0));
	add_n(1, 1, utc(2026, 3, 16, 12, 0, 0));
	/* Tuesday a week before: 79 of 100 = 79%. */
	add_n(3, 79, utc(2026, 3, 10, 6, 0, 0));
	add_n(0, 21, utc(2026, 3, 10, 14, 0, 0));

	struct stats_view v;
	assert_int_equal(stats_view_compute(store_db(st), BERLIN, 4, date(2026, 3, 17), &v, err, sizeof(err)), 0);
	assert_int_equal(v.today.total, 20);
	assert_int_equal(v.yesterday.total, 10);
	assert_int_equal(v.last_week.total, 100);
	assert_int_equal(v.last_week.day.date.day, 10);
	assert_true(v.vs_yesterday.comparable);
	assert_true(fabs(v.vs_yesterday.positive_points - (85.0 - 90.0)) < 1e-9);
	assert_int_equal(v.vs_yesterday.total_diff, 10);
	assert_true(v.vs_last_week.comparable);
	assert_true(fabs(v.vs_last_week.positive_points - 6.0) < 1e-9);
	assert_int_equal(v.vs_last_week.total_diff, -80);
	/* Happy Index today 85.0 (17 x 100 + 3 x 0) against last week 79.0. */
	assert_true(fabs(v.vs_last_week.happy_points - 6.0) < 1e-9);

	struct stats_texts t;
	stats_texts_default(&t);
	char s[200];
	assert_int_equal(stats_summary(&v, &t, s, sizeof(s)), 0);
	assert_string_equal(s, "85% positive today \u2014 6 points above last Tuesday.");
}

static void test_summary_falls_back_to_yesterday_then_alone(void **state)
{
	(void)state;
	add_n(3, 4, utc(2026, 3, 17, 9, 0, 0));   /* 100% */
	add_n(2, 1, utc(2026, 3, 16, 9, 0, 0));   /* 100% yesterday */
	struct stats_texts t;
	stats_texts_default(&t);
	struct stats_view v;
	char s[200];
	assert_int_equal(stats_view_compute(store_db(st), BERLIN, 4, date(2026, 3, 17), &v, err, sizeof(err)), 0);
	assert_false(v.vs_last_week.comparable);
	assert_int_equal(stats_summary(&v, &t, s, sizeof(s)), 0);
	assert_string_equal(s, "100% positive today \u2014 the same as yesterday.");

	add(0, utc(2026, 3, 16, 10, 0, 0)); /* yesterday now 50% */
	assert_int_equal(stats_view_compute(store_db(st), BERLIN, 4, date(2026, 3, 17), &v, err, sizeof(err)), 0);
	assert_int_equal(stats_summary(&v, &t, s, sizeof(s)), 0);
	assert_string_equal(s, "100% positive today \u2014 50 points above yesterday.");

	assert_int_equal(stats_view_compute(store_db(st), BERLIN, 4, date(2026, 3, 18), &v, err, sizeof(err)), 0);
	assert_int_equal(stats_summary(&v, &t, s, sizeof(s)), 0);
	assert_string_equal(s, "No ratings yet today.");

	add(1, utc(2026, 3, 20, 10, 0, 0));
	assert_int_equal(stats_view_compute(store_db(st), BERLIN, 4, date(2026, 3, 20), &v, err, sizeof(err)), 0);
	assert_int_equal(stats_summary(&v, &t, s, sizeof(s)), 0);
	assert_string_equal(s, "0% positive today.");
}

static void test_summary_templates_are_replaceable(void **state)
{
	(void)state;
	add_n(3, 3, utc(2026, 3, 17, 9, 0, 0));
	add_n(0, 1, utc(2026, 3, 17, 10, 0, 0)); /* 75% */
	add_n(3, 19, utc(2026, 3, 10, 9, 0, 0));
	add_n(0, 1, utc(2026, 3, 10, 10, 0, 0)); /* 95% */
	struct stats_texts t;
	stats_texts_default(&t);
	t.below = "{day}: {positive} % zufrieden, {points} {point_word} unter {other} ({count}, {happy}) {nope}";
	t.today = "Heute";
	t.last_weekday = "letztem {weekday}";
	t.weekday[2] = "Dienstag";
	t.points = "Punkte";
	struct stats_view v;
	char s[200];
	assert_int_equal(stats_view_compute(store_db(st), BERLIN, 4, date(2026, 3, 17), &v, err, sizeof(err)), 0);
	assert_int_equal(stats_summary(&v, &t, s, sizeof(s)), 0);
	assert_string_equal(s, "Heute: 75 % zufrieden, 20 Punkte unter letztem Dienstag (4, 75.0) {nope}");
	char small[10];
	assert_int_equal(stats_summary(&v, &t, small, sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_restricting_hours_counts_the_rest_apart(void **state)
{
	(void)state;
	add(3, utc(2026, 3, 10, 6, 0, 0));  /* 07:00 */
	add(3, utc(2026, 3, 10, 9, 0, 0));  /* 10:00 */
	add(3, utc(2026, 3, 10, 19, 0, 0)); /* 20:00 */
	struct stats_day d = day_of(date(2026, 3, 10));
	stats_restrict_hours(&d, 8, 20);
	assert_int_equal(d.hour_first, 8);
	assert_int_equal(d.hour_end, 20);
	assert_int_equal(d.outside_hours, 2);
	assert_int_equal(d.total, 3);
	stats_restrict_hours(&d, 20, 8); /* nonsense: ignored */
	assert_int_equal(d.hour_first, 8);
}

static void test_tzday_dates_zones_and_tz_restored(void **state)
{
	(void)state;
	struct tzdate d;
	assert_int_equal(tzday_parse_date("2026-02-28", &d), 0);
	assert_int_equal(tzday_parse_date("2026-02-29", &d), -1);
	assert_int_equal(tzday_parse_date("2026-3-01", &d), -1);
	assert_int_equal(tzday_parse_date("2026-03-01x", &d), -1);
	assert_int_equal(tzday_parse_date("2024-02-29", &d), 0);
	struct tzdate n = tzday_add_days(date(2026, 3, 1), -1);
	assert_int_equal(n.month, 2);
	assert_int_equal(n.day, 28);
	assert_int_equal(tzday_weekday(date(2026, 3, 29)), 0);

	assert_int_equal(tzday_valid(BERLIN, err, sizeof(err)), 0);
	assert_int_equal(tzday_valid("UTC", err, sizeof(err)), 0);
	assert_int_equal(tzday_valid("Europe/Atlantis", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown time zone"));
	assert_int_equal(tzday_valid("../etc/passwd", err, sizeof(err)), -1);

	setenv("TZ", "America/New_York", 1);
	struct stats_day s = day_of(date(2026, 3, 10));
	(void)s;
	assert_string_equal(getenv("TZ"), "America/New_York");
	unsetenv("TZ");
	assert_int_equal(tzday_date_of(BERLIN, utc(2026, 3, 9, 23, 0, 0), &d, NULL, err, sizeof(err)), 0);
	assert_int_equal(d.day, 10);
	assert_null(getenv("TZ"));
	int64_t ms;
	assert_int_equal(tzday_local_to_ms(BERLIN, date(2026, 10, 25), 12, 0, 0, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, utc(2026, 10, 25, 11, 0, 0));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty_day_has_no_scores),
		T(test_single_rating_lands_in_its_local_hour),
		T(test_spring_forward_day_has_23_hours),
		T(test_fall_back_day_has_25_hours),
		T(test_ratings_either_side_of_local_midnight),
		T(test_misuse_and_closed_are_counted_apart),
		T(test_other_scale_is_counted_apart),
		T(test_corrected_time_moves_rating_to_its_real_day_and_hour),
		T(test_clock_wrong_by_years_still_finds_the_real_day),
		T(test_unknown_time_counts_for_its_day_but_no_hour),
		T(test_happy_index_market_example),
		T(test_comparisons_with_yesterday_and_last_week),
		T(test_summary_falls_back_to_yesterday_then_alone),
		T(test_summary_templates_are_replaceable),
		T(test_restricting_hours_counts_the_rest_apart),
		T(test_tzday_dates_zones_and_tz_restored),
	};
#undef T
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
