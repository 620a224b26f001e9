/*
 * shift_history: a store's shift schedules over time (shifts.h), and which
 * shift an instant falls in by the schedule that was in force then, so a
 * schedule changed on Wednesday leaves Monday's shifts as they were. The
 * kiosk keeps the versions in its store (shift_schedule.h), head office per
 * kiosk (hq_shifts.h). Pure apart from tzday.
 */
#ifndef TALLY_SHIFT_HISTORY_H
#define TALLY_SHIFT_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "shifts.h"

#define SHIFTS_MAX_VERSIONS 16  /* schedule versions kept in a history */

/*
 * A schedule's history: versions in order of from_ms. Version 0 also
 * covers the time before it was recorded (a store that starts using shifts
 * sees its past weeks in them); each later one applies to the shifts that
 * start at or after its from_ms, so a schedule changed on Wednesday leaves
 * Monday's shifts as they were.
 */
struct shifts_version {
	int64_t from_ms;
	struct shifts s;
};
struct shifts_history {
	int n;
	struct shifts_version v[SHIFTS_MAX_VERSIONS];
};

/*
 * Appends s valid from from_ms, unless it equals the newest version (then
 * nothing changes). When full, the oldest is dropped. 1 added, 0 same.
 */
int shifts_history_add(struct shifts_history *h, const struct shifts *s, int64_t from_ms);

/* Whether any version has a shift. */
int shifts_history_any(const struct shifts_history *h);

/*
 * The shifts that start on `date` as each was scheduled at its start (see
 * above). Same contract as shifts_on_date.
 */
int shifts_history_on_date(const struct shifts_history *h, const char *tz, struct tzdate date,
			   struct shift_occ *out, int max, char *err, size_t errlen);

/*
 * The shift that instant ms falls in, by the history: 1 with *out filled,
 * 0 when it is in none, -1 with err filled.
 */
int shifts_history_at(const struct shifts_history *h, const char *tz, int64_t ms, struct shift_occ *out,
		      char *err, size_t errlen);

/*
 * Finding the shift of many instants in a row (an export, head office's
 * summary): the shifts of one local day (and the night before) are kept,
 * so instants of the same day cost no zone switching.
 */
struct shifts_finder {
	const struct shifts_history *h;
	const char *tz;
	int valid;
	int64_t day_start_ms, day_end_ms;   /* the local day cached */
	int n;
	struct shift_occ occ[2 * SHIFTS_PER_DAY]; /* that day's and the day before's, earliest first */
};

/* Starts a finder over h in zone tz (both must outlive it). */
void shifts_finder_init(struct shifts_finder *f, const struct shifts_history *h, const char *tz);

/* As shifts_history_at, cached: 1 with *out, 0 in no shift, -1 with err. */
int shifts_finder_at(struct shifts_finder *f, int64_t ms, struct shift_occ *out, char *err, size_t errlen);

#endif
