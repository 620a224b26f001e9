/* SPDX-License-Identifier: Apache-2.0 */
/* csv: RFC 4180 quoting and the formula guard shared by both exports. */
#include "testutil.h"

#include "csv.h"

static void put(void *arg, const char *s, size_t n)
{
	strncat(arg, s, n);
}

static const char *field(const char *s)
{
	static char out[256];
	out[0] = '\0';
	csv_text(s, put, out);
	return out;
}

static void test_plain_text_is_written_as_is(void **state)
{
	(void)state;
	assert_string_equal(field("Berlin Mitte"), "Berlin Mitte");
	assert_string_equal(field(""), "");
	assert_string_equal(field("a=b"), "a=b");
}

static void test_separators_and_quotes_are_quoted(void **state)
{
	(void)state;
	assert_string_equal(field("Berlin, Mitte"), "\"Berlin, Mitte\"");
	assert_string_equal(field("the \"big\" one"), "\"the \"\"big\"\" one\"");
	assert_string_equal(field("two\nlines"), "\"two\nlines\"");
}

static void test_formula_starts_are_neutralised(void **state)
{
	(void)state;
	assert_string_equal(field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
	assert_string_equal(field("=1+2"), "'=1+2");
	assert_string_equal(field("+49 30"), "'+49 30");
	assert_string_equal(field("-2+3"), "'-2+3");
	assert_string_equal(field("@SUM(A1)"), "'@SUM(A1)");
	assert_string_equal(field("\tcmd"), "'\tcmd");
	assert_string_equal(field("\rcmd"), "\"'\rcmd\"");
	assert_false(csv_is_formula("Berlin"));
	assert_true(csv_is_formula("=x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_is_written_as_is),
		cmocka_unit_test(test_separators_and_quotes_are_quoted),
		cmocka_unit_test(test_formula_starts_are_neutralised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
