/*
 * kiosk: state and main loop.
 *
 * The loop: pump SDL's events, handle them, present if something changed,
 * then sleep in poll() on the display's input descriptors, signals,
 * buttons and timers. Nothing is drawn while nothing changes, so an idle
 * kiosk costs no CPU. A press is presented from inside its handler, before
 * the commit, which is why the highlight reaches the panel at once.
 *
 * Order after a press (the durability promise): light the face, present,
 * commit to SQLite (fsync), then the thank-you screen. A failed commit
 * shows "out of order" instead of thanking anyone.
 */
#include "kiosk.h"

#include <SDL.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "buttons_input.h"
#include "clockstate.h"
#include "display.h"
#include "filter.h"
#include "latency.h"
#include "layout.h"
#include "log.h"
#include "loop.h"
#include "screen.h"
#include "script.h"
#include "snapshot.h"
#include "store.h"
#include "text.h"

/* How often a kiosk without a working store tries again. */
#define STORE_RETRY_MS 10000

struct kiosk {
	const struct config *cfg;
	const struct kiosk_options *opt;
	struct loop *loop;
	struct display *disp;
	struct text *text;
	struct screen *screen;
	struct store *store;
	struct filter filter;
	struct script *script;
	struct buttons_input *buttons;
	int lit_led;               /* button whose LED is on through the thank-you, or -1 */
	struct screen_state state;
	char detail[512];
	int dirty;
	int running;
	int exit_code;
	int thanks_timer;
	int retry_timer;
	int burst_timer;
	int signal_fd;
	int64_t pushed_ns;         /* when the script pushed the event being handled */
	int first_frame_done;
	double first_frame_ms;
	int64_t first_frame_ns;    /* CLOCK_MONOTONIC when the first frame was presented */
	struct latency press_to_present;
	struct latency commit;
	int64_t ratings;
};

static void present(struct kiosk *k)
{
	screen_paint(k->screen, display_canvas(k->disp), &k->state);
	if (display_present(k->disp) != 0)
		log_msg(LOG_WARNING, "display: present failed: %s", SDL_GetError());
	k->dirty = 0;
	if (!k->first_frame_done) {
		k->first_frame_done = 1;
		k->first_frame_ns = latency_now_ns();
		k->first_frame_ms = (double)(k->first_frame_ns - k->opt->started_ns) / 1e6;
	}
}

static void show(struct kiosk *k, enum screen_name name)
{
	k->state.name = name;
	if (name != SCREEN_RATING)
		k->state.highlight = -1;
	k->dirty = 1;
}

static void led(struct kiosk *k, int i);

static void cancel_thanks(struct kiosk *k)
{
	if (k->thanks_timer > 0)
		loop_del_timer(k->loop, k->thanks_timer);
	k->thanks_timer = 0;
}

/* Lights button i's LED (or none with -1); the previous one goes out. */
static void led(struct kiosk *k, int i)
{
	if (!k->buttons || i == k->lit_led)
		return;
	if (k->lit_led >= 0)
		buttons_input_set_led(k->buttons, k->lit_led, 0);
	k->lit_led = i;
	if (i >= 0)
		buttons_input_set_led(k->buttons, i, 1);
}

/* A burst of misuse is logged once, when it is over, not per press. */
static void check_burst(void *arg)
{
	struct kiosk *k = arg;
	int count;
	int64_t span;
	k->burst_timer = 0;
	if (filter_burst_over(&k->filter, clockstate_boot_ms(), &count, &span))
		log_msg(LOG_NOTICE, "misuse: %d presses within %.1f s marked misuse (kept, left out of scores)",
			count, (double)span / 1000.0);
	else if (k->filter.burst)
		k->burst_timer = loop_add_timer(k->loop, loop_now_ms() + k->filter.interval_ms, check_burst, k);
}

static void thanks_over(void *arg)
{
	struct kiosk *k = arg;
	k->thanks_timer = 0;
	if (k->filter.burst && k->burst_timer <= 0)
		check_burst(k);
	led(k, -1);
	show(k, SCREEN_RATING);
}

