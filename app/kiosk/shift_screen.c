/*
 * shift_screen: a timer wakes the loop at the next shift end (capped, so a
 * wall clock set by NTP after boot is noticed: loop timers run on the
 * monotonic clock); the shift is then pending until the loop finds the
 * kiosk idle. Figures are read when it shows, from the store (rating
 * mode) or the read-only connection (wall display).
 */
#include "shift_screen.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "shift_schedule.h"
#include "staff_access.h"

/* Re-checks a shift end further ahead than this rather than waiting for it. */
#define SHIFT_RECHECK_MS (15 * 60 * 1000)

/* The schedule history, as shift_view.c reads it (the store's versions and the config's). */
static struct shifts_history history;

static sqlite3 *figures_db(struct kiosk *k)
{
	return k->cfg->mode == MODE_DISPLAY ? k->ro_db : k->store ? store_db(k->store) : NULL;
}

static void arm(struct kiosk *k);

static void tick(void *arg)
{
	struct kiosk *k = arg;
	k->shift_timer = 0;
	char err[512];
	int64_t now = kiosk_wall_now_ms(k);
	struct shift_occ ended;
	int due = shift_schedule_history(figures_db(k), &k->cfg->shifts, now, &history, err, sizeof(err)) == 0
			  ? shift_end_due(&k->shift_end, &history, k->cfg->timezone, now,
					  (int64_t)(k->cfg->shift_end_grace_s * 1000), &ended, err, sizeof(err))
			  : -1;
	if (due < 0)
		log_msg(LOG_WARNING, "shift end: %s", err);
	if (due == 1 && !(k->shift_pending && k->shift_ended.end_ms == ended.end_ms)) {
		k->shift_ended = ended;
		k->shift_pending = 1;
		log_msg(LOG_INFO, "shift end: %s shift ended; shown at the next moment between customers", ended.name);
	}
	arm(k);
}

static void arm(struct kiosk *k)
{
	kiosk_stop_timer(k, &k->shift_timer);
	int64_t next = shift_end_next(&history, k->cfg->timezone, kiosk_wall_now_ms(k));
	if (next < 0)
		next = SHIFT_RECHECK_MS; /* nothing ends within two days: look again later */
	if (next > SHIFT_RECHECK_MS)
		next = SHIFT_RECHECK_MS;
	k->shift_timer = loop_add_timer(k->loop, loop_now_ms() + next + 5, tick, k);
}

void shift_screen_start(struct kiosk *k)
{
	char err[512];
	int64_t now = kiosk_wall_now_ms(k);
	/* A changed [shifts] is recorded with the moment it came into force (one small write). */
	if (k->cfg->mode == MODE_RATING && k->store) {
		int rc = shift_schedule_record(store_db(k->store), &k->cfg->shifts, now, err, sizeof(err));
		if (rc < 0)
			log_msg(LOG_WARNING, "shifts: %s", err);
		else if (rc > 0)
			log_msg(LOG_NOTICE, "shifts: schedule recorded (%d shift%s)", k->cfg->shifts.n,
				k->cfg->shifts.n == 1 ? "" : "s");
	}
	if (!k->cfg->shift_end || k->cfg->shifts.n == 0)
		return;
	/* Just started (or reloaded): a shift that ended within the grace period is due at once. */
	tick(k);
}

void shift_screen_stop(struct kiosk *k)
{
	kiosk_stop_timer(k, &k->shift_timer);
	k->shift_pending = 0;
	if (k->state.name == SCREEN_SHIFT_END)
		shift_screen_close(k, "schedule changed");
}

static void time_up(void *arg)
{
	struct kiosk *k = arg;
	k->shift_close_timer = 0;
	shift_screen_close(k, "time up");
}

void shift_screen_close(struct kiosk *k, const char *why)
{
	kiosk_stop_timer(k, &k->shift_close_timer);
	if (k->state.name != SCREEN_SHIFT_END)
		return;
	opening_keep_lit(k->opening, 0);
	log_msg(LOG_INFO, "shift end: screen closed (%s)", why);
	kiosk_show(k, k->cfg->mode == MODE_DISPLAY   ? SCREEN_DISPLAY
		      : opening_is_open(k->opening) ? SCREEN_RATING
						    : SCREEN_CLOSED);
}

/* Between customers: nothing lit, no thank-you, no staff screen, no corner press, not out of order. */
static int idle(const struct kiosk *k)
{
	if (k->cfg->mode == MODE_DISPLAY)
		return k->state.name == SCREEN_DISPLAY;
	if (k->state.name == SCREEN_CLOSED)
		return 1;
	return k->state.name == SCREEN_RATING && k->state.highlight < 0 && k->thanks_timer <= 0 &&
	       k->corner_timer <= 0;
}

void shift_screen_idle(struct kiosk *k)
{
	if (!k->shift_pending || !idle(k))
		return;
	k->shift_pending = 0;
	int64_t now = kiosk_wall_now_ms(k);
	shift_end_done(&k->shift_end, k->shift_ended.end_ms);
	if (now - k->shift_ended.end_ms > (int64_t)(k->cfg->shift_end_grace_s * 1000)) {
		log_msg(LOG_NOTICE, "shift end: %s shift not shown: no moment between customers within %.0f s",
			k->shift_ended.name, k->cfg->shift_end_grace_s);
		return;
	}
	char err[512];
	if (!k->shift_shown && !(k->shift_shown = malloc(sizeof(*k->shift_shown)))) {
		log_msg(LOG_ERR, "shift end: out of memory");
		return;
	}
	if (shift_data_result(figures_db(k), k->cfg, &k->shift_ended, now, k->shift_shown, err, sizeof(err))) {
		log_msg(LOG_WARNING, "shift end: %s", err);
		return;
	}
	char sentence[512];
	struct shift_texts t;
	shift_view_texts(k->cfg, NULL, &t);
	shift_sentence(k->shift_shown, k->cfg->shift_weeks, k->cfg->shift_min_ratings, &t, sentence, sizeof(sentence));
	opening_keep_lit(k->opening, 1); /* the Late shift ends at closing time: the team still reads it */
	log_msg(LOG_NOTICE, "shift end: shown: %s (%lld ratings)", sentence, (long long)k->shift_shown->now.total);
	kiosk_show(k, SCREEN_SHIFT_END);
	kiosk_stop_timer(k, &k->shift_close_timer);
	k->shift_close_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->shift_end_s * 1000), time_up, k);
}
