/* SPDX-License-Identifier: Apache-2.0 */
/* debounce: the quiet-period state machine, with time fed in. */
#include "testutil.h"

#include "debounce.h"

#define MS 1000000LL

static void test_clean_edge_changes_after_quiet_period(void **state)
{
	(void)state;
	struct debounce d;
	int64_t at = 0;
	debounce_init(&d, 30, 0, 0);
	assert_int_equal(debounce_edge(&d, 1, 100 * MS, &at), DEBOUNCE_NONE);
	assert_true(debounce_deadline(&d) == 130 * MS);
	assert_int_equal(debounce_tick(&d, 129 * MS, 1, &at), DEBOUNCE_NONE);
	assert_int_equal(debounce_tick(&d, 130 * MS, 1, &at), DEBOUNCE_CHANGED);
	assert_true(at == 130 * MS);
	assert_int_equal(d.stable, 1);
	assert_true(debounce_deadline(&d) == DEBOUNCE_NEVER);
}

static void test_glitch_shorter_than_debounce_settles_unchanged(void **state)
{
	(void)state;
	struct debounce d;
	int64_t at;
	debounce_init(&d, 30, 0, 0);
	debounce_edge(&d, 1, 10 * MS, &at);
	debounce_edge(&d, 0, 15 * MS, &at);
	assert_int_equal(debounce_tick(&d, 100 * MS, 0, &at), DEBOUNCE_SETTLED);
	assert_int_equal(d.stable, 0);
	assert_int_equal(d.burst_edges, 2);
}

static void test_every_edge_restarts_the_quiet_period(void **state)
{
	(void)state;
	struct debounce d;
	int64_t at;
	debounce_init(&d, 30, 0, 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(debounce_edge(&d, i % 2 == 0, i * 20 * MS, &at), DEBOUNCE_NONE);
	assert_true(debounce_deadline(&d) == (9 * 20 + 30) * MS);
}

static void test_reread_level_decides_not_the_last_edge(void **state)
{
	(void)state;
	/* The kernel queue dropped the final edge: the last one we saw says 1, the line says 0. */
	struct debounce d;
	int64_t at;
	debounce_init(&d, 30, 0, 0);
	debounce_edge(&d, 1, 0, &at);
	assert_int_equal(debounce_tick(&d, 30 * MS, 0, &at), DEBOUNCE_SETTLED);
	assert_int_equal(d.stable, 0);
}

static void test_next_edge_decides_an_elapsed_quiet_period_first(void **state)
{
	(void)state;
	struct debounce d;
	int64_t at = 0;
	debounce_init(&d, 30, 0, 0);
	debounce_edge(&d, 1, 0, &at);
	/* No tick came (a replay), but the edge at 200 ms proves the line was 1 from 0 to 200 ms. */
	assert_int_equal(debounce_edge(&d, 0, 200 * MS, &at), DEBOUNCE_CHANGED);
	assert_true(at == 30 * MS);
	assert_int_equal(d.stable, 1);
	assert_int_equal(debounce_tick(&d, 230 * MS, 0, &at), DEBOUNCE_CHANGED);
	assert_int_equal(d.stable, 0);
}

static void test_time_never_runs_backwards(void **state)
{
	(void)state;
	struct debounce d;
	int64_t at;
	debounce_init(&d, 30, 0, 0);
	debounce_edge(&d, 1, 100 * MS, &at);
	debounce_edge(&d, 0, 50 * MS, &at); /* late edge: counts as at 100 ms */
	assert_true(debounce_deadline(&d) == 130 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_edge_changes_after_quiet_period),
		cmocka_unit_test(test_glitch_shorter_than_debounce_settles_unchanged),
		cmocka_unit_test(test_every_edge_restarts_the_quiet_period),
		cmocka_unit_test(test_reread_level_decides_not_the_last_edge),
		cmocka_unit_test(test_next_edge_decides_an_elapsed_quiet_period_first),
		cmocka_unit_test(test_time_never_runs_backwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
