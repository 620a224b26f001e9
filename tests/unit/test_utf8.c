/* SPDX-License-Identifier: Apache-2.0 */
/* utf8: well-formedness, names, and the \xNN escaping that keeps JSON bodies valid and log lines single. */
#include "testutil.h"

#include "utf8.h"

static void test_valid_and_invalid_sequences(void **state)
{
	(void)state;
	assert_true(utf8_valid("Caf\xc3\xa9 K\xc3\xb6ln \xe2\x82\xac \xf0\x9f\x98\x80", 20));
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xc3", 1));                 /* cut short */
	assert_false(utf8_valid("\xc0\xaf", 2));             /* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3));         /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));     /* above U+10FFFF */
	assert_false(utf8_valid("a\0b", 3));
}

static void test_names_refuse_control_characters(void **state)
{
	(void)state;
	assert_true(utf8_name_ok("Berlin Mitte"));
	assert_true(utf8_name_ok("M\xc3\xbcnchen"));
	assert_false(utf8_name_ok("Berlin\nMitte"));
	assert_false(utf8_name_ok("tab\there"));
	assert_false(utf8_name_ok("del\x7f"));
	assert_false(utf8_name_ok("c1 \xc2\x85"));           /* NEL */
	assert_false(utf8_name_ok("Stra\xdf" "e"));          /* Latin-1, not UTF-8 */
}

static void test_escape_writes_every_control_byte_as_hex(void **state)
{
	(void)state;
	char out[128];
	utf8_escape("a\nb\rc\td\x1b[31me\x7f f\x01", out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\x0dc\\x09d\\x1b[31me\\x7f f\\x01");
	utf8_escape("/\xff\xfe/caf\xc3\xa9 \xc2\x9b", out, sizeof(out));
	assert_string_equal(out, "/\\xff\\xfe/caf\xc3\xa9 \\xc2\\x9b");
}

static void test_escape_cuts_on_a_character_boundary(void **state)
{
	(void)state;
	char out[6];
	/* "ab" + a 3-byte euro sign would need 6 bytes with the NUL: it is left out whole. */
	assert_int_equal(utf8_escape("ab\xe2\x82\xac", out, 5), 2);
	assert_string_equal(out, "ab");
	/* An escape is never cut in half either. */
	assert_int_equal(utf8_escape("a\n", out, 5), 1);
	assert_string_equal(out, "a");
	assert_int_equal(utf8_escape("a\n", out, 6), 5);
	assert_true(utf8_valid(out, strlen(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_and_invalid_sequences),
		cmocka_unit_test(test_names_refuse_control_characters),
		cmocka_unit_test(test_escape_writes_every_control_byte_as_hex),
		cmocka_unit_test(test_escape_cuts_on_a_character_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
