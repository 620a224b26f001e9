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
 * from them when missing. Beside them the 16-day blocks (rating_blocks),
 * for long ranges: a year of day rows was most of a year's overview on
 * PostgreSQL; written with each day row, rebuilt from the day totals.
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

/* A row already there (ingest adds a batch, the fill's slices share a day) gets the new counts added. */
#define ADD_TO(T)                                                                                                     \
	" DO UPDATE SET v0 = " T ".v0 + excluded.v0, v1 = " T ".v1 + excluded.v1, v2 = " T ".v2 + excluded.v2,"      \
	" v3 = " T ".v3 + excluded.v3, v4 = " T ".v4 + excluded.v4,"                                                  \
	" misuse = " T ".misuse + excluded.misuse, closed = " T ".closed + excluded.closed"
#define ADD_TO_DAY " ON CONFLICT (kiosk_id, day, scale, known)" ADD_TO("rating_days")

static const char *const upsert_sql[2] = {
	"INSERT INTO rating_days (kiosk_id, day, scale, known, v0, v1, v2, v3, v4, misuse, closed)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" ADD_TO_DAY,
	"INSERT INTO rating_blocks (kiosk_id, block, scale, known, v0, v1, v2, v3, v4, misuse, closed)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, block, scale, known)" ADD_TO("rating_blocks"),
};

