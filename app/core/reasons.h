/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reasons: the follow-up answers of one local day, most given first, as
 * the staff view, the wall display and `tallyctl stats` show them ("top
 * reasons today").
 *
 * Which answers count: those of ratings the day's figures count (stats.h:
 * the configured scale, no flag, placed in the day by their best time).
 * A misuse rating's answer is kept with it but not counted; how many such
 * answers there were is told apart. Answers are told apart by kind too:
 * "Staff" after a positive rating is praise, after another a complaint.
 */
#ifndef TALLY_REASONS_H
#define TALLY_REASONS_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "tzday.h"

#define REASONS_MAX 12 /* both lists' answers, and an old one or two */

struct reason_count {
	char text[65];
	int positive;     /* given after a positive rating */
	int64_t count;
};

struct reasons_day {
	int n;                               /* entries in top, most given first */
	struct reason_count top[REASONS_MAX];
	int64_t answered;                    /* counted ratings with an answer */
	int64_t misuse_answered;             /* misuse ratings with an answer: kept, not counted */
};

/*
 * The answers of day (tzday_make) for ratings with scale faces, from a
 * kiosk store's connection. A NULL db, or a store from before answers
 * (schema < 6, not yet opened by the kiosk), has none. 0, or -1 with err.
 */
int reasons_day_compute(sqlite3 *db, const struct tzday *day, int scale, struct reasons_day *out, char *err,
			size_t errlen);

#endif
