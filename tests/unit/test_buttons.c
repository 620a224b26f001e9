/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttons: recorded edge sequences, replayed through the simulated chip
 * (gpio_sim, the same read path as hardware) into the debounce and press
 * logic. Time is the recording's, so nothing here waits or reads a clock.
 */
#include "testutil.h"

#include "buttons.h"
#include "gpio.h"

#define US 1000LL
#define MS 1000000LL
#define S 1000000000LL

static char dir[512];
static char path[600];
static char chip[700];
static char err[512];

static char *rec;
static size_t rec_len, rec_cap;

static struct button_event events[64];
static int nevents;
static int max_read;    /* the most edges one gpio_read returned */

static void on_event(const struct button_event *ev, void *arg)
{
	(void)arg;
	assert_true(nevents < (int)(sizeof(events) / sizeof(events[0])));
	events[nevents++] = *ev;
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/edges", dir);
	snprintf(chip, sizeof(chip), "sim:%s", path);
	rec_len = 0;
	nevents = 0;
	max_read = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(rec);
	rec = NULL;
	rec_cap = 0;
	tu_rmdir(dir);
	return 0;
}

/* Button b (0-based) is line 20 + b on the simulated chip. */
static void edge(int b, int level, int64_t us)
{
	if (rec_len + 64 > rec_cap) {
		rec_cap = rec_cap ? rec_cap * 2 : 4096;
		char *more = realloc(rec, rec_cap);
		assert_non_null(more);
		rec = more;
	}
	rec_len += (size_t)sprintf(rec + rec_len, "%d %d %lld\n", 20 + b, level, (long long)us);
}

/* Contact bounce: toggles every step_us from start_us and ends at level `to` at start_us + dur_us. */
static void bounce(int b, int to, int64_t start_us, int64_t dur_us, int64_t step_us)
{
	int64_t n = dur_us / step_us;
	for (int64_t k = 0; k <= n; k++)
		edge(b, (n - k) % 2 == 0 ? to : !to, start_us + k * step_us);
}

/* Replays the recording through the simulated chip with n buttons, then lets time run to end_us. */
static struct buttons replay(int n, int64_t end_us)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite(rec ? rec : "", 1, rec_len, f);
	fclose(f);
	struct gpio_input in[BUTTONS_MAX];
	int debounce[BUTTONS_MAX], levels[BUTTONS_MAX];
	for (int i = 0; i < n; i++) {
		in[i] = (struct gpio_input){ chip, 20 + i, 1, BIAS_PULL_UP };
		debounce[i] = 30;
	}
	struct gpio *g;
	assert_int_equal(gpio_open(&g, in, n, NULL, 0, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++)
		levels[i] = gpio_get(g, i);
	struct buttons b;
	assert_int_equal(buttons_init(&b, n, debounce, levels, 10.0, 3.0, 0, on_event, NULL), 0);
	int fd;
	assert_int_equal(gpio_fds(g, &fd, 1), 1);
	struct gpio_edge e[GPIO_READ_MAX];
	while (!gpio_ended(g)) {
		int got = gpio_read(g, fd, e, 16, err, sizeof(err));
		assert_true(got >= 0 && got <= 16);
		if (got > max_read)
			max_read = got;
		for (int k = 0; k < got; k++)
			buttons_edge(&b, e[k].input, e[k].level, e[k].ts_ns);
	}
	for (int i = 0; i < n; i++)
		levels[i] = gpio_get(g, i);
	buttons_tick(&b, end_us * US, levels);
	gpio_close(g);
	return b;
}

static int count(enum button_event_type t, int button)
{
	int c = 0;
	for (int i = 0; i < nevents; i++)
		if (events[i].type == t && (button < 0 || events[i].button == button))
			c++;
	return c;
}

static void test_clean_press_is_one_rating_at_release(void **state)
{
	(void)state;
	edge(1, 1, 1000 * 1000);
	edge(1, 0, 1200 * 1000);
	replay(4, 5 * 1000 * 1000);
	assert_int_equal(nevents, 2);
	assert_int_equal(events[0].type, BUTTON_DOWN);
	assert_int_equal(events[0].button, 1);
	assert_true(events[0].at_ns == 1030 * MS); /* lit one debounce time after the edge */
	assert_int_equal(events[1].type, BUTTON_PRESS);
	assert_int_equal(events[1].button, 1);
	assert_true(events[1].held_ns == 200 * MS);
}

