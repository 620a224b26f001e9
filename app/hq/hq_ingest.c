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
 * - The best time of a rating is decided once, here (best_ms,
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
#include "hq_store_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_dash_days.h"
#include "hq_hours.h"
#include "hq_ingest_pg.h"
#include "hq_reasons.h"
#include "hq_registry.h"
#include "hq_shifts.h"
#include "hq_slots.h"
#include "log.h"

/* Serialises write transactions of all connections in this process. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

void hq_store_lock_process(int on)
{
	if (on)
		pthread_mutex_lock(&write_lock);
	else
		pthread_mutex_unlock(&write_lock);
}

static void best_time(const struct protocol_rating *p, int64_t *ms, int *known)
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

/* A cached statement, or NULL (the database's error says why). */
static struct hq_db_stmt *cached(struct hq_store *s, const char *sql)
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
	struct hq_db_stmt *st = cached(s, "SELECT seq FROM ratings WHERE kiosk_id = ? AND install = ? AND seq > ?"
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

/*
 * Which fields of p differ from what is held for (kiosk, install, p's seq):
 * 0 with names filled ("" when the same), -1 on error. corrected_ms is not
 * compared: a rating sent uncorrected whose ack was lost may be sent again
 * corrected, and that is the same rating.
 */
static int held_differs(struct hq_store *s, const char *kiosk_id, int64_t install,
			const struct protocol_rating *p, char *names, size_t len)
{
	struct hq_db_stmt *st = cached(s, "SELECT value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags"
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

/* One integer from sql with text a (and b, and integer c when not INT64_MIN); none: dflt. 0, or -1. */
static int one_int(struct hq_store *s, const char *sql, const char *a, const char *b, int64_t c, int64_t dflt,
		   int64_t *out)
{
	struct hq_db_stmt *st = cached(s, sql);
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
		int rc = held_differs(s, kiosk_id, legacy, first, names, sizeof(names));
		continues = rc == 0 && names[0] == '\0';
	}
	if (!continues)
		return 0;
	/* The ratings refer to the install by its integer id: renaming it moves them all. */
	struct hq_db_stmt *st = cached(s, "UPDATE installs SET install_id = ?2 WHERE kiosk_id = ?1 AND install_id = ''");
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
	struct hq_db_stmt *st = cached(s, "INSERT INTO conflicts (kiosk_id, install_id, seq, fields, first_ms, last_ms)"
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

/*
 * The transaction lines of one batch, in one place: the write lock, the
 * transaction, the kiosk's lock, and the batch in its own savepoint
 * "batch", so that a conflict rolls back the batch alone and keeps the
 * record of the conflict. Inside a group (hq_store_group_begin, the
 * writer thread) the transaction and the locks are the group's, and a
 * batch is its savepoint only.
 *
 * Group commit (both engines): the writer thread puts several batches
 * into one transaction, so one flush of the log covers them all (the
 * flush, and on PostgreSQL the round trips of BEGIN and COMMIT, not the
 * inserts, are what limit a durable ingest). A batch that fails or
 * conflicts is rolled back alone and the others still commit. No ack
 * leaves before the group's COMMIT returned, so durability per ack is what
 * it was with one transaction per batch; a replica killed mid-group, or a
 * connection lost, takes the whole group's transaction with it and every
 * batch of it is answered 503 or not at all, and sent again.
 */
int hq_store_group_begin(struct hq_store *s, char *err, size_t errlen)
{
	hq_store_lock_process(1);
	if (hq_db_begin(s->sql, 1, err, errlen) != HQ_DB_DONE) {
		hq_store_lock_process(0);
		return -1;
	}
	s->in_group = 1;
	return 0;
}

int hq_store_group_commit(struct hq_store *s, char *err, size_t errlen)
{
	if (!s->in_group)
		return 0;
	free(s->group_keys);
	s->group_keys = NULL;
	s->ngroup_keys = 0;
	int rc = 0;
	if (hq_db_commit(s->sql, err, errlen) != HQ_DB_DONE) {
		rc = -1;
		hq_db_rollback(s->sql);
	}
	s->in_group = 0;
	hq_store_lock_process(0);
	return rc;
}

/* FNV-1a over the kiosk id: the key of its lock across replicas. */
static int64_t kiosk_key(const char *id)
{
	uint64_t h = 14695981039346656037u;
	for (const unsigned char *c = (const unsigned char *)id; *c; c++)
		h = (h ^ *c) * 1099511628211u;
	return (int64_t)(h >> 1);
}

static int key_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int hq_store_group_lock(struct hq_store *s, const char *const *kiosk_ids, size_t n, char *err, size_t errlen)
{
	if (!s->in_group || n == 0 || s->group_keys)
		return 0;
	int64_t *keys = malloc(n * sizeof(*keys));
	if (!keys) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = kiosk_key(kiosk_ids[i]);
	char why[256];
	size_t m = n;
	if (hq_db_lock_keys(s->sql, keys, &m, why, sizeof(why)) != HQ_DB_DONE ||
	    hq_db_hold_horizon(s->sql, "ratings", "rowid", why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot lock the group's kiosks: %s", why);
		free(keys);
		return -1;
	}
	s->group_keys = keys; /* sorted, without repeats: batch_begin searches it */
	s->ngroup_keys = m;
	return 0;
}

static int batch_begin(struct hq_store *s, const char *kiosk_id, char *err, size_t errlen)
{
	if (!s->in_group) {
		hq_store_lock_process(1);
		if (hq_db_begin(s->sql, 1, err, errlen) != HQ_DB_DONE) {
			hq_store_lock_process(0);
			return -2; /* nothing begun: nothing to roll back */
		}
	}
	/*
	 * A group's batch runs under the lock its group took in order; a kiosk
	 * the group did not name (a caller that skipped hq_store_group_lock)
	 * takes its own, and PostgreSQL's deadlock detector stays the net.
	 */
	int64_t key = kiosk_key(kiosk_id);
	int held = s->in_group && s->ngroup_keys && bsearch(&key, s->group_keys, s->ngroup_keys, sizeof(key), key_cmp);
	if ((!held && hq_db_lock_key(s->sql, key, err, errlen) != HQ_DB_DONE) ||
	    (!s->in_group && hq_db_hold_horizon(s->sql, "ratings", "rowid", err, errlen) != HQ_DB_DONE) ||
	    hq_db_exec(s->sql, "SAVEPOINT batch", err, errlen) != HQ_DB_DONE)
		return -1;
	return 0;
}

/* Keeps what the batch's savepoint holds. 0, or -1 (then call batch_rollback). */
static int batch_commit(struct hq_store *s, char *err, size_t errlen)
{
	if (hq_db_exec(s->sql, "RELEASE batch", err, errlen) != HQ_DB_DONE)
		return -1;
	if (s->in_group)
		return 0;
	if (hq_db_commit(s->sql, err, errlen) != HQ_DB_DONE)
		return -1;
	hq_store_lock_process(0);
	return 0;
}

/* Drops the whole batch (a failure); inside a group, only the batch. */
static void batch_rollback(struct hq_store *s)
{
	char why[256];
	if (s->in_group) {
		hq_db_exec(s->sql, "ROLLBACK TO batch; RELEASE batch", why, sizeof(why));
		return;
	}
	hq_db_rollback(s->sql);
	hq_store_lock_process(0);
}

/* The quarter hours of one batch's new ratings, before they go into rating_counts. */
struct slot_count {
	int64_t slot;
	int scale, known;
	int64_t v[5], misuse, closed;
	int64_t seq_lo, seq_hi;        /* for rating_slots (hq_slots.h) */
};

struct slot_counts {
	struct slot_count *c;
	size_t n, cap;
};

/* Counts one new rating; -1 out of memory. Ratings come in time order: the slot is nearly always the last one. */
static int slot_add(struct slot_counts *sc, int64_t best, int known, const struct rating *r)
{
	int64_t slot = hq_slot_of(best);
	struct slot_count *c = NULL;
	for (size_t i = sc->n, seen = 0; i-- > 0 && seen < 8 && !c; seen++)
		if (sc->c[i].slot == slot && sc->c[i].scale == r->scale && sc->c[i].known == known)
			c = &sc->c[i];
	if (!c) {
		if (sc->n == sc->cap) {
			size_t cap = sc->cap ? sc->cap * 2 : 32;
			struct slot_count *more = realloc(sc->c, cap * sizeof(*more));
			if (!more)
				return -1;
			sc->c = more;
			sc->cap = cap;
		}
		c = &sc->c[sc->n++];
		memset(c, 0, sizeof(*c));
		c->slot = slot;
		c->scale = r->scale;
		c->known = known;
		c->seq_lo = c->seq_hi = r->seq;
	}
	if (r->seq < c->seq_lo)
		c->seq_lo = r->seq;
	if (r->seq > c->seq_hi)
		c->seq_hi = r->seq;
	if (r->flags & RATING_MISUSE)
		c->misuse++;
	else if (r->flags & RATING_CLOSED)
		c->closed++;
	else if (r->value >= 0 && r->value < 5)
		c->v[r->value]++;
	return 0;
}

/* Adds the batch's counts to rating_counts and its seqs to rating_slots (same transaction as its rows). 0 or -1. */
static int slot_flush(struct hq_store *s, const struct hq_kiosk *k, int64_t install_ref, const struct slot_counts *sc)
{
	const char *kiosk_id = k->id;
	struct hq_db_stmt *st = cached(s, "INSERT INTO rating_counts (slot, kiosk_id, scale, known, v0, v1, v2, v3, v4,"
				       " misuse, closed) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
				       " ON CONFLICT (slot, kiosk_id, scale, known) DO UPDATE SET"
				       " v0 = rating_counts.v0 + excluded.v0, v1 = rating_counts.v1 + excluded.v1,"
				       " v2 = rating_counts.v2 + excluded.v2, v3 = rating_counts.v3 + excluded.v3,"
				       " v4 = rating_counts.v4 + excluded.v4, misuse = rating_counts.misuse + excluded.misuse,"
				       " closed = rating_counts.closed + excluded.closed");
	if (!st)
		return -1;
	int rc = HQ_DB_DONE;
	struct hq_hours_acc hours;
	hours.n = 0;
	for (size_t i = 0; i < sc->n && rc == HQ_DB_DONE; i++) {
		const struct slot_count *c = &sc->c[i];
		hq_db_bind_int64(st, 1, c->slot);
		hq_db_bind_text(st, 2, kiosk_id);
		hq_db_bind_int64(st, 3, c->scale);
		hq_db_bind_int64(st, 4, c->known);
		for (int v = 0; v < 5; v++)
			hq_db_bind_int64(st, 5 + v, c->v[v]);
		hq_db_bind_int64(st, 10, c->misuse);
		hq_db_bind_int64(st, 11, c->closed);
		rc = hq_db_step(st);
		hq_db_reset(st);
		/* Where the quarter hour's ratings are, for reads by time (hq_slots.h). */
		if (rc == HQ_DB_DONE && hq_slots_add(s, kiosk_id, install_ref, c->slot, c->seq_lo, c->seq_hi))
			rc = HQ_DB_ERROR;
		/* The dashboard's day totals, in the same transaction (hq_dash_days.h). */
		if (rc == HQ_DB_DONE && hq_dash_days_add(s, k->id, k->tz, c->slot, c->scale, c->known, c->v, c->misuse,
							 c->closed))
			rc = HQ_DB_ERROR;
		/* The summary's hour totals, likewise (hq_hours.h). */
		if (rc == HQ_DB_DONE && hq_hours_add(s, &hours, k->id, k->tz, c->slot, c->scale, c->known, c->v,
						     c->misuse, c->closed))
			rc = HQ_DB_ERROR;
	}
	if (rc == HQ_DB_DONE && hq_hours_flush(s, &hours))
		rc = HQ_DB_ERROR;
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* Rows per INSERT: 64 x 17 parameters stays well under both engines' limits. */
#define INSERT_ROWS 64
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
		best_time(&p[i], &best, &known);
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
	struct hq_db_stmt *st = cached(s, "SELECT 1 FROM ratings WHERE kiosk_id = ? AND install = ? AND seq BETWEEN ? AND ?"
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
static int insert_chunk(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
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
		struct hq_db_stmt *st = cached(s, insert_plain_sqls[log2]);
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
	struct hq_db_stmt *st = cached(s, insert_sqls[log2]);
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
static int batch_all_new(struct hq_store *s, const char *kiosk_id, int64_t install_ref, const struct protocol_batch *b)
{
	if (s->engine != HQ_DB_PG || b->n < 2 || !rising(b->ratings, b->n))
		return 0;
	return seqs_free(s, kiosk_id, install_ref, b->ratings[0].r.seq, b->ratings[b->n - 1].r.seq);
}

/* Every rating of b, all new (batch_all_new), in one statement (hq_ingest_pg.c). 0, or -1. */
static int insert_all_new(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
			  const struct protocol_batch *b)
{
	int64_t *best = malloc(b->n * sizeof(*best));
	unsigned char *known = malloc(b->n);
	int rc = -1;
	if (best && known) {
		for (size_t i = 0; i < b->n; i++) {
			int kn;
			best_time(&b->ratings[i], &best[i], &kn);
			known[i] = (unsigned char)kn;
		}
		rc = hq_ingest_pg_insert(s, kiosk_id, install_ref, now, b->ratings, best, known, b->n);
	}
	free(best);
	free(known);
	return rc;
}

int hq_store_ingest(struct hq_store *s, const struct hq_kiosk *k, const struct protocol_batch *b,
		    int64_t now, struct protocol_ack *ack, char *err, size_t errlen)
{
	memset(ack, 0, sizeof(*ack));
	snprintf(ack->kiosk_id, sizeof(ack->kiosk_id), "%s", k->id);
	snprintf(ack->install_id, sizeof(ack->install_id), "%s", b->install_id);
	const char *install = b->install_id;
	struct protocol_conflict *c = &ack->conflict;
	struct slot_counts counts = { 0 };
	char why[512];
	int begun = batch_begin(s, k->id, why, sizeof(why));
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
		struct hq_db_stmt *get = cached(s, "SELECT id, acked_through FROM installs WHERE kiosk_id = ? AND install_id = ?");
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
		if (batch_commit(s, why, sizeof(why))) {
			snprintf(err, errlen, "cannot commit: %s", why);
			goto rollback;
		}
		return 0;
	}
	if (!install_ref) {
		/* A kiosk store heard from for the first time. */
		struct hq_db_stmt *st = cached(s, "INSERT INTO installs (kiosk_id, install_id, first_ms, last_ms)"
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
	int all_new = batch_all_new(s, k->id, install_ref, b);
	if (all_new < 0) {
		hq_store_fail(s, "cannot look for held ratings", err, errlen);
		goto rollback;
	}
	if (all_new && insert_all_new(s, k->id, install_ref, now, b)) {
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
		else if (insert_chunk(s, k->id, install_ref, now, p, n, fresh)) {
			hq_store_fail(s, "cannot store rating", err, errlen);
			goto rollback;
		}
		for (size_t i = 0; i < n; i++) {
			if (fresh[i]) {
				int64_t best;
				int known;
				best_time(&p[i], &best, &known);
				ack->accepted++;
				if (slot_add(&counts, best, known, &p[i].r)) {
					snprintf(err, errlen, "out of memory");
					goto rollback;
				}
				continue;
			}
			/* Held already: an exact repeat is a duplicate; other content is a conflict. */
			char names[sizeof(c->items[0].fields)];
			if (held_differs(s, k->id, install_ref, &p[i], names, sizeof(names))) {
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
		    record_conflicts(s, c, now) || batch_commit(s, why, sizeof(why))) {
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
	if (slot_flush(s, k, install_ref, &counts)) {
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
		struct hq_db_stmt *st = cached(s, "UPDATE installs SET acked_through = ?, last_ms = ? WHERE id = ?");
		int rc = HQ_DB_ERROR;
		if (st) {
			hq_db_bind_int64(st, 1, ack->acked_through);
			hq_db_bind_int64(st, 2, now);
			hq_db_bind_int64(st, 3, install_ref);
			rc = hq_db_step(st);
			hq_db_reset(st);
		}
		/* kiosks.acked_through follows the store the kiosk runs now (its latest install). */
		st = rc == HQ_DB_DONE ? cached(s, "UPDATE kiosks SET acked_through = ? WHERE id = ?") : NULL;
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
	if (batch_commit(s, why, sizeof(why))) {
		snprintf(err, errlen, "cannot commit: %s", why);
		goto rollback;
	}
	free(counts.c);
	return 0;
rollback:
	free(counts.c);
	batch_rollback(s);
	memset(ack, 0, sizeof(*ack));
	return -1;
}
