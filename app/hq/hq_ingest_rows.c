/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_ingest_rows: a batch's ratings into the ratings table (see
 * hq_ingest_impl.h for the ingest files): the best time of each, the
 * multi-row INSERTs and their fast path, the comparison with a rating
 * already held, PostgreSQL's all-new batch.
 */
#include "hq_ingest_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_ingest_pg.h"

void hq_ingest_best_time(const struct protocol_rating *p, int64_t *ms, int *known)
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

/*
 * Which fields of p differ from what is held for (kiosk, install, p's seq):
 * 0 with names filled ("" when the same), -1 on error. corrected_ms is not
 * compared: a rating sent uncorrected whose ack was lost may be sent again
 * corrected, and that is the same rating.
 */
int hq_ingest_held_differs(struct hq_store *s, const char *kiosk_id, int64_t install,
			const struct protocol_rating *p, char *names, size_t len)
{
	struct hq_db_stmt *st = hq_ingest_cached(s, "SELECT value, scale, source, wall_ms, boot_ms, boot_id,"
						    " clock_synced, flags"
						    " FROM ratings WHERE kiosk_id = ? AND install = ? AND seq = ?");
	names[0] = '\0';
	if (!st)
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_int64(st, 2, install);
	hq_db_bind_int64(st, 3, p->r.seq);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW) {
		const char *src = hq_db_column_text(st, 2);
		int src_differs = !src || strcmp(src, rating_source_name(p->r.source)) != 0;
		const char *boot = hq_db_column_text(st, 5);
		int boot_differs = !boot || strcmp(boot, p->r.boot_id) != 0;
		struct { int differs; const char *name; } f[] = {
			{ hq_db_column_int64(st, 0) != p->r.value, "value" },
			{ hq_db_column_int64(st, 1) != p->r.scale, "scale" },
			{ src_differs, "source" },
			{ hq_db_column_int64(st, 3) != p->r.wall_ms, "wall_ms" },
			{ hq_db_column_int64(st, 4) != p->r.boot_ms, "boot_ms" },
			{ boot_differs, "boot_id" },
			{ hq_db_column_int64(st, 6) != p->r.clock_synced, "synced" },
			{ hq_db_column_int64(st, 7) != p->r.flags, "flags" },
		};
		size_t at = 0;
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (f[i].differs && at + strlen(f[i].name) + 2 < len)
				at += (size_t)snprintf(names + at, len - at, "%s%s", at ? "," : "", f[i].name);
	}
	hq_db_reset(st);
	/* No row: the insert said "held" but nothing is (cannot happen inside the transaction). */
	return rc == HQ_DB_ROW ? 0 : -1;
}

/* Rows per INSERT (INSERT_ROWS in hq_ingest_impl.h): 17 parameters each. */
#define INSERT_COLS 17

/*
 * The INSERT of 2^i rows (i <= INSERT_LOG2), built once per process: a
 * batch goes in as chunks of 64, 32, ... 1 rows, so each connection caches
 * at most seven statements. RETURNING names the rows that went in; the
 * others were held already.
 */
#define INSERT_LOG2 6
static char *insert_sqls[INSERT_LOG2 + 1];
/*
 * SQLite's common case (every rating new), as INSERT OR IGNORE without
 * RETURNING: SQLite keeps RETURNING's rows in a temporary table, about a
 * quarter of ingest's instructions there (callgrind, bench_hq_ingest). OR
 * IGNORE rather than ON CONFLICT DO NOTHING because a statement that cannot
 * abort needs no statement journal: no copy of every page it touches.
 */
static char *insert_plain_sqls[INSERT_LOG2 + 1];
static pthread_once_t insert_once = PTHREAD_ONCE_INIT;

