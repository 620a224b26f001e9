/* SPDX-License-Identifier: Apache-2.0 */
/* Backoff: doubling from 1 s to a 5 min cap, jitter within the step, reset on success. */
#include "testutil.h"

#include "backoff.h"

static void test_waits_double_from_base_up_to_cap(void **state)
{
	(void)state;
	struct backoff b;
	backoff_init(&b, 1000, 300000, 42);
	int64_t step = 1000;
	for (int i = 0; i < 20; i++) {
		int64_t w = backoff_fail(&b);
		/* equal jitter: between half the step and the whole step */
		assert_true(w >= step / 2);
		assert_true(w <= step);
		step = step * 2 < 300000 ? step * 2 : 300000;
	}
	assert_int_equal(backoff_step(&b), 300000);
}

static void test_cap_is_never_exceeded_after_many_failures(void **state)
{
	(void)state;
	struct backoff b;
	backoff_init(&b, 1000, 300000, 7);
	for (int i = 0; i < 100000; i++)
		assert_true(backoff_fail(&b) <= 300000);
}

static void test_success_starts_again_from_base(void **state)
{
	(void)state;
	struct backoff b;
	backoff_init(&b, 1000, 300000, 1);
	for (int i = 0; i < 10; i++)
		backoff_fail(&b);
	backoff_reset(&b);
	assert_int_equal(backoff_step(&b), 1000);
	assert_true(backoff_fail(&b) <= 1000);
}

static void test_jitter_spreads_kiosks_apart(void **state)
{
	(void)state;
	/* Kiosks seeded differently (by pid, time) do not retry in lockstep. */
	int distinct = 0;
	int64_t first = -1;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct backoff b;
		backoff_init(&b, 1000, 300000, seed * 2654435761u);
		for (int i = 0; i < 8; i++)
			backoff_fail(&b);
		int64_t w = backoff_fail(&b);
		if (first < 0)
			first = w;
		else if (w != first)
			distinct++;
	}
	assert_true(distinct > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_double_from_base_up_to_cap),
		cmocka_unit_test(test_cap_is_never_exceeded_after_many_failures),
		cmocka_unit_test(test_success_starts_again_from_base),
		cmocka_unit_test(test_jitter_spreads_kiosks_apart),
	};
	return cmocka_run_group_tests_name("backoff", tests, NULL, NULL);
}
