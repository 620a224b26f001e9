/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_ingest: a kiosk's batch into head office's database, exactly once,
 * on SQLite and on PostgreSQL (see hq_store.h for the contract).
 *
 * Correctness decisions, and the failure each prevents:
 * - ratings has UNIQUE (kiosk_id, install, seq) and rows go in with ON
 *   CONFLICT DO NOTHING RETURNING seq: a batch resent after a lost ack is
 *   counted as duplicates and stored once, whatever interleaving of
 *   retries happens. A held row is compared with the one sent: other
 *   content under the same identity is a conflict (a store restored from
 *   a backup, a cloned card), and the whole batch is rolled back to its
 *   savepoint and refused (409) rather than half of it silently dropped;
 *   the conflict is recorded.
 * - One transaction per batch: a failure part-way (a full disk, a
 *   connection to PostgreSQL lost mid-batch) leaves nothing behind, and
 *   the kiosk resends the whole batch.
 * - Replicas: on PostgreSQL several tally-hq may take batches of the same
 *   kiosk at once (its retries land on either). Each batch first takes a
 *   lock on its kiosk (hq_db_lock_key: an advisory lock until its
 *   transaction ends), so one kiosk's batches run one after the other in
 *   every process, and acked_through never moves back. A group of
 *   batches (group commit, below) holds several kiosks' locks in one
 *   transaction: it takes them all before it touches anything, in
 *   ascending order of key (hq_store_group_lock, one round trip), and
 *   every row a batch touches belongs to its kiosk. So a transaction that
 *   waits for a lock holds only smaller keys than the one it waits for,
 *   and two replicas can never wait on each other in a circle: no
 *   deadlock. (A table shared by several kiosks, written by ingest, would
 *   break that promise: keep such writes out of the batch's transaction or
 *   take their locks in the same ordered step.)
 * - The export pages through ratings by rowid (hq_export.c): a transaction
 *   that inserts ratings holds the horizon first (hq_db_hold_horizon), so
 *   an export never passes a rowid a running transaction may still commit.
 * - installs.acked_through and kiosks.acked_through are advanced in the
 *   batch's transaction, so the ack can never claim more than is committed.
 * - The best time of a rating is decided once, in hq_ingest_best_time (best_ms,
 *   time_known): wall_ms if the kiosk's clock was synced, else the
 *   corrected time if the kiosk could correct it, else wall_ms flagged
 *   unknown (counted in the day, left out of the hourly figures).
 * - rating_counts (per kiosk and quarter hour), its roll-ups and
 *   rating_slots (where a quarter hour's ratings are: reads by time use it
 *   instead of an index on best_ms, hq_slots.h) are kept in the same
 *   transaction as the rows they describe.
 * - Rows go in by up to INSERT_ROWS per statement: one round trip to a
 *   PostgreSQL server per 64 ratings instead of per rating.
 */
#include "hq_ingest_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_reasons.h"
#include "hq_registry.h"
#include "hq_shifts.h"
#include "log.h"

/* A cached statement, or NULL (the database's error says why). */
struct hq_db_stmt *hq_ingest_cached(struct hq_store *s, const char *sql)
{
	struct hq_db_stmt *st;
	char why[256];
	return hq_db_cached(s->sql, sql, &st, why, sizeof(why)) == HQ_DB_DONE ? st : NULL;
}

/*
 * Advances acked_through over rows now contiguous, then lists the gaps
 * above it. Only rows above acked_through are walked: in steady state
 * there are none, so this is one index probe per batch.
 */
static int progress(struct hq_store *s, const char *kiosk_id, int64_t install, int64_t from,
		    struct protocol_ack *ack)
{
	struct hq_db_stmt *st = hq_ingest_cached(s, "SELECT seq FROM ratings WHERE kiosk_id = ? AND install = ? AND seq > ?"
						    " ORDER BY seq");
	if (!st)
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_int64(st, 2, install);
	hq_db_bind_int64(st, 3, from);
	int64_t through = from, prev = from;
	int contiguous = 1, rc;
	ack->ngaps = 0;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		int64_t seq = hq_db_column_int64(st, 0);
		if (contiguous && seq == through + 1) {
			through = seq;
		} else {
			contiguous = 0;
			if (seq > prev + 1) {
				if (ack->ngaps == PROTOCOL_MAX_GAPS)
					break;
				ack->gaps[ack->ngaps].from = prev + 1;
				ack->gaps[ack->ngaps].to = seq - 1;
				ack->ngaps++;
			}
		}
		prev = seq;
	}
	hq_db_reset(st);
	if (rc != HQ_DB_ROW && rc != HQ_DB_DONE)
		return -1;
	ack->acked_through = through;
	return 0;
}