static void highlight_over(void *arg)
{
	struct kiosk *k = arg;
	show(k, SCREEN_THANKS);
	k->thanks_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->thanks_s * 1000), thanks_over, k);
}

static void try_store(void *arg);

static void out_of_order(struct kiosk *k, const char *why)
{
	cancel_thanks(k);
	snprintf(k->detail, sizeof(k->detail), "%s", why);
	k->state.detail = k->detail;
	if (k->buttons) /* an admin is needed */
		buttons_input_set_status_led(k->buttons, 1);
	show(k, SCREEN_OUT_OF_ORDER);
	if (k->retry_timer <= 0)
		k->retry_timer = loop_add_timer(k->loop, loop_now_ms() + STORE_RETRY_MS, try_store, k);
}

/* Opens the store if it is not open, and leaves "out of order" when it works. */
static void try_store(void *arg)
{
	struct kiosk *k = arg;
	k->retry_timer = 0;
	char err[512];
	if (!k->store) {
		if (store_open(&k->store, k->cfg->database, err, sizeof(err)) != 0) {
			log_msg(LOG_ERR, "%s", err);
			out_of_order(k, err);
			return;
		}
		struct rating last;
		int found = store_last(k->store, k->cfg->kiosk_id, &last);
		filter_init(&k->filter, k->cfg->response_interval_s, found == 1 ? &last : NULL);
		log_msg(LOG_INFO, "store: %s open, %lld ratings", k->cfg->database, (long long)store_count(k->store));
	}
	if (k->state.name == SCREEN_OUT_OF_ORDER) {
		if (k->buttons)
			buttons_input_set_status_led(k->buttons, 0);
		show(k, SCREEN_RATING);
	}
}

/* The face lights: the customer's instant answer. */
static void face_down(struct kiosk *k, int face)
{
	if (k->state.name != SCREEN_RATING || k->state.highlight >= 0)
		return;
	k->state.highlight = face;
	present(k);
	int64_t t0 = k->pushed_ns;
	if (t0)
		latency_add(&k->press_to_present, latency_now_ns() - t0);
}

/* The rating is decided: store it, then thank. Every press is stored. */
static void rate(struct kiosk *k, int face, enum rating_source source)
{
	if (!k->store) {
		log_msg(LOG_WARNING, "press on face %d not stored: no working database", face + 1);
		return;
	}
	struct rating r = { .value = face, .scale = k->cfg->faces, .source = source };
	snprintf(r.kiosk_id, sizeof(r.kiosk_id), "%s", k->cfg->kiosk_id);
	clockstate_stamp(&r);
	r.flags = filter_classify(&k->filter, &r);
	char err[512];
	int64_t t0 = latency_now_ns();
	if (store_add(k->store, &r, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		out_of_order(k, err);
		return;
	}
	latency_add(&k->commit, latency_now_ns() - t0);
	filter_remember(&k->filter, &r);
	if (source == SOURCE_BUTTON)
		led(k, face); /* through the thank-you screen */
	k->ratings++;
	log_msg(LOG_DEBUG, "rating %lld: face %d of %d by %s%s", (long long)r.seq, face + 1, r.scale,
		rating_source_name(source), r.flags & RATING_MISUSE ? " (misuse)" : "");
	if (k->state.name == SCREEN_RATING) {
		if (k->state.highlight < 0) {
			k->state.highlight = face;
			k->dirty = 1;
		}
		k->state.chosen = face;
		cancel_thanks(k);
		k->thanks_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->highlight_s * 1000), highlight_over, k);
	} else if (k->state.name == SCREEN_THANKS) {
		/* Pressed again while thanked: stored (the filter judged it); thank anew. */
		k->state.chosen = face;
		cancel_thanks(k);
		highlight_over(k);
	}
}

static void press(struct kiosk *k, int face, enum rating_source source)
{
	if (face < 0 || face >= k->cfg->faces)
		return;
	face_down(k, face);
	rate(k, face, source);
}

/*
 * Physical buttons: the face lights at the debounced down edge; the rating
 * is decided at the release (buttons.c says which releases count).
 */
