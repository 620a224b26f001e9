/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttons_input: buttons on a real event loop, fed through the simulated
 * chip's FIFO as a person or script would. These run in real time for a
 * fraction of a second, but assert only what happened, never when.
 */
#include "testutil.h"

#include <fcntl.h>

#include "buttons_input.h"
#include "log.h"

static char dir[64];
static char fifo[110];
static char err[512];
static struct config cfg;
static struct button_event events[32];
static int nevents;

static void on_event(const struct button_event *ev, void *arg)
{
	(void)arg;
	if (nevents < 32)
		events[nevents++] = *ev;
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(fifo, sizeof(fifo), "%s/buttons.fifo", dir);
	config_defaults(&cfg);
	for (int i = 0; i < 4; i++) {
		struct button_config *b = &cfg.button[i];
		b->configured = 1;
		snprintf(b->chip, sizeof(b->chip), "sim:%s", fifo);
		b->line = 20 + i;
		b->led_line = 40 + i;
	}
	cfg.status_led_line = 50;
	nevents = 0;
	log_set_level(LOG_EMERG); /* stuck and noise warnings are expected here */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_level(LOG_INFO);
	tu_rmdir(dir);
	return 0;
}

static void feed(const char *text)
{
	int w = open(fifo, O_WRONLY | O_NONBLOCK);
	assert_true(w >= 0);
	assert_int_equal(write(w, text, strlen(text)), (ssize_t)strlen(text));
	close(w);
}

/* Runs the loop until an event of type t arrives (bounded by iterations, not by time). */
static void run_until(struct loop *l, enum button_event_type t)
{
	for (int k = 0; k < 200; k++) {
		for (int i = 0; i < nevents; i++)
			if (events[i].type == t)
				return;
		loop_run_once(l, 100);
	}
	fail_msg("no %s event", buttons_event_name(t));
}

static void test_press_through_the_fifo_reaches_the_callback(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct buttons_input *bi;
	assert_int_equal(buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)), 0);
	assert_non_null(bi);
	assert_int_equal(buttons_input_count(bi), 4);
	feed("# button 3, pressed for 80 ms with a little bounce\n22 1 0\n22 0 200\n22 1 400\n22 0 80000\n");
	run_until(l, BUTTON_PRESS);
	assert_int_equal(nevents, 2);
	assert_int_equal(events[0].type, BUTTON_DOWN);
	assert_int_equal(events[0].button, 2);
	assert_int_equal(events[1].button, 2);
	/* The kiosk lights the pressed face's LED through the thank-you screen. */
	assert_int_equal(buttons_input_set_led(bi, 2, 1), 0);
	struct button_status st;
	buttons_input_status(bi, 2, &st);
	assert_int_equal(st.presses, 1);
	assert_int_equal(st.led, 1);
	assert_int_equal(st.down, 0);
	/* Idle now: no timer left, nothing wakes the loop. */
	assert_int_equal(loop_run_once(l, 20), 0);
	buttons_input_close(bi);
	loop_free(l);
}

static void test_stuck_button_blinks_status_led_until_released(void **state)
{
	(void)state;
	cfg.stuck_after_s = 1.0;
	struct loop *l = loop_new();
	struct buttons_input *bi;
	assert_int_equal(buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)), 0);
	assert_false(buttons_input_status_blinking(bi));
	feed("20 1 0\n");
	run_until(l, BUTTON_STUCK);
	assert_true(buttons_input_status_blinking(bi));
	struct button_status st;
	buttons_input_status(bi, 0, &st);
	assert_int_equal(st.stuck, 1);
	feed("20 0 1100000\n");
	run_until(l, BUTTON_RECOVERED);
	assert_false(buttons_input_status_blinking(bi));
	assert_int_equal(events[nevents - 2].type, BUTTON_RELEASE);
	/* The kiosk may have its own reason to blink. */
	buttons_input_set_status_led(bi, 1);
	assert_true(buttons_input_status_blinking(bi));
	buttons_input_set_status_led(bi, 0);
	assert_false(buttons_input_status_blinking(bi));
	buttons_input_close(bi);
	loop_free(l);
}

