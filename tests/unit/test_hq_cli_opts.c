/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli_opts: the one reader of tally-hq's command options: values into
 * their slots, flags without a value, the last of a repeated option, and
 * an unknown option or a missing value refused.
 */
#include "testutil.h"

#include "hq_cli_opts.h"

static const char *const names[] = { "--store", "--week", "--secret-stdin", NULL };

static void test_values_go_to_their_slots_in_any_order(void **state)
{
	(void)state;
	char *argv[] = { "--week", "2026-W46", "--store", "North One" };
	const char *v[3] = { NULL };
	assert_int_equal(hq_cli_options(4, argv, names, 1u << 2, v), 0);
	assert_string_equal(v[0], "North One");
	assert_string_equal(v[1], "2026-W46");
	assert_null(v[2]);
}

static void test_a_flag_takes_no_value(void **state)
{
	(void)state;
	char *argv[] = { "--secret-stdin", "--store", "S" };
	const char *v[3] = { NULL };
	assert_int_equal(hq_cli_options(3, argv, names, 1u << 2, v), 0);
	assert_string_equal(v[2], "--secret-stdin");
	assert_string_equal(v[0], "S");
}

static void test_the_last_of_a_repeated_option_counts(void **state)
{
	(void)state;
	char *argv[] = { "--store", "A", "--store", "B" };
	const char *v[3] = { NULL };
	assert_int_equal(hq_cli_options(4, argv, names, 0, v), 0);
	assert_string_equal(v[0], "B");
}

static void test_unknown_options_and_missing_values_are_refused(void **state)
{
	(void)state;
	const char *v[3] = { NULL };
	char *unknown[] = { "--store", "S", "--stor", "T" };
	assert_int_equal(hq_cli_options(4, unknown, names, 0, v), -1);
	char *operand[] = { "S" };
	assert_int_equal(hq_cli_options(1, operand, names, 0, v), -1);
	char *missing[] = { "--store" };
	assert_int_equal(hq_cli_options(1, missing, names, 0, v), -1);
	/* Without its flag bit, --secret-stdin wants a value like any other. */
	char *flag[] = { "--secret-stdin" };
	assert_int_equal(hq_cli_options(1, flag, names, 0, v), -1);
	assert_int_equal(hq_cli_options(0, NULL, names, 0, v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_go_to_their_slots_in_any_order),
		cmocka_unit_test(test_a_flag_takes_no_value),
		cmocka_unit_test(test_the_last_of_a_repeated_option_counts),
		cmocka_unit_test(test_unknown_options_and_missing_values_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
