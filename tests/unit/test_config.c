/* SPDX-License-Identifier: Apache-2.0 */
/* Config: defaults, every key type, and every way a file is refused. */
#include "testutil.h"

#include "config.h"
#include "followup.h"

static char dir[512];
static char path[600];
static char errs[4096];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/tally.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

static int load(struct config *cfg, const char *text)
{
	tu_write(path, text);
	config_defaults(cfg);
	return config_load(cfg, path, errs, sizeof(errs));
}

/* The first problem's text after "path:" */
static const char *first_error(void)
{
	return errs + strlen(path) + 1;
}

static void test_defaults_serve_a_development_machine(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	assert_string_equal(cfg.kiosk_id, "demo-kiosk");
	assert_int_equal(cfg.faces, 4);
	assert_int_equal(cfg.rotate, 0);
	assert_true(cfg.thanks_s == 3.0);
	assert_true(cfg.response_interval_s == 5.0);
	assert_string_equal(cfg.question, "How was your visit today?");
	assert_int_equal(config_validate(&cfg, "(defaults)", errs, sizeof(errs)), 0);
}

static void test_every_key_type_is_read(void **state)
{
	(void)state;
	struct config cfg;
	static char text[4096], font[700];
	snprintf(font, sizeof(font), "%s/x.ttf", dir);
	tu_write(font, "not really a font, but there");
	snprintf(text, sizeof(text),
		     "; a comment\n"
		     "[kiosk]\nid = store-7.counter_1\nstore = Łódź Центр\narea = Pickup\ntimezone = Europe/Berlin\ndatabase = /var/lib/tally/k.db\n"
		     "[screen]\nfaces = 5\nrotate = 270\nthanks_s = 1.5\nfont = %s\n"
		     "[text]\nquestion = Πώς ήταν η επίσκεψή σας;\nthanks = Danke!\n"
		     "[filter]\nresponse_interval_s = 0\n"
		     "[buttons]\nstuck_after_s = 20\nstaff_hold_s = 2.5\nstatus_led_chip = pinctrl-rp1\nstatus_led_line = 21\n"
		     "[button.1]\nchip = pinctrl-bcm2835\nline = 5\nactive_low = false\nbias = pull-down\ndebounce_ms = 40\nled_line = 12\n"
		     "[button.2]\nchip = /dev/gpiochip4\nline = 6\n[button.3]\nchip=a\nline=7\n[button.4]\nchip=a\nline=8\n[button.5]\nchip=a\nline=9\n", font);
	int n = load(&cfg, text);
	assert_int_equal(n, 0);
	assert_string_equal(cfg.font, font);
	assert_string_equal(cfg.kiosk_id, "store-7.counter_1");
	assert_string_equal(cfg.store, "Łódź Центр");
	assert_string_equal(cfg.timezone, "Europe/Berlin");
	assert_int_equal(cfg.faces, 5);
	assert_int_equal(cfg.rotate, 270);
	assert_true(cfg.thanks_s == 1.5);
	assert_string_equal(cfg.question, "Πώς ήταν η επίσκεψή σας;");
	assert_true(cfg.response_interval_s == 0);
	assert_true(cfg.staff_hold_s == 2.5);
	assert_int_equal(cfg.status_led_line, 21);
	assert_true(cfg.button[0].configured);
	assert_int_equal(cfg.button[0].line, 5);
	assert_int_equal(cfg.button[0].active_low, 0);
	assert_int_equal(cfg.button[0].bias, BIAS_PULL_DOWN);
	assert_int_equal(cfg.button[0].debounce_ms, 40);
	assert_int_equal(cfg.button[0].led_line, 12);
	assert_string_equal(cfg.button[1].chip, "/dev/gpiochip4");
	assert_int_equal(cfg.button[1].debounce_ms, 30);
	assert_int_equal(cfg.button[1].active_low, 1);
}

static void test_missing_file_is_refused(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/tally.conf", errs, sizeof(errs)), 1);
	assert_string_equal(errs, "/nonexistent/tally.conf: cannot open: No such file or directory\n");
}

static void test_unknown_section_names_its_line(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[kiosk]\nid = a\n\n[kisok]\n"), 1);
	assert_string_equal(first_error(), "4: unknown section [kisok]\n");
}

