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
	int wday, minute, days;
	/* Tuesday 21:30: Wednesday 08:00, one midnight ahead */
	assert_int_equal(hours_next_open(week, 2, 21 * 60 + 30, &wday, &minute, &days), 0);
	assert_int_equal(wday, 3);
	assert_int_equal(minute, 8 * 60);
	assert_int_equal(days, 1);
	/* Tuesday 06:00: today 08:00 */
	assert_int_equal(hours_next_open(week, 2, 6 * 60, &wday, &minute, &days), 0);
	assert_int_equal(wday, 2);
	assert_int_equal(days, 0);
	/* Saturday 17:00: past closed Sunday, Monday 08:00 */
	assert_int_equal(hours_next_open(week, 6, 17 * 60, &wday, &minute, &days), 0);
	assert_int_equal(wday, 1);
	assert_int_equal(minute, 8 * 60);
	assert_int_equal(days, 2);
	/* open now (Tuesday noon): the opening after tonight's closing */
	assert_int_equal(hours_next_open(week, 2, 12 * 60, &wday, &minute, &days), 0);
	assert_int_equal(wday, 3);
	/* never open */
	for (int d = 0; d < 7; d++)
		assert_int_equal(hours_parse("closed", &week[d]), 0);
	assert_int_equal(hours_next_open(week, 2, 12 * 60, &wday, &minute, &days), -1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
