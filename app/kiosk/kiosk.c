/* SPDX-License-Identifier: Apache-2.0 */
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
 *
 * The staff view opens by the buttons' staff chord, a long press in a
 * corner of a touch screen (then the PIN pad, if a PIN is set) or at the
 * configured times; it closes after [staff] view_s or at any press. The
 * press that closes it is swallowed whole (a button's release too), and
 * presses in the CLOSE_GUARD_MS after are ignored, so closing the view
 * never becomes a rating.
 *
 * Outside [hours] the screen goes dark (and the backlight down, where
 * sysfs has one); presses there are stored, flagged closed. SIGHUP reloads
 * the config: a bad one is refused, with the reason logged, and the old one
 * kept. With systemd, READY=1 follows the first presented frame and
 * WATCHDOG=1 comes from this loop only, so a hung loop gets restarted.
 *
 * In [kiosk] mode = display the same loop runs the wall display: no
 * buttons, no store (the database is opened read-only, so it cannot
 * write), the figures re-read every [display] refresh_s and redrawn only
 * when they changed, pages turned every [display] page_s.
 */
#include "kiosk.h"

#include <SDL.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "buttons_input.h"
#include "clockstate.h"
#include "display.h"
#include "kiosk_status.h"
#include "filter.h"
#include "latency.h"
#include "layout.h"
#include "log.h"
#include "loop.h"
#include "opening.h"
#include "screen.h"
#include "script.h"
#include "snapshot.h"
#include "staff_view.h"
#include "store.h"
#include "text.h"
#include "tzday.h"
#include "watchdog.h"

/* How often a kiosk without a working store tries again. */
#define STORE_RETRY_MS 10000
/*
 * After the staff view closes, presses are ignored this long: someone who
 * tapped twice to close it did not mean the second tap as a rating.
 */
#define CLOSE_GUARD_MS 800
/* Wrong PINs in a row before the pad gives up and shows the faces again. */
#define PIN_TRIES 3
/*
 * A schedule further ahead than this is re-checked rather than waited for:
 * loop timers run on the monotonic clock, and the wall clock may still be
 * set by NTP after boot (the Pi has no RTC).
 */
#define SCHEDULE_RECHECK_MS (15 * 60 * 1000)
/* Pointer id of the mouse in a corner long press (fingers have their own). */
#define POINTER_MOUSE (-1)

struct kiosk {
	const struct config *cfg;  /* == &own, replaced whole by a reload */
	struct config own;
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
	/* staff view, PIN pad and wall display */
	struct staff_view *staff;
	struct staff_data *data;   /* as shown; heap, it holds a whole summary */
	struct staff_data *fresh;  /* wall display: the last read, compared with data */
	sqlite3 *ro_db;            /* wall display: read-only connection */
	int ro_failed;             /* logged that the database cannot be read */
	int staff_timer;           /* closes the staff view or the PIN pad */
	int schedule_timer;
	int64_t schedule_due;      /* wall ms of the next scheduled opening */
	int corner_timer;
	int64_t corner_pointer;    /* finger (or POINTER_MOUSE) held in a corner */
	char pin[16];
	int pin_len, pin_wrong, pin_tries;
	int64_t guard_until;       /* loop ms: presses before this are ignored */
	int64_t guard_edge_ns;     /* closed by a button: its guard on the edge time base, else 0 */
	unsigned swallow;          /* bit per button: its release is not a rating */
	int refresh_timer, page_timer, page, pages;
	struct opening *opening;
	struct watchdog wd;
	unsigned noisy;            /* bit per button whose line stormed, until a clean press */
	int wake[DISPLAY_MAX_WAKE_FDS]; /* the display's descriptors registered with the loop */
	int nwake;
};

/* The wall clock as the staff screens see it (--now moves it for tests). */
static int64_t wall_now_ms(const struct kiosk *k)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + k->opt->clock_offset_ms;
}

