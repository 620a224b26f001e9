/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk: state and main loop.
 *
 * The loop: pump SDL's events, handle them, present if something changed,
 * then sleep in poll() on the display's input descriptors, signals,
 * buttons and timers. Nothing is drawn while nothing changes, so an idle
 * kiosk costs no CPU. A press is presented from inside its handler, before
 * the commit, which is why the highlight reaches the panel at once
 * (kiosk_input.c sends it on, rating_flow.c stores it).
 *
 * Outside [hours] the screen goes dark (and the backlight down, where
 * sysfs has one); presses there are stored, flagged closed. With systemd,
 * READY=1 follows the first presented frame and WATCHDOG=1 comes from this
 * loop only, so a hung loop gets restarted.
 *
 * In [kiosk] mode = display the same loop runs the wall display
 * (wall_display.c) instead of the rating parts.
 */
#include "kiosk.h"

#include <SDL.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kiosk_input.h"
#include "kiosk_lang.h"
#include "kiosk_signals.h"
#include "kiosk_status.h"
#include "log.h"
#include "rating_flow.h"
#include "shift_screen.h"
#include "snapshot.h"
#include "staff_access.h"
#include "wall_display.h"
#include "watchdog.h"

int64_t kiosk_wall_now_ms(const struct kiosk *k)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + k->opt->clock_offset_ms;
}

void kiosk_present(struct kiosk *k)
{
	SDL_Surface *canvas = display_canvas(k->disp);
	if (k->state.name == SCREEN_STAFF && k->staff) {
		staff_view_paint(k->staff, canvas);
		staff_view_paint_problem(k->staff, canvas, kiosk_problem(k));
	}
	else if (k->state.name == SCREEN_PIN && k->staff)
		staff_view_paint_pin(k->staff, canvas, k->pin_len, k->pin_wrong);
	else if (k->state.name == SCREEN_DISPLAY && k->staff)
		staff_view_paint_display(k->staff, canvas, k->data, k->page);
	else if (k->state.name == SCREEN_SHIFT_END && k->staff && k->shift_shown)
		staff_view_paint_shift_end(k->staff, canvas, k->shift_shown);
	else
		screen_paint(k->screen, canvas, &k->state);
	if (display_present(k->disp) != 0)
		log_msg(LOG_WARNING, "display: present failed: %s", SDL_GetError());
	k->dirty = 0;
	if (!k->first_frame_done) {
		k->first_frame_done = 1;
		k->first_frame_ns = latency_now_ns();
		k->first_frame_ms = (double)(k->first_frame_ns - k->opt->started_ns) / 1e6;
		watchdog_ready(&k->wd); /* systemd: ready once the customer sees a screen */
	}
}

void kiosk_show(struct kiosk *k, enum screen_name name)
{
	/* A notice belongs to the screen it was put on. */
	if (name != k->state.name && k->state.notice) {
		kiosk_stop_timer(k, &k->notice_timer);
		k->state.notice = NULL;
	}
	if (name != SCREEN_QUESTION) /* left (answered, staff view, closing time): its wait ends */
		kiosk_stop_timer(k, &k->question_timer);
	k->state.name = name;
	if (name != SCREEN_RATING)
		k->state.highlight = -1;
	k->dirty = 1;
}

void kiosk_update_status(struct kiosk *k)
{
	const char *screen = k->cfg->mode == MODE_DISPLAY ? "display"
			     : kiosk_problem(k) ? "out-of-order"
			     : !opening_is_open(k->opening) ? "closed" : "rating";
	kiosk_status_write(k->cfg, screen, kiosk_problem(k),
			   display_describe(k->disp), k->buttons, k->noisy);
}

const char *kiosk_problem(const struct kiosk *k)
{
	/* Out of order until the store works again, even while the staff view is up. */
	return k->retry_timer > 0 || k->state.name == SCREEN_OUT_OF_ORDER ? k->detail : NULL;
}

void kiosk_stop_timer(struct kiosk *k, int *id)
{
	if (*id > 0)
		loop_del_timer(k->loop, *id);
	*id = 0;
}

static void lacks_glyph(const char *name, const char *value, void *arg)
{
	(void)name;
	struct kiosk *k = arg;
	if (!k->need_fallback && text_missing_glyph(k->text, value))
		k->need_fallback = 1;
}

