/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_rollup: a roll-up filled once after an upgrade (see hq_rollup.h).
 */
#include "hq_rollup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_dash_days.h"
#include "hq_db.h"
#include "log.h"

#define SLOT_S 900 /* rating_counts' quarter hour */

/* 1 filled, 0 not yet, -1 the mark cannot be read. */
static int filled(struct hq_db *db, const char *name)
{
	struct hq_db_stmt *st;
	char err[256];
	if (hq_db_cached(db, "SELECT value FROM dash_state WHERE name = ?", &st, err, sizeof(err)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, name);
	int rc = hq_db_step(st);
	int v = rc == HQ_DB_ROW ? (int)hq_db_column_int64(st, 0) : rc == HQ_DB_DONE ? 0 : -1;
	hq_db_reset(st);
	return v;
}

static int mark(struct hq_db *db, const char *name, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	const char *sql[] = { "DELETE FROM dash_state WHERE name = ?",
			      "INSERT INTO dash_state (name, value) VALUES (?, 1)" };
	for (int i = 0; i < 2; i++) {
		if (hq_db_cached(db, sql[i], &st, err, errlen) != HQ_DB_DONE)
			return -1;
		hq_db_bind_text(st, 1, name);
		int rc = hq_db_step(st);
		hq_db_reset(st);
		if (rc != HQ_DB_DONE) {
			snprintf(err, errlen, "%s", hq_db_errmsg(db));
			return -1;
		}
	}
	return 0;
}

int hq_rollup_ready(struct hq_store *s, const struct hq_rollup *r, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	int f = filled(db, r->name);
	if (f == 1)
		return 0;
	if (f < 0) {
		snprintf(err, errlen, "%s state: %s", r->reader, hq_db_errmsg(db));
		return -1;
	}
	err[0] = '\0';
	hq_store_write_lock(1);
	int rc = -1;
	if (hq_db_begin(db, 1, err, errlen) == HQ_DB_DONE) {
		/* Another thread may have filled it while this one waited for the lock. */
		f = filled(db, r->name);
		if (f == 1) {
			rc = 0;
		} else if (f == 0) {
			if (r->filling)
				log_msg(LOG_NOTICE, "%s", r->filling);
			if (r->rebuild(s, err, errlen) == 0 && mark(db, r->name, err, errlen) == 0)
				rc = 0;
		}
		if (rc == 0 && hq_db_commit(db, err, errlen) != HQ_DB_DONE)
			rc = -1;
		if (rc)
			hq_db_rollback(db);
	}
	hq_store_write_lock(0);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "cannot fill %s", r->name);
	} else if (f == 0) {
		log_msg(LOG_INFO, "%s", r->filled);
	}
	return rc;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) == (b < 0)) ? q + 1 : q;
}