static void present(struct kiosk *k)
{
	SDL_Surface *canvas = display_canvas(k->disp);
	if (k->state.name == SCREEN_STAFF && k->staff)
		staff_view_paint(k->staff, canvas);
	else if (k->state.name == SCREEN_PIN && k->staff)
		staff_view_paint_pin(k->staff, canvas, k->pin_len, k->pin_wrong);
	else if (k->state.name == SCREEN_DISPLAY && k->staff)
		staff_view_paint_display(k->staff, canvas, k->data, k->page);
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

static void show(struct kiosk *k, enum screen_name name)
{
	k->state.name = name;
	if (name != SCREEN_RATING)
		k->state.highlight = -1;
	k->dirty = 1;
}

/* What tallyctl status shows of the kiosk: written when it changes. */
static void status_update(struct kiosk *k)
{
	const char *screen = k->cfg->mode == MODE_DISPLAY ? "display"
			     : k->state.name == SCREEN_OUT_OF_ORDER ? "out-of-order"
			     : !opening_is_open(k->opening) ? "closed" : "rating";
	kiosk_status_write(k->cfg, screen, k->state.name == SCREEN_OUT_OF_ORDER ? k->detail : NULL,
			   display_describe(k->disp), k->buttons, k->noisy);
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
	show(k, opening_is_open(k->opening) ? SCREEN_RATING : SCREEN_CLOSED);
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
	status_update(k);
	if (k->retry_timer <= 0)
		k->retry_timer = loop_add_timer(k->loop, loop_now_ms() + STORE_RETRY_MS, try_store, k);
}

/* Out of order no more: the faces (or the dark screen) again. */
static void back_in_order(struct kiosk *k)
{
	if (k->buttons)
		buttons_input_set_status_led(k->buttons, 0);
	show(k, opening_is_open(k->opening) ? SCREEN_RATING : SCREEN_CLOSED);
	log_msg(LOG_NOTICE, "store: working again");
	status_update(k);
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
	if (k->state.name == SCREEN_OUT_OF_ORDER)
		back_in_order(k);
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
	if (!opening_is_open(k->opening))
		r.flags |= RATING_CLOSED;
	char err[512];
	int64_t t0 = latency_now_ns();
	if (store_add(k->store, &r, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		out_of_order(k, err);
		return;
	}
	latency_add(&k->commit, latency_now_ns() - t0);
	filter_remember(&k->filter, &r);
	if (k->state.name == SCREEN_OUT_OF_ORDER) /* stored again: the disk has room */
		back_in_order(k);
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

/* --- staff view ----------------------------------------------------------- */

static int staff_screen(const struct kiosk *k)
{
	return k->state.name == SCREEN_STAFF || k->state.name == SCREEN_PIN;
}

static void stop_timer(struct kiosk *k, int *id)
{
	if (*id > 0)
		loop_del_timer(k->loop, *id);
	*id = 0;
}

static void staff_close(struct kiosk *k, const char *why)
{
	stop_timer(k, &k->staff_timer);
	if (!staff_screen(k))
		return;
	k->guard_until = loop_now_ms() + CLOSE_GUARD_MS;
	k->guard_edge_ns = 0;
	log_msg(LOG_NOTICE, "staff view: closed (%s)", why);
	show(k, opening_is_open(k->opening) ? SCREEN_RATING : SCREEN_CLOSED);
}

static void staff_time_up(void *arg)
{
	struct kiosk *k = arg;
	k->staff_timer = 0;
	staff_close(k, "time is up");
}

static void staff_timer_start(struct kiosk *k)
{
	stop_timer(k, &k->staff_timer);
	k->staff_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->staff_view_s * 1000), staff_time_up, k);
}

/* Reads today's figures and shows them for [staff] view_s. */
static void staff_open(struct kiosk *k, const char *why)
{
	char err[512];
	if (!k->store || !k->staff || k->state.name == SCREEN_OUT_OF_ORDER) {
		log_msg(LOG_WARNING, "staff view (%s) not opened: no working database", why);
		return;
	}
	if (staff_data_load(k->data, store_db(k->store), k->cfg, wall_now_ms(k), err, sizeof(err)) ||
	    staff_view_set_data(k->staff, k->data)) {
		log_msg(LOG_ERR, "staff view (%s) not opened: %s", why, err);
		return;
	}
	cancel_thanks(k);
	led(k, -1);
	staff_timer_start(k);
	log_msg(LOG_NOTICE, "staff view: open (%s): %lld ratings today%s", why, (long long)k->data->view.today.total,
		k->data->have_summary ? ", with head office's figures" : "");
	show(k, SCREEN_STAFF);
}

static void pin_open(struct kiosk *k)
{
	k->pin_len = 0;
	k->pin_wrong = 0;
	k->pin_tries = 0;
	staff_timer_start(k); /* an abandoned pad goes back to the faces too */
	log_msg(LOG_NOTICE, "staff view: PIN asked");
	show(k, SCREEN_PIN);
}

/* A digit (or cancel) typed on the PIN pad. */
static void pin_key(struct kiosk *k, int digit)
{
	if (digit == STAFF_PIN_CANCEL) {
		staff_close(k, "PIN cancelled");
		return;
	}
	size_t want = strlen(k->cfg->staff_pin);
	if (digit < 0 || digit > 9 || (size_t)k->pin_len >= sizeof(k->pin) - 1)
		return;
	k->pin[k->pin_len++] = (char)('0' + digit);
	k->pin_wrong = 0;
	k->dirty = 1;
	if ((size_t)k->pin_len < want)
		return;
	int right = memcmp(k->pin, k->cfg->staff_pin, want) == 0;
	memset(k->pin, 0, sizeof(k->pin));
	k->pin_len = 0;
	if (right) {
		staff_open(k, "corner long press and PIN");
		return;
	}
	k->pin_wrong = 1;
	log_msg(LOG_WARNING, "staff view: wrong PIN");
	if (++k->pin_tries >= PIN_TRIES)
		staff_close(k, "wrong PIN too often");
}

static void corner_held(void *arg)
{
	struct kiosk *k = arg;
	k->corner_timer = 0;
	if (k->state.name != SCREEN_RATING || k->state.highlight >= 0)
		return;
	log_msg(LOG_INFO, "staff view: corner held %.1f s", k->cfg->staff_corner_hold_s);
	if (k->cfg->staff_pin[0])
		pin_open(k);
	else
		staff_open(k, "corner long press");
}

static void pointer_up(struct kiosk *k, int64_t pointer)
{
	if (k->corner_timer > 0 && k->corner_pointer == pointer)
		stop_timer(k, &k->corner_timer); /* let go too soon: nothing at all */
}

/* The next scheduled opening after wall time `after`, or 0 if none. */
static int64_t schedule_next(const struct kiosk *k, int64_t after)
{
	const struct config_times *t = &k->cfg->staff_view_at;
	struct tzdate today;
	char err[256];
	int64_t best = 0;
	if (t->n == 0 || tzday_date_of(k->cfg->timezone, after, &today, NULL, err, sizeof(err)))
		return 0;
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < t->n; i++) {
			int64_t ms;
			if (tzday_local_to_ms(k->cfg->timezone, tzday_add_days(today, d), t->minute[i] / 60, t->minute[i] % 60,
					      0, &ms, err, sizeof(err)) == 0 &&
			    ms > after && (!best || ms < best))
				best = ms;
		}
	return best;
}

