/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_export: ratings in arrival order, page by page (hq_store_export).
 * The cursor is the ratings' rowid: SQLite's own, an identity column on
 * PostgreSQL (hq_migrate.c).
 *
 * Two things the PostgreSQL engine needs, done for both:
 * - Rows are read CHUNK at a time (rowid > cursor ORDER BY rowid LIMIT
 *   CHUNK), not as one query over the whole range: libpq holds a
 *   statement's whole result in memory, and an export of a year would.
 * - With several replicas, rowids become visible out of order (a
 *   transaction holding rowid 100 may commit after the one holding 101).
 *   A page never goes past the horizon (hq_db_horizon: no row at or below
 *   it can still appear), and names a next page while rows may still
 *   appear above it, so a client that follows the cursor skips nothing.
 *   SQLite's horizon is unbounded: one writer, rowids above every
 *   committed one.
 */
#include "hq_store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Rows per query: what libpq holds in memory at once. */
#define CHUNK 1000

/*
 * The current row of st into the page: skipped when outside its kiosk's
 * days; when the page is full already, *full is set and *next names the
 * last row given. 0, or -1 with err (fn refused the row).
 */
static int export_one(struct hq_db_stmt *st, const struct hq_zones *z, const struct hq_export_query *q,
		      struct hq_export_row *row, int (*fn)(const struct hq_export_row *row, void *arg), void *arg,
		      int *n, int64_t *next, int *full, char *err, size_t errlen)
{
	int zi = hq_zones_find(z, hq_db_column_text(st, 17));
	int64_t ms = hq_db_column_int64(st, 12);
	if (zi < 0 || ms < z->from[zi].start_ms || ms >= z->end_ms[zi])
		return 0;
	if (*n == q->limit) {
		/* There is at least one more row: the page ends at the previous one. */
		*next = row->cursor;
		*full = 1;
		return 0;
	}
	memset(row, 0, sizeof(*row));
	row->cursor = hq_db_column_int64(st, 0);
	struct rating *r = &row->p.r;
	hq_store_text(st, 1, r->kiosk_id, sizeof(r->kiosk_id));
	r->seq = hq_db_column_int64(st, 2);
	r->value = (int)hq_db_column_int64(st, 3);
	r->scale = (int)hq_db_column_int64(st, 4);
	rating_source_parse(hq_db_column_text(st, 5), &r->source);
	r->wall_ms = hq_db_column_int64(st, 6);
	r->boot_ms = hq_db_column_int64(st, 7);
	hq_store_text(st, 8, r->boot_id, sizeof(r->boot_id));
	r->clock_synced = (int)hq_db_column_int64(st, 9);
	row->p.has_corrected = !hq_db_column_null(st, 10);
	row->p.corrected_ms = hq_db_column_int64(st, 10);
	r->flags = (int)hq_db_column_int64(st, 11);
	row->time_ms = ms;
	row->time_known = (int)hq_db_column_int64(st, 13);
	row->received_ms = hq_db_column_int64(st, 14);
	hq_store_text(st, 15, row->store, sizeof(row->store));
	hq_store_text(st, 16, row->area, sizeof(row->area));
	hq_store_text(st, 18, row->install_id, sizeof(row->install_id));
	row->p.corrected_by = (int)hq_db_column_int64(st, 19);
	row->p.corrected_err_ms = hq_db_column_int64(st, 20);
	hq_store_text(st, 21, row->reason, sizeof(row->reason));
	if (fn(row, arg)) {
		/* A page cut short here would look like the last one: fail instead. */
		snprintf(err, errlen, "export stopped at row %lld", (long long)row->cursor);
		return -1;
	}
	(*n)++;
	return 0;
}

int hq_store_export(struct hq_store *s, const struct hq_export_query *q,
		    int (*fn)(const struct hq_export_row *row, void *arg), void *arg,
		    int64_t *next, char *err, size_t errlen)
{
	*next = 0;
	const char *store = q->store && *q->store ? q->store : NULL;
	struct hq_zones *z = calloc(1, sizeof(*z));
	struct hq_export_row *row = calloc(1, sizeof(*row));
	struct hq_db_stmt *st = NULL;
	int rc = -1;
	if (!z || !row) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (hq_zones_load(s, store, q->from, q->to, z, err, errlen))
		goto done;
	if (z->n == 0) {
		rc = 0;
		goto done;
	}
	int64_t lo, hi;
	hq_zones_span(z, &lo, &hi);
	char why[256];
	int64_t safe, last;
	if (hq_db_horizon(s->sql, "ratings", "rowid", &safe, &last, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot export: %s", why);
		goto done;
	}
	if (hq_db_prepare(s->sql,
			       "SELECT r.rowid, r.kiosk_id, r.seq, r.value, r.scale, r.source, r.wall_ms, r.boot_ms,"
			       " r.boot_id, r.clock_synced, r.corrected_ms, r.flags, r.best_ms, r.time_known,"
			       " r.received_ms, k.store, k.area, k.tz, i.install_id, r.corrected_by, r.corrected_err_ms, r.reason"
			       " FROM ratings r JOIN kiosks k ON k.id = r.kiosk_id LEFT JOIN installs i ON i.id = r.install"
			       " WHERE r.rowid > ?1 AND r.rowid <= ?6 AND r.best_ms >= ?2 AND r.best_ms < ?3"
			       " AND (?4 IS NULL OR k.store = ?4)"
			       " AND (?5 IS NULL OR k.store IN (" HQ_STORE_VISIBLE_SQL("?5") "))"
			       " ORDER BY r.rowid LIMIT ?7", &st, why, sizeof(why)) != HQ_DB_DONE) {
		hq_store_fail(s, "cannot export", err, errlen);
		goto done;
	}
	int n = 0, step = HQ_DB_DONE, full = 0;
	int64_t at = q->after; /* the last rowid read, matched or not */
	for (int got = CHUNK; got == CHUNK && !full;) {
		hq_db_bind_int64(st, 1, at);
		hq_db_bind_int64(st, 2, lo);
		hq_db_bind_int64(st, 3, hi);
		hq_db_bind_text(st, 4, store);
		hq_db_bind_text(st, 5, q->user);
		hq_db_bind_int64(st, 6, safe);
		hq_db_bind_int64(st, 7, CHUNK);
		got = 0;
		while ((step = hq_db_step(st)) == HQ_DB_ROW) {
			got++;
			at = hq_db_column_int64(st, 0);
			if (export_one(st, z, q, row, fn, arg, &n, next, &full, err, errlen))
				goto done;
			if (full)
				break;
		}
		hq_db_reset(st);
		if (step != HQ_DB_ROW && step != HQ_DB_DONE) {
			hq_store_fail(s, "cannot export", err, errlen);
			goto done;
		}
	}
	/*
	 * Read to the horizon and not beyond: rows may still appear between it
	 * and the last rowid handed out (transactions running): the next page
	 * starts after what was read, and is there even if empty. (Cursor 0
	 * means "no next page": before the very first rowid commits, a page
	 * from the start says so and is simply asked for again later.)
	 */
	if (!full && last > safe)
		*next = at > safe ? at : safe;
	rc = 0;
done:
	hq_db_finalize(st);
	if (z)
		hq_zones_free(z);
	free(z);
	free(row);
	return rc;
}
