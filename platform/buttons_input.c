/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttons_input: glue between the GPIO seam, the pure button logic and the
 * loop. The only time source here is CLOCK_MONOTONIC, the one the kernel
 * stamps GPIO events with (Linux >= 5.7), so a deadline computed from an
 * edge's own timestamp can be slept to exactly. A simulated chip's records
 * carry their own time base: they are shifted onto ours at the first edge
 * (and again whenever they jump backwards, as when a recording is replayed
 * twice), which keeps their spacing and so replays them faithfully.
 *
 * Deadlines (end of a quiet period, stuck, chord) are slept to on a
 * timerfd registered with the loop rather than on a loop timer: loop timers
 * have millisecond steps, which alone would add up to 2 ms to every press.
 *
 * During a noise storm a line's descriptor is left unpolled for a quarter
 * of its debounce time after each read: the storm's edges then cost one
 * wakeup per pause instead of one per edge or two. Nothing is lost that
 * matters: the pause is shorter than the quiet period, so the storm still
 * looks unbroken (and should the scheduler stretch it, a deadline reads the
 * waiting edges before it decides), and the level after it is re-read anyway.
 */
#include "buttons_input.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "gpio.h"
#include "log.h"

struct fd_slot {
	struct buttons_input *bi;
	int fd;
	int mute_timer;   /* loop timer that resumes polling, 0 if polled */
};