static void schedule_fire(void *arg);

static void schedule_arm(struct kiosk *k, int64_t after)
{
	stop_timer(k, &k->schedule_timer);
	k->schedule_due = schedule_next(k, after);
	if (!k->schedule_due)
		return;
	int64_t wait = k->schedule_due - wall_now_ms(k);
	if (wait < 0)
		wait = 0;
	if (wait > SCHEDULE_RECHECK_MS)
		wait = SCHEDULE_RECHECK_MS;
	k->schedule_timer = loop_add_timer(k->loop, loop_now_ms() + wait, schedule_fire, k);
}

static void schedule_fire(void *arg)
{
	struct kiosk *k = arg;
	k->schedule_timer = 0;
	int64_t now = wall_now_ms(k);
	if (now < k->schedule_due - 50) { /* a re-check, or the wall clock moved */
		schedule_arm(k, now - 1);
		return;
	}
	if (k->state.name == SCREEN_THANKS || (k->state.name == SCREEN_RATING && k->state.highlight >= 0)) {
		/* A customer is being thanked: open when they are done. */
		k->schedule_timer = loop_add_timer(k->loop, loop_now_ms() + 500, schedule_fire, k);
		return;
	}
	if (k->state.name == SCREEN_RATING)
		staff_open(k, "schedule");
	schedule_arm(k, k->schedule_due);
}