/* One integer from sql with text a (and b, and integer c when not INT64_MIN); none: dflt. 0, or -1. */
static int one_int(struct hq_store *s, const char *sql, const char *a, const char *b, int64_t c, int64_t dflt,
		   int64_t *out)
{
	struct hq_db_stmt *st = hq_ingest_cached(s, sql);
	*out = dflt;
	if (!st)
		return -1;
	hq_db_bind_text(st, 1, a);
	if (b)
		hq_db_bind_text(st, 2, b);
	if (c != INT64_MIN)
		hq_db_bind_int64(st, 2, c);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW && !hq_db_column_null(st, 0))
		*out = hq_db_column_int64(st, 0);
	hq_db_reset(st);
	return rc == HQ_DB_ROW || rc == HQ_DB_DONE ? 0 : -1;
}

/*
 * Ratings from before install ids are held under the kiosk's install "".
 * The first batch of a new install that continues them (its first seq
 * follows the legacy ones, or repeats one exactly) is that same store,
 * upgraded: the legacy install becomes its, so its acked_through and gaps
 * are whole. Any other new install (a re-imaged kiosk, seq from 1 again
 * with other ratings) leaves them where they are. 0, or -1.
 */
static int adopt_legacy(struct hq_store *s, const char *kiosk_id, const struct protocol_batch *b)
{
	if (!b->install_id[0] || b->n == 0)
		return 0;
	int64_t legacy = 0, legacy_max = 0;
	if (one_int(s, "SELECT id FROM installs WHERE kiosk_id = ? AND install_id = ''", kiosk_id, NULL, INT64_MIN, 0,
		    &legacy))
		return -1;
	if (legacy == 0)
		return 0;
	if (one_int(s, "SELECT max(seq) FROM ratings WHERE kiosk_id = ? AND install = ?", kiosk_id, NULL, legacy, 0,
		    &legacy_max))
		return -1;
	const struct protocol_rating *first = &b->ratings[0];
	for (size_t i = 1; i < b->n; i++)
		if (b->ratings[i].r.seq < first->r.seq)
			first = &b->ratings[i];
	int continues = first->r.seq == legacy_max + 1;
	if (!continues && first->r.seq <= legacy_max) {
		char names[160];
		int rc = hq_ingest_held_differs(s, kiosk_id, legacy, first, names, sizeof(names));
		continues = rc == 0 && names[0] == '\0';
	}
	if (!continues)
		return 0;
	/* The ratings refer to the install by its integer id: renaming it moves them all. */
	struct hq_db_stmt *st = hq_ingest_cached(s, "UPDATE installs SET install_id = ?2"
						    " WHERE kiosk_id = ?1 AND install_id = ''");
	if (!st)
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_text(st, 2, b->install_id);
	int rc = hq_db_step(st);
	hq_db_reset(st);
	if (rc != HQ_DB_DONE)
		return -1;
	log_msg(LOG_NOTICE, "kiosk %s: install %s continues the ratings held from before install ids (through seq %lld)",
		kiosk_id, b->install_id, (long long)legacy_max);
	return 0;
}

/* Records the conflicts listed in c (the batch itself is rolled back). 0, or -1. */
static int record_conflicts(struct hq_store *s, const struct protocol_conflict *c, int64_t now)
{
	struct hq_db_stmt *st = hq_ingest_cached(s, "INSERT INTO conflicts (kiosk_id, install_id, seq, fields,"
						    " first_ms, last_ms)"
						    " VALUES (?1,?2,?3,?4,?5,?5) ON CONFLICT (kiosk_id, install_id, seq)"
						    " DO UPDATE SET fields = excluded.fields, last_ms = excluded.last_ms,"
						    " times = conflicts.times + 1");
	if (!st)
		return -1;
	int rc = HQ_DB_DONE;
	for (size_t i = 0; i < c->n && rc == HQ_DB_DONE; i++) {
		hq_db_bind_text(st, 1, c->kiosk_id);
		hq_db_bind_text(st, 2, c->install_id);
		hq_db_bind_int64(st, 3, c->items[i].seq);
		hq_db_bind_text(st, 4, c->items[i].fields);
		hq_db_bind_int64(st, 5, now);
		rc = hq_db_step(st);
		hq_db_reset(st);
	}
	return rc == HQ_DB_DONE ? 0 : -1;
}

static void conflict_line(const struct protocol_conflict *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "kiosk %s install %s: %lld rating(s) of this batch already held with other content"
		 " (seq %lld differs in %s); nothing of the batch was stored",
		 c->kiosk_id, c->install_id[0] ? c->install_id : "(none)", (long long)c->count,
		 (long long)c->items[0].seq, c->items[0].fields);
}

