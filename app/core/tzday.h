/*
 * tzday: the store's local calendar day in its IANA time zone
 * ("Europe/Berlin"), as an interval of UTC milliseconds, and which local
 * clock hour an instant falls in.
 *
 * A local day is not always 24 hours: the DST spring-forward day has 23,
 * the fall-back day 25. Everything here works from the zone's rules in
 * tzdata (/usr/share/zoneinfo, read by tzif.c), never by adding 86,400
 * seconds.
 *
 * Thread-safe: nothing here touches $TZ or any other process-wide state
 * (each call reads the zone it names; tzday_make_in takes a zone already
 * loaded, for callers that use one zone often or many zones at once).
 */
#ifndef TALLY_TZDAY_H
#define TALLY_TZDAY_H

#include <stddef.h>
#include <stdint.h>

#include "tzif.h"

/* A day may have up to 26 hours (a zone shifting by two hours). */
#define TZDAY_MAX_HOURS 26
#define TZDAY_SLOT_MS (15 * 60 * 1000)
#define TZDAY_MAX_SLOTS (TZDAY_MAX_HOURS * 4)

/* A calendar date: year, month 1..12, day 1..31. */
struct tzdate {
	int year, month, day;
};

/* One local day of one zone. */
struct tzday {
	struct tzdate date;
	int wday;                 /* 0 = Sunday .. 6 = Saturday */
	int64_t start_ms;         /* local midnight, UTC ms */
	int64_t end_ms;           /* the next local midnight (exclusive) */
	int nslots;               /* quarter hours in the day */
	signed char slot_hour[TZDAY_MAX_SLOTS]; /* local hour of each quarter hour from start_ms */
};

/*
 * Whether tz names a zone that can be loaded (a TZif file under $TZDIR or
 * /usr/share/zoneinfo). 0, or -1 with err filled. glibc silently treats an
 * unknown name as UTC; this catches it before a store's days go wrong.
 */
int tzday_valid(const char *tz, char *err, size_t errlen);

/* Fills d with local day `date` in zone tz. 0, or -1 with err filled. */
int tzday_make(struct tzday *d, const char *tz, struct tzdate date, char *err, size_t errlen);
/* The same in a zone loaded with tzif_load. */
int tzday_make_in(struct tzday *d, const struct tzif *z, struct tzdate date, char *err, size_t errlen);

/* Local clock hour 0..23 of instant ms within d, or -1 if ms is outside d. */
int tzday_hour(const struct tzday *d, int64_t ms);

/* The local date (and hour, if hour is not NULL) of instant ms in tz. 0 or -1. */
int tzday_date_of(const char *tz, int64_t ms, struct tzdate *out, int *hour, char *err, size_t errlen);

/*
 * UTC ms of local wall time date h:m:s in tz. A time that does not exist
 * (inside the spring-forward gap) is moved on by the gap, as mktime does;
 * one that exists twice (fall-back) is the earlier. 0, or -1 with err.
 */
int tzday_local_to_ms(const char *tz, struct tzdate date, int h, int m, int s, int64_t *out, char *err,
		      size_t errlen);

/* Offset of local time from UTC at instant ms, in seconds (east positive). 0 or -1. */
int tzday_offset_at(const char *tz, int64_t ms, long *offset_s, char *err, size_t errlen);

/* date moved by `days` calendar days (negative: back). Pure arithmetic, no zone. */
struct tzdate tzday_add_days(struct tzdate date, int days);

/* Day of the week of date: 0 = Sunday. */
int tzday_weekday(struct tzdate date);

/* Parses exactly "YYYY-MM-DD" (a real date). 0, or -1. */
int tzday_parse_date(const char *s, struct tzdate *out);

#endif
