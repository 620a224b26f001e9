/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opening: a loop timer at the next opening or closing. The wait is capped
 * at a quarter of an hour and re-checked then: loop timers run on the
 * monotonic clock, while opening hours are wall-clock times that NTP may
 * still move after a boot (the Pi has no RTC).
 */
#include "opening.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backlight.h"
#include "hours.h"
#include "log.h"

#define RECHECK_MS (15 * 60 * 1000)

struct opening {
	const struct config *cfg;
	struct loop *loop;
	opening_clock_fn clock;
	opening_changed_fn changed;
	void *arg;
	struct backlight *backlight;
	int open;
	int awake;        /* lit while closed (a shift's result showing) */
	int timer;
};

/* Open now? Minutes to the next change in *next (-1: none). */
static int open_now(struct opening *o, int *next)
{
	struct tzdate date;
	int minute;
	char err[256];
	struct hours_calendar cal = { o->cfg->hours, o->cfg->hours_dated, o->cfg->hours_ndated };
	*next = -1;
	if (hours_calendar_all_open(&cal))
		return 1;
	if (hours_local_date(o->cfg->timezone, o->clock(o->arg), &date, &minute, err, sizeof(err)) != 0) {
		log_msg(LOG_WARNING, "opening hours: %s; taking the store as open", err);
		return 1;
	}
	*next = hours_next_change_on(&cal, date, minute);
	return hours_open_on(&cal, date, minute);
}

static void apply_backlight(struct opening *o)
{
	char err[256];
	if (o->backlight && backlight_set(o->backlight, o->open || o->awake, err, sizeof(err)) != 0)
		log_msg(LOG_WARNING, "%s", err);
}

void opening_keep_lit(struct opening *o, int lit)
{
	if (!o || o->awake == lit)
		return;
	o->awake = lit;
	apply_backlight(o);
}

static void tick(void *arg);

/* Wakes a second after the minute of the next change turns, capped so a clock step is noticed. */
static void arm(struct opening *o, int next_min)
{
	if (next_min < 0)
		return;
	int64_t wait = (int64_t)next_min * 60000 - (o->clock(o->arg) % 60000) + 1000;
	if (wait > RECHECK_MS)
		wait = RECHECK_MS;
	if (wait < 1000)
		wait = 1000;
	o->timer = loop_add_timer(o->loop, loop_now_ms() + wait, tick, o);
}

static void tick(void *arg)
{
	struct opening *o = arg;
	int next;
	int open = open_now(o, &next);
	o->timer = 0;
	if (open != o->open) {
		o->open = open;
		/* Dimmed first, then said: whoever acts on the line finds the panel as it says. */
		apply_backlight(o);
		log_msg(LOG_NOTICE, "store %s (opening hours): %s", open ? "opens" : "closes",
			open ? "faces back" : "screen dimmed, presses stored as closed");
		o->changed(open, o->arg);
	}
	arm(o, next);
}

struct opening *opening_start(const struct config *cfg, struct loop *loop, opening_clock_fn clock,
			      opening_changed_fn changed, void *arg)
{
	struct opening *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	*o = (struct opening){ .cfg = cfg, .loop = loop, .clock = clock, .changed = changed, .arg = arg, .open = 1 };
	if (!(hours_all_open(cfg->hours) && cfg->hours_ndated == 0) && backlight_open(&o->backlight))
		log_msg(LOG_INFO, "opening hours: dimming %s while closed", backlight_path(o->backlight));
	int next;
	o->open = open_now(o, &next);
	if (!o->open) {
		apply_backlight(o);
		log_msg(LOG_NOTICE, "store closed (opening hours): screen dimmed, presses stored as closed");
	}
	arm(o, next);
	return o;
}

void opening_free(struct opening *o)
{
	if (!o)
		return;
	if (o->timer > 0)
		loop_del_timer(o->loop, o->timer);
	if (!o->open) {
		o->open = 1;
		apply_backlight(o); /* a stopped kiosk leaves the panel lit */
	}
	backlight_close(o->backlight);
	free(o);
}

int opening_is_open(const struct opening *o)
{
	return !o || o->open;
}

void opening_light(struct opening *o, int lit)
{
	char err[256];
	if (o && !o->open && o->backlight && backlight_set(o->backlight, lit, err, sizeof(err)) != 0)
		log_msg(LOG_WARNING, "%s", err);
}

/* The n-th (0 = Sunday) of the comma-separated weekday names, trimmed. */
static void weekday_name(const char *names, int n, char *buf, size_t len)
{
	const char *p = names;
	for (int i = 0; i < n && p; i++)
		if ((p = strchr(p, ',')))
			p++;
	if (!p) {
		snprintf(buf, len, "?");
		return;
	}
	while (*p == ' ')
		p++;
	size_t l = strcspn(p, ",");
	while (l > 0 && p[l - 1] == ' ')
		l--;
	snprintf(buf, len, "%.*s", (int)l, p);
}

/* template with {time} and {day} filled in. */
static void fill_in(const char *template, const char *time, const char *day, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	if (!template)
		return; /* never: both texts are arrays; scan-build cannot tell through the language's config */
	for (const char *p = template; *p && used + 1 < len;) {
		const char *with = NULL;
		size_t skip = 1;
		if (!strncmp(p, "{time}", 6))
			with = time, skip = 6;
		else if (!strncmp(p, "{day}", 5))
			with = day, skip = 5;
		if (with) {
			int n = snprintf(buf + used, len - used, "%s", with);
			used += n > 0 && (size_t)n < len - used ? (size_t)n : len - used - 1;
		} else {
			buf[used++] = *p;
			buf[used] = '\0';
		}
		p += skip;
	}
}

void opening_closed_text(const struct opening *o, const struct config *texts, char *buf, size_t len)
{
	const struct config *cfg = o->cfg;
	struct hours_calendar cal = { cfg->hours, cfg->hours_dated, cfg->hours_ndated };
	struct tzdate date, open_date;
	int minute, open_minute, days;
	char err[256];
	/* Dated lines count: a holiday's closed day is skipped, a special opening named. */
	if (hours_local_date(cfg->timezone, o->clock(o->arg), &date, &minute, err, sizeof(err)) != 0 ||
	    hours_next_open_on(&cal, date, minute, &open_date, &open_minute, &days) != 0) {
		/* No time to give: the words before the dash (or the first placeholder), "Closed". */
		const char *t = texts->t_closed, *cut = NULL;
		static const char *dashes[] = { " \u2014", " \u2013", "\uff0c", ",", "{" };
		for (size_t i = 0; i < sizeof(dashes) / sizeof(dashes[0]) && !cut; i++)
			cut = strstr(t, dashes[i]);
		size_t l = cut ? (size_t)(cut - t) : strlen(t);
		snprintf(buf, len, "%.*s", (int)l, t);
		return;
	}
	char time[8], day[64];
	snprintf(time, sizeof(time), "%02d:%02d", open_minute / 60 % 24, open_minute % 60);
	weekday_name(texts->t_weekdays, tzday_weekday(open_date), day, sizeof(day));
	fill_in(days == 0 ? texts->t_closed : texts->t_closed_day, time, day, buf, len);
}