static void insert_sql_build(void)
{
	static const char head[] = "INSERT INTO ratings (kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id,"
				   " clock_synced, corrected_ms, flags, best_ms, time_known, received_ms,"
				   " install, corrected_by, corrected_err_ms) VALUES ";
	static const char row[] = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	static const char tail[] = " ON CONFLICT DO NOTHING RETURNING seq";
	for (int i = 0; i <= INSERT_LOG2; i++) {
		size_t n = (size_t)1 << i;
		size_t len = sizeof(head) + n * sizeof(row) + sizeof(tail);
		char *q = malloc(len);
		if (!q)
			continue;
		size_t at = (size_t)snprintf(q, len, "%s", head);
		for (size_t r = 0; r < n; r++)
			at += (size_t)snprintf(q + at, len - at, "%s%s", r ? "," : "", row);
		snprintf(q + at, len - at, "%s", tail);
		insert_sqls[i] = q;
		/* "INSERT OR IGNORE INTO ratings ... VALUES (...), ...": SQLite's own spelling. */
		size_t plen = strlen("INSERT OR IGNORE") + at + 1;
		char *plain = malloc(plen);
		if (plain)
			snprintf(plain, plen, "INSERT OR IGNORE%.*s", (int)(at - strlen("INSERT")), q + strlen("INSERT"));
		insert_plain_sqls[i] = plain;
	}
}

/* Binds ratings [0, n) of p as the rows of st. */
static void insert_bind(struct hq_db_stmt *st, const char *kiosk_id, int64_t install_ref, int64_t now,
			const struct protocol_rating *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t best;
		int known;
		hq_ingest_best_time(&p[i], &best, &known);
		int c = (int)i * INSERT_COLS;
		/* Static: the kiosk's id, the batch and the source names outlive the statement's run. */
		hq_db_bind_text_static(st, c + 1, kiosk_id);
		hq_db_bind_int64(st, c + 2, p[i].r.seq);
		hq_db_bind_int64(st, c + 3, p[i].r.value);
		hq_db_bind_int64(st, c + 4, p[i].r.scale);
		hq_db_bind_text_static(st, c + 5, rating_source_name(p[i].r.source));
		hq_db_bind_int64(st, c + 6, p[i].r.wall_ms);
		hq_db_bind_int64(st, c + 7, p[i].r.boot_ms);
		hq_db_bind_text_static(st, c + 8, p[i].r.boot_id);
		hq_db_bind_int64(st, c + 9, p[i].r.clock_synced);
		if (p[i].has_corrected)
			hq_db_bind_int64(st, c + 10, p[i].corrected_ms);
		else
			hq_db_bind_null(st, c + 10);
		hq_db_bind_int64(st, c + 11, p[i].r.flags);
		hq_db_bind_int64(st, c + 12, best);
		hq_db_bind_int64(st, c + 13, known);
		hq_db_bind_int64(st, c + 14, now);
		hq_db_bind_int64(st, c + 15, install_ref);
		hq_db_bind_int64(st, c + 16, p[i].has_corrected ? p[i].corrected_by : 0);
		hq_db_bind_int64(st, c + 17, p[i].has_corrected ? p[i].corrected_err_ms : 0);
	}
}

/* Whether the seqs of p[0, n) rise strictly (as a kiosk sends them): no seq twice. */
static int rising(const struct protocol_rating *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (p[i].r.seq <= p[i - 1].r.seq)
			return 0;
	return 1;
}

/* 1 when the install holds no seq in [lo, hi] (one index range probe), 0 when it does, -1 on error. */
static int seqs_free(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t lo, int64_t hi)
{
	struct hq_db_stmt *st = hq_ingest_cached(s, "SELECT 1 FROM ratings WHERE kiosk_id = ? AND install = ?"
						    " AND seq BETWEEN ? AND ?"
						    " LIMIT 1");
	if (!st)
		return -1;
	hq_db_bind_text_static(st, 1, kiosk_id);
	hq_db_bind_int64(st, 2, install_ref);
	hq_db_bind_int64(st, 3, lo);
	hq_db_bind_int64(st, 4, hi);
	int rc = hq_db_step(st);
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 1 : rc == HQ_DB_ROW ? 0 : -1;
}

/*
 * 1 if ratings [0, n) of p have rising seqs and none of them is held for
 * (kiosk_id, install_ref): one probe of the unique index. 0 if some may be
 * held, -1 on error (the RETURNING path then finds out).
 */