int hq_store_ingest(struct hq_store *s, const struct hq_kiosk *k, const struct protocol_batch *b,
		    int64_t now, struct protocol_ack *ack, char *err, size_t errlen)
{
	memset(ack, 0, sizeof(*ack));
	snprintf(ack->kiosk_id, sizeof(ack->kiosk_id), "%s", k->id);
	snprintf(ack->install_id, sizeof(ack->install_id), "%s", b->install_id);
	const char *install = b->install_id;
	struct protocol_conflict *c = &ack->conflict;
	struct hq_ingest_counts counts = { 0 };
	char why[512];
	int begun = hq_ingest_batch_begin(s, k->id, why, sizeof(why));
	if (begun) {
		snprintf(err, errlen, "cannot begin: %s", why);
		if (begun == -2) {
			memset(ack, 0, sizeof(*ack));
			return -1;
		}
		goto rollback;
	}
	/* Re-read inside the transaction (and the kiosk's lock): another process may have moved it. */
	int64_t install_ref = 0, from = 0;
	for (int pass = 0; pass < 2 && !install_ref; pass++) {
		struct hq_db_stmt *get = hq_ingest_cached(s, "SELECT id, acked_through FROM installs"
							     " WHERE kiosk_id = ? AND install_id = ?");
		int rc = HQ_DB_ERROR;
		if (get) {
			hq_db_bind_text(get, 1, k->id);
			hq_db_bind_text(get, 2, install);
			rc = hq_db_step(get);
			if (rc == HQ_DB_ROW) {
				install_ref = hq_db_column_int64(get, 0);
				from = hq_db_column_int64(get, 1);
			}
			hq_db_reset(get);
		}
		if (rc != HQ_DB_ROW && rc != HQ_DB_DONE) {
			hq_store_fail(s, "cannot read progress", err, errlen);
			goto rollback;
		}
		/* First contact of this install: it may be the legacy store, upgraded. */
		if (!install_ref && pass == 0 && adopt_legacy(s, k->id, b)) {
			hq_store_fail(s, "cannot adopt legacy ratings", err, errlen);
			goto rollback;
		}
	}
	if (!install_ref && b->n == 0) {
		/* An empty batch of an unknown store registers nothing (nor takes
		 * the legacy ratings over: its first real batch decides that). */
		if (hq_shifts_ingest(s, k->id, b, now)) {
			hq_store_fail(s, "cannot store shift schedules", err, errlen);
			goto rollback;
		}
		if (hq_ingest_batch_commit(s, why, sizeof(why))) {
			snprintf(err, errlen, "cannot commit: %s", why);
			goto rollback;
		}
		return 0;
	}
	if (!install_ref) {
		/* A kiosk store heard from for the first time. */
		struct hq_db_stmt *st = hq_ingest_cached(s, "INSERT INTO installs (kiosk_id, install_id, first_ms, last_ms)"
							    " VALUES (?, ?, ?, ?) RETURNING id");
		int rc = HQ_DB_ERROR;
		if (st) {
			hq_db_bind_text(st, 1, k->id);
			hq_db_bind_text(st, 2, install);
			hq_db_bind_int64(st, 3, now);
			hq_db_bind_int64(st, 4, now);
			rc = hq_db_step(st);
			if (rc == HQ_DB_ROW) {
				install_ref = hq_db_column_int64(st, 0);
				rc = hq_db_step(st);
			}
			hq_db_reset(st);
		}
		if (rc != HQ_DB_DONE || !install_ref) {
			hq_store_fail(s, "cannot register install", err, errlen);
			goto rollback;
		}
	}
	unsigned char fresh[INSERT_ROWS];
	int all_new = hq_ingest_all_new(s, k->id, install_ref, b);
	if (all_new < 0) {
		hq_store_fail(s, "cannot look for held ratings", err, errlen);
		goto rollback;
	}
	if (all_new && hq_ingest_insert_all_new(s, k->id, install_ref, now, b)) {
		hq_store_fail(s, "cannot store rating", err, errlen);
		goto rollback;
	}
	for (size_t at = 0; at < b->n;) {
		size_t left = b->n - at, n = INSERT_ROWS;
		while (n > left)
			n /= 2;
		const struct protocol_rating *p = &b->ratings[at];
		if (all_new)
			memset(fresh, 1, n); /* in already, every one */
		else if (hq_ingest_insert_chunk(s, k->id, install_ref, now, p, n, fresh)) {
			hq_store_fail(s, "cannot store rating", err, errlen);
			goto rollback;
		}
		for (size_t i = 0; i < n; i++) {
			if (fresh[i]) {
				int64_t best;
				int known;
				hq_ingest_best_time(&p[i], &best, &known);
				ack->accepted++;
				if (hq_ingest_counts_add(&counts, best, known, &p[i].r)) {
					snprintf(err, errlen, "out of memory");
					goto rollback;
				}
				continue;
			}
			/* Held already: an exact repeat is a duplicate; other content is a conflict. */
			char names[sizeof(c->items[0].fields)];
			if (hq_ingest_held_differs(s, k->id, install_ref, &p[i], names, sizeof(names))) {
				hq_store_fail(s, "cannot compare with the held rating", err, errlen);
				goto rollback;
			}
			if (!names[0]) {
				ack->duplicates++;
				continue;
			}
			if (c->n < PROTOCOL_MAX_CONFLICTS) {
				c->items[c->n].seq = p[i].r.seq;
				snprintf(c->items[c->n].fields, sizeof(c->items[c->n].fields), "%s", names);
				c->n++;
			}
			c->count++;
		}
		at += n;
	}
	if (hq_reasons_ingest(s, k->id, install_ref, b, c)) {
		hq_store_fail(s, "cannot store follow-up answers", err, errlen);
		goto rollback;
	}
	if (c->count > 0) {
		snprintf(c->kiosk_id, sizeof(c->kiosk_id), "%s", k->id);
		snprintf(c->install_id, sizeof(c->install_id), "%s", install);
		if (hq_db_exec(s->sql, "ROLLBACK TO batch", why, sizeof(why)) != HQ_DB_DONE ||
		    record_conflicts(s, c, now) || hq_ingest_batch_commit(s, why, sizeof(why))) {
			hq_store_fail(s, "cannot record a conflict", err, errlen);
			goto rollback;
		}
		struct protocol_conflict keep = *c;
		memset(ack, 0, sizeof(*ack));
		ack->conflict = keep;
		conflict_line(c, err, errlen);
		free(counts.c);
		return 1;
	}
	if (hq_ingest_counts_flush(s, k, install_ref, &counts)) {
		hq_store_fail(s, "cannot count ratings", err, errlen);
		goto rollback;
	}
	/*
	 * Every seq of the batch is held now (stored, or held already): those
	 * that continue acked_through in the batch's order need no walk. A
	 * kiosk sends its ratings in order, so the walk starts at the batch's
	 * end and finds nothing above it, instead of reading back all its rows.
	 */
	int64_t start = from;
	for (size_t i = 0; i < b->n; i++)
		if (b->ratings[i].r.seq == start + 1)
			start++;
	if (progress(s, k->id, install_ref, start, ack)) {
		hq_store_fail(s, "cannot compute progress", err, errlen);
		goto rollback;
	}
	/* Written only when it moved: a batch of repeats costs no write. */
	if (ack->acked_through != from) {
		struct hq_db_stmt *st = hq_ingest_cached(s, "UPDATE installs SET acked_through = ?, last_ms = ? WHERE id = ?");
		int rc = HQ_DB_ERROR;
		if (st) {
			hq_db_bind_int64(st, 1, ack->acked_through);
			hq_db_bind_int64(st, 2, now);
			hq_db_bind_int64(st, 3, install_ref);
			rc = hq_db_step(st);
			hq_db_reset(st);
		}
		/* kiosks.acked_through follows the store the kiosk runs now (its latest install). */
		st = rc == HQ_DB_DONE ? hq_ingest_cached(s, "UPDATE kiosks SET acked_through = ? WHERE id = ?") : NULL;
		if (st) {
			hq_db_bind_int64(st, 1, ack->acked_through);
			hq_db_bind_text(st, 2, k->id);
			rc = hq_db_step(st);
			hq_db_reset(st);
		} else {
			rc = HQ_DB_ERROR;
		}
		if (rc != HQ_DB_DONE) {
			hq_store_fail(s, "cannot update progress", err, errlen);
			goto rollback;
		}
	}
	if (hq_registry_note_batch(s, k, b, now, ack)) {
		hq_store_fail(s, "cannot update the kiosk's health", err, errlen);
		goto rollback;
	}
	/* The schedules in the batch's transaction: a crash after the ack can no longer lose its shift names. */
	if (hq_shifts_ingest(s, k->id, b, now)) {
		hq_store_fail(s, "cannot store shift schedules", err, errlen);
		goto rollback;
	}
	if (hq_ingest_batch_commit(s, why, sizeof(why))) {
		snprintf(err, errlen, "cannot commit: %s", why);
		goto rollback;
	}
	free(counts.c);
	return 0;
rollback:
	free(counts.c);
	hq_ingest_batch_rollback(s);
	memset(ack, 0, sizeof(*ack));
	return -1;
}