static void test_unknown_key_names_its_line(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[screen]\nfaces = 4\nface = 3\n"), 1);
	assert_string_equal(first_error(), "3: unknown key \"face\" in [screen]\n");
}

static void test_key_outside_section_is_refused(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "faces = 4\n"), 1);
	assert_string_equal(first_error(), "1: key \"faces\" is outside any section\n");
}

static void test_bad_values_are_refused(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[screen]\nfaces = 6\n"), 1);
	assert_string_equal(first_error(), "2: faces must be a whole number from 3 to 5, not \"6\"\n");
	assert_int_equal(load(&cfg, "[screen]\nfaces = 4.5\n"), 1);
	assert_int_equal(load(&cfg, "[screen]\nfaces = four\n"), 1);
	assert_int_equal(load(&cfg, "[screen]\nrotate = 45\n"), 1);
	assert_string_equal(first_error(), "2: rotate must be 0, 90, 180 or 270, not \"45\"\n");
	assert_int_equal(load(&cfg, "[screen]\nthanks_s = -1\n"), 1);
	assert_string_equal(first_error(), "2: thanks_s must be a number of seconds from 0.2 to 60, not \"-1\"\n");
	assert_int_equal(load(&cfg, "[screen]\nthanks_s = nan\n"), 1);
	/* Two problems each: the value, and one button for four faces (every problem in one pass). */
	assert_int_equal(load(&cfg, "[button.1]\nchip=a\nline=1\nactive_low = maybe\n"), 2);
	assert_non_null(strstr(errs, ":4: active_low must be true or false, not \"maybe\"\n"));
	assert_int_equal(load(&cfg, "[button.1]\nchip=a\nline=1\nbias = up\n"), 2);
	assert_non_null(strstr(errs, ":4: bias must be pull-up, pull-down, disable or as-is, not \"up\"\n"));
	assert_int_equal(load(&cfg, "[button.9]\nchip=a\n"), 1);
	assert_string_equal(first_error(), "1: unknown section [button.9] (buttons are [button.1] to [button.5], from the left)\n");
}

static void test_too_long_values_are_refused(void **state)
{
	(void)state;
	struct config cfg;
	char text[700];
	snprintf(text, sizeof(text), "[kiosk]\nid = %0150d\n", 0);
	assert_int_equal(load(&cfg, text), 1);
	assert_string_equal(first_error(), "2: id is too long (at most 63 bytes)\n");
	static char huge[9000];
	memset(huge, 'x', sizeof(huge));
	memcpy(huge, "[text]\nquestion = ", 18);
	huge[sizeof(huge) - 2] = '\n';
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(load(&cfg, huge), 1);
	assert_non_null(strstr(errs, ":2: line is longer than"));
}

static void test_syntax_error_is_refused(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[kiosk]\nthis is not ini\n"), 1);
	assert_string_equal(first_error(), "2: not a \"key = value\" line or a [section] header\n");
}

static void test_every_problem_is_reported(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[screen]\nfaces = 9\nrotate = 1\n[nope]\nx = 1\n"), 3);
	assert_non_null(strstr(errs, ":2: faces"));
	assert_non_null(strstr(errs, ":3: rotate"));
	assert_non_null(strstr(errs, ":4: unknown section [nope]"));
}

static void test_cross_key_rules(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[kiosk]\nid = bad id!\n"), 1);
	assert_non_null(strstr(errs, "id may use only"));
	assert_int_equal(load(&cfg, "[kiosk]\nid =\n"), 1);
	assert_int_equal(load(&cfg, "[button.1]\nchip = a\n"), 2);
	assert_non_null(strstr(errs, "[button.1] needs both chip and line"));
	assert_non_null(strstr(errs, "1 button configured for 4 faces"));
	assert_int_equal(load(&cfg, "[screen]\nfaces=3\n[button.4]\nchip=a\nline=1\n"), 2);
	assert_non_null(strstr(errs, "[button.4] is configured but [screen] faces = 3"));
}

