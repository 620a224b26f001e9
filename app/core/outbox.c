/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox: SQL over the kiosk store for store-and-forward.
 *
 * Durability and consistency decisions, and the failure each prevents:
 * - Writes use BEGIN IMMEDIATE: a deferred transaction that reads and then
 *   writes can fail with SQLITE_BUSY without waiting when the kiosk wrote in
 *   between; IMMEDIATE takes the write lock up front and so honours the
 *   busy timeout.
 * - Acks mark the exact seqs of the batch, not a range: a row that somehow
 *   entered the range after the batch was read is never marked unsent-but-acked.
 * - Prune and time fixes go in chunks: one huge transaction would hold the
 *   write lock long enough to make a customer's press wait.
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 2000

static int fail(char *err, size_t errlen, const char *what, sqlite3 *db)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

void outbox_batch_free(struct outbox_batch *b)
{
	free(b->rows);
	b->rows = NULL;
	b->n = b->cap = 0;
	free(b->reasons);
	b->reasons = NULL;
	b->nreasons = b->reasons_cap = 0;
}

static int reserve(struct outbox_batch *b, size_t n)
{
	if (n <= b->cap)
		return 0;
	struct protocol_rating *rows = realloc(b->rows, n * sizeof(*rows));
	if (!rows)
		return -1;
	b->rows = rows;
	b->cap = n;
	return 0;
}

static void read_row(sqlite3_stmt *st, struct protocol_rating *row)
{
	store_row_rating(st, 0, &row->r);
	row->has_corrected = sqlite3_column_type(st, 10) != SQLITE_NULL;
	row->corrected_ms = row->has_corrected ? sqlite3_column_int64(st, 10) : 0;
	row->corrected_by = row->has_corrected ? sqlite3_column_int(st, 11) : 0;
	row->corrected_err_ms = row->has_corrected ? sqlite3_column_int64(st, 12) : 0;
}

#define ROW_COLUMNS STORE_RATING_COLUMNS ", corrected_ms, corrected_by, corrected_err_ms"

/*
 * Answers to send: those of acknowledged rows (head office holds the
 * rating) and of this batch's rows. An unsent row beyond the batch has a
 * higher seq than every row in it (rows leave in seq order), so "acked or
 * seq <= the batch's last" never names a rating head office cannot have.
 */
static int next_reasons(sqlite3 *db, int limit, struct outbox_batch *b, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	b->nreasons = 0;
	if ((size_t)limit > b->reasons_cap) {
		struct protocol_reason *r = realloc(b->reasons, (size_t)limit * sizeof(*r));
		if (!r) {
			snprintf(err, errlen, "out of memory for %d answers", limit);
			return -1;
		}
		b->reasons = r;
		b->reasons_cap = (size_t)limit;
	}
	if (sqlite3_prepare_v2(db, "SELECT seq, reason FROM ratings WHERE reason IS NOT NULL AND reason_acked = 0"
			       " AND (acked = 1 OR seq <= ?) ORDER BY seq LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return fail(err, errlen, "cannot read unsent answers", db);
	sqlite3_bind_int64(st, 1, b->n ? b->rows[b->n - 1].r.seq : 0);
	sqlite3_bind_int(st, 2, limit);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);
		struct protocol_reason *r = &b->reasons[b->nreasons];
		r->seq = sqlite3_column_int64(st, 0);
		snprintf(r->text, sizeof(r->text), "%s", t ? (const char *)t : "");
		/* A foreign tool's bad text would stop every batch: it stays here, logged by the caller's encode. */
		b->nreasons++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		b->nreasons = 0;
		return fail(err, errlen, "cannot read unsent answers", db);
	}
	return 0;
}

int outbox_next(struct store *s, int limit, struct outbox_batch *b, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	b->n = 0;
	if (limit < 1)
		limit = 1;
	if (reserve(b, (size_t)limit)) {
		snprintf(err, errlen, "out of memory for a batch of %d", limit);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM ratings"
			       " WHERE acked = 0 ORDER BY seq LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return fail(err, errlen, "cannot read unsent ratings", db);
	sqlite3_bind_int(st, 1, limit);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		read_row(st, &b->rows[b->n++]);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		b->n = 0;
		return fail(err, errlen, "cannot read unsent ratings", db);
	}
	return next_reasons(db, limit, b, err, errlen);
}