/* Whether a press comes right after the staff view closed (then it is ignored). */
static int guarded(struct kiosk *k)
{
	if (loop_now_ms() >= k->guard_until)
		return 0;
	log_msg(LOG_INFO, "press ignored: the staff view closed just before");
	return 1;
}

/*
 * The same for a button. When a button closed the view, its guard runs on
 * the edges' own time base, which a simulated chip may replay faster than
 * the wall clock (and the kernel stamps before the loop wakes).
 */
static int guarded_button(struct kiosk *k, const struct button_event *ev)
{
	if (!k->guard_edge_ns)
		return guarded(k);
	if (ev->at_ns >= k->guard_edge_ns)
		return 0;
	log_msg(LOG_INFO, "press ignored: the staff view closed just before");
	return 1;
}

/*
 * Physical buttons: the face lights at the debounced down edge; the rating
 * is decided at the release (buttons.c says which releases count).
 */
static void on_button(const struct button_event *ev, void *arg)
{
	struct kiosk *k = arg;
	unsigned bit = ev->button >= 0 && ev->button < 32 ? 1u << ev->button : 0;
	switch (ev->type) {
	case BUTTON_DOWN:
		if (staff_screen(k)) {
			k->swallow |= bit; /* its release must not rate on the faces behind */
			staff_close(k, "button");
			k->guard_edge_ns = ev->at_ns + (int64_t)CLOSE_GUARD_MS * 1000000;
		} else if (guarded_button(k, ev)) {
			k->swallow |= bit;
		} else {
			face_down(k, ev->button);
		}
		break;
	case BUTTON_PRESS:
		if (k->swallow & bit) {
			k->swallow &= ~bit;
			log_msg(LOG_INFO, "button %d closed the staff view: not a rating", ev->button + 1);
		} else if (staff_screen(k)) {
			log_msg(LOG_INFO, "button %d released on the staff view: not a rating", ev->button + 1);
		} else {
			rate(k, ev->button, SOURCE_BUTTON);
		}
		if (k->noisy & bit) { /* a clean press: the line works again */
			k->noisy &= ~bit;
			status_update(k);
		}
		break;
	case BUTTON_RELEASE:
		k->swallow &= ~bit;
		/* No rating (chord, stuck, noise): put the lit face out again. */
		if (k->state.name == SCREEN_RATING && k->state.highlight == ev->button && k->thanks_timer <= 0) {
			k->state.highlight = -1;
			k->dirty = 1;
		}
		break;
	case BUTTON_STAFF:
		log_msg(LOG_NOTICE, "staff chord: staff view requested");
		if (k->state.name != SCREEN_STAFF)
			staff_open(k, "staff chord");
		break;
	case BUTTON_NOISE:
		k->noisy |= bit;
		status_update(k);
		break;
	case BUTTON_STUCK:
	case BUTTON_RECOVERED:
		status_update(k); /* buttons_input logged it */
		break;
	}
}

/* A panel point in physical pixels, as the customer reads the screen. */
static void to_logical(struct kiosk *k, double px, double py, double *lx, double *ly)
{
	int pw, ph;
	display_physical_size(k->disp, &pw, &ph);
	layout_to_logical(k->cfg->rotate, pw, ph, px, py, lx, ly);
}

/*
 * A finger or the mouse went down at physical (px, py). On the faces it
 * rates at once, as before; in a corner (never a face: corners are in the
 * question box or the margins) it starts the long press instead.
 */
static void pointer_down(struct kiosk *k, double px, double py, int64_t pointer)
{
	double lx, ly;
	to_logical(k, px, py, &lx, &ly);
	switch (k->state.name) {
	case SCREEN_STAFF:
		staff_close(k, "touch");
		return;
	case SCREEN_PIN:
		pin_key(k, staff_view_pin_hit(k->staff, lx, ly));
		return;
	case SCREEN_DISPLAY:
		return;
	default:
		break;
	}
	if (guarded(k))
		return;
	const struct layout *l = screen_layout(k->screen);
	int face = layout_hit(l, lx, ly);
	if (face < 0 && k->state.name == SCREEN_RATING && staff_view_in_corner(l->w, l->h, lx, ly)) {
		stop_timer(k, &k->corner_timer);
		k->corner_pointer = pointer;
		k->corner_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->staff_corner_hold_s * 1000),
						 corner_held, k);
		return;
	}
	press(k, face, SOURCE_TOUCH);
}

