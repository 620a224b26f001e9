/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hours: a store's opening hours per weekday, and whether it is open at a
 * local time. Outside them the kiosk dims and flags presses "closed".
 *
 * A day's hours are written "08:00-20:00", "closed", or "" (open all day,
 * the default). A range that ends at or before it starts runs past
 * midnight ("18:00-02:00"): its early hours count on the next day.
 *
 * A dated line replaces its weekday's hours on that one date
 * ("2026-12-24 = 08:00-14:00", "2026-12-25 = closed"); the same form
 * dates [shifts] (shifts.h).
 */
#ifndef TALLY_HOURS_H
#define TALLY_HOURS_H

#include <stddef.h>
#include <stdint.h>

#include "tzday.h"

struct day_hours {
	int open_min;   /* minutes after local midnight */
	int close_min;  /* == open_min with all_day; < open_min past midnight */
	int closed;     /* closed all day */
	int all_day;    /* open all day (no range given) */
};

/* Parses a day's hours; 0, or -1 if malformed. */
int hours_parse(const char *text, struct day_hours *out);

/* Open all day, every day: the default. */
void hours_always_open(struct day_hours week[7]);

/* Whether the store is open at minute (0..1439) of weekday wday (0 = Sunday). */
int hours_open_at(const struct day_hours week[7], int wday, int minute);

/* Whether every day is open all day (nothing to schedule). */
int hours_all_open(const struct day_hours week[7]);

/* Minutes from (wday, minute) to the next opening or closing, at most a week; -1 if never. */
int hours_next_change(const struct day_hours week[7], int wday, int minute);

/* Local weekday and minute at UTC time ms in zone tz; 0, or -1 with err. */
int hours_local_now(const char *tz, int64_t ms, int *wday, int *minute, char *err, size_t errlen);

#define HOURS_MAX_DATED 32

/* One date's hours, replacing its weekday's. */
struct hours_dated {
	struct tzdate date;
	struct day_hours h;
};

/* A week of hours with its dated exceptions. */
struct hours_calendar {
	const struct day_hours *week;   /* [7], 0 = Sunday */
	const struct hours_dated *dated;
	int ndated;
};

/* The hours that apply on date: its dated line if there is one, else its weekday's. */
struct day_hours hours_on_date(const struct hours_calendar *c, struct tzdate date);

/* Whether the store is open at minute of local date (yesterday's range past midnight included). */
int hours_open_on(const struct hours_calendar *c, struct tzdate date, int minute);

/* Whether nothing is ever closed: every weekday all day and no dated line. */
int hours_calendar_all_open(const struct hours_calendar *c);

/* Minutes from (date, minute) to the next opening or closing, at most two weeks; -1 if never. */
int hours_next_change_on(const struct hours_calendar *c, struct tzdate date, int minute);

/*
 * When the store next opens, seen from (date, minute): its date, minute
 * and how many local midnights lie between (0: today). Open now: the
 * opening after the coming closing. 0, or -1 if it does not open within
 * two weeks.
 */
int hours_next_open_on(const struct hours_calendar *c, struct tzdate date, int minute, struct tzdate *open_date,
		       int *open_minute, int *days_ahead);

/* Local date and minute at UTC time ms in zone tz; 0, or -1 with err. */
int hours_local_date(const char *tz, int64_t ms, struct tzdate *date, int *minute, char *err, size_t errlen);

#endif
