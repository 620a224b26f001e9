/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttontest: the wiring check, driven by a recorded sequence on the
 * simulated chip, its output read the way an installer would.
 */
#include "testutil.h"

#include "buttontest.h"
#include "log.h"

static char dir[64];
static char rec[110];
static struct config cfg;

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(rec, sizeof(rec), "%s/rec.txt", dir);
	config_defaults(&cfg);
	for (int i = 0; i < 4; i++) {
		struct button_config *b = &cfg.button[i];
		b->configured = 1;
		snprintf(b->chip, sizeof(b->chip), "sim:%s", rec);
		b->line = 20 + i;
		b->led_line = i < 3 ? 40 + i : -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

/* Runs the check over the recording and returns its whole output (to free). */
static char *run(const char *recording)
{
	tu_write(rec, recording);
	FILE *out = tmpfile();
	assert_non_null(out);
	assert_int_equal(buttontest_run_to(&cfg, out, 0), 0);
	long len = ftell(out);
	char *text = calloc(1, (size_t)len + 1);
	rewind(out);
	assert_int_equal(fread(text, 1, (size_t)len, out), (size_t)len);
	fclose(out);
	return text;
}

/* The row of button b in the last table printed. */
static void last_row(const char *text, int b, char *row, size_t len)
{
	const char *table = text, *p;
	for (p = text; (p = strstr(p, "\nbutton  ")); p++)
		table = p;
	char key[16];
	snprintf(key, sizeof(key), "\n%-7d ", b);
	p = strstr(table, key);
	assert_non_null(p);
	p++;
	size_t n = strcspn(p, "\n");
	snprintf(row, len, "%.*s", (int)n, p);
}

static void test_presses_are_counted_and_toggle_the_led(void **state)
{
	(void)state;
	char *text = run("21 1 1000000\n21 0 1100000\n"
			 "21 1 1300000\n21 0 1400000\n"
			 "20 1 1600000\n20 0 1700000\n");
	assert_non_null(strstr(text, "button 2: press"));
	assert_non_null(strstr(text, "button 1: press"));
	char row[200];
	last_row(text, 2, row, sizeof(row));
	assert_non_null(strstr(row, ":21"));
	assert_non_null(strstr(row, " up "));
	assert_non_null(strstr(row, " 2 "));   /* presses */
	assert_non_null(strstr(row, " off ")); /* toggled twice */
	last_row(text, 1, row, sizeof(row));
	assert_non_null(strstr(row, " 1 "));
	assert_non_null(strstr(row, " on "));
	last_row(text, 4, row, sizeof(row));
	assert_non_null(strstr(row, " 0 "));
	assert_non_null(strstr(row, " - ")); /* no LED wired */
	free(text);
}

static void test_each_button_names_its_face_in_the_configured_order(void **state)
{
	(void)state;
	char row[200];
	/* Default best-first: button 1 is the leftmost face, the best. */
	char *text = run("20 1 1000000\n20 0 1100000\n");
	assert_non_null(strstr(text, "faces run best to worst"));
	assert_non_null(strstr(text, "button 1: press after 100 ms (rates the best face)"));
	last_row(text, 1, row, sizeof(row));
	assert_non_null(strstr(row, " best "));
	last_row(text, 4, row, sizeof(row));
	assert_non_null(strstr(row, " worst "));
	last_row(text, 2, row, sizeof(row));
	assert_non_null(strstr(row, " 3 of 4 "));
	free(text);
	cfg.face_order = FACE_ORDER_WORST_FIRST;
	text = run("20 1 1000000\n20 0 1100000\n");
	assert_non_null(strstr(text, "faces run worst to best"));
	assert_non_null(strstr(text, "(rates the worst face)"));
	last_row(text, 4, row, sizeof(row));
	assert_non_null(strstr(row, " best "));
	free(text);
}

static void test_no_buttons_is_an_error(void **state)
{
	(void)state;
	config_defaults(&cfg);
	FILE *out = tmpfile();
	assert_int_equal(buttontest_run_to(&cfg, out, 0), 1);
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_button_names_its_face_in_the_configured_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_presses_are_counted_and_toggle_the_led, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_buttons_is_an_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