static void test_recording_file_replays_and_ends(void **state)
{
	(void)state;
	char file[110];
	snprintf(file, sizeof(file), "%s/rec.txt", dir);
	tu_write(file, "21 1 5000000\n21 0 5050000\n23 1 5100000\n23 0 5150000\n");
	for (int i = 0; i < 4; i++)
		snprintf(cfg.button[i].chip, sizeof(cfg.button[i].chip), "sim:%s", file);
	cfg.status_led_line = -1;
	struct loop *l = loop_new();
	struct buttons_input *bi;
	assert_int_equal(buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)), 0);
	for (int k = 0; k < 200 && !buttons_input_ended(bi); k++)
		loop_run_once(l, 100);
	assert_true(buttons_input_ended(bi));
	int presses = 0;
	for (int i = 0; i < nevents; i++)
		presses += events[i].type == BUTTON_PRESS;
	assert_int_equal(presses, 2);
	buttons_input_close(bi);
	loop_free(l);
}

static void test_buttons_from_a_config_file(void **state)
{
	(void)state;
	char ini[200], text[1200];
	snprintf(ini, sizeof(ini), "%s/tally.conf", dir);
	int n = snprintf(text, sizeof(text), "[screen]\nfaces = 3\n[buttons]\nstatus_led_line = 9\n");
	for (int i = 1; i <= 3; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "[button.%d]\nchip = sim:%s\nline = %d\nbias = pull-up\nactive_low = true\n"
			      "debounce_ms = 20\nled_line = %d\n", i, fifo, 20 + i, 30 + i);
	tu_write(ini, text);
	char errs[1024] = "";
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, ini, errs, sizeof(errs)), 0);
	struct loop *l = loop_new();
	struct buttons_input *bi;
	assert_int_equal(buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)), 0);
	assert_int_equal(buttons_input_count(bi), 3);
	feed("23 1 0\n23 0 60000\n");
	run_until(l, BUTTON_PRESS);
	assert_int_equal(events[nevents - 1].button, 2);
	buttons_input_close(bi);
	loop_free(l);
}

static void test_press_during_a_storm_on_another_line_still_counts(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct buttons_input *bi;
	assert_int_equal(buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)), 0);
	/* Line 23 floats at 10 kHz for 0.3 s; button 2 is pressed in the middle of it. */
	static char text[3000 * 20];
	int n = 0;
	for (int k = 0; k < 3000; k++) {
		int64_t us = k * 100;
		n += sprintf(text + n, "23 %d %lld\n", k % 2 == 0, (long long)us);
		if (us == 100000)
			n += sprintf(text + n, "21 1 %lld\n", (long long)us);
		if (us == 200000)
			n += sprintf(text + n, "21 0 %lld\n", (long long)us);
	}
	feed(text);
	run_until(l, BUTTON_NOISE);
	int presses = 0, downs = 0;
	for (int i = 0; i < nevents; i++) {
		presses += events[i].type == BUTTON_PRESS;
		downs += events[i].type == BUTTON_DOWN;
		if (events[i].type == BUTTON_PRESS || events[i].type == BUTTON_DOWN)
			assert_int_equal(events[i].button, 1);
		if (events[i].type == BUTTON_NOISE) {
			assert_int_equal(events[i].button, 3);
			assert_int_equal(events[i].count, 3000);
		}
	}
	assert_int_equal(downs, 1);
	assert_int_equal(presses, 1);
	buttons_input_close(bi);
	loop_free(l);
}

static void test_no_buttons_configured_is_no_input(void **state)
{
	(void)state;
	config_defaults(&cfg);
	struct loop *l = loop_new();
	struct buttons_input *bi = (struct buttons_input *)&cfg;
	assert_int_equal(buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)), 0);
	assert_null(bi);
	buttons_input_close(bi);
	loop_free(l);
}

static void test_unbuildable_chip_is_a_clear_error(void **state)
{
	(void)state;
	snprintf(cfg.button[0].chip, sizeof(cfg.button[0].chip), "no-such-chip-label");
	struct loop *l = loop_new();
	struct buttons_input *bi;
	assert_int_equal(buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)), -1);
	assert_null(bi);
	assert_true(strlen(err) > 0);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_press_through_the_fifo_reaches_the_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_button_blinks_status_led_until_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recording_file_replays_and_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buttons_from_a_config_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_press_during_a_storm_on_another_line_still_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_buttons_configured_is_no_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbuildable_chip_is_a_clear_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
