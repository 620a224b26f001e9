/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_hours: the summary's hour totals (table rating_hours): the
 * quarter-hour counts of rating_counts summed per kiosk, local day and
 * local hour of the kiosk's zone (hour -1 for ratings whose time is
 * unknown). Ingest adds to it in the batch's own transaction, beside
 * rating_counts and rating_days, so the three never disagree.
 *
 * Why: a summary (one kiosk, its store and areas, the chain, with hourly
 * figures for each) read every quarter hour of the 40 hours that one
 * local day spans across the chain's zones and sorted them into days in
 * C. Keyed by local day it reads that day's rows only, about 13 a kiosk.
 *
 * Days and hours are those of hq_dash_days.h (hq_dash_local_day): days
 * since 1970-01-01 of the local calendar; on a fall-back day both 02:00
 * hours are hour 2, as the kiosk's own figures count them.
 */
#ifndef HQ_HOURS_H
#define HQ_HOURS_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"
#include "protocol.h"

/* Rows held before they are written: a batch's hours of one day, every scale. */
#define HQ_HOURS_PENDING 32

/* One kiosk's hour totals being gathered (zero it before the first hq_hours_add). */
struct hq_hours_acc {
	char kiosk_id[RATING_ID_MAX];
	size_t n;
	struct hq_hours_row {
		int64_t day;
		int hour, scale;
		int64_t v[5], misuse, closed;
	} row[HQ_HOURS_PENDING];
};

/*
 * Adds one quarter hour's counts of kiosk_id (zone tz) to a; rows are
 * written when a fills or another kiosk comes, the rest by
 * hq_hours_flush. Called inside the caller's write transaction (ingest's,
 * under the write lock). 0, or -1 (database error: the batch fails).
 */
int hq_hours_add(struct hq_store *s, struct hq_hours_acc *a, const char *kiosk_id, const char *tz, int64_t slot,
		 int scale, int known, const int64_t v[5], int64_t misuse, int64_t closed);

/* Writes what a holds (adding to rows already there) and empties it. 0 or -1. */
int hq_hours_flush(struct hq_store *s, struct hq_hours_acc *a);

/*
 * Makes sure rating_hours holds every count of rating_counts: a database
 * from before the table existed is filled once, in one write transaction
 * (ingest waits on the write lock meanwhile). Cheap once filled (one
 * cached read). 0, or -1 with err.
 */
int hq_hours_ready(struct hq_store *s, char *err, size_t errlen);

#endif
