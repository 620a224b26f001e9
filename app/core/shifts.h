/*
 * shifts: a store's named shifts per weekday, in its local time, and the
 * shifts they make on a date (shift_history.h: which one an instant is in).
 *
 * The [shifts] section of the config, one shift per line:
 *
 *     Early   = Mon-Fri 06:00-14:00
 *     Late    = Mon-Fri 14:00-22:00
 *     Weekend = Sat-Sun 09:00-18:00, Fri 22:00-02:00
 *     2026-12-24 = Early 08:00-12:00, Late 12:00-16:00
 *     2026-12-25 = closed
 *
 * A shift runs on the weekdays named (Mon, Mon-Fri, Fri-Mon; several spans
 * separated by commas). A range that ends at or before it starts runs past
 * midnight: it belongs to the day it starts on. A dated line, as in
 * [hours], replaces every shift that starts on that date ("closed": none
 * that day); its names must be shifts defined in the section.
 *
 * Two shifts may not overlap (a rating must belong to one); a gap between
 * two shifts of one day, or an opening hour no shift covers, is allowed
 * and reported by `tallyctl check-config` as a note.
 *
 * Times are minutes of the local day; the UTC bounds of a shift on a date
 * come from tzday (DST included: a night shift over the fall-back night
 * lasts an hour longer). Pure apart from tzday: no SQLite, no SDL.
 */
#ifndef TALLY_SHIFTS_H
#define TALLY_SHIFTS_H

#include <stddef.h>
#include <stdint.h>

#include "hours.h"
#include "tzday.h"

#define SHIFTS_MAX 8            /* shifts defined */
#define SHIFTS_NAME_MAX 32      /* bytes of a name, NUL included */
#define SHIFTS_MAX_SPANS 7      /* weekday spans of one shift */
#define SHIFTS_MAX_DATED 32     /* dated exceptions */
#define SHIFTS_PER_DAY 8        /* shifts that can start on one date */
#define SHIFTS_TEXT_MAX 4096    /* a schedule written out as text */

/* One run of a shift: on these weekdays, from start to end (minutes of the local day). */
struct shift_span {
	unsigned char days;     /* bit d set: runs on weekday d (0 = Sunday) */
	int start_min, end_min; /* end <= start: runs past midnight into the next day */
};

struct shift_def {
	char name[SHIFTS_NAME_MAX];
	int nspans;
	struct shift_span span[SHIFTS_MAX_SPANS];
	int line;               /* config line it was defined on (0: not from a file) */
};

/* A dated exception: the shifts that start on `date`, replacing the weekday's. */
struct shift_dated {
	struct tzdate date;
	int n;                  /* 0: no shift that day ("closed") */
	int shift[SHIFTS_PER_DAY];
	int start_min[SHIFTS_PER_DAY], end_min[SHIFTS_PER_DAY];
	char pending[SHIFTS_PER_DAY][SHIFTS_NAME_MAX]; /* names until shifts_resolve */
	int line;
};

struct shifts {
	int n;
	struct shift_def def[SHIFTS_MAX];
	int ndated;
	struct shift_dated dated[SHIFTS_MAX_DATED];
};

/* One shift on one date: what stats count ratings into. */
struct shift_occ {
	char name[SHIFTS_NAME_MAX];
	struct tzdate date;     /* local date it starts on */
	int start_min, end_min; /* as configured */
	int64_t start_ms, end_ms; /* UTC, [start, end) */
};

/* Problems found by shifts_check: each with the config line it is about. */
typedef void (*shifts_report_fn)(void *arg, int line, const char *message);

/* An empty schedule (no shifts: the default). */
void shifts_init(struct shifts *s);

/*
 * Adds one line of [shifts]: key is a shift name or a date YYYY-MM-DD.
 * 0, or -1 with err filled (one line, without the file:line: prefix).
 */
int shifts_add_line(struct shifts *s, const char *key, const char *value, int line, char *err, size_t errlen);

/*
 * After the last line: resolves the names of dated lines, and refuses
 * overlapping shifts. Calls report for each problem; returns their number.
 */
int shifts_check(struct shifts *s, shifts_report_fn report, void *arg);

/*
 * Notes, not problems: gaps between two shifts of one weekday, and opening
 * hours (hours, may be NULL) that no shift covers. Calls note for each;
 * returns their number.
 */
int shifts_gaps(const struct shifts *s, const struct day_hours hours[7], shifts_report_fn note, void *arg);

/* Index of the shift named name, or -1. */
int shifts_find_name(const struct shifts *s, const char *name);

/*
 * The shifts that start on local date `date` in zone tz, earliest first,
 * into out (at most max). Returns how many, or -1 with err filled.
 */
int shifts_on_date(const struct shifts *s, const char *tz, struct tzdate date, struct shift_occ *out, int max,
		   char *err, size_t errlen);

/*
 * Writes s as [shifts] lines ("Early = Mon-Fri 06:00-14:00\n"), one form
 * for every equal schedule, so two can be compared as text and carried to
 * head office. Returns 0, or -1 if out is too small.
 */
int shifts_format(const struct shifts *s, char *out, size_t outlen);

/* Parses text written by shifts_format (or [shifts] lines). 0, or -1 with err. */
int shifts_parse_text(const char *text, struct shifts *s, char *err, size_t errlen);

#endif