static void test_every_rule_in_one_pass_at_its_line(void **state)
{
	(void)state;
	struct config cfg;
	/* Before: only the first two, and the rules only once they were fixed, as file:0:. */
	assert_int_equal(load(&cfg, "[kiosk]\nid = counter 1\n[screen]\nfaces = 9\n[staff]\npin = 12a4\n"
				    "[sync]\nurl = ftp://hq.example.com\n[nope]\n"), 5);
	static char want[8192];
	snprintf(want, sizeof(want),
		 "%s:2: [kiosk] id may use only letters, digits, '-', '_' and '.', not \"counter 1\"\n"
		 "%s:4: faces must be a whole number from 3 to 5, not \"9\"\n"
		 "%s:6: [staff] pin may use only the digits 0-9 (the staff view's pad has no others)\n"
		 "%s:8: [sync] url must start with http:// or https://, not \"ftp://hq.example.com\"\n"
		 "%s:9: unknown section [nope]\n", path, path, path, path, path);
	assert_string_equal(errs, want);
}

static void test_numbers_are_plain_decimal(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[sync]\nbatch_size = 1e3\n"), 1);
	assert_string_equal(first_error(), "2: batch_size must be a whole number from 1 to 5000, not \"1e3\"\n");
	assert_int_equal(load(&cfg, "[sync]\nbatch_size = 0x10\n"), 1);
	assert_int_equal(load(&cfg, "[screen]\nthanks_s = 1e1\n"), 1);
	assert_int_equal(load(&cfg, "[screen]\nthanks_s = inf\n"), 1);
	assert_int_equal(load(&cfg, "[screen]\nthanks_s = 2.\n"), 1);
	assert_int_equal(load(&cfg, "[screen]\nrotate = 0x5a\n"), 1);
	assert_int_equal(load(&cfg, "[sync]\nbatch_size = 250\n[screen]\nthanks_s = 2.5\n"), 0);
	assert_int_equal(cfg.sync_batch_size, 250);
	assert_true(cfg.thanks_s == 2.5);
}

static void test_a_key_set_twice_is_refused(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[screen]\nfaces = 5\nrotate = 90\nfaces = 3\n"), 1);
	assert_string_equal(first_error(), "4: faces is set twice in [screen] (first on line 2): keep one\n");
	assert_int_equal(load(&cfg, "[button.1]\nline = 1\nline = 2\n"), 3);
	assert_non_null(strstr(errs, ":3: line is set twice in [button.1] (first on line 2)"));
}

static void test_unknown_placeholder_is_refused(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[text]\nquestion = {x} is fine here\nstaff_title = {areaa} {date}\n"), 1);
	assert_string_equal(first_error(), "3: staff_title: unknown placeholder {areaa} (it may use {area} {store} {date})\n");
	assert_int_equal(load(&cfg, "[text]\nsummary_above = {positive}% vs {other}, {points} {point_word}\n"), 0);
}

static void test_missing_font_and_empty_token_are_refused(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[screen]\nfont = /nonexistent/Font.ttf\n[sync]\ntoken =\n"), 2);
	assert_non_null(strstr(errs, ":2: font: cannot read \"/nonexistent/Font.ttf\": No such file or directory\n"));
	assert_non_null(strstr(errs, ":4: [sync] token is empty"));
}

static void test_comments_as_the_man_page_says(void **state)
{
	(void)state;
	struct config cfg;
	/* tally.conf(5): # or ; starts a comment at a line's start, or after a space or tab. */
	assert_int_equal(load(&cfg, "# whole line\n  ; indented\n[screen] # the screen\nfaces = 5 # five\n"
				    "thanks_s = 2\t; tab before\n[text]\nquestion = Rate us;no space #1 ; comment\n"
				    "thanks = Merci#beaucoup\n"), 0);
	assert_int_equal(cfg.faces, 5);
	assert_true(cfg.thanks_s == 2);
	assert_string_equal(cfg.question, "Rate us;no space");
	assert_string_equal(cfg.thanks, "Merci#beaucoup");
}

