/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_hours: hour totals per kiosk and local day beside the quarter hours
 * (see hq_hours.h). The quarter hours stay the source: hour totals are
 * written from them, in the same transaction, and rebuilt from them when
 * missing (a database from before migration 10).
 */
#include "hq_hours.h"

#include <stdio.h>
#include <string.h>

#include "hq_dash_days.h"
#include "hq_db.h"
#include "hq_rollup.h"
#include "log.h"

#define SLOT_MS 900000

/* An hour already there (ingest adds a batch, the fill's slices share an hour) gets the new counts added. */
#define ADD_TO_HOUR                                                                                                   \
	" ON CONFLICT (day, kiosk_id, local_hour, scale) DO UPDATE SET"                                               \
	" v0 = rating_hours.v0 + excluded.v0, v1 = rating_hours.v1 + excluded.v1, v2 = rating_hours.v2 + excluded.v2," \
	" v3 = rating_hours.v3 + excluded.v3, v4 = rating_hours.v4 + excluded.v4,"                                    \
	" misuse = rating_hours.misuse + excluded.misuse, closed = rating_hours.closed + excluded.closed"

static const char *upsert_sql =
	"INSERT INTO rating_hours (day, kiosk_id, local_hour, scale, v0, v1, v2, v3, v4, misuse, closed)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" ADD_TO_HOUR;

int hq_hours_flush(struct hq_store *s, struct hq_hours_acc *a)
{
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	char err[256];
	if (!a->n)
		return 0;
	if (hq_db_cached(db, upsert_sql, &st, err, sizeof(err)) != HQ_DB_DONE) {
		log_msg(LOG_ERR, "rating_hours: %s", err);
		return -1;
	}
	int rc = HQ_DB_DONE;
	for (size_t i = 0; i < a->n && rc == HQ_DB_DONE; i++) {
		const struct hq_hours_row *r = &a->row[i];
		hq_db_bind_int64(st, 1, r->day);
		hq_db_bind_text(st, 2, a->kiosk_id);
		hq_db_bind_int64(st, 3, r->hour);
		hq_db_bind_int64(st, 4, r->scale);
		for (int v = 0; v < 5; v++)
			hq_db_bind_int64(st, 5 + v, r->v[v]);
		hq_db_bind_int64(st, 10, r->misuse);
		hq_db_bind_int64(st, 11, r->closed);
		rc = hq_db_step(st);
		if (rc != HQ_DB_DONE)
			log_msg(LOG_ERR, "rating_hours: %s", hq_db_errmsg(db));
		hq_db_reset(st);
	}
	a->n = 0;
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_hours_add(struct hq_store *s, struct hq_hours_acc *a, const char *kiosk_id, const char *tz, int64_t slot,
		 int scale, int known, const int64_t v[5], int64_t misuse, int64_t closed)
{
	int hour;
	int64_t day = hq_dash_local_day(hq_dash_zone(tz), slot * SLOT_MS, &hour);
	if (!known)
		hour = -1; /* counted in its day, left out of the hourly figures (as the summary always did) */
	/* Another kiosk, or a full table: write what is held (the upsert adds, so nothing is counted twice). */
	if (a->n && (strcmp(a->kiosk_id, kiosk_id) || a->n == HQ_HOURS_PENDING) && hq_hours_flush(s, a))
		return -1;
	if (!a->n)
		snprintf(a->kiosk_id, sizeof(a->kiosk_id), "%s", kiosk_id);
	size_t i;
	for (i = 0; i < a->n && !(a->row[i].day == day && a->row[i].hour == hour && a->row[i].scale == scale); i++)
		;
	if (i == a->n) {
		memset(&a->row[i], 0, sizeof(a->row[i]));
		a->row[i].day = day;
		a->row[i].hour = hour;
		a->row[i].scale = scale;
		a->n++;
	}
	struct hq_hours_row *r = &a->row[i];
	for (int k = 0; k < 5; k++)
		r->v[k] += v[k];
	r->misuse += misuse;
	r->closed += closed;
	return 0;
}

/*
 * Rebuilds rating_hours from rating_counts, inside the caller's write
 * transaction, in the database itself (hq_rollup_fill). A quarter hour
 * whose time is unknown counts in its day's hour -1, as hq_hours_add
 * writes it. 0 or -1 with err.
 */
static int rebuild(struct hq_store *s, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	if (hq_db_exec(db, "DELETE FROM rating_hours", err, errlen) != HQ_DB_DONE)
		return -1;
	return hq_rollup_fill(db, "INSERT INTO rating_hours (day, kiosk_id, local_hour, scale, v0, v1, v2, v3, v4,"
			      " misuse, closed) SELECT " HQ_ROLLUP_DAY ", rc.kiosk_id,"
			      " CASE WHEN rc.known = 0 THEN -1 ELSE " HQ_ROLLUP_HOUR " END, rc.scale," HQ_ROLLUP_SUMS
			      HQ_ROLLUP_FROM " GROUP BY 1, 2, 3, 4" ADD_TO_HOUR, err, errlen);
}

int hq_hours_ready(struct hq_store *s, char *err, size_t errlen)
{
	static const struct hq_rollup hours = {
		.name = "rating_hours",
		.reader = "summary",
		.filling = "summaries: summing the quarter-hour counts into hours (once, after an upgrade)",
		.filled = "summaries: hour totals filled from the quarter-hour counts",
		.rebuild = rebuild,
	};
	return hq_rollup_ready(s, &hours, err, errlen);
}
