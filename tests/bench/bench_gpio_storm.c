/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_gpio_storm: the kiosk's CPU during an edge storm, 10,000 edges a
 * second on one line for a few seconds (a floating input), fed through the
 * simulated chip's FIFO by a child process and taken by buttons_input on
 * the loop as the kiosk runs it. CPU is this process's utime + stime from
 * /proc/self/stat, over wall time. Goal: <= 10% of one core.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buttons_input.h"
#include "log.h"

#define RATE 10000
#define SECONDS 5

static uint64_t noise_edges;
static int noise_reports, presses;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_event(const struct button_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == BUTTON_NOISE) {
		noise_reports++;
		noise_edges += ev->count;
	}
	presses += ev->type == BUTTON_PRESS;
}

/* utime + stime of this process, in clock ticks. */
static long cpu_ticks(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -1;
	fclose(f);
	char *p = strrchr(buf, ')');
	unsigned long ut, st;
	/* fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* The floating line: RATE edges a second, written every millisecond in small batches. */
static void storm(const char *fifo)
{
	int w = open(fifo, O_WRONLY);
	int64_t start = mono_ns(), sent = 0, total = (int64_t)RATE * SECONDS;
	char buf[4096];
	while (sent < total) {
		int64_t now = mono_ns();
		int64_t due = (now - start) * RATE / 1000000000;
		int n = 0;
		while (sent < due && sent < total && n < (int)sizeof(buf) - 64) {
			int64_t ts = start + sent * (1000000000 / RATE);
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "23 %d %lld\n", (int)(sent % 2 == 0),
				      (long long)(ts / 1000));
			sent++;
		}
		if (n && write(w, buf, (size_t)n) != n)
			_exit(1);
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	close(w);
	_exit(0);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[80], fifo[110], err[512];
	snprintf(dir, sizeof(dir), "%s/tally-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(fifo, sizeof(fifo), "%s/buttons.fifo", dir);
	log_set_level(LOG_ERR); /* the noise warning is the expected outcome */
	struct config cfg;
	config_defaults(&cfg);
	for (int i = 0; i < 4; i++) {
		cfg.button[i].configured = 1;
		snprintf(cfg.button[i].chip, sizeof(cfg.button[i].chip), "sim:%s", fifo);
		cfg.button[i].line = 20 + i;
	}
	struct loop *l = loop_new();
	struct buttons_input *bi;
	if (buttons_input_open(&bi, &cfg, l, on_event, NULL, err, sizeof(err)) < 0)
		return fprintf(stderr, "%s\n", err), 1;
	pid_t child = fork();
	if (child == 0)
		storm(fifo);
	long t0 = cpu_ticks();
	int64_t w0 = mono_ns();
	long wakeups = 0;
	int status;
	while (waitpid(child, &status, WNOHANG) == 0) {
		loop_run_once(l, 100);
		wakeups++;
	}
	/* Drain what is left, and let the storm's quiet period pass. */
	for (int k = 0; k < 50; k++)
		loop_run_once(l, 10);
	int64_t wall = mono_ns() - w0;
	long ticks = cpu_ticks() - t0;
	double cpu_s = (double)ticks / (double)sysconf(_SC_CLK_TCK);
	printf("edge storm: %d edges/s for %d s on one line through the sim FIFO and the loop:\n", RATE, SECONDS);
	printf("  CPU %.1f%% of one core (%.2f s utime+stime over %.2f s), %ld loop wakeups (goal: <= 10%%)\n",
	       100.0 * cpu_s / (wall / 1e9), cpu_s, wall / 1e9, wakeups);
	printf("  noise reports: %d, edges counted as noise: %llu, presses from noise: %d\n", noise_reports,
	       (unsigned long long)noise_edges, presses);
	buttons_input_close(bi);
	loop_free(l);
	unlink(fifo);
	rmdir(dir);
	return 0;
}
