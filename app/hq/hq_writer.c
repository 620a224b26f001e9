/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_writer: group commit on one thread.
 *
 * Callers queue a job (on their own stack) and sleep on its condition.
 * The writer takes every job queued at that moment (up to GROUP_RATINGS
 * ratings), opens one transaction, stores each batch in a SAVEPOINT of
 * its own and commits once. So under load a single fsync of the WAL
 * covers many kiosks' batches, and the more kiosks post, the bigger the
 * groups grow: the writer never waits to fill a group, it takes what came
 * while the previous commit ran.
 *
 * The writer does not checkpoint: SQLite would do it inside the commit
 * that crosses 1000 WAL pages, copying pages and fsyncing the database
 * while every kiosk waits. A checkpoint thread with its own connection
 * does it instead, woken when the WAL has grown by that much.
 *
 * A job's result is only set after COMMIT returned: an ack never names a
 * rating that a power cut could still take away. If the commit itself
 * fails, every batch of the group is answered as failed (nothing of it is
 * stored), and the kiosks send them again.
 */
#include "hq_writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_db.h"
#include "log.h"

/* Enough to amortise an fsync, small enough that a group commits in tens of ms. */
#define GROUP_RATINGS 50000
/* SQLite's own default for an automatic checkpoint (4 MiB with 4 KiB pages). */
#define CHECKPOINT_FRAMES 1000

struct job {
	const struct hq_kiosk *k;
	const struct protocol_batch *b;
	int64_t now_ms;
	struct protocol_ack *ack;
	char *err;
	size_t errlen;
	int rc;
	int done;
	struct job *next;
};

struct hq_writer {
	struct hq_store *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;     /* the writer waits for jobs */
	pthread_cond_t done;     /* callers wait for their job */
	struct job *head, *tail;
	int stopping;
	int64_t writing;
	/* checkpoints */
	struct hq_store *ckpt_db;
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_wake;
	int ckpt_due;
	struct hq_writer_stats stats;
};

/* Told after each group that stored ratings (hq_writer_on_commit): the alert evaluator's wake-up. */
static void (*_Atomic on_commit_fn)(void *);
static void *on_commit_arg;

void hq_writer_on_commit(void (*fn)(void *arg), void *arg)
{
	on_commit_arg = arg;
	on_commit_fn = fn;
}

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Stores one group; fills every job's rc, and d with what was committed. */
static void run_group(struct hq_writer *w, struct job *group, struct hq_writer_stats *d)
{
	char err[512];
	int64_t t0 = mono_us();
	if (hq_store_group_begin(w->db, err, sizeof(err))) {
		for (struct job *j = group; j; j = j->next) {
			snprintf(j->err, j->errlen, "%s", err);
			j->rc = -1;
		}
		log_msg(LOG_ERR, "writer: %s", err);
		return;
	}
	/* Every kiosk of the group locked at once, in order (PostgreSQL replicas: see hq_ingest.c). */
	size_t njobs = 0;
	for (struct job *j = group; j; j = j->next)
		njobs++;
	const char **ids = malloc(njobs * sizeof(*ids));
	size_t at = 0;
	for (struct job *j = group; ids && j; j = j->next)
		ids[at++] = j->k->id;
	int locked = ids && hq_store_group_lock(w->db, ids, njobs, err, sizeof(err)) == 0;
	free(ids);
	if (!locked) {
		if (at < njobs)
			snprintf(err, sizeof(err), "out of memory");
		char why[256];
		hq_store_group_commit(w->db, why, sizeof(why)); /* nothing stored yet: only ends the transaction */
		for (struct job *j = group; j; j = j->next) {
			snprintf(j->err, j->errlen, "%s", err);
			j->rc = -1;
		}
		log_msg(LOG_ERR, "writer: %s", err);
		return;
	}
	int64_t batches = 0, ratings = 0;
	for (struct job *j = group; j; j = j->next) {
		j->rc = hq_store_ingest(w->db, j->k, j->b, j->now_ms, j->ack, j->err, j->errlen);
		if (j->rc == 0) {
			batches++;
			ratings += (int64_t)j->b->n;
		}
	}
	if (hq_store_group_commit(w->db, err, sizeof(err))) {
		log_msg(LOG_ERR, "writer: %s (the group's batches answered 503, to be sent again)", err);
		for (struct job *j = group; j; j = j->next) {
			if (j->rc == 0)
				memset(j->ack, 0, sizeof(*j->ack));
			snprintf(j->err, j->errlen, "%s", err);
			j->rc = -1;
		}
		return;
	}
	d->groups = 1;
	d->batches = batches;
	d->ratings = ratings;
	d->busy_us = mono_us() - t0;
	void (*fn)(void *) = on_commit_fn;
	if (fn && ratings)
		fn(on_commit_arg);
}

/* On the writer thread, after a commit (SQLite's WAL hook). */
static void wal_grew(void *arg, int frames)
{
	struct hq_writer *w = arg;
	if (frames < CHECKPOINT_FRAMES)
		return;
	pthread_mutex_lock(&w->lock);
	w->ckpt_due = 1;
	pthread_cond_signal(&w->ckpt_wake);
	pthread_mutex_unlock(&w->lock);
}

