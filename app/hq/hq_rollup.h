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
 * For a rebuild, in its transaction: the temporary table rollup_zones (tz,
 * lo, hi, off) holding, for every zone a kiosk is in, the quarter hours
 * [lo, hi) of rating_counts' span during which the zone is off seconds
 * ahead of UTC, computed with tzif exactly as ingest does (hq_dash_zone:
 * an unloadable zone counts as UTC). A zone changes its offset twice a
 * year, so the table is small, and with it a rebuild is one INSERT ...
 * SELECT that the database runs alone (HQ_ROLLUP_FROM and the local day
 * and hour below), instead of every quarter hour crossing to C and every
 * roll-up row coming back one upsert at a time (22 minutes for a year of
 * 100 kiosks on PostgreSQL). 0, or -1 with err. hq_rollup_zones_drop
 * removes the table again.
 */
int hq_rollup_zones(struct hq_db *db, char *err, size_t errlen);
int hq_rollup_zones_drop(struct hq_db *db, char *err, size_t errlen);

/*
 * The quarter hours (rc) of known kiosks (k) with the offset of their
 * zone at that time (z), scales 3 to 5 only (ingest writes no other; a
 * hand-edited row is left out, as the summary does).
 */
#define HQ_ROLLUP_FROM                                                                                                \
	" FROM rating_counts rc JOIN kiosks k ON k.id = rc.kiosk_id"                                                  \
	" JOIN rollup_zones z ON z.tz = k.tz AND rc.slot >= z.lo AND rc.slot < z.hi"                                  \
	" WHERE rc.scale >= 3 AND rc.scale <= 5"
/* The local wall time of a quarter hour's start, in seconds since 1970-01-01 local. */
#define HQ_ROLLUP_LOCAL "(rc.slot * 900 + z.off)"
/* Its second of the local day, 0..86399 also before 1970 (both engines' % keeps the dividend's sign). */
#define HQ_ROLLUP_SECOND "((" HQ_ROLLUP_LOCAL " % 86400 + 86400) % 86400)"
/* Its local day number (hq_dash_local_day) and hour (0..23). */
#define HQ_ROLLUP_DAY "((" HQ_ROLLUP_LOCAL " - " HQ_ROLLUP_SECOND ") / 86400)"
#define HQ_ROLLUP_HOUR "(" HQ_ROLLUP_SECOND " / 3600)"

#endif