/* Adds zone tz's spans over quarter hours [first, last] to rollup_zones. 0 or -1 with err. */
static int zone_spans(struct hq_db *db, const char *tz, int64_t first, int64_t last, char *err, size_t errlen)
{
	const struct tzif *z = hq_dash_zone(tz);
	struct hq_db_stmt *st;
	/* Not a cached statement: the table is dropped after each fill. */
	if (hq_db_prepare(db, "INSERT INTO rollup_zones (tz, lo, hi, off) VALUES (?, ?, ?, ?)", &st, err, errlen) !=
	    HQ_DB_DONE)
		return -1;
	int rc = HQ_DB_DONE;
	for (int64_t lo = first; lo <= last && rc == HQ_DB_DONE;) {
		/* The offset at the span's first quarter hour holds until the zone's next change (a second). */
		int64_t t = lo * SLOT_S, next = z ? tzif_next_change(z, t) : INT64_MAX;
		int64_t hi = next == INT64_MAX || next > (last + 1) * SLOT_S ? last + 1 : ceil_div(next, SLOT_S);
		hq_db_bind_text(st, 1, tz);
		hq_db_bind_int64(st, 2, lo);
		hq_db_bind_int64(st, 3, hi);
		hq_db_bind_int64(st, 4, z ? tzif_offset(z, t) : 0);
		rc = hq_db_step(st);
		hq_db_reset(st);
		lo = hi;
	}
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "rollup_zones: %s", hq_db_errmsg(db));
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* Fills rollup_zones for quarter hours [first, last] of every kiosk's zone. 0 or -1 with err. */
static int zones_fill(struct hq_db *db, int64_t first, int64_t last, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	if (hq_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS rollup_zones (tz TEXT NOT NULL, lo BIGINT NOT NULL,"
		       " hi BIGINT NOT NULL, off BIGINT NOT NULL); DELETE FROM rollup_zones", err, errlen) != HQ_DB_DONE ||
	    hq_db_prepare(db, "SELECT DISTINCT tz FROM kiosks", &st, err, errlen) != HQ_DB_DONE)
		return -1;
	/* The zones first, then the spans: one statement at a time on the connection. */
	char **tz = NULL;
	size_t n = 0, cap = 0;
	int rc, failed = 0;
	while (!failed && (rc = hq_db_step(st)) == HQ_DB_ROW) {
		const char *name = hq_db_column_text(st, 0);
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **more = realloc(tz, cap * sizeof(*tz));
			if (!more) {
				failed = 1;
				break;
			}
			tz = more;
		}
		/* Whole, as stored: the join matches it exactly (a name too long for a zone is UTC, as in ingest). */
		if (!(tz[n++] = strdup(name ? name : "")))
			failed = 1;
	}
	if (failed) {
		snprintf(err, errlen, "out of memory");
	} else if (rc != HQ_DB_DONE) {
		snprintf(err, errlen, "kiosks: %s", hq_db_errmsg(db));
		failed = 1;
	}
	hq_db_finalize(st);
	for (size_t i = 0; i < n && !failed; i++)
		failed = zone_spans(db, tz[i], first, last, err, errlen);
	for (size_t i = 0; i < n; i++)
		free(tz[i]);
	free(tz);
	return failed ? -1 : 0;
}

/*
 * Quarter-hour rows of rating_counts per statement, about. Why slices: one
 * statement over a year of 100 kiosks (2.3 million rows into 490,000 hour
 * totals) made PostgreSQL's grouping spill 300 MB to disk at its default
 * work_mem and compile the plan (JIT); slices of this size group in memory.
 */
static int64_t slice_rows = 32768;

void hq_rollup_slice_rows(int64_t rows)
{
	slice_rows = rows > 0 ? rows : 32768;
}

int hq_rollup_fill(struct hq_db *db, const char *sql, char *err, size_t errlen)
{
	/* rating_counts' first and last quarter hour, and its size. */
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, "SELECT min(slot), max(slot), count(*) FROM rating_counts", &st, err, errlen) !=
	    HQ_DB_DONE)
		return -1;
	int rc = hq_db_step(st);
	int64_t first = hq_db_column_int64(st, 0), last = hq_db_column_int64(st, 1), rows = hq_db_column_int64(st, 2);
	hq_db_finalize(st);
	if (rc != HQ_DB_ROW) {
		snprintf(err, errlen, "rating_counts: %s", hq_db_errmsg(db));
		return -1;
	}
	if (rows == 0)
		return 0;
	if (zones_fill(db, first, last, err, errlen) || hq_db_prepare(db, sql, &st, err, errlen) != HQ_DB_DONE)
		return -1;
	/* Slices of quarter hours sized from the average rows a quarter hour. */
	double span = (double)last - (double)first + 1;
	double fit = span * (double)slice_rows / (double)rows;
	int64_t step = fit < 1 ? 1 : fit >= span ? (int64_t)span : (int64_t)fit;
	rc = HQ_DB_DONE;
	for (int64_t lo = first; lo <= last && rc == HQ_DB_DONE; lo = last - lo < step ? last + 1 : lo + step) {
		hq_db_bind_int64(st, 1, lo);
		hq_db_bind_int64(st, 2, last - lo < step ? last + 1 : lo + step);
		rc = hq_db_step(st);
		if (rc != HQ_DB_DONE)
			snprintf(err, errlen, "%s", hq_db_errmsg(db));
		hq_db_reset(st);
	}
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return -1;
	return hq_db_exec(db, "DROP TABLE rollup_zones", err, errlen) == HQ_DB_DONE ? 0 : -1;
}
