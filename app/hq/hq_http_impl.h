/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_http_impl: what the files of the hq_http module share (hq_http.c:
 * the server, its threads and the dispatch of a complete request;
 * hq_http_admit.c: which request may send a body, how much and how fast,
 * and refusing the rest). Nothing outside them includes it; the rest of
 * head office uses hq_http.h.
 */
#ifndef HQ_HTTP_IMPL_H
#define HQ_HTTP_IMPL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "hq_api.h"
#include "hq_http.h"
#include "hq_pool.h"

#define MAX_THREADS 64
#define READ_WORKERS_MIN 2
/*
 * Ingest workers wait for the group commit; their number bounds a group's
 * size in batches. Each holds one decoded batch (at most 1,000 ratings) and
 * a database connection. SQLite: 16 gave groups of 8 batches while 100
 * kiosks posted (bench_hq_ingest: 126 commits for 1,000 batches, the writer
 * idle in each fsync a quarter of the time); 64 gives about 30. PostgreSQL:
 * a group is round trips holding its kiosks' locks and the server batches
 * its WAL flushes itself; with 64 a kiosk's summary waited up to 350 ms (p99
 * 102 ms) while two replicas ingested, with 16 p99 15.5 ms, and ingest was
 * no slower (bench_hq_pg.sh).
 */
#define INGEST_WORKERS 64
#define INGEST_WORKERS_PG 16
#define MAX_DBS (MAX_THREADS * 2 + INGEST_WORKERS + 4)
#define MAX_ARGS 16

struct hq_http {
	struct MHD_Daemon *daemon;
	struct hq_http_options o;
	char *cert_pem, *key_pem;
	struct hq_guard *guard;
	struct hq_writer *writer;
	struct hq_health *health;
	struct hq_pool *readers, *ingest;
	pthread_mutex_t lock;          /* guards dbs */
	struct hq_store *dbs[MAX_DBS];
	size_t ndbs;
};

enum req_state {
	R_READING,                     /* headers or body arriving */
	R_QUEUED,                      /* suspended, with a pool */
	R_ANSWERED,                    /* res is ready: send it on the next call */
	R_REFUSED,                     /* a response is queued; drop the rest of the body */
};

/* One request in flight. */
struct req {
	struct hq_pool_item item;      /* first: a pool item is a req */
	struct hq_http *h;
	struct MHD_Connection *c;
	const char *method, *url;      /* MHD's, valid until the request completes */
	const char *authorization, *encoding;
	const char *cookie, *content_type, *csrf_token, *origin, *fetch_site, *host; /* for people's sessions */
	const char *if_none_match;     /* the dashboard's files (hq_static) */
	const char *accept;            /* whether a 404 goes to a person (HTML) or a script (JSON) */
	const char *args[MAX_ARGS][2]; /* query arguments, copied for the pool thread */
	int nargs;
	char *body;
	size_t len, cap;
	size_t reserved;               /* bytes counted against the body budget */
	int64_t started_ms;
	int64_t metrics_t0;            /* hq_metrics_clock() at the headers: queue time counts */
	enum req_state state;
	struct hq_response res;
	char peer[64];
};

/* CLOCK_MONOTONIC in ms. */
int64_t hq_http_mono_ms(void);
/* This thread's database connection, opened on first use (NULL: none, logged). */
struct hq_store *hq_http_db_for_thread(struct hq_http *h);

/* Queues res as the answer (MHD owns its body from here). */
enum MHD_Result hq_http_send(struct MHD_Connection *c, struct hq_response *res);
/* Queues an error answer; the rest of any body is not read (MHD closes the connection). */
enum MHD_Result hq_http_refuse(struct MHD_Connection *c, struct req *q, int status, const char *msg);
/* Refuses a request whose body is still arriving, and closes the connection. */
enum MHD_Result hq_http_refuse_mid_body(struct hq_http *h, struct MHD_Connection *c, struct req *q, int status,
					const char *msg);
/* Whether the body arrives too slowly to be waited for. */
int hq_http_too_slow(const struct hq_http *h, const struct req *q);
/* The headers are complete: whether (and how much) body q may send. */
enum MHD_Result hq_http_on_headers(struct hq_http *h, struct MHD_Connection *c, struct req *q);
/* Appends a piece of body; a status to refuse with, or 0. */
int hq_http_take_body(struct hq_http *h, struct req *q, const char *data, size_t n);

#endif
