/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_dash_days: day totals per kiosk beside the quarter hours (see
 * hq_dash_days.h).
 *
 * Why a second table rather than summing rating_counts at request time:
 * a 30-day overview with its previous period reads 60 days of quarter
 * hours of every kiosk (about 300,000 rows for 100 kiosks open 12 hours),
 * which alone costs SQLite more than the 100 ms the page may take. Summed
 * per local day it is 6,000 rows. The quarter hours stay the source: the
 * day totals are written from them, in the same transaction, and rebuilt
 * from them when missing.
 */
#include "hq_dash_days.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_db.h"
#include "hq_rollup.h"
#include "log.h"

#define SLOT_MS 900000

/* Zones loaded once per process: read-only after loading, so shared by every thread. */
static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dash_zone {
	char name[HQ_TZ_MAX];
	struct tzif *z;
} *zones;
static size_t nzones;
static struct tzif *utc;

const struct tzif *hq_dash_zone(const char *tz)
{
	const struct tzif *hit = NULL;
	char err[256];
	pthread_mutex_lock(&zones_lock);
	for (size_t i = 0; i < nzones && !hit; i++)
		if (!strcmp(zones[i].name, tz ? tz : ""))
			hit = zones[i].z;
	if (!hit && tz && strlen(tz) < HQ_TZ_MAX) {
		struct tzif *z;
		struct dash_zone *more = realloc(zones, (nzones + 1) * sizeof(*more));
		if (more) {
			zones = more;
			if (tzif_load(&z, tz, err, sizeof(err)) == 0) {
				snprintf(zones[nzones].name, sizeof(zones[nzones].name), "%s", tz);
				zones[nzones++].z = z;
				hit = z;
			} else {
				log_msg(LOG_WARNING, "time zone %s: %s; its kiosks' days are counted in UTC", tz, err);
			}
		}
	}
	if (!hit) {
		/* Kiosk zones are checked at kiosk add: this is tzdata removed since. */
		if (!utc && tzif_load(&utc, "UTC", err, sizeof(err)))
			utc = NULL;
		hit = utc;
	}
	pthread_mutex_unlock(&zones_lock);
	return hit;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t hq_dash_local_day(const struct tzif *z, int64_t ms, int *hour)
{
	int64_t t = floor_div(ms, 1000);
	int64_t local = t + (z ? tzif_offset(z, t) : 0);
	int64_t day = floor_div(local, 86400);
	if (hour)
		*hour = (int)((local - day * 86400) / 3600);
	return day;
}

int64_t hq_dash_day_start(const struct tzif *z, int64_t day)
{
	int64_t t, gap_end;
	if (!z)
		return day * 86400 * 1000;
	/* Midnight inside a spring-forward gap (some zones move at 00:00): the day starts when the gap ends. */
	if (tzif_to_utc(z, day * 86400, &t, &gap_end) == 1)
		t = gap_end;
	return t * 1000;
}

void hq_dash_day_text(int64_t day, char *out, size_t outlen)
{
	int y, m, d;
	tzif_civil_from_days(day, &y, &m, &d);
	snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
}

/* A day already there (ingest adds a batch, the fill's slices share a day) gets the new counts added. */
#define ADD_TO_DAY                                                                                                    \
	" ON CONFLICT (kiosk_id, day, scale, known) DO UPDATE SET"                                                    \
	" v0 = rating_days.v0 + excluded.v0, v1 = rating_days.v1 + excluded.v1, v2 = rating_days.v2 + excluded.v2,"   \
	" v3 = rating_days.v3 + excluded.v3, v4 = rating_days.v4 + excluded.v4,"                                      \
	" misuse = rating_days.misuse + excluded.misuse, closed = rating_days.closed + excluded.closed"

static const char *upsert_sql =
	"INSERT INTO rating_days (kiosk_id, day, scale, known, v0, v1, v2, v3, v4, misuse, closed)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" ADD_TO_DAY;

static int upsert(struct hq_db *db, const char *kiosk_id, int64_t day, int scale, int known, const int64_t v[5],
		  int64_t misuse, int64_t closed)
{
	struct hq_db_stmt *st;
	char err[256];
	if (hq_db_cached(db, upsert_sql, &st, err, sizeof(err)) != HQ_DB_DONE) {
		log_msg(LOG_ERR, "rating_days: %s", err);
		return -1;
	}
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_int64(st, 2, day);
	hq_db_bind_int64(st, 3, scale);
	hq_db_bind_int64(st, 4, known);
	for (int i = 0; i < 5; i++)
		hq_db_bind_int64(st, 5 + i, v[i]);
	hq_db_bind_int64(st, 10, misuse);
	hq_db_bind_int64(st, 11, closed);
	int rc = hq_db_step(st);
	if (rc != HQ_DB_DONE)
		log_msg(LOG_ERR, "rating_days: %s", hq_db_errmsg(db));
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_dash_days_add(struct hq_store *s, const char *kiosk_id, const char *tz, int64_t slot, int scale,
		     int known, const int64_t v[5], int64_t misuse, int64_t closed)
{
	int64_t day = hq_dash_local_day(hq_dash_zone(tz), slot * SLOT_MS, NULL);
	return upsert(hq_store_sql(s), kiosk_id, day, scale, known, v, misuse, closed);
}

/*
 * Rebuilds rating_days from rating_counts, inside the caller's write
 * transaction, in the database itself (hq_rollup_fill). 0 or -1 with err.
 */
static int rebuild(struct hq_db *db, char *err, size_t errlen)
{
	if (hq_db_exec(db, "DELETE FROM rating_days", err, errlen) != HQ_DB_DONE)
		return -1;
	return hq_rollup_fill(db, "INSERT INTO rating_days (kiosk_id, day, scale, known, v0, v1, v2, v3, v4, misuse,"
			      " closed) SELECT rc.kiosk_id, " HQ_ROLLUP_DAY ", rc.scale, rc.known," HQ_ROLLUP_SUMS
			      HQ_ROLLUP_FROM " GROUP BY 1, 2, 3, 4" ADD_TO_DAY, err, errlen);
}

static int rebuild_store(struct hq_store *s, char *err, size_t errlen)
{
	return rebuild(hq_store_sql(s), err, errlen);
}

int hq_dash_days_ready(struct hq_store *s, char *err, size_t errlen)
{
	static const struct hq_rollup days = {
		.name = "rating_days",
		.reader = "dashboard",
		.filled = "dashboard: day totals filled from the quarter-hour counts",
		.rebuild = rebuild_store,
	};
	return hq_rollup_ready(s, &days, err, errlen);
}