static void on_button(const struct button_event *ev, void *arg)
{
	struct kiosk *k = arg;
	switch (ev->type) {
	case BUTTON_DOWN:
		face_down(k, ev->button);
		break;
	case BUTTON_PRESS:
		rate(k, ev->button, SOURCE_BUTTON);
		break;
	case BUTTON_RELEASE:
		/* No rating (chord, stuck, noise): put the lit face out again. */
		if (k->state.name == SCREEN_RATING && k->state.highlight == ev->button && k->thanks_timer <= 0) {
			k->state.highlight = -1;
			k->dirty = 1;
		}
		break;
	case BUTTON_STAFF:
		log_msg(LOG_NOTICE, "staff chord: staff view requested");
		break;
	default:
		break; /* stuck, recovered, noise: buttons_input logged them */
	}
}

/* A point on the panel, in physical pixels: which face is there? */
static int face_at(struct kiosk *k, double px, double py)
{
	int pw, ph;
	double lx, ly;
	display_physical_size(k->disp, &pw, &ph);
	layout_to_logical(k->cfg->rotate, pw, ph, px, py, &lx, &ly);
	return layout_hit(screen_layout(k->screen), lx, ly);
}

static void rebuild_screen(struct kiosk *k)
{
	SDL_Surface *c = display_canvas(k->disp);
	screen_free(k->screen);
	k->screen = screen_new(k->cfg, k->text, c->w, c->h);
	k->dirty = 1;
}

static void handle_event(struct kiosk *k, const SDL_Event *e)
{
	int pw, ph;
	switch (e->type) {
	case SDL_QUIT:
		k->running = 0;
		break;
	case SDL_KEYDOWN:
		if (e->key.repeat)
			break;
		if (e->key.keysym.sym >= SDLK_1 && e->key.keysym.sym <= SDLK_9)
			press(k, e->key.keysym.sym - SDLK_1, SOURCE_KEY);
		else if (e->key.keysym.sym >= SDLK_KP_1 && e->key.keysym.sym <= SDLK_KP_9)
			press(k, e->key.keysym.sym - SDLK_KP_1, SOURCE_KEY);
		else if (e->key.keysym.sym == SDLK_ESCAPE && !k->opt->fullscreen)
			k->running = 0;
		break;
	case SDL_FINGERDOWN:
		display_physical_size(k->disp, &pw, &ph);
		press(k, face_at(k, e->tfinger.x * pw, e->tfinger.y * ph), SOURCE_TOUCH);
		break;
	case SDL_MOUSEBUTTONDOWN:
		/* SDL also reports a touch as a mouse click: count the finger only. */
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			break;
		press(k, face_at(k, e->button.x, e->button.y), SOURCE_TOUCH);
		break;
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
			if (display_refresh(k->disp) >= 0)
				rebuild_screen(k);
		} else if (e->window.event == SDL_WINDOWEVENT_EXPOSED) {
			k->dirty = 1;
		}
		break;
	}
}

static void pump(struct kiosk *k)
{
	SDL_Event e;
	SDL_PumpEvents();
	while (SDL_PollEvent(&e)) {
		handle_event(k, &e);
		k->pushed_ns = 0;
	}
}

static void on_signal(int fd, short revents, void *arg)
{
	(void)revents;
	struct kiosk *k = arg;
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_msg(LOG_INFO, "signal %d: stopping", (int)si.ssi_signo);
		k->running = 0;
	}
}

static void register_wake_fds(struct kiosk *k);

static void on_display_input(int fd, short revents, void *arg)
{
	(void)revents;
	struct kiosk *k = arg;
	if (display_wake_drain(k->disp, fd))
		register_wake_fds(k);
	/* The events themselves are read by pump() right after poll returns. */
}

