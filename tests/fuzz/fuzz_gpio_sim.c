/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_gpio_sim: the simulated GPIO chip's record reader (gpio_sim.c), fed
 * a plain file of "<line> <level> <timestamp_us>" records, and the edges it
 * yields run through the same debounce and button logic as hardware edges
 * (buttons.c), the way the kiosk replays a recording.
 *
 * Input: byte 0 picks how many edges one read may return (1..GPIO_READ_MAX:
 * the reader's buffering must not depend on it), byte 1 how many buttons
 * (lines 11..15, as in tests/e2e/kiosk_buttons.sh); the rest is the file.
 * Checked: reads end once the file does, every edge names a configured
 * button with level 0 or 1, and a PRESS (a rating) only ever follows that
 * button's DOWN (its face lit).
 */
#include <stdint.h>
#include <string.h>

#include "buttons.h"
#include "fuzz_util.h"
#include "gpio.h"

struct watch {
	int n;
	int down[BUTTONS_MAX];
};

static void on_event(const struct button_event *ev, void *arg)
{
	struct watch *w = arg;
	if (ev->button < 0 || ev->button >= w->n)
		fuzz_die("event for a button that does not exist");
	if (ev->type == BUTTON_DOWN) {
		if (w->down[ev->button])
			fuzz_die("two DOWNs without a release between");
		w->down[ev->button] = 1;
	} else if (ev->type == BUTTON_PRESS || ev->type == BUTTON_RELEASE) {
		if (!w->down[ev->button])
			fuzz_die("a PRESS or RELEASE without its DOWN");
		w->down[ev->button] = 0;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int max = 1 + data[0] % GPIO_READ_MAX;
	int n = 1 + data[1] % BUTTONS_MAX;
	const char *path = fuzz_memfd_path(data + 2, size - 2);
	char chip[80], err[512];
	snprintf(chip, sizeof(chip), "sim:%s", path);
	struct gpio_input in[BUTTONS_MAX];
	for (int i = 0; i < n; i++)
		in[i] = (struct gpio_input){ chip, 11 + i, 1, BIAS_PULL_UP };
	struct gpio *g;
	if (gpio_open(&g, in, n, NULL, 0, err, sizeof(err)))
		fuzz_die(err);
	int fd;
	if (gpio_fds(g, &fd, 1) != 1 || !gpio_own_clock(g))
		fuzz_die("a simulated chip without its descriptor or its own clock");

	struct watch w = { .n = n };
	struct buttons b;
	int debounce_ms[BUTTONS_MAX] = { 30, 30, 30, 30, 30 }, levels[BUTTONS_MAX] = { 0 };
	if (buttons_init(&b, n, debounce_ms, levels, 10.0, 3.0, 0, on_event, &w))
		fuzz_die("buttons_init refused");

	struct gpio_edge edges[GPIO_READ_MAX];
	/* Every read consumes at least one byte or ends the file: more reads than bytes is a hang. */
	size_t reads = 0;
	while (!gpio_ended(g)) {
		if (reads++ > size + 2)
			fuzz_die("the reader does not reach the end of a plain file");
		int got = gpio_read(g, fd, edges, max, err, sizeof(err));
		if (got < 0 || got > max)
			fuzz_die("gpio_read broke its contract");
		for (int k = 0; k < got; k++) {
			if (edges[k].input < 0 || edges[k].input >= n || (edges[k].level != 0 && edges[k].level != 1) ||
			    edges[k].ts_ns < 0)
				fuzz_die("an edge out of range");
			if (gpio_get(g, edges[k].input) < 0)
				fuzz_die("gpio_get of a configured line failed");
			buttons_edge(&b, edges[k].input, edges[k].level, edges[k].ts_ns);
		}
	}
	/* The replay is over: let every pending decision (debounce, stuck, chord) happen. */
	for (int i = 0; i < 64; i++) {
		int64_t due = buttons_deadline(&b);
		if (due == DEBOUNCE_NEVER)
			break;
		buttons_tick(&b, due, NULL);
	}
	gpio_close(g);
	return 0;
}
