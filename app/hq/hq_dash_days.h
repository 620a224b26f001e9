/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_dash_days: the dashboard's day totals (table rating_days): the
 * quarter-hour counts of rating_counts summed per kiosk and local day of
 * the kiosk's zone. Ingest adds to both in the batch's own transaction, so
 * the two never disagree; a month of a 100-kiosk chain is then 3,000 rows
 * to read instead of 150,000 quarter hours.
 *
 * A day is numbered as days since 1970-01-01 of the local calendar
 * (tzif_days_from_civil), so a period is a range of integers and the
 * previous period is plain arithmetic. Zones come from tzif (no $TZ) and
 * are loaded once per process.
 */
#ifndef HQ_DASH_DAYS_H
#define HQ_DASH_DAYS_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"
#include "rating.h"
#include "tzif.h"

/*
 * Days in a block of rating_blocks: the day totals summed per kiosk and
 * block of 16 local days (block b holds days 16b to 16b + 15), so that a
 * year's overview reads about 37 rows a kiosk and period (the whole blocks
 * in it and the days at its ends) instead of 365. 16 is about the best
 * for a year (365 / B blocks + B - 1 days at the ends), and no worse than
 * days for a month.
 */
#define HQ_DASH_BLOCK_DAYS 16

/* The block of day: floor(day / HQ_DASH_BLOCK_DAYS). */
int64_t hq_dash_block_of(int64_t day);

/* Day rows a batch gathers before they are written. */
#define HQ_DASH_DAYS_PENDING 16

/*
 * One kiosk's day totals being gathered (set n to 0 before the first
 * hq_dash_days_add): a batch's quarter hours mostly fall in a day or two,
 * so ingest writes a day row and a block row per day instead of both per
 * quarter hour.
 */
struct hq_dash_days_acc {
	char kiosk_id[RATING_ID_MAX];
	size_t n;
	struct hq_dash_days_row {
		int64_t day;
		int scale, known;
		int64_t v[5], misuse, closed;
	} row[HQ_DASH_DAYS_PENDING];
};

/*
 * Adds one quarter hour's counts of kiosk_id (zone tz) to a, for its local
 * day and the day's block; rows are written when a fills or another kiosk
 * comes, the rest by hq_dash_days_flush. Called by hq_store_ingest inside
 * the batch's transaction, under the write lock. 0, or -1 (database
 * error: the batch fails with it).
 */
int hq_dash_days_add(struct hq_store *s, struct hq_dash_days_acc *a, const char *kiosk_id, const char *tz,
		     int64_t slot, int scale, int known, const int64_t v[5], int64_t misuse, int64_t closed);

/* Adds what a holds to rating_days and rating_blocks and empties it. 0 or -1. */
int hq_dash_days_flush(struct hq_store *s, struct hq_dash_days_acc *a);

/*
 * Makes sure rating_days holds every count of rating_counts, and
 * rating_blocks every day of rating_days: a database from before a table
 * existed is filled once, in one write transaction each (ingest waits on
 * the write lock meanwhile). 0, or -1 with err.
 */
int hq_dash_days_ready(struct hq_store *s, char *err, size_t errlen);

/* The zone tz, loaded once per process and shared (read-only); UTC when tz cannot be loaded. Never NULL. */
const struct tzif *hq_dash_zone(const char *tz);

/* The local day number of instant ms (UTC milliseconds) in z, and its local hour (0..23) when hour is set. */
int64_t hq_dash_local_day(const struct tzif *z, int64_t ms, int *hour);

/* The UTC ms at which local day `day` begins in z (its first instant, DST gaps included). */
int64_t hq_dash_day_start(const struct tzif *z, int64_t day);

/* "YYYY-MM-DD" of a day number; out has at least 11 bytes. */
void hq_dash_day_text(int64_t day, char *out, size_t outlen);

#endif
