/* SPDX-License-Identifier: Apache-2.0 */
/* Score: the market's Happy Index and % positive. */
#include "testutil.h"

#include <math.h>

#include "score.h"

static void test_happy_index_four_faces_market_example(void **state)
{
	(void)state;
	/* 126/60/16/17 from best to worst; counts are stored worst first. */
	int64_t counts[4] = { 17, 16, 60, 126 };
	double hi = score_happy_index(counts, 4);
	assert_true(fabs(hi - 78.2) < 0.05);
}

static void test_happy_index_maps_faces_evenly(void **state)
{
	(void)state;
	int64_t one[5] = { 0, 0, 0, 1, 0 };
	assert_true(fabs(score_happy_index(one, 5) - 75.0) < 1e-9);
	int64_t two[4] = { 0, 1, 0, 0 };
	assert_true(fabs(score_happy_index(two, 4) - 100.0 / 3) < 1e-9);
	int64_t three[3] = { 0, 1, 0 };
	assert_true(fabs(score_happy_index(three, 3) - 50.0) < 1e-9);
}

static void test_no_ratings_has_no_score(void **state)
{
	(void)state;
	int64_t none[4] = { 0 };
	assert_true(score_happy_index(none, 4) < 0);
	assert_true(score_positive_pct(none, 4) < 0);
}

static void test_neutral_face_is_not_positive(void **state)
{
	(void)state;
	int64_t five[5] = { 1, 1, 1, 1, 1 };
	assert_true(fabs(score_positive_pct(five, 5) - 40.0) < 1e-9);
	int64_t four[4] = { 1, 1, 1, 1 };
	assert_true(fabs(score_positive_pct(four, 4) - 50.0) < 1e-9);
	assert_false(score_is_positive(1, 3));
	assert_true(score_is_positive(2, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_index_four_faces_market_example),
		cmocka_unit_test(test_happy_index_maps_faces_evenly),
		cmocka_unit_test(test_no_ratings_has_no_score),
		cmocka_unit_test(test_neutral_face_is_not_positive),
	};
	return cmocka_run_group_tests_name("score", tests, NULL, NULL);
}