static int begin(sqlite3 *db)
{
	return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
}

static void rollback(sqlite3 *db)
{
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Binds row i of some rows to an update statement. */
typedef void bind_row_fn(sqlite3_stmt *st, size_t i, const void *rows);

/*
 * Runs sql once per row in [from, to), all in one transaction: either
 * every row is updated or none is (a failure rolls back).
 */
static int update_rows(sqlite3 *db, const char *sql, size_t from, size_t to, bind_row_fn *bind, const void *rows,
		       const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (begin(db) != SQLITE_OK)
		return fail(err, errlen, what, db);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto bad;
	for (size_t i = from; i < to; i++) {
		bind(st, i, rows);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto bad;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto bad;
	return 0;
bad:
	fail(err, errlen, what, db);
	sqlite3_finalize(st);
	rollback(db);
	return -1;
}

static void bind_acked(sqlite3_stmt *st, size_t i, const void *rows)
{
	const struct outbox_batch *b = rows;
	sqlite3_bind_int64(st, 1, b->rows[i].r.seq);
}

static void bind_reason_acked(sqlite3_stmt *st, size_t i, const void *rows)
{
	const struct outbox_batch *b = rows;
	sqlite3_bind_int64(st, 1, b->reasons[i].seq);
	sqlite3_bind_text(st, 2, b->reasons[i].text, -1, SQLITE_STATIC);
}

int outbox_mark_acked(struct store *s, const struct outbox_batch *b, char *err, size_t errlen)
{
	if (b->n > 0 && update_rows(store_db(s), "UPDATE ratings SET acked = 1 WHERE seq = ?", 0, b->n, bind_acked, b,
				    "cannot mark ratings sent", err, errlen))
		return -1;
	/* Only the answer that was sent is marked (a reason is written once, so it is the one held). */
	if (b->nreasons > 0 && update_rows(store_db(s), "UPDATE ratings SET reason_acked = 1 WHERE seq = ? AND reason = ?",
					   0, b->nreasons, bind_reason_acked, b, "cannot mark answers sent", err, errlen))
		return -1;
	return 0;
}

static int64_t query_int(sqlite3 *db, const char *sql, int64_t none, int *ok)
{
	sqlite3_stmt *st;
	int64_t v = none;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*ok = 0;
		return none;
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		*ok = 0;
	sqlite3_finalize(st);
	return v;
}

int outbox_pending(struct store *s)
{
	int ok = 1;
	int64_t v = query_int(store_db(s), "SELECT EXISTS (SELECT 1 FROM ratings WHERE acked = 0)"
			      " OR EXISTS (SELECT 1 FROM ratings WHERE reason IS NOT NULL AND reason_acked = 0)", 0, &ok);
	return ok ? (v != 0) : -1;
}

int outbox_counts(struct store *s, struct outbox_counts *c, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	int ok = 1;
	memset(c, 0, sizeof(*c));
	c->unsent = query_int(db, "SELECT count(*) FROM ratings WHERE acked = 0", 0, &ok);
	c->acked = query_int(db, "SELECT count(*) FROM ratings WHERE acked = 1", 0, &ok);
	c->first_unsent_seq = query_int(db, "SELECT min(seq) FROM ratings WHERE acked = 0", 0, &ok);
	c->oldest_unsent_ms = query_int(db, "SELECT coalesce(corrected_ms, wall_ms) FROM ratings"
					    " WHERE acked = 0 ORDER BY seq LIMIT 1", 0, &ok);
	c->last_seq = query_int(db, "SELECT max(seq) FROM ratings", 0, &ok);
	if (!ok)
		return fail(err, errlen, "cannot count ratings", db);
	return 0;
}

int64_t outbox_prune(struct store *s, int64_t before_ms, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	int64_t total = 0;
	/* acked = 1 in the WHERE is the guarantee that nothing unsent goes. */
	if (sqlite3_prepare_v2(db, "DELETE FROM ratings WHERE seq IN (SELECT seq FROM ratings"
			       " WHERE acked = 1 AND coalesce(corrected_ms, wall_ms) < ? ORDER BY seq LIMIT ?)"
			       " AND acked = 1", -1, &st, NULL) != SQLITE_OK)
		return fail(err, errlen, "cannot prune sent ratings", db);
	for (;;) {
		sqlite3_bind_int64(st, 1, before_ms);
		sqlite3_bind_int(st, 2, CHUNK);
		/* Autocommit: each chunk is its own short transaction. */
		if (sqlite3_step(st) != SQLITE_DONE) {
			fail(err, errlen, "cannot prune sent ratings", db);
			sqlite3_finalize(st);
			return -1;
		}
		int n = sqlite3_changes(db);
		sqlite3_reset(st);
		total += n;
		if (n < CHUNK)
			break;
	}
	sqlite3_finalize(st);
	return total;
}

struct fix {
	int64_t seq, corrected_ms, err_ms;
	int by;
};

static void bind_fix(sqlite3_stmt *st, size_t i, const void *rows)
{
	const struct fix *fx = rows;
	sqlite3_bind_int64(st, 1, fx[i].corrected_ms);
	sqlite3_bind_int(st, 2, fx[i].by);
	sqlite3_bind_int64(st, 3, fx[i].err_ms);
	sqlite3_bind_int64(st, 4, fx[i].seq);
}

static int write_fixes(sqlite3 *db, const struct fix *fx, size_t n, char *err, size_t errlen)
{
	/* In chunks, so the kiosk never waits long for the write lock. */
	for (size_t at = 0; at < n; at += CHUNK) {
		size_t end = at + CHUNK < n ? at + CHUNK : n;
		/* corrected_ms IS NULL: a correction once stored is never rewritten. */
		if (update_rows(db, "UPDATE ratings SET corrected_ms = ?, corrected_by = ?, corrected_err_ms = ?"
				" WHERE seq = ? AND acked = 0 AND corrected_ms IS NULL",
				at, end, bind_fix, fx, "cannot store corrected times", err, errlen))
			return -1;
	}
	return 0;
}

int64_t outbox_fix_times(struct store *s, const struct timefix_ref *now, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	int ok = 1;
	int64_t todo = query_int(db, "SELECT EXISTS (SELECT 1 FROM ratings WHERE acked = 0"
				     " AND clock_synced = 0 AND corrected_ms IS NULL)", 0, &ok);
	if (!ok)
		return fail(err, errlen, "cannot look for uncorrected times", db);
	if (!todo)
		return 0;

	/* Newest first, so each synced row is the reference for older ones of its boot. */
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM ratings"
			       " WHERE acked = 0 ORDER BY seq DESC", -1, &st, NULL) != SQLITE_OK)
		return fail(err, errlen, "cannot read ratings to correct", db);
	struct timefix_scan scan;
	timefix_scan_init(&scan, now);
	struct fix *fx = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct protocol_rating row;
		int64_t t;
		read_row(st, &row);
		if (!timefix_scan_feed(&scan, &row.r, &t) || row.has_corrected)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct fix *nfx = realloc(fx, ncap * sizeof(*nfx));
			if (!nfx) {
				free(fx);
				sqlite3_finalize(st);
				snprintf(err, errlen, "out of memory correcting times");
				return -1;
			}
			fx = nfx;
			cap = ncap;
		}
		const struct timefix_ref *used = &scan.used;
		fx[n++] = (struct fix){ row.r.seq, t, used->by_hq ? timefix_error_ms(&row.r, used) : 0,
					used->by_hq ? PROTOCOL_CORRECTED_HQ : PROTOCOL_CORRECTED_KIOSK };
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(fx);
		return fail(err, errlen, "cannot read ratings to correct", db);
	}
	int wrc = write_fixes(db, fx, n, err, errlen);
	free(fx);
	return wrc ? -1 : (int64_t)n;
}
