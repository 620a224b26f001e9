/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_ingest_impl: what the files of head office's ingest share. Nothing
 * else includes it; the rest of head office uses hq_store.h.
 *   hq_ingest.c        a batch from start to ack: installs, duplicates and
 *                      conflicts, progress (and the correctness decisions)
 *   hq_ingest_tx.c     its transaction and locks: the process write lock,
 *                      group commit, the kiosks' locks, the batch savepoint
 *   hq_ingest_rows.c   its ratings into the ratings table
 *   hq_ingest_counts.c its counts into rating_counts and the roll-ups
 *   hq_ingest_pg.c     PostgreSQL's COPY for a batch of new ratings
 */
#ifndef HQ_INGEST_IMPL_H
#define HQ_INGEST_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store_impl.h"

/* A cached statement, or NULL (the database's error says why). */
struct hq_db_stmt *hq_ingest_cached(struct hq_store *s, const char *sql);

/* --- hq_ingest_tx.c --- */

/*
 * Opens the batch: its savepoint (alone, outside a group: also the write
 * lock, the transaction and the kiosk's lock). 0; -1 (then roll back);
 * -2 (nothing begun).
 */
int hq_ingest_batch_begin(struct hq_store *s, const char *kiosk_id, char *err, size_t errlen);
/* Keeps what the batch's savepoint holds. 0, or -1 (then call hq_ingest_batch_rollback). */
int hq_ingest_batch_commit(struct hq_store *s, char *err, size_t errlen);
/* Drops the whole batch (a failure); inside a group, only the batch. */
void hq_ingest_batch_rollback(struct hq_store *s);

/* --- hq_ingest_rows.c --- */

/* Rows per INSERT: 64 x 17 parameters stays well under both engines' limits. */
#define INSERT_ROWS 64

/* A rating's best time and whether it is known (decided here only: see hq_ingest.c). */
void hq_ingest_best_time(const struct protocol_rating *p, int64_t *ms, int *known);
/* Which fields of p differ from the rating held under its identity: 0 with names ("" same), -1 error. */
int hq_ingest_held_differs(struct hq_store *s, const char *kiosk_id, int64_t install,
			   const struct protocol_rating *p, char *names, size_t len);
/* Inserts ratings [0, n) of p (n a power of two, <= INSERT_ROWS); fresh[i] set for each that went in. 0, or -1. */
int hq_ingest_insert_chunk(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
			   const struct protocol_rating *p, size_t n, unsigned char *fresh);
/* PostgreSQL: 1 when every rating of b is new (then hq_ingest_insert_all_new), 0 not or cannot tell, -1 error. */
int hq_ingest_all_new(struct hq_store *s, const char *kiosk_id, int64_t install_ref, const struct protocol_batch *b);
/* Every rating of b, all new, in one statement. 0, or -1. */
int hq_ingest_insert_all_new(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
			     const struct protocol_batch *b);

/* --- hq_ingest_counts.c --- */

/* The quarter hours of one batch's new ratings, before they go into rating_counts. */
struct hq_ingest_count {
	int64_t slot;
	int scale, known;
	int64_t v[5], misuse, closed;
	int64_t seq_lo, seq_hi;        /* for rating_slots (hq_slots.h) */
};

struct hq_ingest_counts {
	struct hq_ingest_count *c;
	size_t n, cap;
};

/* Counts one new rating (seq, best time, known) into sc. 0, or -1 out of memory. */
int hq_ingest_counts_add(struct hq_ingest_counts *sc, int64_t best, int known, const struct rating *r);
/* Writes sc into rating_counts, rating_slots and the roll-ups (the batch's transaction). 0, or -1. */
int hq_ingest_counts_flush(struct hq_store *s, const struct hq_kiosk *k, int64_t install_ref,
			   const struct hq_ingest_counts *sc);

#endif
