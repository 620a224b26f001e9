/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_access: opening and closing the staff view.
 *
 * Three ways in: the buttons' staff chord (buttons.c decides it), a long
 * press of [staff] corner_hold_s in a corner of the rating screen (then the
 * PIN pad when a PIN is set: PIN_TRIES wrong ones and it gives up), and
 * the [staff] view_at schedule. The view closes after [staff] view_s (an
 * abandoned PIN pad too) or at any press. The press that closes it is
 * swallowed whole (kiosk_input.c keeps a button's release from rating), and
 * presses in the CLOSE_GUARD_MS after are ignored, so closing the view
 * never becomes a rating.
 */
#include "staff_access.h"

#include <string.h>

#include "log.h"
#include "rating_flow.h"
#include "tzday.h"

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

int staff_access_showing(const struct kiosk *k)
{
	return k->state.name == SCREEN_STAFF || k->state.name == SCREEN_PIN;
}

void staff_access_close(struct kiosk *k, const char *why)
{
	kiosk_stop_timer(k, &k->staff_timer);
	if (!staff_access_showing(k))
		return;
	k->guard_until = loop_now_ms() + CLOSE_GUARD_MS;
	k->guard_edge_ns = 0;
	log_msg(LOG_NOTICE, "staff view: closed (%s)", why);
	kiosk_show(k, kiosk_problem(k) ? SCREEN_OUT_OF_ORDER : opening_is_open(k->opening) ? SCREEN_RATING : SCREEN_CLOSED);
}

void staff_access_close_by_button(struct kiosk *k, int64_t at_ns)
{
	staff_access_close(k, "button");
	k->guard_edge_ns = at_ns + (int64_t)CLOSE_GUARD_MS * 1000000;
}

static void staff_time_up(void *arg)
{
	struct kiosk *k = arg;
	k->staff_timer = 0;
	staff_access_close(k, "time is up");
}

static void staff_timer_start(struct kiosk *k)
{
	kiosk_stop_timer(k, &k->staff_timer);
	k->staff_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->staff_view_s * 1000), staff_time_up, k);
}

void staff_access_open(struct kiosk *k, const char *why)
{
	char err[512];
	if (!k->staff) {
		log_msg(LOG_WARNING, "staff view (%s) not opened: no staff view", why);
		return;
	}
	/*
	 * Out of order, it opens all the same with no figures: the staff are
	 * who needs to see why (the red band kiosk_present adds), not the
	 * customer.
	 */
	if (staff_data_load(k->data, k->store ? store_db(k->store) : NULL, k->cfg, kiosk_wall_now_ms(k), err, sizeof(err)) ||
	    staff_view_set_data(k->staff, k->data)) {
		log_msg(LOG_ERR, "staff view (%s) not opened: %s", why, err);
		return;
	}
	rating_flow_cancel_thanks(k);
	rating_flow_led(k, -1);
	staff_timer_start(k);
	log_msg(LOG_NOTICE, "staff view: open (%s): %lld ratings today%s", why, (long long)k->data->view.today.total,
		k->data->have_summary ? ", with head office's figures" : "");
	kiosk_show(k, SCREEN_STAFF);
}

static void pin_open(struct kiosk *k)
{
	k->pin_len = 0;
	k->pin_wrong = 0;
	k->pin_tries = 0;
	staff_timer_start(k); /* an abandoned pad goes back to the faces too */
	log_msg(LOG_NOTICE, "staff view: PIN asked");
	kiosk_show(k, SCREEN_PIN);
}

void staff_access_pin_key(struct kiosk *k, int digit)
{
	if (digit == STAFF_PIN_CANCEL) {
		staff_access_close(k, "PIN cancelled");
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
		staff_access_open(k, "corner long press and PIN");
		return;
	}
	k->pin_wrong = 1;
	log_msg(LOG_WARNING, "staff view: wrong PIN");
	if (++k->pin_tries >= PIN_TRIES)
		staff_access_close(k, "wrong PIN too often");
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
		staff_access_open(k, "corner long press");
}

void staff_access_corner_down(struct kiosk *k, int64_t pointer)
{
	kiosk_stop_timer(k, &k->corner_timer);
	k->corner_pointer = pointer;
	k->corner_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->staff_corner_hold_s * 1000),
					 corner_held, k);
}

void staff_access_pointer_up(struct kiosk *k, int64_t pointer)
{
	if (k->corner_timer > 0 && k->corner_pointer == pointer)
		kiosk_stop_timer(k, &k->corner_timer); /* let go too soon: nothing at all */
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

void staff_access_schedule_arm(struct kiosk *k, int64_t after)
{
	kiosk_stop_timer(k, &k->schedule_timer);
	k->schedule_due = schedule_next(k, after);
	if (!k->schedule_due)
		return;
	int64_t wait = k->schedule_due - kiosk_wall_now_ms(k);
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
	int64_t now = kiosk_wall_now_ms(k);
	if (now < k->schedule_due - 50) { /* a re-check, or the wall clock moved */
		staff_access_schedule_arm(k, now - 1);
		return;
	}
	if (k->state.name == SCREEN_THANKS || k->state.name == SCREEN_QUESTION ||
	    (k->state.name == SCREEN_RATING && k->state.highlight >= 0)) {
		/* A customer is being thanked (or asked why): open when they are done. */
		k->schedule_timer = loop_add_timer(k->loop, loop_now_ms() + 500, schedule_fire, k);
		return;
	}
	if (k->state.name == SCREEN_RATING)
		staff_access_open(k, "schedule");
	staff_access_schedule_arm(k, k->schedule_due);
}

int staff_access_guarded(struct kiosk *k)
{
	if (loop_now_ms() >= k->guard_until)
		return 0;
	log_msg(LOG_INFO, "press ignored: the staff view closed just before");
	return 1;
}

/*
 * When a button closed the view, its guard runs on the edges' own time
 * base, which a simulated chip may replay faster than the wall clock (and
 * the kernel stamps before the loop wakes).
 */
int staff_access_guarded_button(struct kiosk *k, const struct button_event *ev)
{
	if (!k->guard_edge_ns)
		return staff_access_guarded(k);
	if (ev->at_ns >= k->guard_edge_ns)
		return 0;
	log_msg(LOG_INFO, "press ignored: the staff view closed just before");
	return 1;
}
