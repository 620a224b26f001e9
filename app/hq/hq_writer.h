/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_writer: the one thread that writes ratings at head office. Callers
 * hand it decoded batches and wait; it stores whatever has queued up in
 * one transaction (each batch in its own SAVEPOINT), commits once, and
 * wakes every caller with its own ack. The HTTP threads never touch a
 * write lock, so reads stay quick while kiosks post.
 */
#ifndef HQ_WRITER_H
#define HQ_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"

struct hq_writer;

/* Opens the writer's own connection to db_path and starts its thread. 0, or -1 with err. */
int hq_writer_start(struct hq_writer **out, const char *db_path, char *err, size_t errlen);

/*
 * Stores b for k as hq_store_ingest does (same return values, same ack),
 * through the writer's next group commit. Blocks the calling thread until
 * that group committed or failed. Thread-safe.
 */
int hq_writer_ingest(struct hq_writer *w, const struct hq_kiosk *k, const struct protocol_batch *b, int64_t now_ms,
		     struct protocol_ack *ack, char *err, size_t errlen);

/*
 * fn(arg) is called on the writer thread after each commit that stored
 * ratings (NULL: nothing). Process-wide; fn must only signal, not wait.
 */
void hq_writer_on_commit(void (*fn)(void *arg), void *arg);

/* Figures since start, for the log and the benchmark. */
struct hq_writer_stats {
	int64_t groups, batches, ratings;
	int64_t busy_us;    /* time spent inside transactions */
	int64_t queued;     /* batches waiting for the next group now */
	int64_t writing;    /* batches in the group being written now */
};
void hq_writer_stats(struct hq_writer *w, struct hq_writer_stats *out);

/* Finishes what is queued, stops the thread and closes its connection. */
void hq_writer_stop(struct hq_writer *w);

#endif
