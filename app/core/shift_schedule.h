/*
 * shift_schedule: the kiosk store's record of its shift schedules, each
 * with the moment it came into force, so that changing [shifts] on
 * Wednesday leaves Monday's figures as they were (shifts_history), and so
 * tally-sync can carry every version to head office.
 *
 * The table shift_schedules (from_ms, definition) sits beside the ratings
 * in the kiosk's SQLite file; definition is shifts_format's text. It is
 * created by the first writer (the kiosk, at start and on reload) with
 * CREATE TABLE IF NOT EXISTS: readers that find no table see no history.
 */
#ifndef TALLY_SHIFT_SCHEDULE_H
#define TALLY_SHIFT_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "shift_history.h"

/*
 * Records s as in force from now_ms, unless it is the newest recorded one
 * already (or there is none and s has no shift). 1 recorded, 0 nothing to
 * do, -1 with err filled. One small write, only when the schedule changed.
 */
int shift_schedule_record(sqlite3 *db, const struct shifts *s, int64_t now_ms, char *err, size_t errlen);

/* One recorded version as text (for the wire). */
struct shift_schedule_row {
	int64_t from_ms;
	char definition[SHIFTS_TEXT_MAX];
};

/* The newest max versions, oldest first, into rows. Returns how many, or -1 with err. */
int shift_schedule_rows(sqlite3 *db, struct shift_schedule_row *rows, int max, char *err, size_t errlen);

/*
 * The history to count by: the recorded versions, then `current` (the
 * config being used) from now_ms if it differs from the newest. 0, or -1.
 */
int shift_schedule_history(sqlite3 *db, const struct shifts *current, int64_t now_ms, struct shifts_history *h,
			   char *err, size_t errlen);

#endif