void kiosk_open_fallback_font(struct kiosk *k)
{
	char err[CONFIG_PATH_MAX + 256];
	if (!k->text)
		return;
	text_set_fallback(k->text, "", err, sizeof(err)); /* closes the one a reload replaces */
	/*
	 * Opened only when some text needs it: a CJK font's tables cost
	 * memory and start-up time that a kiosk in Latin script never uses.
	 */
	k->need_fallback = text_missing_glyph(k->text, k->cfg->store) || text_missing_glyph(k->text, k->cfg->area);
	for (int i = 0; i < k->nlang && !k->need_fallback; i++)
		config_each_text(i == 0 || !k->lang[i] ? k->cfg : k->lang[i], lacks_glyph, k);
	/* Missing is bad input, not a reason to stop taking ratings: said once, the characters draw as boxes. */
	if (k->need_fallback && text_set_fallback(k->text, k->cfg->fallback_font, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s", err);
}

void kiosk_rebuild_screen(struct kiosk *k)
{
	SDL_Surface *c = display_canvas(k->disp);
	screen_free(k->screen);
	k->screen = screen_new(k->cfg, k->text, c->w, c->h);
	if (k->screen && k->nlang > 1) {
		const char *names[CONFIG_MAX_LANGS];
		for (int i = 0; i < k->nlang; i++)
			names[i] = i == 0 || !k->lang[i] ? k->cfg->t_language_name : k->lang[i]->t_language_name;
		screen_set_language_names(k->screen, names, k->nlang);
	}
	if (k->screen && k->lang_cur > 0)
		screen_set_language(k->screen, kiosk_texts(k), k->lang_cur);
	staff_view_free(k->staff);
	k->staff = staff_view_new(k->cfg, k->text, c->w, c->h);
	if (k->staff && k->state.name == SCREEN_STAFF)
		staff_view_set_data(k->staff, k->data);
	if (k->staff && k->state.name == SCREEN_DISPLAY)
		k->pages = staff_view_display_pages(k->staff, k->data);
	k->dirty = 1;
}

/* --- opening hours and the rating parts ---------------------------------------- */

static int64_t opening_clock(void *arg)
{
	return kiosk_wall_now_ms(arg);
}

static void opening_changed(int open, void *arg)
{
	struct kiosk *k = arg;
	/* Out of order, the staff view and a shift's result stay; they end into the right screen. */
	if (k->state.name != SCREEN_OUT_OF_ORDER && !staff_access_showing(k) && k->state.name != SCREEN_SHIFT_END) {
		if (!open) {
			rating_flow_cancel_thanks(k);
			rating_flow_led(k, -1);
			kiosk_show(k, SCREEN_CLOSED);
		} else if (k->state.name == SCREEN_CLOSED) {
			kiosk_show(k, SCREEN_RATING);
		}
	}
	kiosk_update_status(k);
}

void kiosk_start_rating_parts(struct kiosk *k)
{
	char err[512];
	k->lit_led = -1;
	if (buttons_input_open(&k->buttons, k->cfg, k->loop, kiosk_input_on_button, k, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s (buttons off; touch and keys still rate)", err);
	else if (k->buttons && k->state.name == SCREEN_OUT_OF_ORDER)
		buttons_input_set_status_led(k->buttons, 1);
	staff_access_schedule_arm(k, kiosk_wall_now_ms(k));
	kiosk_lang_start(k);
	k->opening = opening_start(k->cfg, k->loop, opening_clock, opening_changed, k);
	if (!opening_is_open(k->opening) && k->state.name == SCREEN_RATING)
		kiosk_show(k, SCREEN_CLOSED);
	else if (opening_is_open(k->opening) && k->state.name == SCREEN_CLOSED)
		kiosk_show(k, SCREEN_RATING); /* a reload that opened the store */
}

void kiosk_stop_rating_parts(struct kiosk *k)
{
	buttons_input_close(k->buttons); /* LEDs off */
	k->buttons = NULL;
	k->noisy = 0;
	kiosk_stop_timer(k, &k->schedule_timer);
	kiosk_lang_stop(k);
	opening_free(k->opening); /* backlight back on */
	k->opening = NULL;
}

/* --- the loop's other inputs: the display's descriptors, the script --------- */

static void register_wake_fds(struct kiosk *k);

static void on_display_input(int fd, short revents, void *arg)
{
	(void)revents;
	struct kiosk *k = arg;
	if (display_wake_drain(k->disp, fd))
		register_wake_fds(k);
	/* The events themselves are read by kiosk_input_pump() right after poll returns. */
}

static void register_wake_fds(struct kiosk *k)
{
	for (int i = 0; i < k->nwake; i++)
		loop_del_fd(k->loop, k->wake[i]);
	k->nwake = display_wake_fds(k->disp, k->wake, DISPLAY_MAX_WAKE_FDS);
	for (int i = 0; i < k->nwake; i++)
		loop_add_fd(k->loop, k->wake[i], POLLIN, on_display_input, k);
}

static void script_screenshot(const char *path, void *arg)
{
	struct kiosk *k = arg;
	char err[512];
	if (snapshot_save_png(display_canvas(k->disp), path, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s", err);
}

static void script_quit(void *arg)
{
	((struct kiosk *)arg)->running = 0;
}

static void script_pushed(int64_t ns, void *arg)
{
	((struct kiosk *)arg)->pushed_ns = ns;
}

/* --- start and stop ----------------------------------------------------------- */

static void write_stats(struct kiosk *k)
{
	FILE *f = fopen(k->opt->stats_out, "w");
	if (!f) {
		log_msg(LOG_ERR, "%s: %s", k->opt->stats_out, strerror(errno));
		return;
	}
	fprintf(f, "{\"display\": \"%s\", \"first_frame_ms\": %.2f, \"first_frame_mono_ns\": %lld, \"ratings\": %lld,\n"
		   " \"press_to_present_ms\": {\"n\": %d, \"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f},\n"
		   " \"commit_ms\": {\"n\": %d, \"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f}}\n",
		display_describe(k->disp), k->first_frame_ms, (long long)k->first_frame_ns, (long long)k->ratings,
		k->press_to_present.n, latency_percentile_ms(&k->press_to_present, 50),
		latency_percentile_ms(&k->press_to_present, 99), latency_percentile_ms(&k->press_to_present, 100),
		k->commit.n, latency_percentile_ms(&k->commit, 50), latency_percentile_ms(&k->commit, 99),
		latency_percentile_ms(&k->commit, 100));
	fclose(f);
}

static void shutdown_kiosk(struct kiosk *k)
{
	if (k->opt->stats_out && k->disp)
		write_stats(k);
	script_free(k->script);
	watchdog_stopping(&k->wd);
	shift_screen_stop(k);
	free(k->shift_shown);
	kiosk_stop_rating_parts(k);
	if (k->store) {
		/* Clean stop: fold the WAL back so the file alone is complete. */
		store_checkpoint(k->store);
		store_close(k->store);
	}
	screen_free(k->screen);
	staff_view_free(k->staff);
	kiosk_lang_free(k);
	free(k->data);
	free(k->fresh);
	sqlite3_close(k->ro_db);
	text_close(k->text);
	display_close(k->disp);
	if (k->signal_fd >= 0)
		close(k->signal_fd);
	loop_free(k->loop);
	latency_free(&k->press_to_present);
	latency_free(&k->commit);
	SDL_Quit();
}

int kiosk_run(const struct config *cfg, const struct kiosk_options *opt)
{
	static struct kiosk kiosk; /* large: it holds a whole config */
	struct kiosk *k = &kiosk;
	*k = (struct kiosk){ .opt = opt, .running = 1, .signal_fd = -1, .lit_led = -1 };
	k->own = *cfg;
	k->cfg = cfg = &k->own; /* a reload replaces it whole */
	char err[512];
	k->state = (struct screen_state){ .name = SCREEN_RATING, .highlight = -1, .chosen = -1 };
	k->loop = loop_new();
	k->data = calloc(1, sizeof(*k->data));
	k->fresh = calloc(1, sizeof(*k->fresh));
	if (!k->loop || !k->data || !k->fresh) {
		free(k->data);
		free(k->fresh);
		loop_free(k->loop);
		return 1;
	}
	kiosk_signals_open(k);
	if (watchdog_init(&k->wd, err, sizeof(err)) != 0)
		log_msg(LOG_WARNING, "%s", err);
	watchdog_attach(&k->wd, k->loop);

	if (display_open(&k->disp, opt->fullscreen, opt->width, opt->height, cfg->rotate, err, sizeof(err)) != 0) {
		fprintf(stderr, "tally-kiosk: %s\n", err);
		shutdown_kiosk(k);
		return 1;
	}
	log_msg(LOG_INFO, "display: %s", display_describe(k->disp));
	if (text_open(&k->text, cfg->font, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s (showing faces without text)", err);
	kiosk_lang_load(k);
	kiosk_open_fallback_font(k);
	kiosk_rebuild_screen(k);
	if (!k->screen) {
		fprintf(stderr, "tally-kiosk: out of memory laying out the screen\n");
		shutdown_kiosk(k);
		return 1;
	}
	register_wake_fds(k);
	k->lit_led = -1;
	if (cfg->mode == MODE_DISPLAY) {
		/* No store and no buttons: nothing here can write a rating. */
		log_msg(LOG_INFO, "mode: wall display of %s (read-only)", cfg->database);
		kiosk_show(k, SCREEN_DISPLAY);
		wall_display_start(k);
	} else {
		rating_flow_try_store(k);
		kiosk_start_rating_parts(k);
	}
	shift_end_init(&k->shift_end);
	shift_screen_start(k);
	kiosk_update_status(k);

	if (opt->script) {
		struct script_hooks hooks = { script_screenshot, script_quit, script_pushed, k };
		if (script_start(&k->script, opt->script, k->loop, &hooks, err, sizeof(err)) != 0) {
			fprintf(stderr, "tally-kiosk: %s\n", err);
			shutdown_kiosk(k);
			return 2;
		}
	}

	while (k->running) {
		kiosk_input_pump(k);
		shift_screen_idle(k);
		if (k->dirty)
			kiosk_present(k);
		if (!k->running)
			break;
		watchdog_ping(&k->wd, loop_now_ms()); /* only from here: a hung loop stops the pings */
		if (loop_run_once(k->loop, display_poll_ms(k->disp)) < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
	}
	int code = k->exit_code;
	shutdown_kiosk(k);
	return code;
}