static void test_5ms_bounce_is_one_press(void **state)
{
	(void)state;
	bounce(0, 1, 1000 * 1000, 5000, 250);
	bounce(0, 0, 1300 * 1000, 5000, 250);
	replay(4, 3 * 1000 * 1000);
	assert_int_equal(count(BUTTON_DOWN, 0), 1);
	assert_int_equal(count(BUTTON_PRESS, 0), 1);
	assert_int_equal(nevents, 2);
}

static void test_50ms_bounce_is_one_press(void **state)
{
	(void)state;
	bounce(2, 1, 1000 * 1000, 50000, 2000);
	bounce(2, 0, 1400 * 1000, 50000, 2000);
	replay(4, 3 * 1000 * 1000);
	assert_int_equal(count(BUTTON_DOWN, 2), 1);
	assert_int_equal(count(BUTTON_PRESS, 2), 1);
	assert_int_equal(count(BUTTON_NOISE, -1), 0);
	assert_int_equal(nevents, 2);
}

static void test_glitch_shorter_than_debounce_is_no_press(void **state)
{
	(void)state;
	edge(0, 1, 1000 * 1000);
	edge(0, 0, 1005 * 1000);
	replay(4, 2 * 1000 * 1000);
	assert_int_equal(nevents, 0);
}

static void test_two_buttons_at_once_are_two_presses(void **state)
{
	(void)state;
	edge(1, 1, 1000 * 1000);
	edge(2, 1, 1000 * 1000 + 300);
	edge(1, 0, 1250 * 1000);
	edge(2, 0, 1250 * 1000 + 500);
	replay(4, 2 * 1000 * 1000);
	assert_int_equal(count(BUTTON_DOWN, 1), 1);
	assert_int_equal(count(BUTTON_DOWN, 2), 1);
	assert_int_equal(count(BUTTON_PRESS, 1), 1);
	assert_int_equal(count(BUTTON_PRESS, 2), 1);
}

static void chord(int64_t hold_ms)
{
	bounce(0, 1, 1000 * 1000, 3000, 500);
	bounce(3, 1, 1100 * 1000, 3000, 500);
	bounce(0, 0, (1100 + hold_ms) * 1000, 3000, 500);
	bounce(3, 0, (1100 + hold_ms) * 1000 + 20000, 3000, 500);
	replay(4, 10 * 1000 * 1000);
}

static void test_chord_held_2_9s_is_neither_staff_nor_rating(void **state)
{
	(void)state;
	chord(2900);
	assert_int_equal(count(BUTTON_STAFF, -1), 0);
	assert_int_equal(count(BUTTON_PRESS, -1), 0);
	assert_int_equal(count(BUTTON_RELEASE, -1), 2);
}

static void test_chord_held_3_1s_opens_staff_once_without_rating(void **state)
{
	(void)state;
	chord(3100);
	assert_int_equal(count(BUTTON_STAFF, -1), 1);
	assert_int_equal(count(BUTTON_PRESS, -1), 0);
	assert_int_equal(count(BUTTON_RELEASE, -1), 2);
}

static void test_inner_buttons_together_are_no_chord(void **state)
{
	(void)state;
	edge(1, 1, 1000 * 1000);
	edge(2, 1, 1000 * 1000);
	edge(1, 0, 5000 * 1000);
	edge(2, 0, 5000 * 1000);
	replay(4, 6 * 1000 * 1000);
	assert_int_equal(count(BUTTON_STAFF, -1), 0);
	assert_int_equal(count(BUTTON_PRESS, -1), 2);
}

static void test_button_stuck_60s_logs_once_no_press_and_recovers(void **state)
{
	(void)state;
	edge(2, 1, 1000 * 1000);
	edge(2, 0, 61000 * 1000);
	edge(2, 1, 62000 * 1000); /* and it works again */
	edge(2, 0, 62200 * 1000);
	struct buttons b = replay(4, 63 * 1000 * 1000);
	assert_int_equal(count(BUTTON_STUCK, 2), 1);
	assert_int_equal(count(BUTTON_RECOVERED, 2), 1);
	assert_int_equal(count(BUTTON_RELEASE, 2), 1);
	assert_int_equal(count(BUTTON_PRESS, 2), 1);
	/* the one press is the one after recovery */
	assert_int_equal(events[nevents - 1].type, BUTTON_PRESS);
	assert_true(events[1].type == BUTTON_STUCK && events[1].at_ns == (1030 + 10000) * MS);
	assert_false(buttons_any_stuck(&b));
}