int64_t hq_dash_block_of(int64_t day)
{
	return floor_div(day, HQ_DASH_BLOCK_DAYS);
}
/* Adds row r's counts to its day's row (table 0) or to block `day`'s (1). 0 or -1 (logged). */
static int upsert(struct hq_db *db, int table, const char *kiosk_id, int64_t day, const struct hq_dash_days_row *r)
{
	static const char *const name[2] = { "rating_days", "rating_blocks" };
	struct hq_db_stmt *st;
	char err[256];
	if (hq_db_cached(db, upsert_sql[table], &st, err, sizeof(err)) != HQ_DB_DONE) {
		log_msg(LOG_ERR, "%s: %s", name[table], err);
		return -1;
	}
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_int64(st, 2, day);
	hq_db_bind_int64(st, 3, r->scale);
	hq_db_bind_int64(st, 4, r->known);
	for (int i = 0; i < 5; i++)
		hq_db_bind_int64(st, 5 + i, r->v[i]);
	hq_db_bind_int64(st, 10, r->misuse);
	hq_db_bind_int64(st, 11, r->closed);
	int rc = hq_db_step(st);
	if (rc != HQ_DB_DONE)
		log_msg(LOG_ERR, "%s: %s", name[table], hq_db_errmsg(db));
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

static void row_add(struct hq_dash_days_row *to, const struct hq_dash_days_row *r)
{
	for (int i = 0; i < 5; i++)
		to->v[i] += r->v[i];
	to->misuse += r->misuse;
	to->closed += r->closed;
}

int hq_dash_days_flush(struct hq_store *s, struct hq_dash_days_acc *a)
{
	struct hq_db *db = hq_store_sql(s);
	int rc = 0;
	for (size_t i = 0; i < a->n && !rc; i++)
		rc = upsert(db, 0, a->kiosk_id, a->row[i].day, &a->row[i]);
	/* The blocks: the held days summed per block, scale and known (done: summed into an earlier row). */
	int done[HQ_DASH_DAYS_PENDING] = { 0 };
	for (size_t i = 0; i < a->n && !rc; i++) {
		if (done[i])
			continue;
		struct hq_dash_days_row b = a->row[i];
		int64_t block = hq_dash_block_of(b.day);
		for (size_t j = i + 1; j < a->n; j++) {
			const struct hq_dash_days_row *r = &a->row[j];
			if (!done[j] && hq_dash_block_of(r->day) == block && r->scale == b.scale && r->known == b.known) {
				row_add(&b, r);
				done[j] = 1;
			}
		}
		rc = upsert(db, 1, a->kiosk_id, block, &b);
	}
	a->n = 0;
	return rc;
}

int hq_dash_days_add(struct hq_store *s, struct hq_dash_days_acc *a, const char *kiosk_id, const char *tz,
		     int64_t slot, int scale, int known, const int64_t v[5], int64_t misuse, int64_t closed)
{
	int64_t day = hq_dash_local_day(hq_dash_zone(tz), slot * SLOT_MS, NULL);
	/* Another kiosk, or a full table: write what is held (the upserts add, so nothing is counted twice). */
	if (a->n && (strcmp(a->kiosk_id, kiosk_id) || a->n == HQ_DASH_DAYS_PENDING) && hq_dash_days_flush(s, a))
		return -1;
	if (!a->n)
		snprintf(a->kiosk_id, sizeof(a->kiosk_id), "%s", kiosk_id);
	size_t i;
	for (i = 0; i < a->n && !(a->row[i].day == day && a->row[i].scale == scale && a->row[i].known == known); i++)
		;
	if (i == a->n) {
		memset(&a->row[i], 0, sizeof(a->row[i]));
		a->row[i].day = day;
		a->row[i].scale = scale;
		a->row[i].known = known;
		a->n++;
	}
	struct hq_dash_days_row r = { .v = { v[0], v[1], v[2], v[3], v[4] }, .misuse = misuse, .closed = closed };
	row_add(&a->row[i], &r);
	return 0;
}

/*
 * Rebuilds rating_days from rating_counts, inside the caller's write
 * transaction, in the database itself (hq_rollup_fill). 0 or -1 with err.
 */
static int rebuild(struct hq_db *db, char *err, size_t errlen)
{
	if (hq_db_exec(db, "DELETE FROM rating_days", err, errlen) != HQ_DB_DONE)
		return -1;
	/*
	 * Grouped by day first: grouped by kiosk first, SQLite walked the whole
	 * of rating_counts_kiosk for every slice (its order is the kiosk's)
	 * instead of the slice's range of the primary key: 9 minutes, not 20 s.
	 */
	return hq_rollup_fill(db, "INSERT INTO rating_days (kiosk_id, day, scale, known, v0, v1, v2, v3, v4, misuse,"
			      " closed) SELECT rc.kiosk_id, " HQ_ROLLUP_DAY ", rc.scale, rc.known," HQ_ROLLUP_SUMS
			      HQ_ROLLUP_FROM " GROUP BY 2, 1, 3, 4" ADD_TO_DAY, err, errlen);
}

static int rebuild_store(struct hq_store *s, char *err, size_t errlen)
{
	return rebuild(hq_store_sql(s), err, errlen);
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define B STR(HQ_DASH_BLOCK_DAYS)

/* Rebuilds rating_blocks from rating_days (filled before it), inside the caller's write transaction. */
static int rebuild_blocks(struct hq_store *s, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	if (hq_db_exec(db, "DELETE FROM rating_blocks", err, errlen) != HQ_DB_DONE)
		return -1;
	/* floor(day / B) in integers, also before 1970 (both engines' % keeps the dividend's sign). */
	if (hq_db_exec(db, "INSERT INTO rating_blocks (kiosk_id, block, scale, known, v0, v1, v2, v3, v4, misuse,"
		       " closed) SELECT kiosk_id, (day - (day % " B " + " B ") % " B ") / " B ", scale, known,"
		       " CAST(sum(v0) AS BIGINT), CAST(sum(v1) AS BIGINT), CAST(sum(v2) AS BIGINT),"
		       " CAST(sum(v3) AS BIGINT), CAST(sum(v4) AS BIGINT), CAST(sum(misuse) AS BIGINT),"
		       " CAST(sum(closed) AS BIGINT) FROM rating_days GROUP BY 1, 2, 3, 4", err, errlen) != HQ_DB_DONE)
		return -1;
	return 0;
}

int hq_dash_days_ready(struct hq_store *s, char *err, size_t errlen)
{
	static const struct hq_rollup days = {
		.name = "rating_days",
		.reader = "dashboard",
		.filled = "dashboard: day totals filled from the quarter-hour counts",
		.rebuild = rebuild_store,
	};
	static const struct hq_rollup blocks = {
		.name = "rating_blocks",
		.reader = "dashboard",
		.filled = "dashboard: 16-day totals filled from the day totals",
		.rebuild = rebuild_blocks,
	};
	return hq_rollup_ready(s, &days, err, errlen) || hq_rollup_ready(s, &blocks, err, errlen) ? -1 : 0;
}
