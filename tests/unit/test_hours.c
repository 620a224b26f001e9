/* SPDX-License-Identifier: Apache-2.0 */
/* Opening hours: ranges, closed days, past midnight, and the store's zone. */
#include "testutil.h"

#include "hours.h"

static void test_parse_accepts_the_three_forms(void **state)
{
	(void)state;
	struct day_hours h;
	assert_int_equal(hours_parse("08:00-20:00", &h), 0);
	assert_int_equal(h.open_min, 480);
	assert_int_equal(h.close_min, 1200);
	assert_int_equal(hours_parse("closed", &h), 0);
	assert_true(h.closed);
	assert_int_equal(hours_parse("", &h), 0);
	assert_true(h.all_day);
	assert_int_equal(hours_parse("00:00-24:00", &h), 0);
	assert_true(h.all_day);
}

static void test_parse_refuses_nonsense(void **state)
{
	(void)state;
	struct day_hours h;
	assert_int_equal(hours_parse("8-20", &h), -1);
	assert_int_equal(hours_parse("08:00-25:00", &h), -1);
	assert_int_equal(hours_parse("08:60-20:00", &h), -1);
	assert_int_equal(hours_parse("08:00 20:00", &h), -1);
	assert_int_equal(hours_parse("open", &h), -1);
}

static void test_open_inside_the_range_only(void **state)
{
	(void)state;
	struct day_hours week[7];
	hours_always_open(week);
	hours_parse("08:00-20:00", &week[1]); /* Monday */
	hours_parse("closed", &week[0]);      /* Sunday */
	assert_false(hours_open_at(week, 1, 479));
	assert_true(hours_open_at(week, 1, 480));
	assert_true(hours_open_at(week, 1, 1199));
	assert_false(hours_open_at(week, 1, 1200));
	assert_false(hours_open_at(week, 0, 720));
	assert_true(hours_open_at(week, 2, 0)); /* Tuesday unset: all day */
	assert_false(hours_all_open(week));
}

static void test_range_past_midnight_counts_on_the_next_morning(void **state)
{
	(void)state;
	struct day_hours week[7];
	for (int d = 0; d < 7; d++)
		hours_parse("closed", &week[d]);
	hours_parse("18:00-02:00", &week[5]); /* Friday night */
	assert_true(hours_open_at(week, 5, 23 * 60));
	assert_true(hours_open_at(week, 6, 60));   /* Saturday 01:00 */
	assert_false(hours_open_at(week, 6, 120)); /* Saturday 02:00 */
	assert_false(hours_open_at(week, 5, 60));  /* Friday 01:00: Thursday was closed */
}

static void test_next_change(void **state)
{
	(void)state;
	struct day_hours week[7];
	for (int d = 0; d < 7; d++)
		hours_parse("09:00-17:00", &week[d]);
	assert_int_equal(hours_next_change(week, 3, 8 * 60), 60);
	assert_int_equal(hours_next_change(week, 3, 9 * 60), 8 * 60);
	assert_int_equal(hours_next_change(week, 3, 17 * 60), 16 * 60);
	hours_always_open(week);
	assert_int_equal(hours_next_change(week, 3, 0), -1);
}

static void test_next_opening_is_named_with_its_day(void **state)
{
	(void)state;
	struct day_hours week[7];
	hours_always_open(week);
	for (int d = 1; d <= 5; d++)
		assert_int_equal(hours_parse("08:00-20:00", &week[d]), 0);
	assert_int_equal(hours_parse("10:00-16:00", &week[6]), 0);
	assert_int_equal(hours_parse("closed", &week[0]), 0);
	/* a holiday: Friday 2026-12-25 closed */
	struct hours_dated holiday = { { 2026, 12, 25 }, { 0 } };
	assert_int_equal(hours_parse("closed", &holiday.h), 0);
	struct hours_calendar cal = { week, &holiday, 1 };
	struct tzdate at, open;
	int minute, days;
	/* Tuesday 2026-11-24 21:30: Wednesday 08:00, one midnight ahead */
	at = (struct tzdate){ 2026, 11, 24 };
	assert_int_equal(hours_next_open_on(&cal, at, 21 * 60 + 30, &open, &minute, &days), 0);
	assert_int_equal(open.day, 25);
	assert_int_equal(minute, 8 * 60);
	assert_int_equal(days, 1);
	/* the same Tuesday 06:00: today 08:00 */
	assert_int_equal(hours_next_open_on(&cal, at, 6 * 60, &open, &minute, &days), 0);
	assert_int_equal(days, 0);
	/* open now (noon): the opening after tonight's closing */
	assert_int_equal(hours_next_open_on(&cal, at, 12 * 60, &open, &minute, &days), 0);
	assert_int_equal(open.day, 25);
	/* Thursday 2026-12-24 21:00: the holiday Friday is skipped, Saturday 10:00 */
	at = (struct tzdate){ 2026, 12, 24 };
	assert_int_equal(hours_next_open_on(&cal, at, 21 * 60, &open, &minute, &days), 0);
	assert_int_equal(open.day, 26);
	assert_int_equal(minute, 10 * 60);
	assert_int_equal(days, 2);
	/* never open */
	for (int d = 0; d < 7; d++)
		assert_int_equal(hours_parse("closed", &week[d]), 0);
	assert_int_equal(hours_next_open_on(&cal, at, 12 * 60, &open, &minute, &days), -1);
}