static void test_storm_of_10000_edges_is_one_noise_report_and_no_press(void **state)
{
	(void)state;
	/* A floating line: 10,000 edges in one second, then quiet. */
	for (int k = 0; k < 10000; k++)
		edge(3, k % 2 == 0, 1000 * 1000 + k * 100);
	struct buttons b = replay(4, 100 * 1000 * 1000);
	assert_int_equal(count(BUTTON_NOISE, 3), 1);
	assert_int_equal(nevents, 1);
	assert_int_equal(events[0].count, 10000);
	assert_int_equal(events[0].ongoing, 0);
	struct button_status st;
	buttons_status(&b, 3, &st);
	assert_int_equal(st.noise_edges, 10000);
	assert_int_equal(st.presses, 0);
	/* Bounded work: no read handed over more than it was asked for. */
	assert_true(max_read <= 16);
}

static void test_storm_leaving_the_line_down_is_no_press(void **state)
{
	(void)state;
	for (int k = 0; k < 1000; k++)
		edge(0, k % 2 == 1, 1000 * 1000 + k * 100); /* ends at 1 */
	edge(0, 0, 3000 * 1000);
	replay(4, 4 * 1000 * 1000);
	assert_int_equal(count(BUTTON_DOWN, -1), 0);
	assert_int_equal(count(BUTTON_PRESS, -1), 0);
	assert_int_equal(count(BUTTON_NOISE, 0), 1);
}

static void test_storms_in_a_row_are_reported_at_most_once_a_minute(void **state)
{
	(void)state;
	for (int s = 0; s < 5; s++)
		for (int k = 0; k < 200; k++)
			edge(1, k % 2 == 0, (1000 + s * 2000) * 1000LL + k * 100);
	replay(4, 200 * 1000 * 1000);
	assert_int_equal(count(BUTTON_NOISE, 1), 2);
	assert_int_equal(events[0].count + events[1].count, 1000);
	assert_true(events[1].at_ns - events[0].at_ns >= 60 * S);
}

static void test_presses_in_quick_succession_all_count(void **state)
{
	(void)state;
	/* e.g. during the thank-you screen: still PRESS events; the core filter marks misuse. */
	for (int k = 0; k < 4; k++) {
		edge(k % 2, 1, (1000 + k * 300) * 1000);
		edge(k % 2, 0, (1000 + k * 300 + 120) * 1000);
	}
	replay(4, 3 * 1000 * 1000);
	assert_int_equal(count(BUTTON_PRESS, -1), 4);
}

static void test_button_held_at_start_is_no_rating(void **state)
{
	(void)state;
	struct buttons b;
	int deb[2] = { 30, 30 }, levels[2] = { 1, 0 };
	assert_int_equal(buttons_init(&b, 2, deb, levels, 10.0, 3.0, 0, on_event, NULL), 0);
	buttons_edge(&b, 0, 0, 2 * S);
	buttons_tick(&b, 3 * S, NULL);
	assert_int_equal(count(BUTTON_DOWN, -1), 0);
	assert_int_equal(count(BUTTON_PRESS, -1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_press_is_one_rating_at_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_5ms_bounce_is_one_press, setup, teardown),
		cmocka_unit_test_setup_teardown(test_50ms_bounce_is_one_press, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glitch_shorter_than_debounce_is_no_press, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_buttons_at_once_are_two_presses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chord_held_2_9s_is_neither_staff_nor_rating, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chord_held_3_1s_opens_staff_once_without_rating, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inner_buttons_together_are_no_chord, setup, teardown),
		cmocka_unit_test_setup_teardown(test_button_stuck_60s_logs_once_no_press_and_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storm_of_10000_edges_is_one_noise_report_and_no_press, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storm_leaving_the_line_down_is_no_press, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storms_in_a_row_are_reported_at_most_once_a_minute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_presses_in_quick_succession_all_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_button_held_at_start_is_no_rating, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
