/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rating_flow: from a lit face to a stored rating and a thank-you.
 *
 * Order after a press (the durability promise): light the face, present,
 * commit to SQLite (fsync), then the thank-you screen. A failed commit
 * shows "out of order" instead of thanking anyone, lights the status LED
 * for the admin, and the store is tried again until it works. Presses
 * outside [hours] are stored, flagged closed; presses the filter judges
 * misuse are stored too, flagged, and a burst of them is logged once.
 */
#include "rating_flow.h"

#include <stdio.h>

#include "clockstate.h"
#include "followup_flow.h"
#include "kiosk_lang.h"
#include "log.h"

/* How often a kiosk without a working store tries again. */
#define STORE_RETRY_MS 10000

void rating_flow_cancel_thanks(struct kiosk *k)
{
	if (k->thanks_timer > 0)
		loop_del_timer(k->loop, k->thanks_timer);
	k->thanks_timer = 0;
}

void rating_flow_led(struct kiosk *k, int i)
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
	rating_flow_led(k, -1);
	kiosk_show(k, opening_is_open(k->opening) ? SCREEN_RATING : SCREEN_CLOSED);
	kiosk_lang_after_rating(k);
}

void rating_flow_thank(struct kiosk *k)
{
	rating_flow_cancel_thanks(k);
	kiosk_show(k, SCREEN_THANKS);
	k->thanks_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->thanks_s * 1000), thanks_over, k);
}

/* The lit face has shown: the follow-up question if one is asked after this rating, else the thank-you. */
static void highlight_over(void *arg)
{
	struct kiosk *k = arg;
	k->thanks_timer = 0; /* this timer has fired */
	if (followup_flow_ask(k))
		return;
	rating_flow_thank(k);
}

static void retry_store(void *arg);

static void notice_over(void *arg)
{
	struct kiosk *k = arg;
	k->notice_timer = 0;
	k->state.notice = NULL;
	if (k->state.name == SCREEN_CLOSED)
		opening_light(k->opening, 0);
	k->dirty = 1;
}

void rating_flow_notice(struct kiosk *k, const char *text, double seconds)
{
	kiosk_stop_timer(k, &k->notice_timer);
	snprintf(k->notice, sizeof(k->notice), "%s", text);
	k->state.notice = k->notice;
	k->dirty = 1;
	k->notice_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(seconds * 1000), notice_over, k);
}

static void out_of_order(struct kiosk *k, const char *why)
{
	rating_flow_cancel_thanks(k);
	snprintf(k->detail, sizeof(k->detail), "%s", why);
	k->state.detail = k->detail;
	if (k->buttons) /* an admin is needed */
		buttons_input_set_status_led(k->buttons, 1);
	kiosk_show(k, SCREEN_OUT_OF_ORDER);
	kiosk_update_status(k);
	if (k->retry_timer <= 0)
		k->retry_timer = loop_add_timer(k->loop, loop_now_ms() + STORE_RETRY_MS, retry_store, k);
}

/* Out of order no more: the faces (or the dark screen) again. */
static void back_in_order(struct kiosk *k)
{
	if (k->buttons)
		buttons_input_set_status_led(k->buttons, 0);
	if (k->state.name == SCREEN_OUT_OF_ORDER) /* a staff view open over it stays */
		kiosk_show(k, opening_is_open(k->opening) ? SCREEN_RATING : SCREEN_CLOSED);
	log_msg(LOG_NOTICE, "store: working again");
	kiosk_update_status(k);
}

void rating_flow_try_store(struct kiosk *k)
{
	int was_out = kiosk_problem(k) != NULL;
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
	if (was_out)
		back_in_order(k);
}

static void retry_store(void *arg)
{
	rating_flow_try_store(arg);
}

void rating_flow_face_down(struct kiosk *k, int face)
{
	if (k->state.name != SCREEN_RATING || k->state.highlight >= 0)
		return;
	k->state.highlight = face;
	kiosk_present(k);
	int64_t t0 = k->pushed_ns;
	if (t0)
		latency_add(&k->press_to_present, latency_now_ns() - t0);
}

void rating_flow_rate(struct kiosk *k, int face, enum rating_source source, int64_t at_ns)
{
	if (!k->store) {
		log_msg(LOG_WARNING, "press on face %d not stored: no working database", face + 1);
		return;
	}
	/* face is a position on screen (button 1 = leftmost); the store keeps the value. */
	struct rating r = { .value = config_face_value(k->cfg, face), .scale = k->cfg->faces, .source = source };
	snprintf(r.kiosk_id, sizeof(r.kiosk_id), "%s", k->cfg->kiosk_id);
	if (at_ns)
		clockstate_stamp_at(&r, at_ns);
	else
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
	/* Asked about when its highlight ends; a misuse rating too (its answer is kept, not counted). */
	k->asked_seq = 0;
	if (!(r.flags & RATING_CLOSED))
		followup_flow_rated(k, &r);
	if (k->state.name == SCREEN_OUT_OF_ORDER) /* stored again: the disk has room */
		back_in_order(k);
	if (k->state.name == SCREEN_CLOSED) {
		/* Stored, flagged closed; the customer is told when to come back, not ignored. */
		char text[sizeof(k->notice)];
		opening_closed_text(k->opening, kiosk_texts(k), text, sizeof(text));
		opening_light(k->opening, 1);
		rating_flow_notice(k, text, k->cfg->closed_wake_s);
		log_msg(LOG_INFO, "press while closed: stored, flagged closed; screen shows \"%s\"", text);
	} else if (source == SOURCE_BUTTON) {
		rating_flow_led(k, face); /* through the thank-you screen */
	}
	k->ratings++;
	log_msg(LOG_DEBUG, "rating %lld: face %d of %d by %s, value %d%s", (long long)r.seq, face + 1, r.scale,
		rating_source_name(source), r.value, r.flags & RATING_MISUSE ? " (misuse)" : "");
	if (k->state.name == SCREEN_RATING) {
		if (k->state.highlight < 0) {
			k->state.highlight = face;
			k->dirty = 1;
		}
		k->state.chosen = face;
		kiosk_stop_timer(k, &k->notice_timer); /* "Please choose again" is answered */
		k->state.notice = NULL;
		rating_flow_cancel_thanks(k);
		k->thanks_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->highlight_s * 1000), highlight_over, k);
	} else if (k->state.name == SCREEN_THANKS) {
		/* Pressed again while thanked: stored (the filter judged it); thank anew. */
		k->state.chosen = face;
		rating_flow_cancel_thanks(k);
		highlight_over(k);
	}
}

void rating_flow_press(struct kiosk *k, int face, enum rating_source source)
{
	if (face < 0 || face >= k->cfg->faces)
		return;
	rating_flow_face_down(k, face);
	rating_flow_rate(k, face, source, 0);
}