static void test_local_time_in_the_store_zone(void **state)
{
	(void)state;
	int wday, minute;
	char err[128];
	/* 2026-07-01 06:30 UTC is a Wednesday, 08:30 in Berlin (summer time) */
	assert_int_equal(hours_local_now("Europe/Berlin", 1782887400000LL, &wday, &minute, err, sizeof(err)), 0);
	assert_int_equal(wday, 3);
	assert_int_equal(minute, 8 * 60 + 30);
	/* 23:30 UTC on Wednesday is already Thursday 01:30 in Berlin */
	assert_int_equal(hours_local_now("Europe/Berlin", 1782887400000LL + 17 * 3600000LL, &wday, &minute, err, sizeof(err)), 0);
	assert_int_equal(wday, 4);
	assert_int_equal(minute, 90);
}

static void test_dated_line_replaces_its_weekday(void **state)
{
	(void)state;
	struct day_hours week[7];
	for (int d = 0; d < 7; d++)
		hours_parse("08:00-20:00", &week[d]);
	struct hours_dated dated[2];
	dated[0].date = (struct tzdate){ 2026, 12, 24 }; /* a Thursday: open late into the night */
	hours_parse("08:00-02:00", &dated[0].h);
	dated[1].date = (struct tzdate){ 2026, 12, 26 };
	hours_parse("closed", &dated[1].h);
	struct hours_calendar cal = { week, dated, 2 };
	struct tzdate xmas_eve = { 2026, 12, 24 }, xmas = { 2026, 12, 25 }, boxing = { 2026, 12, 26 }, wed = { 2026, 12, 23 };
	assert_true(hours_open_on(&cal, xmas_eve, 23 * 60));
	assert_true(hours_open_on(&cal, xmas, 60));       /* the 24th's night, on the 25th */
	assert_false(hours_open_on(&cal, xmas, 2 * 60));
	assert_true(hours_open_on(&cal, xmas, 9 * 60));   /* the 25th: its weekday's hours */
	assert_false(hours_open_on(&cal, boxing, 12 * 60));
	assert_false(hours_open_on(&cal, wed, 21 * 60));  /* an ordinary Wednesday */
	assert_false(hours_calendar_all_open(&cal));
	/* from the 24th at 19:00 the next change is 2:00 on the 25th, not 20:00 */
	assert_int_equal(hours_next_change_on(&cal, xmas_eve, 19 * 60), 7 * 60);
	/* from the 25th at 20:00 (closed) the next opening skips the closed 26th */
	assert_int_equal(hours_next_change_on(&cal, xmas, 20 * 60), 36 * 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dated_line_replaces_its_weekday),
		cmocka_unit_test(test_parse_accepts_the_three_forms),
		cmocka_unit_test(test_parse_refuses_nonsense),
		cmocka_unit_test(test_open_inside_the_range_only),
		cmocka_unit_test(test_range_past_midnight_counts_on_the_next_morning),
		cmocka_unit_test(test_next_change),
		cmocka_unit_test(test_next_opening_is_named_with_its_day),
		cmocka_unit_test(test_local_time_in_the_store_zone),
	};
	return cmocka_run_group_tests_name("hours", tests, NULL, NULL);
}