static void key_down(struct kiosk *k, SDL_Keycode sym)
{
	int digit = -1;
	if (sym >= SDLK_0 && sym <= SDLK_9)
		digit = sym - SDLK_0;
	else if (sym >= SDLK_KP_1 && sym <= SDLK_KP_9)
		digit = sym - SDLK_KP_1 + 1;
	else if (sym == SDLK_KP_0)
		digit = 0;
	if (sym == SDLK_ESCAPE && !k->opt->fullscreen) {
		k->running = 0;
		return;
	}
	switch (k->state.name) {
	case SCREEN_STAFF:
		staff_close(k, "key");
		return;
	case SCREEN_PIN:
		pin_key(k, digit >= 0 ? digit : sym == SDLK_BACKSPACE || sym == SDLK_ESCAPE ? STAFF_PIN_CANCEL : -1);
		return;
	case SCREEN_DISPLAY:
		return;
	default:
		break;
	}
	if (digit >= 1 && !guarded(k))
		press(k, digit - 1, SOURCE_KEY);
}

static void rebuild_screen(struct kiosk *k)
{
	SDL_Surface *c = display_canvas(k->disp);
	screen_free(k->screen);
	k->screen = screen_new(k->cfg, k->text, c->w, c->h);
	staff_view_free(k->staff);
	k->staff = staff_view_new(k->cfg, k->text, c->w, c->h);
	if (k->staff && k->state.name == SCREEN_STAFF)
		staff_view_set_data(k->staff, k->data);
	if (k->staff && k->state.name == SCREEN_DISPLAY)
		k->pages = staff_view_display_pages(k->staff, k->data);
	k->dirty = 1;
}

/* --- wall display ----------------------------------------------------------- */

/* Re-reads the figures; redraws only when they changed. */
static void display_reload(struct kiosk *k)
{
	char err[512];
	if (!k->ro_db) {
		/* Read-only: the wall display cannot write a rating, even by mistake. */
		if (sqlite3_open_v2(k->cfg->database, &k->ro_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
			if (!k->ro_failed)
				log_msg(LOG_WARNING, "display: cannot read %s yet: %s", k->cfg->database,
					sqlite3_errmsg(k->ro_db));
			k->ro_failed = 1;
			sqlite3_close(k->ro_db);
			k->ro_db = NULL;
			return;
		}
		sqlite3_busy_timeout(k->ro_db, 2000);
	}
	if (staff_data_load(k->fresh, k->ro_db, k->cfg, wall_now_ms(k), err, sizeof(err))) {
		if (!k->ro_failed)
			log_msg(LOG_WARNING, "display: %s", err);
		k->ro_failed = 1;
		return;
	}
	if (k->ro_failed)
		log_msg(LOG_INFO, "display: reading %s", k->cfg->database);
	k->ro_failed = 0;
	if (memcmp(k->fresh, k->data, sizeof(*k->data)) == 0)
		return;
	struct staff_data *t = k->data;
	k->data = k->fresh;
	k->fresh = t;
	k->pages = k->staff ? staff_view_display_pages(k->staff, k->data) : 1;
	if (k->page >= k->pages)
		k->page = 0;
	log_msg(LOG_DEBUG, "display: figures changed (%lld ratings here today, %s)",
		(long long)k->data->view.today.total, k->data->have_summary ? "head office's figures" : "no summary");
	k->dirty = 1;
}

static void display_refresh_tick(void *arg)
{
	struct kiosk *k = arg;
	k->refresh_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->display_refresh_s * 1000),
					  display_refresh_tick, k);
	display_reload(k);
}