static int chunk_is_new(struct hq_store *s, const char *kiosk_id, int64_t install_ref,
			const struct protocol_rating *p, size_t n)
{
	return rising(p, n) ? seqs_free(s, kiosk_id, install_ref, p[0].r.seq, p[n - 1].r.seq) : 0;
}

/*
 * Inserts ratings [0, n) of p (n a power of two) for install_ref; sets
 * fresh[i] for each that went in. 0, or -1 (the database's error).
 */
int hq_ingest_insert_chunk(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
			const struct protocol_rating *p, size_t n, unsigned char *fresh)
{
	pthread_once(&insert_once, insert_sql_build);
	int log2 = 0;
	while (((size_t)1 << log2) < n)
		log2++;
	if (!insert_sqls[log2] || !insert_plain_sqls[log2])
		return -1;
	if (hq_db_engine(s->sql) == HQ_DB_SQLITE && chunk_is_new(s, kiosk_id, install_ref, p, n) == 1) {
		/*
		 * None of the chunk is held and its seqs rise: every row goes in, so
		 * no RETURNING to say which, and no savepoint to undo a partial try.
		 * A row still left out (it cannot be) fails the batch.
		 */
		struct hq_db_stmt *st = hq_ingest_cached(s, insert_plain_sqls[log2]);
		if (!st)
			return -1;
		insert_bind(st, kiosk_id, install_ref, now, p, n);
		int rc = hq_db_step(st);
		int all = rc == HQ_DB_DONE && hq_db_changes(st) == (int64_t)n;
		hq_db_reset(st);
		if (!all)
			return -1; /* the database's error (if any) stays for the caller */
		memset(fresh, 1, n);
		return 0;
	}
	struct hq_db_stmt *st = hq_ingest_cached(s, insert_sqls[log2]);
	if (!st)
		return -1;
	insert_bind(st, kiosk_id, install_ref, now, p, n);
	memset(fresh, 0, n);
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		/* The same seq twice in one batch goes in once: the first of them is the fresh one. */
		int64_t seq = hq_db_column_int64(st, 0);
		for (size_t i = 0; i < n; i++)
			if (!fresh[i] && p[i].r.seq == seq) {
				fresh[i] = 1;
				break;
			}
	}
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

/*
 * PostgreSQL: whether every rating of b is new, so that the whole batch
 * goes in as one plain INSERT (hq_ingest_pg.c) instead of chunks with ON
 * CONFLICT ... RETURNING: seqs rising as a kiosk sends them (so none twice; a
 * batch in another order takes the careful path), and none held for the
 * install between the batch's first and last seq (one index range
 * probe; a kiosk's next batch finds nothing there). Only batches of this
 * kiosk write its rows, and they run under its lock (taken already), so
 * nothing can appear in between. PostgreSQL's ON CONFLICT is a
 * speculative insertion (the index checked, the row inserted, the entry
 * confirmed): 7 us more server CPU per row than a plain INSERT into
 * ratings, which takes 12 (INSERT ... SELECT of 200,000 rows, measured).
 * 1 yes, 0 no (or cannot tell: the careful path answers it), -1 error.
 */
int hq_ingest_all_new(struct hq_store *s, const char *kiosk_id, int64_t install_ref, const struct protocol_batch *b)
{
	if (s->engine != HQ_DB_PG || b->n < 2 || !rising(b->ratings, b->n))
		return 0;
	return seqs_free(s, kiosk_id, install_ref, b->ratings[0].r.seq, b->ratings[b->n - 1].r.seq);
}

/* Every rating of b, all new (batch_all_new), in one statement (hq_ingest_pg.c). 0, or -1. */
int hq_ingest_insert_all_new(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
			  const struct protocol_batch *b)
{
	int64_t *best = malloc(b->n * sizeof(*best));
	unsigned char *known = malloc(b->n);
	int rc = -1;
	if (best && known) {
		for (size_t i = 0; i < b->n; i++) {
			int kn;
			hq_ingest_best_time(&b->ratings[i], &best[i], &kn);
			known[i] = (unsigned char)kn;
		}
		rc = hq_ingest_pg_insert(s, kiosk_id, install_ref, now, b->ratings, best, known, b->n);
	}
	free(best);
	free(known);
	return rc;
}
