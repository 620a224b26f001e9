/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_ingest_tx: a batch's transaction and its locks (see hq_ingest_impl.h
 * for the ingest files, hq_ingest.c for why each lock exists).
 */
#include "hq_ingest_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Serialises write transactions of all connections in this process. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

void hq_store_lock_process(int on)
{
	if (on)
		pthread_mutex_lock(&write_lock);
	else
		pthread_mutex_unlock(&write_lock);
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

int hq_ingest_batch_begin(struct hq_store *s, const char *kiosk_id, char *err, size_t errlen)
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
int hq_ingest_batch_commit(struct hq_store *s, char *err, size_t errlen)
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
void hq_ingest_batch_rollback(struct hq_store *s)
{
	char why[256];
	if (s->in_group) {
		hq_db_exec(s->sql, "ROLLBACK TO batch; RELEASE batch", why, sizeof(why));
		return;
	}
	hq_db_rollback(s->sql);
	hq_store_lock_process(0);
}
