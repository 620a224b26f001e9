/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpio_sim: the simulated chip's record format, read from a plain file and
 * from a FIFO fed in pieces, the way a test script or a person would.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "buttons.h"
#include "gpio.h"
#include "log.h"

static char dir[512];
static char path[600];
static char chip[700];
static char err[512];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/edges", dir);
	snprintf(chip, sizeof(chip), "sim:%s", path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

static struct gpio *open_two(void)
{
	struct gpio_input in[2] = { { chip, 17, 1, BIAS_PULL_UP }, { chip, 27, 1, BIAS_PULL_UP } };
	struct gpio_output out[1] = { { chip, 5 } };
	struct gpio *g;
	assert_int_equal(gpio_open(&g, in, 2, out, 1, err, sizeof(err)), 0);
	return g;
}

static void test_file_records_map_lines_levels_and_times(void **state)
{
	(void)state;
	tu_write(path, "# a press on line 27\n27 1 1000\n\n  27 0 2500  # release\n17 1 3000");
	struct gpio *g = open_two();
	int fd = -1;
	assert_int_equal(gpio_fds(g, &fd, 1), 1);
	struct gpio_edge e[GPIO_READ_MAX] = { 0 };
	int n = 0;
	while (!gpio_ended(g))
		n += gpio_read(g, fd, e + n, GPIO_READ_MAX - n, err, sizeof(err));
	assert_int_equal(n, 3);
	assert_int_equal(e[0].input, 1);
	assert_int_equal(e[0].level, 1);
	assert_true(e[0].ts_ns == 1000000);
	assert_int_equal(e[1].level, 0);
	assert_true(e[1].ts_ns == 2500000);
	assert_int_equal(e[2].input, 0); /* last line had no newline */
	assert_int_equal(gpio_get(g, 0), 1);
	assert_int_equal(gpio_get(g, 1), 0);
	assert_int_equal(gpio_own_clock(g), 1);
	assert_int_equal(gpio_set(g, 0, 1), 0);
	assert_int_equal(gpio_set(g, 1, 1), -1);
	gpio_close(g);
}

static void test_bad_records_are_skipped(void **state)
{
	(void)state;
	log_set_level(LOG_EMERG); /* the one warning is expected */
	tu_write(path, "17 2 100\nhello\n99 1 100\n17 1\n17 1 100 extra\n17 1 200\n");
	struct gpio *g = open_two();
	int fd = -1;
	gpio_fds(g, &fd, 1);
	struct gpio_edge e[GPIO_READ_MAX] = { 0 };
	int n = 0;
	while (!gpio_ended(g))
		n += gpio_read(g, fd, e + n, GPIO_READ_MAX - n, err, sizeof(err));
	assert_int_equal(n, 1);
	assert_true(e[0].ts_ns == 200000);
	gpio_close(g);
	log_set_level(LOG_INFO);
}

struct seen {
	int n;
	enum button_event_type type[8];
	int64_t at_ns[8];
};

static void on_button(const struct button_event *ev, void *arg)
{
	struct seen *s = arg;
	if (s->n < 8) {
		s->type[s->n] = ev->type;
		s->at_ns[s->n++] = ev->at_ns;
	}
}

/*
 * Found by tests/fuzz/fuzz_gpio_sim: a timestamp near INT64_MAX was read,
 * and the debounce deadline (time + 30 ms) overflowed (undefined behaviour,
 * fatal under UBSan). Such a record is now a bad line; the latest allowed
 * one runs through debounce and buttons like any other.
 */
static void test_timestamp_too_late_for_the_clock_is_skipped(void **state)
{
	(void)state;
	log_set_level(LOG_EMERG); /* the one warning is expected */
	tu_write(path, "17 1 0\n17 0 9223372036854775\n17 0 4611686018427387\n17 1 4611686018427388\n");
	struct gpio *g = open_two();
	int fd = -1;
	gpio_fds(g, &fd, 1);
	struct gpio_edge e[GPIO_READ_MAX] = { 0 };
	int n = 0;
	while (!gpio_ended(g))
		n += gpio_read(g, fd, e + n, GPIO_READ_MAX - n, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_true(e[1].ts_ns == 4611686018427387000LL);
	struct buttons b;
	int debounce_ms[1] = { 30 }, levels[1] = { 0 };
	struct seen seen = { 0 };
	assert_int_equal(buttons_init(&b, 1, debounce_ms, levels, 10.0, 3.0, 0, on_button, &seen), 0);
	for (int i = 0; i < n; i++)
		buttons_edge(&b, e[i].input, e[i].level, e[i].ts_ns);
	for (int i = 0; i < 8 && buttons_deadline(&b) != DEBOUNCE_NEVER; i++)
		buttons_tick(&b, buttons_deadline(&b), NULL);
	/* Held from 0 until the latest time a record may carry: stuck, then released 30 ms after it. */
	assert_int_equal(seen.n, 4);
	assert_int_equal(seen.type[0], BUTTON_DOWN);
	assert_int_equal(seen.type[1], BUTTON_STUCK);
	assert_int_equal(seen.type[2], BUTTON_RELEASE);
	assert_int_equal(seen.type[3], BUTTON_RECOVERED);
	assert_true(seen.at_ns[2] == 4611686018427387000LL + 30000000);
	gpio_close(g);
	log_set_level(LOG_INFO);
}

static void test_fifo_is_created_and_records_may_arrive_in_pieces(void **state)
{
	(void)state;
	struct gpio *g = open_two();
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	int fd = -1;
	assert_int_equal(gpio_fds(g, &fd, 1), 1);
	int w = open(path, O_WRONLY | O_NONBLOCK);
	assert_true(w >= 0);
	struct gpio_edge e[4];
	assert_int_equal(write(w, "17 1 ", 5), 5);
	assert_int_equal(gpio_read(g, fd, e, 4, err, sizeof(err)), 0);
	assert_int_equal(write(w, "10\n17 0 2", 9), 9);
	assert_int_equal(gpio_read(g, fd, e, 4, err, sizeof(err)), 1);
	assert_true(e[0].ts_ns == 10000);
	/* A writer going away is not the end of a FIFO: another may come. */
	close(w);
	assert_int_equal(gpio_read(g, fd, e, 4, err, sizeof(err)), 0);
	assert_int_equal(gpio_ended(g), 0);
	w = open(path, O_WRONLY | O_NONBLOCK);
	assert_int_equal(write(w, "0\n", 2), 2);
	assert_int_equal(gpio_read(g, fd, e, 4, err, sizeof(err)), 1);
	assert_true(e[0].ts_ns == 20000);
	close(w);
	gpio_close(g);
}

static void test_reads_are_bounded(void **state)
{
	(void)state;
	FILE *f = fopen(path, "w");
	for (int i = 0; i < 1000; i++)
		fprintf(f, "17 %d %d\n", i % 2, i);
	fclose(f);
	struct gpio *g = open_two();
	int fd = -1;
	gpio_fds(g, &fd, 1);
	struct gpio_edge e[8];
	int total = 0;
	while (!gpio_ended(g)) {
		int n = gpio_read(g, fd, e, 8, err, sizeof(err));
		assert_true(n >= 0 && n <= 8);
		for (int k = 0; k < n; k++)
			assert_true(e[k].ts_ns == (int64_t)(total + k) * 1000);
		total += n;
	}
	assert_int_equal(total, 1000);
	gpio_close(g);
}

/*
 * Found by tests/fuzz/fuzz_gpio_sim: a line longer than a read's share
 * (GPIO_READ_MAX records' worth) was then read a byte per call, and each
 * call scanned the line again from its start: a 3 KiB comment took some
 * 1,500 reads and millions of byte checks. Counted in calls, not timed:
 * the whole file now takes a handful, and a line too long for the buffer
 * is still skipped with the records after it read.
 */
static void test_a_long_line_is_read_in_blocks(void **state)
{
	(void)state;
	log_set_level(LOG_EMERG); /* the warning for the too-long line is expected */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputc('#', f);
	for (int i = 0; i < 3000; i++)
		fputc('x', f);
	fputs("\n17 1 100\n", f);
	for (int i = 0; i < 6000; i++)
		fputc('9', f);
	fputs("\n27 1 200\n", f);
	fclose(f);
	struct gpio *g = open_two();
	int fd = -1;
	gpio_fds(g, &fd, 1);
	struct gpio_edge e[GPIO_READ_MAX] = { 0 };
	int n = 0, reads = 0;
	while (!gpio_ended(g)) {
		n += gpio_read(g, fd, e + n, GPIO_READ_MAX - n, err, sizeof(err));
		assert_true(++reads <= 16);
	}
	assert_int_equal(n, 2);
	assert_int_equal(e[0].input, 0);
	assert_true(e[0].ts_ns == 100000);
	assert_int_equal(e[1].input, 1);
	assert_true(e[1].ts_ns == 200000);
	gpio_close(g);
	log_set_level(LOG_INFO);
}

static void test_chips_must_not_be_mixed_or_shared(void **state)
{
	(void)state;
	struct gpio *g;
	struct gpio_input mixed[2] = { { chip, 17, 1, BIAS_PULL_UP }, { "pinctrl-bcm2835", 27, 1, BIAS_PULL_UP } };
	assert_int_equal(gpio_open(&g, mixed, 2, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mixed"));
	struct gpio_input same[2] = { { chip, 17, 1, BIAS_PULL_UP }, { chip, 17, 1, BIAS_PULL_UP } };
	assert_int_equal(gpio_open(&g, same, 2, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "two buttons"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_records_map_lines_levels_and_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_records_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamp_too_late_for_the_clock_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_is_created_and_records_may_arrive_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_long_line_is_read_in_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chips_must_not_be_mixed_or_shared, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