static void display_page_tick(void *arg)
{
	struct kiosk *k = arg;
	k->page_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->display_page_s * 1000),
				       display_page_tick, k);
	if (k->pages > 1) {
		k->page = (k->page + 1) % k->pages;
		k->dirty = 1;
	}
}

static void handle_event(struct kiosk *k, const SDL_Event *e)
{
	int pw, ph;
	switch (e->type) {
	case SDL_QUIT:
		k->running = 0;
		break;
	case SDL_KEYDOWN:
		if (!e->key.repeat)
			key_down(k, e->key.keysym.sym);
		break;
	case SDL_FINGERDOWN:
		display_physical_size(k->disp, &pw, &ph);
		pointer_down(k, e->tfinger.x * pw, e->tfinger.y * ph, (int64_t)e->tfinger.fingerId);
		break;
	case SDL_FINGERUP:
		pointer_up(k, (int64_t)e->tfinger.fingerId);
		break;
	case SDL_MOUSEBUTTONDOWN:
		/* SDL also reports a touch as a mouse click: count the finger only. */
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			break;
		pointer_down(k, e->button.x, e->button.y, POINTER_MOUSE);
		break;
	case SDL_MOUSEBUTTONUP:
		if (e->button.which != SDL_TOUCH_MOUSEID && e->button.button == SDL_BUTTON_LEFT)
			pointer_up(k, POINTER_MOUSE);
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

/* --- opening hours, reload ------------------------------------------------ */

static int64_t opening_clock(void *arg)
{
	return wall_now_ms(arg);
}

static void opening_changed(int open, void *arg)
{
	struct kiosk *k = arg;
	/* Out of order and the staff view stay; they end into the right screen. */
	if (k->state.name != SCREEN_OUT_OF_ORDER && !staff_screen(k)) {
		if (!open) {
			cancel_thanks(k);
			led(k, -1);
			show(k, SCREEN_CLOSED);
		} else if (k->state.name == SCREEN_CLOSED) {
			show(k, SCREEN_RATING);
		}
	}
	status_update(k);
}

/* Starts what follows the config: buttons, schedule, opening hours. */
static void start_rating_parts(struct kiosk *k)
{
	char err[512];
	k->lit_led = -1;
	if (buttons_input_open(&k->buttons, k->cfg, k->loop, on_button, k, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s (buttons off; touch and keys still rate)", err);
	else if (k->buttons && k->state.name == SCREEN_OUT_OF_ORDER)
		buttons_input_set_status_led(k->buttons, 1);
	schedule_arm(k, wall_now_ms(k));
	k->opening = opening_start(k->cfg, k->loop, opening_clock, opening_changed, k);
	if (!opening_is_open(k->opening) && k->state.name == SCREEN_RATING)
		show(k, SCREEN_CLOSED);
	else if (opening_is_open(k->opening) && k->state.name == SCREEN_CLOSED)
		show(k, SCREEN_RATING); /* a reload that opened the store */
}

static void stop_rating_parts(struct kiosk *k)
{
	buttons_input_close(k->buttons); /* LEDs off */
	k->buttons = NULL;
	k->noisy = 0;
	stop_timer(k, &k->schedule_timer);
	opening_free(k->opening); /* backlight back on */
	k->opening = NULL;
}

/*
 * SIGHUP: the config file again. A file with any problem is refused whole
 * and the old settings stay, so a typo made over SSH never stops a kiosk.
 * The rotation and the mode need the window made anew: restart for those.
 */
static void reload(struct kiosk *k)
{
	static struct config next;
	char why[1024];
	if (!k->opt->config_path) {
		log_msg(LOG_WARNING, "SIGHUP: running on built-in defaults, no --config file to reload");
		return;
	}
	if (config_reload(&next, k->opt->config_path, why, sizeof(why))) {
		log_msg(LOG_ERR, "config reload refused, old config kept: %s", why);
		return;
	}
	if (next.rotate != k->own.rotate || next.mode != k->own.mode) {
		log_msg(LOG_WARNING, "config reload: rotate and mode change only with a restart; the rest applies now");
		next.rotate = k->own.rotate;
		next.mode = k->own.mode;
	}
	int new_db = strcmp(next.database, k->own.database) != 0;
	int new_font = strcmp(next.font, k->own.font) != 0;
	if (k->cfg->mode == MODE_RATING)
		stop_rating_parts(k);
	cancel_thanks(k);
	k->own = next;
	if (new_db && k->store) {
		store_checkpoint(k->store);
		store_close(k->store);
		k->store = NULL;
	}
	if (new_font) {
		char err[512];
		text_close(k->text);
		k->text = NULL;
		if (text_open(&k->text, k->cfg->font, err, sizeof(err)) != 0)
			log_msg(LOG_ERR, "%s (showing faces without text)", err);
	}
	k->filter.interval_ms = (int64_t)(k->cfg->response_interval_s * 1000.0 + 0.5);
	if (k->state.name == SCREEN_THANKS)
		show(k, SCREEN_RATING);
	rebuild_screen(k);
	if (k->cfg->mode == MODE_RATING) {
		if (!k->store)
			try_store(k);
		start_rating_parts(k);
	}
	log_msg(LOG_NOTICE, "config reloaded from %s", k->opt->config_path);
	status_update(k);
}

static void on_signal(int fd, short revents, void *arg)
{
	(void)revents;
	struct kiosk *k = arg;
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		reload(k);
		return;
	}
	log_msg(LOG_INFO, "signal %d: stopping", (int)si.ssi_signo);
	k->running = 0;
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

static int open_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
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
	watchdog_stopping(&k->wd);
	stop_rating_parts(k);
	if (k->store) {
		/* Clean stop: fold the WAL back so the file alone is complete. */
		store_checkpoint(k->store);
		store_close(k->store);
	}
	screen_free(k->screen);
	staff_view_free(k->staff);
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
	k->signal_fd = open_signals();
	if (k->signal_fd >= 0)
		loop_add_fd(k->loop, k->signal_fd, POLLIN, on_signal, k);
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
	rebuild_screen(k);
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
		show(k, SCREEN_DISPLAY);
		display_refresh_tick(k);
		display_page_tick(k);
	} else {
		try_store(k);
		start_rating_parts(k);
	}
	status_update(k);

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

/* The staff screens for a screenshot: figures from the database, read-only. */
static int shoot_staff(const struct config *cfg, struct text *text, SDL_Surface *canvas, enum screen_name which,
		       int64_t now_ms)
{
	struct staff_view *v = staff_view_new(cfg, text, canvas->w, canvas->h);
	struct staff_data *d = calloc(1, sizeof(*d));
	sqlite3 *db = NULL;
	char err[CONFIG_PATH_MAX + 512] = "out of memory";
	int rc = -1;
	if (v && d && which == SCREEN_PIN) {
		staff_view_paint_pin(v, canvas, 2, 0);
		rc = 0;
	} else if (v && d) {
		if (sqlite3_open_v2(cfg->database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
			snprintf(err, sizeof(err), "%s: %s", cfg->database, sqlite3_errmsg(db));
		else if (staff_data_load(d, db, cfg, now_ms, err, sizeof(err)) == 0) {
			if (which == SCREEN_STAFF) {
				staff_view_set_data(v, d);
				staff_view_paint(v, canvas);
			} else {
				staff_view_paint_display(v, canvas, d, 0);
			}
			rc = 0;
		}
	}
	if (rc)
		fprintf(stderr, "tally-kiosk: %s\n", err);
	sqlite3_close(db);
	free(d);
	staff_view_free(v);
	return rc;
}

int kiosk_screenshot(const struct config *cfg, const char *name, int w, int h, const char *path,
		     int64_t clock_offset_ms)
{
	enum screen_name which;
	if (screen_parse_name(name, &which) != 0) {
		fprintf(stderr, "tally-kiosk: unknown screen \"%s\" (rating, thanks, out-of-order, staff, pin, display)\n",
			name);
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
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
		int painted = 0;
		if (which == SCREEN_STAFF || which == SCREEN_PIN || which == SCREEN_DISPLAY)
			painted = shoot_staff(cfg, text, canvas, which, now) == 0;
		else {
			screen_paint(s, canvas, &st);
			painted = 1;
		}
		if (painted && snapshot_save_png(canvas, path, err, sizeof(err)) == 0)
			code = 0;
		else if (painted)
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
