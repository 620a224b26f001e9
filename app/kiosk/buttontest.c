/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttontest: a small program of its own on the kiosk's loop. The table is
 * redrawn at most every REFRESH_MS and only when a value changed, so a
 * floating line flickering at 10 kHz cannot flood an SSH session; events
 * (press, stuck, noise...) are printed as they happen, one line each.
 */
#include "buttontest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "buttons_input.h"
#include "log.h"
#include "loop.h"

#define REFRESH_MS 100

struct bt {
	const struct config *cfg;
	FILE *out;
	int in_place;
	struct loop *loop;
	struct buttons_input *bi;
	int n;
	struct button_status shown[BUTTONS_MAX];
	int shown_blink;
	int drawn;           /* a table is on screen (for redrawing in place) */
	int quit;
	int dirty_lines;     /* event lines printed since the last table */
};

static const char *level_name(int level)
{
	return level < 0 ? "?" : level ? "1" : "0";
}

/* Which face button i rates, in [screen] face_order: "best", "worst" or "3 of 5". */
static void face_name(const struct bt *t, int i, char *buf, size_t len)
{
	int value = config_face_value(t->cfg, i);
	if (i >= t->cfg->faces)
		snprintf(buf, len, "-");
	else if (value == t->cfg->faces - 1)
		snprintf(buf, len, "best");
	else if (value == 0)
		snprintf(buf, len, "worst");
	else
		snprintf(buf, len, "%d of %d", value + 1, t->cfg->faces);
}

static void draw(struct bt *t)
{
	/* On a terminal: back to the table's first line, and clear each line's rest. */
	const char *el = t->in_place ? "\033[K" : "";
	if (t->in_place && t->drawn && !t->dirty_lines)
		fprintf(t->out, "\033[%dA", t->n + 2);
	fprintf(t->out, "%-7s %-7s %-28s %-4s %-6s %-8s %-4s %-6s %s%s\n", "button", "face", "line", "raw", "state",
		"presses", "led", "stuck", "noise", el);
	for (int i = 0; i < t->n; i++) {
		struct button_status *s = &t->shown[i];
		const char *chip;
		int line;
		buttons_input_line(t->bi, i, &chip, &line);
		char where[64];
		snprintf(where, sizeof(where), "%.20s:%d", chip, line);
		char face[32];
		face_name(t, i, face, sizeof(face));
		fprintf(t->out, "%-7d %-7s %-28s %-4s %-6s %-8u %-4s %-6s %llu%s\n", i + 1, face, where, level_name(s->raw),
			s->down ? "down" : "up", (unsigned)s->presses, s->led < 0 ? "-" : s->led ? "on" : "off",
			s->stuck ? "STUCK" : "-", (unsigned long long)s->noise_edges, el);
	}
	fprintf(t->out, "status LED: %s%s\n", t->shown_blink ? "blinking" : "off", el);
	if (!t->in_place)
		fputc('\n', t->out);
	fflush(t->out);
	t->drawn = 1;
	t->dirty_lines = 0;
}

/* Reads the status now; redraws if anything differs from what is shown. */
static void refresh(struct bt *t)
{
	int changed = !t->drawn;
	for (int i = 0; i < t->n; i++) {
		struct button_status s;
		buttons_input_status(t->bi, i, &s);
		if (memcmp(&s, &t->shown[i], sizeof(s)) != 0)
			changed = 1;
		t->shown[i] = s;
	}
	int blink = buttons_input_status_blinking(t->bi);
	changed |= blink != t->shown_blink;
	t->shown_blink = blink;
	if (changed)
		draw(t);
}

static void on_refresh(void *arg)
{
	struct bt *t = arg;
	refresh(t);
	loop_add_timer(t->loop, loop_now_ms() + REFRESH_MS, on_refresh, t);
}

static void on_event(const struct button_event *ev, void *arg)
{
	struct bt *t = arg;
	if (ev->type == BUTTON_PRESS) {
		struct button_status s;
		buttons_input_status(t->bi, ev->button, &s);
		buttons_input_set_led(t->bi, ev->button, s.led != 1);
	}
	fprintf(t->out, "button %d: %s", ev->button + 1, buttons_event_name(ev->type));
	if (ev->type == BUTTON_NOISE)
		fprintf(t->out, " (%llu edges%s)", (unsigned long long)ev->count, ev->ongoing ? ", still going" : "");
	if (ev->type == BUTTON_PRESS || ev->type == BUTTON_RELEASE || ev->type == BUTTON_RECOVERED)
		fprintf(t->out, " after %.0f ms", ev->held_ns / 1e6);
	if (ev->type == BUTTON_PRESS) {
		char face[32];
		face_name(t, ev->button, face, sizeof(face));
		fprintf(t->out, " (rates the %s face)", face);
	}
	if (ev->type == BUTTON_STAFF)
		fprintf(t->out, " (staff chord)");
	fprintf(t->out, "\n");
	t->dirty_lines++;
}

static void on_signal(int fd, short revents, void *arg)
{
	struct bt *t = arg;
	struct signalfd_siginfo si;
	(void)revents;
	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		t->quit = 1;
}

int buttontest_run_to(const struct config *cfg, FILE *out, int in_place)
{
	struct bt t = { .cfg = cfg, .out = out, .in_place = in_place };
	char err[512];
	t.loop = loop_new();
	if (!t.loop) {
		fprintf(stderr, "tally-kiosk: --test-buttons: out of memory\n");
		return 1;
	}
	if (buttons_input_open(&t.bi, cfg, t.loop, on_event, &t, err, sizeof(err)) < 0 || !t.bi) {
		fprintf(stderr, "tally-kiosk: --test-buttons: %s\n",
			t.bi ? err : "no buttons configured (add [button.1] ... sections with chip and line)");
		loop_free(t.loop);
		return 1;
	}
	t.n = buttons_input_count(t.bi);
	/* Ctrl-C through the loop, so the LEDs are switched off on the way out. */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd >= 0)
		loop_add_fd(t.loop, sfd, POLLIN, on_signal, &t);
	fprintf(out, "Wiring check: press each button; its LED toggles on every press. Ctrl-C ends.\n");
	fprintf(out, "Button 1 is the leftmost face on screen; faces run %s ([screen] face_order).\n\n",
		cfg->face_order == FACE_ORDER_BEST_FIRST ? "best to worst" : "worst to best");
	refresh(&t);
	loop_add_timer(t.loop, loop_now_ms() + REFRESH_MS, on_refresh, &t);
	while (!t.quit && !buttons_input_ended(t.bi))
		if (loop_run_once(t.loop, -1) < 0 && errno != EINTR)
			break;
	refresh(&t);
	buttons_input_close(t.bi);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	loop_free(t.loop);
	return 0;
}

int buttontest_run(const struct config *cfg)
{
	return buttontest_run_to(cfg, stdout, isatty(STDOUT_FILENO));
}