static void *checkpoint_main(void *arg)
{
	struct hq_writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->ckpt_due && !w->stopping)
			pthread_cond_wait(&w->ckpt_wake, &w->lock);
		if (w->stopping)
			break;
		w->ckpt_due = 0;
		pthread_mutex_unlock(&w->lock);
		char err[256];
		if (hq_store_checkpoint(w->ckpt_db, err, sizeof(err)))
			log_msg(LOG_WARNING, "writer: %s", err);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void *writer_main(void *arg)
{
	struct hq_writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		if (!w->head)
			break; /* stopping, and nothing left */
		/* Take what is queued, up to GROUP_RATINGS ratings (always at least one job). */
		struct job *group = w->head, *last = group;
		size_t n = group->b->n;
		while (last->next && n + last->next->b->n <= GROUP_RATINGS) {
			last = last->next;
			n += last->b->n;
		}
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		for (struct job *j = group; j; j = j->next)
			w->writing++;
		pthread_mutex_unlock(&w->lock);
		struct hq_writer_stats d = { 0 };
		run_group(w, group, &d);
		pthread_mutex_lock(&w->lock);
		w->stats.groups += d.groups;
		w->stats.batches += d.batches;
		w->stats.ratings += d.ratings;
		w->stats.busy_us += d.busy_us;
		w->writing = 0;
		for (struct job *j = group, *next; j; j = next) {
			next = j->next; /* j belongs to its caller once done is set */
			j->done = 1;
		}
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int hq_writer_start(struct hq_writer **out, const char *db_path, char *err, size_t errlen)
{
	*out = NULL;
	struct hq_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (hq_store_open(&w->db, db_path, err, errlen)) {
		free(w);
		return -1;
	}
	/*
	 * Only a CLI command (kiosk add, revoke) competes for the write lock,
	 * briefly; a long wait means something holds it, and waiting (the
	 * kiosks wait with us) beats answering 503 to everyone meanwhile.
	 */
	hq_store_busy_timeout(w->db, 30000);
	/*
	 * A page cache that holds the indexes' hot pages (SQLite's default is
	 * 2 MiB): 100 kiosks' batches land all over the time index, and pages
	 * read back from the file cost a system call each. Temporary files
	 * (statement and savepoint journals) in memory, not on disk.
	 */
	if (hq_store_engine(w->db) == HQ_DB_SQLITE &&
	    hq_db_exec(hq_store_sql(w->db), "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY", err, errlen) != HQ_DB_DONE) {
		hq_store_close(w->db);
		free(w);
		return -1;
	}
	if (hq_store_open(&w->ckpt_db, db_path, err, errlen)) {
		hq_store_close(w->db);
		free(w);
		return -1;
	}
	hq_store_on_wal(w->db, wal_grew, w);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	pthread_cond_init(&w->ckpt_wake, NULL);
	if (pthread_create(&w->ckpt_thread, NULL, checkpoint_main, w)) {
		snprintf(err, errlen, "cannot start the checkpoint thread");
		goto fail;
	}
	if (pthread_create(&w->thread, NULL, writer_main, w)) {
		snprintf(err, errlen, "cannot start the writer thread");
		pthread_mutex_lock(&w->lock);
		w->stopping = 1;
		pthread_cond_signal(&w->ckpt_wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->ckpt_thread, NULL);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	hq_store_close(w->db);
	hq_store_close(w->ckpt_db);
	pthread_cond_destroy(&w->ckpt_wake);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return -1;
}

int hq_writer_ingest(struct hq_writer *w, const struct hq_kiosk *k, const struct protocol_batch *b, int64_t now_ms,
		     struct protocol_ack *ack, char *err, size_t errlen)
{
	struct job j = { .k = k, .b = b, .now_ms = now_ms, .ack = ack, .err = err, .errlen = errlen, .rc = -1 };
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		snprintf(err, errlen, "head office is stopping");
		return -1;
	}
	/* j lives on this stack until the writer marks it done: we wait for that below. */
	if (w->tail)
		w->tail->next = &j; // cppcheck-suppress autoVariables ; j outlives its place in the queue (waited for below)
	else
		w->head = &j; // cppcheck-suppress autoVariables ; likewise
	w->tail = &j; // cppcheck-suppress autoVariables ; likewise
	pthread_cond_signal(&w->work);
	while (!j.done)
		pthread_cond_wait(&w->done, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return j.rc;
}

void hq_writer_stats(struct hq_writer *w, struct hq_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	out->queued = 0;
	out->writing = w->writing;
	for (struct job *j = w->head; j; j = j->next)
		out->queued++;
	pthread_mutex_unlock(&w->lock);
}

void hq_writer_stop(struct hq_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->work);
	pthread_cond_signal(&w->ckpt_wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_join(w->ckpt_thread, NULL);
	hq_store_close(w->db);
	hq_store_close(w->ckpt_db);
	pthread_cond_destroy(&w->ckpt_wake);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