static void register_wake_fds(struct kiosk *k)
{
	static int registered[DISPLAY_MAX_WAKE_FDS];
	static int nregistered;
	for (int i = 0; i < nregistered; i++)
		loop_del_fd(k->loop, registered[i]);
	nregistered = display_wake_fds(k->disp, registered, DISPLAY_MAX_WAKE_FDS);
	for (int i = 0; i < nregistered; i++)
		loop_add_fd(k->loop, registered[i], POLLIN, on_display_input, k);
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

static int open_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

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
	buttons_input_close(k->buttons); /* LEDs off */
	if (k->store) {
		/* Clean stop: fold the WAL back so the file alone is complete. */
		store_checkpoint(k->store);
		store_close(k->store);
	}
	screen_free(k->screen);
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
	struct kiosk kiosk = { .cfg = cfg, .opt = opt, .running = 1, .signal_fd = -1 };
	struct kiosk *k = &kiosk;
	char err[512];
	k->state = (struct screen_state){ .name = SCREEN_RATING, .highlight = -1, .chosen = -1 };
	k->loop = loop_new();
	if (!k->loop)
		return 1;
	k->signal_fd = open_signals();
	if (k->signal_fd >= 0)
		loop_add_fd(k->loop, k->signal_fd, POLLIN, on_signal, k);

	if (display_open(&k->disp, opt->fullscreen, opt->width, opt->height, cfg->rotate, err, sizeof(err)) != 0) {
		fprintf(stderr, "tally-kiosk: %s\n", err);
		shutdown_kiosk(k);
		return 1;
	}
	log_msg(LOG_INFO, "display: %s", display_describe(k->disp));
	if (text_open(&k->text, cfg->font, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s (showing faces without text)", err);
	rebuild_screen(k);
	if (!k->screen) {
		fprintf(stderr, "tally-kiosk: out of memory laying out the screen\n");
		shutdown_kiosk(k);
		return 1;
	}
	register_wake_fds(k);
	try_store(k);
	k->lit_led = -1;
	if (buttons_input_open(&k->buttons, cfg, k->loop, on_button, k, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s (buttons off; touch and keys still rate)", err);
	else if (k->buttons && k->state.name == SCREEN_OUT_OF_ORDER)
		buttons_input_set_status_led(k->buttons, 1);

	if (opt->script) {
		struct script_hooks hooks = { script_screenshot, script_quit, script_pushed, k };
		if (script_start(&k->script, opt->script, k->loop, &hooks, err, sizeof(err)) != 0) {
			fprintf(stderr, "tally-kiosk: %s\n", err);
			shutdown_kiosk(k);
			return 2;
		}
	}

	while (k->running) {
		pump(k);
		if (k->dirty)
			present(k);
		if (!k->running)
			break;
		if (loop_run_once(k->loop, display_poll_ms(k->disp)) < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
	}
	int code = k->exit_code;
	shutdown_kiosk(k);
	return code;
}

int kiosk_screenshot(const struct config *cfg, const char *name, int w, int h, const char *path)
{
	enum screen_name which;
	if (screen_parse_name(name, &which) != 0) {
		fprintf(stderr, "tally-kiosk: unknown screen \"%s\" (rating, thanks, out-of-order)\n", name);
		return 2;
	}
	char err[512];
	struct text *text = NULL;
	if (text_open(&text, cfg->font, err, sizeof(err)) != 0)
		fprintf(stderr, "tally-kiosk: %s (drawing without text)\n", err);
	int lw, lh;
	layout_logical_size(cfg->rotate, w, h, &lw, &lh);
	SDL_Surface *canvas = SDL_CreateRGBSurfaceWithFormat(0, lw, lh, 32, SDL_PIXELFORMAT_ARGB8888);
	struct screen *s = canvas ? screen_new(cfg, text, lw, lh) : NULL;
	int code = 1;
	if (s) {
		struct screen_state st = { .name = which, .highlight = -1, .chosen = cfg->faces - 1,
					   .detail = "tally.db: database is corrupt, left untouched" };
		screen_paint(s, canvas, &st);
		if (snapshot_save_png(canvas, path, err, sizeof(err)) == 0)
			code = 0;
		else
			fprintf(stderr, "tally-kiosk: %s\n", err);
	} else {
		fprintf(stderr, "tally-kiosk: out of memory for a %dx%d screen\n", lw, lh);
	}
	screen_free(s);
	SDL_FreeSurface(canvas);
	text_close(text);
	SDL_Quit();
	return code;
}
