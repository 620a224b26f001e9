/*
 * hours: a store's opening hours per weekday, and whether it is open at a
 * local time. Outside them the kiosk dims and flags presses "closed".
 *
 * A day's hours are written "08:00-20:00", "closed", or "" (open all day,
 * the default). A range that ends at or before it starts runs past
 * midnight ("18:00-02:00"): its early hours count on the next day.
 */
#ifndef TALLY_HOURS_H
#define TALLY_HOURS_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * When the store next opens, seen from (wday, minute) while closed: its
 * weekday, minute and how many local midnights lie between. 0, or -1 if
 * it never opens (every day closed).
 */
int hours_next_open(const struct day_hours week[7], int wday, int minute, int *open_wday, int *open_minute,
		    int *days_ahead);

/* Local weekday and minute at UTC time ms in zone tz; 0, or -1 with err. */
int hours_local_now(const char *tz, int64_t ms, int *wday, int *minute, char *err, size_t errlen);

#endif