struct buttons_input {
	struct loop *loop;
	struct gpio *gpio;
	struct buttons core;
	buttons_event_fn fn;
	void *arg;
	int n;
	char chip[BUTTONS_MAX][CONFIG_NAME_MAX]; /* copies: cfg need not outlive us */
	int line[BUTTONS_MAX];
	int fds[GPIO_MAX_FDS];
	struct fd_slot slot[GPIO_MAX_FDS];
	int nfds;
	int input_ended;
	/* The deadline timer: armed at the core's next deadline, or disarmed. */
	int timer_fd;
	int64_t timer_at_ns;
	/* Own-clock edges (simulated chip): shift onto CLOCK_MONOTONIC. */
	int own_clock;
	int anchored;
	int64_t offset_ns;
	int64_t last_mapped_ns;
	/* LEDs: output index per button, -1 if none. */
	int led_out[BUTTONS_MAX];
	int led[BUTTONS_MAX];
	int status_out;
	int status_reason;    /* the kiosk's own reason to blink */
	int blink_timer_id;
	int blink_on;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void blink(void *arg);

static void update_status_led(struct buttons_input *bi)
{
	if (bi->status_out < 0)
		return;
	int want = bi->status_reason || buttons_any_stuck(&bi->core);
	if (want && !bi->blink_timer_id) {
		bi->blink_on = 1;
		gpio_set(bi->gpio, bi->status_out, 1);
		bi->blink_timer_id = loop_add_timer(bi->loop, loop_now_ms() + BUTTONS_INPUT_BLINK_MS, blink, bi);
		if (bi->blink_timer_id < 0)
			bi->blink_timer_id = 0;
	} else if (!want && bi->blink_timer_id) {
		loop_del_timer(bi->loop, bi->blink_timer_id);
		bi->blink_timer_id = 0;
		bi->blink_on = 0;
		gpio_set(bi->gpio, bi->status_out, 0);
	}
}

static void blink(void *arg)
{
	struct buttons_input *bi = arg;
	bi->blink_on = !bi->blink_on;
	gpio_set(bi->gpio, bi->status_out, bi->blink_on);
	bi->blink_timer_id = loop_add_timer(bi->loop, loop_now_ms() + BUTTONS_INPUT_BLINK_MS, blink, bi);
	if (bi->blink_timer_id < 0)
		bi->blink_timer_id = 0;
}

static void log_event(const struct buttons_input *bi, const struct button_event *ev)
{
	int i = ev->button;
	switch (ev->type) {
	case BUTTON_STUCK:
		log_msg(LOG_WARNING, "button %d (%s line %d): stuck, held %.1f s; ignored until released",
			i + 1, bi->chip[i], bi->line[i], ev->held_ns / 1e9);
		break;
	case BUTTON_RECOVERED:
		log_msg(LOG_NOTICE, "button %d (%s line %d): released after %.1f s, working again",
			i + 1, bi->chip[i], bi->line[i], ev->held_ns / 1e9);
		break;
	case BUTTON_NOISE:
		log_msg(LOG_WARNING, "button %d (%s line %d): noise, %llu edges without a quiet period%s "
			"(a loose wire or a floating input?); no presses taken from it",
			i + 1, bi->chip[i], bi->line[i], (unsigned long long)ev->count,
			ev->ongoing ? ", still going" : "");
		break;
	case BUTTON_STAFF:
		log_msg(LOG_INFO, "staff chord held (buttons 1 and %d)", bi->n);
		break;
	case BUTTON_DOWN: case BUTTON_PRESS: case BUTTON_RELEASE:
		log_msg(LOG_DEBUG, "button %d: %s", i + 1, buttons_event_name(ev->type));
		break;
	}
}

static void on_core_event(const struct button_event *ev, void *arg)
{
	struct buttons_input *bi = arg;
	log_event(bi, ev);
	if (ev->type == BUTTON_STUCK || ev->type == BUTTON_RECOVERED)
		update_status_led(bi);
	bi->fn(ev, bi->arg);
}

/* Keeps the timerfd armed at the core's next deadline, or disarmed. */
static void reschedule(struct buttons_input *bi)
{
	int64_t d = buttons_deadline(&bi->core);
	if (d == bi->timer_at_ns)
		return;
	struct itimerspec its = { 0 };
	if (d != DEBOUNCE_NEVER) {
		/* Zero would disarm; a deadline already passed fires at once. */
		if (d <= 0)
			d = 1;
		its.it_value.tv_sec = d / 1000000000;
		its.it_value.tv_nsec = d % 1000000000;
	}
	if (timerfd_settime(bi->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_msg(LOG_ERR, "buttons: cannot arm the deadline timer: %m");
	bi->timer_at_ns = d;
}


static int64_t map_time(struct buttons_input *bi, int64_t ts)
{
	if (!bi->own_clock) {
		int64_t skew = ts - mono_ns();
		if (skew > -10 * (int64_t)1000000000 && skew < 10 * (int64_t)1000000000)
			return ts;
		/* Kernels before 5.7 stamp v1 events with CLOCK_REALTIME: deadlines
		 * from those would never come. Align them like the simulated chip's. */
		log_msg(LOG_NOTICE, "buttons: GPIO event times are not CLOCK_MONOTONIC; aligning them");
		bi->own_clock = 1;
	}
	if (!bi->anchored || ts + bi->offset_ns < bi->last_mapped_ns) {
		bi->offset_ns = mono_ns() - ts;
		bi->anchored = 1;
	}
	bi->last_mapped_ns = ts + bi->offset_ns;
	return bi->last_mapped_ns;
}

static void on_fd(int fd, short revents, void *arg);

static void unmute(void *arg)
{
	struct fd_slot *sl = arg;
	sl->mute_timer = 0;
	if (!sl->bi->input_ended)
		loop_add_fd(sl->bi->loop, sl->fd, POLLIN, on_fd, sl->bi);
}

static void mute(struct buttons_input *bi, int fd, int64_t pause_ms)
{
	for (int i = 0; i < bi->nfds; i++) {
		struct fd_slot *sl = &bi->slot[i];
		if (sl->fd != fd || sl->mute_timer)
			continue;
		int id = loop_add_timer(bi->loop, loop_now_ms() + pause_ms, unmute, sl);
		if (id > 0) {
			loop_del_fd(bi->loop, fd);
			sl->mute_timer = id;
		}
	}
}

/*
 * Reads one bounded batch of edges from fd into the core. Returns how many
 * (0: none waiting), with *newest the latest edge's time on our clock.
 */
static int take_edges(struct buttons_input *bi, int fd, int64_t *newest)
{
	struct gpio_edge edges[GPIO_READ_MAX];
	char err[256];
	int n = gpio_read(bi->gpio, fd, edges, GPIO_READ_MAX, err, sizeof(err));
	if (n < 0) {
		log_msg(LOG_ERR, "buttons: %s", err);
		loop_del_fd(bi->loop, fd);
		bi->input_ended = 1;
		n = 0;
	}
	int64_t pause_ms = 0;
	for (int k = 0; k < n; k++) {
		int i = edges[k].input;
		*newest = map_time(bi, edges[k].ts_ns);
		buttons_edge(&bi->core, i, edges[k].level, *newest);
		if (i >= 0 && i < bi->n && bi->core.line[i].storm) {
			int64_t p = bi->core.line[i].db.quiet_ns / 4000000;
			pause_ms = p < 1 ? 1 : p;
		}
	}
	if (gpio_ended(bi->gpio) && !bi->input_ended) {
		loop_del_fd(bi->loop, fd);
		bi->input_ended = 1;
	}
	if (pause_ms && !bi->input_ended)
		mute(bi, fd, pause_ms);
	return n;
}

static void on_fd(int fd, short revents, void *arg)
{
	struct buttons_input *bi = arg;
	(void)revents;
	int64_t newest;
	/* One bounded read per wakeup: the UI's descriptors get their turn in between. */
	take_edges(bi, fd, &newest);
	reschedule(bi);
}

/* Batches a deadline may read before it decides (see on_timer). */
#define TIMER_DRAIN_BATCHES 16

static void on_timer(int fd, short revents, void *arg)
{
	struct buttons_input *bi = arg;
	uint64_t expirations;
	(void)revents;
	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return; /* EAGAIN: re-armed since it fired */
	bi->timer_at_ns = DEBOUNCE_NEVER;
	/*
	 * Edges still waiting to be read happened before now. Moving the core's
	 * clock to now first would put them all at now: a whole press still
	 * queued (the loop was busy with a commit, or a recording is replayed
	 * faster than we keep up) would become a zero-length glitch and be lost.
	 * So read what waits first, and never move the clock past edges left
	 * unread. A muted line (a noise storm) is read too: its pause only
	 * saves wakeups, and a pause the scheduler stretched past the quiet
	 * period leaves the storm's next edges waiting; ticking past them would
	 * end the storm there and count the rest as a second one.
	 */
	int64_t upto = mono_ns();
	for (int s = 0; s < bi->nfds && !bi->input_ended; s++) {
		for (int batch = 0;; batch++) {
			int64_t newest = INT64_MIN;
			if (take_edges(bi, bi->slot[s].fd, &newest) == 0 || newest >= upto)
				break;
			if (batch == TIMER_DRAIN_BATCHES) {
				upto = newest;
				break;
			}
		}
	}
	int levels[BUTTONS_MAX];
	for (int i = 0; i < bi->n; i++) {
		levels[i] = gpio_get(bi->gpio, i);
		if (levels[i] < 0)
			levels[i] = bi->core.line[i].db.raw;
	}
	buttons_tick(&bi->core, upto, levels);
	reschedule(bi);
}

int buttons_input_open(struct buttons_input **out, const struct config *cfg, struct loop *loop,
		       buttons_event_fn fn, void *arg, char *err, size_t errlen)
{
	*out = NULL;
	struct gpio_input in[BUTTONS_MAX];
	struct gpio_output outs[GPIO_MAX_OUTPUTS];
	int n = 0, nout = 0;
	struct buttons_input *bi = calloc(1, sizeof(*bi));
	if (!bi) {
		snprintf(err, errlen, "buttons: out of memory");
		return -1;
	}
	/* config_validate has made the configured buttons [button.1]..[button.faces]. */
	for (int i = 0; i < CONFIG_MAX_BUTTONS && i < BUTTONS_MAX; i++) {
		const struct button_config *b = &cfg->button[i];
		if (!b->configured)
			break;
		in[n] = (struct gpio_input){ b->chip, b->line, b->active_low, b->bias };
		snprintf(bi->chip[n], sizeof(bi->chip[n]), "%s", b->chip);
		bi->line[n] = b->line;
		bi->led_out[n] = -1;
		if (b->led_line >= 0) {
			outs[nout] = (struct gpio_output){ b->led_chip[0] ? b->led_chip : b->chip, b->led_line };
			bi->led_out[n] = nout++;
		}
		n++;
	}
	if (n == 0) {
		free(bi);
		return 0;
	}
	bi->status_out = -1;
	if (cfg->status_led_line >= 0) {
		outs[nout] = (struct gpio_output){ cfg->status_led_chip[0] ? cfg->status_led_chip : cfg->button[0].chip,
						   cfg->status_led_line };
		bi->status_out = nout++;
	}
	bi->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (bi->timer_fd < 0) {
		snprintf(err, errlen, "buttons: timerfd: %s", strerror(errno));
		free(bi);
		return -1;
	}
	bi->timer_at_ns = DEBOUNCE_NEVER;
	if (gpio_open(&bi->gpio, in, n, outs, nout, err, errlen) < 0) {
		close(bi->timer_fd);
		free(bi);
		return -1;
	}
	bi->loop = loop;
	bi->fn = fn;
	bi->arg = arg;
	bi->n = n;
	bi->own_clock = gpio_own_clock(bi->gpio);
	int levels[BUTTONS_MAX], debounce_ms[BUTTONS_MAX];
	for (int i = 0; i < n; i++) {
		levels[i] = gpio_get(bi->gpio, i) > 0;
		debounce_ms[i] = cfg->button[i].debounce_ms;
	}
	buttons_init(&bi->core, n, debounce_ms, levels, cfg->stuck_after_s, cfg->staff_hold_s,
		     mono_ns(), on_core_event, bi);
	bi->nfds = gpio_fds(bi->gpio, bi->fds, GPIO_MAX_FDS);
	for (int i = 0; i < bi->nfds; i++)
		bi->slot[i] = (struct fd_slot){ bi, bi->fds[i], 0 };
	int added = 0, ok = loop_add_fd(loop, bi->timer_fd, POLLIN, on_timer, bi) == 0;
	while (ok && added < bi->nfds && loop_add_fd(loop, bi->fds[added], POLLIN, on_fd, bi) == 0)
		added++;
	if (!ok || added < bi->nfds) {
		for (int j = 0; j < added; j++)
			loop_del_fd(loop, bi->fds[j]);
		if (ok)
			loop_del_fd(loop, bi->timer_fd);
		gpio_close(bi->gpio);
		close(bi->timer_fd);
		free(bi);
		snprintf(err, errlen, "buttons: the event loop has no room for more descriptors");
		return -1;
	}
	/* A button held down at start may already need its stuck deadline. */
	reschedule(bi);
	*out = bi;
	return 0;
}

void buttons_input_close(struct buttons_input *bi)
{
	if (!bi)
		return;
	for (int i = 0; i < bi->nfds; i++) {
		loop_del_fd(bi->loop, bi->fds[i]);
		if (bi->slot[i].mute_timer)
			loop_del_timer(bi->loop, bi->slot[i].mute_timer);
	}
	loop_del_fd(bi->loop, bi->timer_fd);
	close(bi->timer_fd);
	if (bi->blink_timer_id)
		loop_del_timer(bi->loop, bi->blink_timer_id);
	gpio_close(bi->gpio); /* drives the LEDs low */
	free(bi);
}

int buttons_input_count(const struct buttons_input *bi)
{
	return bi ? bi->n : 0;
}

int buttons_input_set_led(struct buttons_input *bi, int i, int on)
{
	if (!bi || i < 0 || i >= bi->n || bi->led_out[i] < 0)
		return -1;
	bi->led[i] = !!on;
	return gpio_set(bi->gpio, bi->led_out[i], on);
}

void buttons_input_set_status_led(struct buttons_input *bi, int blinking)
{
	if (!bi)
		return;
	bi->status_reason = !!blinking;
	update_status_led(bi);
}

int buttons_input_status_blinking(const struct buttons_input *bi)
{
	return bi && bi->blink_timer_id != 0;
}

void buttons_input_status(struct buttons_input *bi, int i, struct button_status *st)
{
	buttons_status(&bi->core, i, st);
	int raw = gpio_get(bi->gpio, i);
	if (raw >= 0)
		st->raw = raw;
	st->led = bi->led_out[i] < 0 ? -1 : bi->led[i];
}

void buttons_input_line(const struct buttons_input *bi, int i, const char **chip, int *line)
{
	*chip = bi->chip[i];
	*line = bi->line[i];
}

int buttons_input_ended(const struct buttons_input *bi)
{
	return bi->input_ended && buttons_deadline(&bi->core) == DEBOUNCE_NEVER;
}
