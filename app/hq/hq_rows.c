/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_rows: multi-row INSERTs of a batch's ratings (see hq_rows.h).
 *
 * A batch is cut into chunks of HQ_ROWS_CHUNK rows and a remainder written
 * as powers of two, so at most 8 distinct statements exist per connection
 * (hq_db_cached keeps them prepared); their text is built once per process.
 */
#include "hq_rows.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_db.h"

#define N_COLS 17
#define N_SIZES 8 /* 128, 64, ..., 1 rows */

static char *sql_rows[N_SIZES];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void sql_build(void)
{
	static const char head[] = "INSERT INTO ratings (kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id,"
				   " clock_synced, corrected_ms, flags, best_ms, time_known, received_ms,"
				   " install, corrected_by, corrected_err_ms) VALUES ";
	static const char row[] = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	static const char tail[] = " ON CONFLICT (kiosk_id, install, seq) DO NOTHING";
	for (int k = 0; k < N_SIZES; k++) {
		size_t rows = (size_t)HQ_ROWS_CHUNK >> k;
		char *s = malloc(sizeof(head) + rows * sizeof(row) + sizeof(tail));
		if (!s)
			continue; /* hq_rows_insert reports it */
		size_t at = 0;
		memcpy(s, head, sizeof(head) - 1);
		at += sizeof(head) - 1;
		for (size_t r = 0; r < rows; r++) {
			if (r)
				s[at++] = ',';
			memcpy(s + at, row, sizeof(row) - 1);
			at += sizeof(row) - 1;
		}
		memcpy(s + at, tail, sizeof(tail));
		sql_rows[k] = s;
	}
}

void hq_rows_best_time(const struct protocol_rating *p, int64_t *ms, int *known)
{
	if (p->r.clock_synced) {
		*ms = p->r.wall_ms;
		*known = 1;
	} else if (p->has_corrected) {
		*ms = p->corrected_ms;
		*known = 1;
	} else {
		*ms = p->r.wall_ms;
		*known = 0;
	}
}

/* Binds rating p as the row starting at parameter at. */
static void bind_row(struct hq_db_stmt *st, int at, const char *kiosk_id, int64_t install,
		     const struct protocol_rating *p, int64_t now)
{
	int64_t best;
	int known;
	hq_rows_best_time(p, &best, &known);
	hq_db_bind_text(st, at + 0, kiosk_id);
	hq_db_bind_int64(st, at + 1, p->r.seq);
	hq_db_bind_int64(st, at + 2, p->r.value);
	hq_db_bind_int64(st, at + 3, p->r.scale);
	hq_db_bind_text(st, at + 4, rating_source_name(p->r.source));
	hq_db_bind_int64(st, at + 5, p->r.wall_ms);
	hq_db_bind_int64(st, at + 6, p->r.boot_ms);
	hq_db_bind_text(st, at + 7, p->r.boot_id);
	hq_db_bind_int64(st, at + 8, p->r.clock_synced);
	if (p->has_corrected)
		hq_db_bind_int64(st, at + 9, p->corrected_ms);
	else
		hq_db_bind_null(st, at + 9);
	hq_db_bind_int64(st, at + 10, p->r.flags);
	hq_db_bind_int64(st, at + 11, best);
	hq_db_bind_int64(st, at + 12, known);
	hq_db_bind_int64(st, at + 13, now);
	hq_db_bind_int64(st, at + 14, install);
	hq_db_bind_int64(st, at + 15, p->has_corrected ? p->corrected_by : 0);
	hq_db_bind_int64(st, at + 16, p->has_corrected ? p->corrected_err_ms : 0);
}

int hq_rows_insert(struct hq_db *db, const char *kiosk_id, int64_t install, const struct protocol_batch *b,
		   int64_t now, int64_t *inserted, char *err, size_t errlen)
{
	*inserted = 0;
	pthread_once(&sql_once, sql_build);
	size_t i = 0;
	while (i < b->n) {
		int k = 0;
		while ((size_t)(HQ_ROWS_CHUNK >> k) > b->n - i)
			k++;
		size_t rows = (size_t)HQ_ROWS_CHUNK >> k;
		if (!sql_rows[k]) {
			snprintf(err, errlen, "out of memory");
			return HQ_DB_ERROR;
		}
		struct hq_db_stmt *st;
		int rc = hq_db_cached(db, sql_rows[k], &st, err, errlen);
		if (rc != HQ_DB_DONE)
			return rc;
		for (size_t r = 0; r < rows; r++)
			bind_row(st, 1 + (int)r * N_COLS, kiosk_id, install, &b->ratings[i + r], now);
		rc = hq_db_step(st);
		*inserted += hq_db_changes(st);
		if (rc != HQ_DB_DONE)
			snprintf(err, errlen, "%s", hq_db_errmsg(db));
		hq_db_reset(st);
		if (rc != HQ_DB_DONE)
			return rc;
		i += rows;
	}
	return HQ_DB_DONE;
}
