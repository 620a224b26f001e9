/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_gpio_latency: edge-to-press latency after debounce. Presses go in
 * through the simulated chip's FIFO and come out as BUTTON_PRESS events
 * from the kiosk's own loop (buttons_input on loop_run_once), so the
 * figure covers the FIFO read, the debounce deadline timer and the
 * callback. Goal: debounce time + at most 1 ms.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buttons_input.h"
#include "log.h"

#define PRESSES 200

static int64_t got_ns;
static enum button_event_type got_type;
static int got;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_event(const struct button_event *ev, void *arg)
{
	(void)arg;
	got_ns = mono_ns();
	got_type = ev->type;
	got = 1;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Writes an edge stamped with the time of writing, as the kernel stamps a real one. */
static int64_t send(int w, int level)
{
	char line[64];
	int64_t now = mono_ns();
	int n = snprintf(line, sizeof(line), "20 %d %lld\n", level, (long long)(now / 1000));
	if (write(w, line, (size_t)n) != n)
		perror("write");
	return now;
}

static int wait_for(struct loop *l, enum button_event_type t)
{
	for (int k = 0; k < 1000; k++) {
		got = 0;
		loop_run_once(l, 1000);
		if (got && got_type == t)
			return 0;
	}
	return -1;
}

/*
 * The machine's own wakeup jitter, for scale: oversleep of a plain 30 ms
 * absolute sleep, taken between presses so both see the same moments.
 */
static int64_t oversleep(void)
{
	int64_t t = mono_ns() + 30000000;
	struct timespec ts = { t / 1000000000, t % 1000000000 };
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	return mono_ns() - t;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[80], fifo[110], err[512];
	snprintf(dir, sizeof(dir), "%s/tally-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(fifo, sizeof(fifo), "%s/buttons.fifo", dir);
	struct config cfg;
	config_defaults(&cfg);
	cfg.button[0].configured = 1;
	snprintf(cfg.button[0].chip, sizeof(cfg.button[0].chip), "sim:%s", fifo);
	cfg.button[0].line = 20;
	struct loop *l = loop_new();
	struct buttons_input *bi;
	if (buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)) < 0)
		return fprintf(stderr, "%s\n", err), 1;
	int w = open(fifo, O_WRONLY | O_NONBLOCK);
	int64_t lat[PRESSES], over[PRESSES];
	for (int i = 0; i < PRESSES; i++) {
		send(w, 1);
		if (wait_for(l, BUTTON_DOWN) < 0)
			return fprintf(stderr, "no DOWN\n"), 1;
		loop_run_once(l, 20); /* hold a little */
		int64_t released = send(w, 0);
		if (wait_for(l, BUTTON_PRESS) < 0)
			return fprintf(stderr, "no PRESS\n"), 1;
		lat[i] = got_ns - released - (int64_t)cfg.button[0].debounce_ms * 1000000;
		over[i] = oversleep();
	}
	qsort(lat, PRESSES, sizeof(lat[0]), cmp64);
	printf("edge-to-press latency beyond the %d ms debounce, %d presses through the sim FIFO and the loop:\n",
	       cfg.button[0].debounce_ms, PRESSES);
	printf("  median %.3f ms, p99 %.3f ms, max %.3f ms (goal: <= 1 ms)\n", lat[PRESSES / 2] / 1e6,
	       lat[PRESSES * 99 / 100] / 1e6, lat[PRESSES - 1] / 1e6);
	qsort(over, PRESSES, sizeof(over[0]), cmp64);
	printf("  for scale, this machine's oversleep of a plain clock_nanosleep: median %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       over[PRESSES / 2] / 1e6, over[PRESSES * 99 / 100] / 1e6, over[PRESSES - 1] / 1e6);
	close(w);
	buttons_input_close(bi);
	loop_free(l);
	unlink(fifo);
	rmdir(dir);
	return 0;
}
