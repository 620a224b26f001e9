/* SPDX-License-Identifier: Apache-2.0 */
/* Filter: the response interval at its boundaries, across boots and bursts. */
#include "testutil.h"

#include "filter.h"

static struct rating press(const char *boot, int64_t boot_ms, int64_t wall_ms)
{
	struct rating r = { .value = 1, .scale = 4, .boot_ms = boot_ms, .wall_ms = wall_ms };
	snprintf(r.boot_id, sizeof(r.boot_id), "%s", boot);
	return r;
}

static void test_first_press_is_never_misuse(void **state)
{
	(void)state;
	struct filter f;
	filter_init(&f, 5.0, NULL);
	struct rating r = press("a", 1000, 1000);
	assert_int_equal(filter_classify(&f, &r), 0);
}

static void test_press_at_4999_ms_is_misuse(void **state)
{
	(void)state;
	struct filter f;
	struct rating first = press("a", 10000, 0);
	filter_init(&f, 5.0, &first);
	struct rating r = press("a", 14999, 0);
	assert_int_equal(filter_classify(&f, &r), RATING_MISUSE);
}

static void test_press_at_5000_ms_counts(void **state)
{
	(void)state;
	struct filter f;
	struct rating first = press("a", 10000, 0);
	filter_init(&f, 5.0, &first);
	struct rating r = press("a", 15000, 0);
	assert_int_equal(filter_classify(&f, &r), 0);
}

static void test_interval_uses_boot_time_not_a_jumping_wall_clock(void **state)
{
	(void)state;
	struct filter f;
	struct rating first = press("a", 10000, 1000);
	filter_init(&f, 5.0, &first);
	/* NTP moved the wall clock an hour ahead between the presses. */
	struct rating r = press("a", 11000, 3600000 + 2000);
	assert_int_equal(filter_classify(&f, &r), RATING_MISUSE);
}

static void test_across_reboot_wall_time_decides(void **state)
{
	(void)state;
	struct filter f;
	struct rating first = press("a", 900000, 1000000);
	filter_init(&f, 5.0, &first);
	struct rating soon = press("b", 100, 1003000);
	assert_int_equal(filter_classify(&f, &soon), RATING_MISUSE);
	struct rating back = press("b", 100, 500000); /* clock set back: unknown */
	assert_int_equal(filter_classify(&f, &back), 0);
}

static void test_misuse_chains_from_previous_stored_press(void **state)
{
	(void)state;
	struct filter f;
	filter_init(&f, 5.0, NULL);
	int64_t t = 0;
	int misuse = 0;
	for (int i = 0; i < 10; i++, t += 1000) { /* one press a second */
		struct rating r = press("a", t, t);
		r.flags = filter_classify(&f, &r);
		misuse += r.flags == RATING_MISUSE;
		filter_remember(&f, &r);
	}
	assert_int_equal(misuse, 9);
	int count;
	int64_t span;
	assert_int_equal(filter_burst_over(&f, t + 3000, &count, &span), 0);
	assert_int_equal(filter_burst_over(&f, 9000 + 5000, &count, &span), 1);
	assert_int_equal(count, 9);
	assert_int_equal(span, 8000);
	assert_int_equal(filter_burst_over(&f, 100000, &count, &span), 0);
}

static void test_zero_interval_turns_the_rule_off(void **state)
{
	(void)state;
	struct filter f;
	struct rating first = press("a", 10000, 0);
	filter_init(&f, 0, &first);
	struct rating r = press("a", 10000, 0);
	assert_int_equal(filter_classify(&f, &r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_press_is_never_misuse),
		cmocka_unit_test(test_press_at_4999_ms_is_misuse),
		cmocka_unit_test(test_press_at_5000_ms_counts),
		cmocka_unit_test(test_interval_uses_boot_time_not_a_jumping_wall_clock),
		cmocka_unit_test(test_across_reboot_wall_time_decides),
		cmocka_unit_test(test_misuse_chains_from_previous_stored_press),
		cmocka_unit_test(test_zero_interval_turns_the_rule_off),
	};
	return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