static void test_a_line_that_is_not_ini_does_not_hide_the_rest(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[kiosk]\nthis is not ini\n[screen\nid = a b\n"), 3);
	assert_non_null(strstr(errs, ":2: not a \"key = value\" line"));
	assert_non_null(strstr(errs, ":3: not a [section] header"));
	assert_non_null(strstr(errs, ":4: [kiosk] id may use only"));
}

static void test_face_order_maps_positions_to_values(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	cfg.faces = 5;
	/* Default best-first, as the market leader: the leftmost face (button 1) is the best. */
	assert_int_equal(cfg.face_order, FACE_ORDER_BEST_FIRST);
	assert_int_equal(config_face_value(&cfg, 0), 4);
	assert_int_equal(config_face_value(&cfg, 4), 0);
	assert_int_equal(config_face_value(&cfg, 1), 3);
	assert_int_equal(load(&cfg, "[screen]\nfaces = 3\nface_order = worst-first\n"), 0);
	assert_int_equal(config_face_value(&cfg, 0), 0);
	assert_int_equal(config_face_value(&cfg, 2), 2);
	/* Its own inverse, for every scale and order. */
	for (int order = 0; order < 2; order++)
		for (int scale = 3; scale <= 5; scale++)
			for (int p = 0; p < scale; p++)
				assert_int_equal(config_face_value_of(order, scale, config_face_value_of(order, scale, p)), p);
	assert_int_equal(load(&cfg, "[screen]\nface_order = happiest\n"), 1);
	assert_non_null(strstr(first_error(), "face_order must be best-first or worst-first"));
}

static void test_reload_reads_afresh_and_says_the_first_problem(void **state)
{
	(void)state;
	static struct config next;
	char why[512];
	tu_write(path, "[screen]\nfaces = 9\nrotate = 1\n");
	assert_int_equal(config_reload(&next, path, why, sizeof(why)), 2);
	assert_null(strchr(why, '\n'));
	assert_non_null(strstr(why, ":2: faces must be"));
	assert_non_null(strstr(why, "(and more: tallyctl check-config)"));
	tu_write(path, "[screen]\nfaces = 5\n");
	next.thanks_s = 42; /* left over from before: defaults come first */
	assert_int_equal(config_reload(&next, path, why, sizeof(why)), 0);
	assert_int_equal(next.faces, 5);
	assert_true(next.thanks_s == 3.0);
}

static void test_shifts_and_dated_hours_are_read(void **state)
{
	(void)state;
	static struct config cfg;
	assert_int_equal(load(&cfg, "[shifts]\nEarly = Mon-Fri 06:00-14:00\nLate = Mon-Fri 14:00-22:00\n"
				    "2026-12-24 = Early 08:00-12:00\n[hours]\nmon = 08:00-20:00\n2026-12-24 = 08:00-14:00\n"
				    "2026-12-25 = closed\n[staff]\nshift_end = false\nshift_end_s = 20\n"), 0);
	assert_int_equal(cfg.shifts.n, 2);
	assert_string_equal(cfg.shifts.def[1].name, "Late");
	assert_int_equal(cfg.shifts.def[1].line, 3);
	assert_int_equal(cfg.shifts.ndated, 1);
	assert_int_equal(cfg.shifts.dated[0].shift[0], 0);
	assert_int_equal(cfg.hours_ndated, 2);
	assert_int_equal(cfg.hours_dated[0].h.close_min, 14 * 60);
	assert_true(cfg.hours_dated[1].h.closed);
	assert_int_equal(cfg.shift_end, 0);
	assert_true(cfg.shift_end_s == 20);
	struct hours_calendar cal = { cfg.hours, cfg.hours_dated, cfg.hours_ndated };
	struct tzdate xmas = { 2026, 12, 24 }, boxing = { 2026, 12, 25 };
	assert_true(hours_open_on(&cal, xmas, 13 * 60));
	assert_false(hours_open_on(&cal, xmas, 15 * 60));
	assert_false(hours_open_on(&cal, boxing, 12 * 60));
}

static void test_shift_problems_name_their_line(void **state)
{
	(void)state;
	static struct config cfg;
	assert_int_equal(load(&cfg, "[kiosk]\nstore = A\n[shifts]\nEarly = Mon-Fri 06:00-14:00\n"
				    "Late = Mon-Fri 13:00-22:00\nNight = every day\n2026-12-24 = Noon 11:00-12:00\n"
				    "[hours]\n2026-13-01 = closed\n"), 4);
	assert_non_null(strstr(errs, ":5: shift \"Late\" overlaps \"Early\" on Mon"));
	assert_non_null(strstr(errs, ":6: shift \"Night\" must be DAYS HH:MM-HH:MM"));
	assert_non_null(strstr(errs, ":7: 2026-12-24 names shift \"Noon\""));
	assert_non_null(strstr(errs, ":9: unknown key \"2026-13-01\" in [hours]"));
}

static void test_followup_answer_lists_are_read(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[text]\nfollowup_negative = Waiting time ,  Price,Staff\nfollowup = Why?\n"
				    "[screen]\nfollowup_s = 7.5\n"), 0);
	assert_int_equal(cfg.followup_negative.n, 3);
	assert_string_equal(cfg.followup_negative.text[0], "Waiting time");
	assert_string_equal(cfg.followup_negative.text[1], "Price");
	assert_string_equal(cfg.followup_negative.text[2], "Staff");
	assert_int_equal(cfg.followup_positive.n, 0);
	assert_string_equal(cfg.t_followup, "Why?");
	assert_true(cfg.followup_s == 7.5);
	/* Asked only after the kind that has answers; a neutral middle face is not positive. */
	assert_null(followup_answers_for(&cfg, 3, 4));
	assert_ptr_equal(followup_answers_for(&cfg, 0, 4), &cfg.followup_negative);
	assert_ptr_equal(followup_answers_for(&cfg, 2, 5), &cfg.followup_negative);
	assert_null(followup_answers_for(&cfg, 3, 5));
}

