/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_rollup: fills a roll-up table once, after an upgrade added it.
 *
 * Ingest keeps every roll-up (rating_days, rating_hours) in the batch's own
 * transaction; a database from before the migration that added one has
 * ratings but no rows in it. The first reader (or `tally-hq migrate`) fills
 * it from what the database holds, under the write lock and in one
 * transaction, and marks it done in dash_state under its name, so every
 * later reader pays one cached probe.
 */
#ifndef HQ_ROLLUP_H
#define HQ_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "hq_db.h"
#include "hq_store.h"

struct hq_rollup {
	const char *name;    /* the table, and its mark in dash_state */
	const char *reader;  /* for errors: "summary", "dashboard" */
	const char *filling; /* logged before a fill, or NULL */
	const char *filled;  /* logged after it */
	/* Writes every row from the database's other tables; inside the transaction. */
	int (*rebuild)(struct hq_store *s, char *err, size_t errlen);
};

/* 0 when the roll-up is filled (now or before); -1 with err set. */
int hq_rollup_ready(struct hq_store *s, const struct hq_rollup *r, char *err, size_t errlen);

/*
 * For a rebuild, in its transaction: runs sql, an INSERT ... SELECT
 * HQ_ROLLUP_FROM ... GROUP BY ... ON CONFLICT DO UPDATE adding the counts,
 * once for each slice of rating_counts' quarter hours, ?1 (first) to ?2
 * (past the last) in the slot order of its primary key; a group that two
 * slices share is added up by the upsert. Beside it, the temporary table
 * rollup_zones (tz, lo, hi, off) holds for every zone a kiosk is in the
 * quarter hours [lo, hi) during which the zone is off seconds ahead of
 * UTC, from tzif exactly as ingest computes them (hq_dash_zone: an
 * unloadable zone counts as UTC). A zone changes its offset about twice a
 * year, so the table stays small and the rows never leave the database:
 * the rebuild used to bring every quarter hour to C and send every roll-up
 * row back as its own upsert (22 minutes for a year of 100 kiosks on
 * PostgreSQL). 0, or -1 with err.
 */
int hq_rollup_fill(struct hq_db *db, const char *sql, char *err, size_t errlen);

/*
 * The slices' size in rows of rating_counts (default 32,768; 0 sets it
 * back). For tests: with a few rows a slice, every day and hour is split
 * between slices, and a fill must still equal ingest's roll-ups.
 */
void hq_rollup_slice_rows(int64_t rows);

/*
 * The quarter hours (rc) of the slice, of known kiosks (k), with the
 * offset of their zone at that time (z); scales 3 to 5 only (ingest writes
 * no other; a hand-edited row is left out, as the summary does).
 */
#define HQ_ROLLUP_FROM                                                                                                \
	" FROM rating_counts rc JOIN kiosks k ON k.id = rc.kiosk_id"                                                  \
	" JOIN rollup_zones z ON z.tz = k.tz AND rc.slot >= z.lo AND rc.slot < z.hi"                                  \
	" WHERE rc.slot >= ?1 AND rc.slot < ?2 AND rc.scale >= 3 AND rc.scale <= 5"
/* The local wall time of a quarter hour's start, in seconds since 1970-01-01 local. */
#define HQ_ROLLUP_LOCAL "(rc.slot * 900 + z.off)"
/* Its second of the local day, 0..86399 also before 1970 (both engines' % keeps the dividend's sign). */
#define HQ_ROLLUP_SECOND "((" HQ_ROLLUP_LOCAL " % 86400 + 86400) % 86400)"
/* Its local day number (hq_dash_local_day) and hour (0..23). */
#define HQ_ROLLUP_DAY "((" HQ_ROLLUP_LOCAL " - " HQ_ROLLUP_SECOND ") / 86400)"
#define HQ_ROLLUP_HOUR "(" HQ_ROLLUP_SECOND " / 3600)"
/* The sums of a group, in the order v0..v4, misuse, closed. */
#define HQ_ROLLUP_SUMS                                                                                                \
	" CAST(sum(rc.v0) AS BIGINT), CAST(sum(rc.v1) AS BIGINT), CAST(sum(rc.v2) AS BIGINT),"                         \
	" CAST(sum(rc.v3) AS BIGINT), CAST(sum(rc.v4) AS BIGINT), CAST(sum(rc.misuse) AS BIGINT),"                     \
	" CAST(sum(rc.closed) AS BIGINT)"

#endif