static void test_bad_followup_answer_lists_are_refused(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(load(&cfg, "[text]\nfollowup_positive = a,b,c,d,e,f,g\n"), 1);
	assert_non_null(strstr(errs, ":2: followup_positive: at most 6 answers"));
	assert_int_equal(load(&cfg, "[text]\nfollowup_positive = a,,b\n"), 1);
	assert_non_null(strstr(errs, "answer 2 is empty"));
	assert_int_equal(load(&cfg, "[text]\nfollowup_positive = a, b,\n"), 1);
	assert_non_null(strstr(errs, "answer 3 is empty"));
	assert_int_equal(load(&cfg, "[text]\nfollowup_negative = a,a\n"), 1);
	assert_non_null(strstr(errs, "\"a\" is listed twice"));
	assert_int_equal(load(&cfg, "[text]\nfollowup_negative = "
				    "0123456789012345678901234567890123456789012345678901234567890123456789\n"), 1);
	assert_non_null(strstr(errs, "answer 1 is 70 bytes long, at most 64"));
	assert_int_equal(load(&cfg, "[text]\nfollowup_negative = ok, \xff\xfe\n"), 1);
	assert_non_null(strstr(errs, "answer 2 is not printable UTF-8"));
	assert_int_equal(load(&cfg, "[screen]\nfollowup_s = 1\n"), 1);
	/* Buttons answer the question: never more answers than buttons. */
	assert_int_equal(load(&cfg, "[screen]\nfaces = 3\n[text]\nfollowup_negative = a,b,c,d\n"
				    "[button.1]\nchip=x\nline=1\n[button.2]\nchip=x\nline=2\n[button.3]\nchip=x\nline=3\n"), 1);
	assert_non_null(strstr(errs, ":4: followup_negative has 4 answers but the kiosk has 3 buttons"));
	assert_int_equal(load(&cfg, "[screen]\nfaces = 3\n[text]\nfollowup_negative = a,b,c\n"
				    "[button.1]\nchip=x\nline=1\n[button.2]\nchip=x\nline=2\n[button.3]\nchip=x\nline=3\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_serve_a_development_machine),
		cmocka_unit_test_setup_teardown(test_shifts_and_dated_hours_are_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shift_problems_name_their_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key_type_is_read, setup, teardown),
		cmocka_unit_test(test_missing_file_is_refused),
		cmocka_unit_test_setup_teardown(test_face_order_maps_positions_to_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section_names_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_names_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_outside_section_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long_values_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_problem_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cross_key_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_rule_in_one_pass_at_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers_are_plain_decimal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_key_set_twice_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_placeholder_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_font_and_empty_token_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comments_as_the_man_page_says, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_line_that_is_not_ini_does_not_hide_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_reads_afresh_and_says_the_first_problem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_followup_answer_lists_are_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_followup_answer_lists_are_refused, setup, teardown),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
