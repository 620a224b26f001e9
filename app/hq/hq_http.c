/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_http: the libmicrohttpd side of tally-hq.
 *
 * Threads, and why:
 * - libmicrohttpd's event loops (epoll, `threads` of them) do network I/O
 *   only: reading headers and bodies, checking the token, writing answers.
 *   They never wait for the database, so /healthz and the next client's
 *   headers are answered at once whatever the database is doing.
 * - A complete request that needs the database is suspended and handed to
 *   a pool: reads (summary, export) to the read pool, POSTs to the ingest
 *   pool, which decodes the JSON and hands the batch to the writer thread
 *   (hq_writer: group commit). When the answer is ready the connection is
 *   resumed and the event loop sends it. Every pool thread has its own
 *   SQLite connection (opened on first use, closed at stop): WAL readers
 *   never wait for the writer or for each other.
 *
 * Limits, and the attack or accident each one stops:
 * - A request that carries a body must carry a valid token: it is checked
 *   on the headers, and a request without one gets 401 before a byte of
 *   its body is read (with Expect: 100-continue, no 100 is sent).
 * - A body (as sent, and again after gunzip) is at most 1 MiB: a declared
 *   Content-Length above that is refused before a byte is read, and a body
 *   that grows past it is refused as soon as it does.
 * - Bodies in flight share body_memory_limit: beyond it, 503 (kiosks retry
 *   with back-off), so many large uploads cannot run the server out of memory.
 * - header_timeout_s bounds the time to send request headers (hq_guard):
 *   slow-header clients (slowloris) lose their connection however steadily
 *   they trickle; connection_timeout_s closes idle connections, and a body
 *   arriving at under 1 KiB/s on average after it is refused with 408.
 * - slow_connections_per_address: connections of one address that have
 *   been sending their headers for over a second are capped, by closing
 *   them, never by refusing a newcomer (kiosks behind one NAT get in).
 * - max_connections in total (the descriptor limit is raised to fit), and
 *   optionally max_connections_per_address (off by default: a store's
 *   kiosks behind one NAT share an address).
 */
#include "hq_http.h"
#include "hq_health.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hq_guard.h"
#include "hq_gunzip.h"
#include "hq_listen.h"
#include "hq_metrics.h"
#include "hq_pool.h"
#include "hq_token.h"
#include "hq_writer.h"
#include "log.h"

#define MAX_THREADS 64
#define READ_WORKERS_MIN 2
/* Ingest workers wait for the group commit; their number bounds a group's size in batches. */
#define INGEST_WORKERS 16
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

/* This thread's connection, and which server opened it. */
static _Thread_local struct {
	struct hq_http *owner;
	struct hq_store *db;
} thread_db;

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

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Too slow: past the timeout and averaging under MIN_BODY_RATE bytes a
 * second. A rate, not a plain deadline, because a busy head office reads
 * bodies slowly itself and must not blame the kiosks for it.
 */
#define MIN_BODY_RATE 1024
static int too_slow(const struct hq_http *h, const struct req *q)
{
	if (h->o.connection_timeout_s <= 0)
		return 0;
	int64_t ms = mono_ms() - q->started_ms;
	return ms > (int64_t)(h->o.connection_timeout_s * 1000) && (double)q->len * 1000.0 / (double)ms < MIN_BODY_RATE;
}

static struct hq_store *db_for_thread(struct hq_http *h)
{
	if (thread_db.owner == h && thread_db.db)
		return thread_db.db;
	struct hq_store *db;
	char err[512];
	if (hq_store_open(&db, h->o.db_path, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		return NULL;
	}
	pthread_mutex_lock(&h->lock);
	if (h->ndbs == MAX_DBS) {
		pthread_mutex_unlock(&h->lock);
		hq_store_close(db);
		log_msg(LOG_ERR, "more threads than database connections");
		return NULL;
	}
	h->dbs[h->ndbs++] = db;
	pthread_mutex_unlock(&h->lock);
	thread_db.owner = h;
	thread_db.db = db;
	return db;
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct hq_response *res)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(res->body_len, res->body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		hq_api_response_free(res);
		return MHD_NO;
	}
	res->body = NULL; /* MHD owns it now */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type ? res->content_type : "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, res->cache_control ? res->cache_control : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (res->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
	if (res->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
	if (res->csp) {
		MHD_add_response_header(r, "Content-Security-Policy", res->csp);
		MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	}
	if (res->link[0])
		MHD_add_response_header(r, "Link", res->link);
	if (res->next_cursor[0])
		MHD_add_response_header(r, "X-Next-Cursor", res->next_cursor);
	if (res->set_cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
	if (res->disposition[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, res->disposition);
	if (res->retry_after > 0) {
		char s[16];
		snprintf(s, sizeof(s), "%d", res->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, s);
	}
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Queues an error answer; the rest of any body is not read (MHD closes the connection). */
static enum MHD_Result refuse(struct MHD_Connection *c, struct req *q, int status, const char *msg)
{
	struct hq_request rq = { .method = q->method, .path = q->url, .peer = q->peer };
	struct hq_response res = { 0 };
	hq_api_error(&res, &rq, status, "%s", msg);
	q->state = R_REFUSED;
	hq_metrics_observe(res.status, q->metrics_t0);
	return send_response(c, &res);
}

/*
 * Refuses a request whose body is still arriving. libmicrohttpd 0.9.75
 * queues responses only before the body or after all of it, and waiting
 * for the rest of a trickled or oversized body is exactly what must not
 * happen. So the answer is written straight to the socket (plain HTTP
 * only: inside TLS it would corrupt the stream), and MHD_NO makes MHD
 * close the connection.
 */
static enum MHD_Result refuse_mid_body(struct hq_http *h, struct MHD_Connection *c, struct req *q, int status,
				       const char *msg)
{
	struct hq_request rq = { .method = q->method, .path = q->url, .peer = q->peer };
	struct hq_response res = { 0 };
	hq_api_error(&res, &rq, status, "%s (connection closed)", msg);
	q->state = R_REFUSED;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci && !h->cert_pem && res.body) {
		char head[256];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nConnection: close\r\n"
				 "Content-Length: %zu\r\n\r\n", res.status,
				 status == 408 ? "Request Timeout" : status == 413 ? "Payload Too Large"
				 : status == 503 ? "Service Unavailable" : "Error", res.body_len);
		/* Best effort: a small answer fits the socket buffer; a client that does not read loses it. */
		if (send(ci->connect_fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n)
			(void)!send(ci->connect_fd, res.body, res.body_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	hq_api_response_free(&res);
	return MHD_NO;
}

static void peer_name(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, len, "-");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	char host[INET6_ADDRSTRLEN] = "?";
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, host, sizeof(host));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, host, sizeof(host));
	snprintf(out, len, "%s", host);
}

static const char *query_arg(void *ctx, const char *name)
{
	const struct req *q = ctx;
	for (int i = 0; i < q->nargs; i++)
		if (!strcmp(q->args[i][0], name))
			return q->args[i][1];
	return NULL;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct req *q = cls;
	if (q->nargs == MAX_ARGS)
		return MHD_NO;
	q->args[q->nargs][0] = key;
	q->args[q->nargs][1] = value ? value : "";
	q->nargs++;
	return MHD_YES;
}

/* Answers a complete request (any thread; the pools' threads for all but /healthz). */
static void answer(struct hq_http *h, struct req *q)
{
	struct hq_request rq = { .method = q->method, .path = q->url, .peer = q->peer, .query = query_arg,
				 .query_ctx = q, .authorization = q->authorization, .body = q->body, .body_len = q->len,
				 .cookie = q->cookie, .content_type = q->content_type, .csrf_token = q->csrf_token,
				 .origin = q->origin, .fetch_site = q->fetch_site, .host = q->host,
				 .if_none_match = q->if_none_match };
	char *plain = NULL;
	if (q->encoding && q->len && strcasecmp(q->encoding, "identity") != 0) {
		if (strcasecmp(q->encoding, "gzip") != 0) {
			hq_api_error(&q->res, &rq, 415, "Content-Encoding must be gzip or identity");
			return;
		}
		size_t plen;
		int rc = hq_gunzip(q->body, q->len, &plain, &plen);
		if (rc == 413) {
			hq_api_error(&q->res, &rq, 413, "body over 1048576 bytes once gunzipped");
			return;
		}
		if (rc) {
			hq_api_error(&q->res, &rq, 400, "body is not valid gzip");
			return;
		}
		rq.body = plain;
		rq.body_len = plen;
	}
	/* /healthz says the server is alive: it needs (and waits for) no database. */
	struct hq_store *db = strcmp(q->url, "/healthz") ? db_for_thread(h) : NULL;
	if (!db && strcmp(q->url, "/healthz"))
		hq_api_error(&q->res, &rq, 503, "database unavailable");
	else
		hq_api_handle(db, &h->o.api, &rq, &q->res);
	free(plain);
}

/* A pool thread: answer, then let the event loop send it. q is not touched after resuming. */
static void pool_run(struct hq_pool_item *item, void *arg)
{
	struct hq_http *h = arg;
	struct req *q = (struct req *)item;
	answer(h, q);
	/* The body is no longer needed: give its memory back before the answer is even sent. */
	free(q->body);
	q->body = NULL;
	q->len = q->cap = 0;
	hq_guard_body_release(h->guard, q->reserved);
	q->reserved = 0;
	q->state = R_ANSWERED;
	MHD_resume_connection(q->c);
}

static int health_ok(void *ctx, char *why, size_t len)
{
	return hq_health_ok(ctx, why, len);
}

static int writer_ingest(void *ctx, const struct hq_kiosk *k, const struct protocol_batch *b, int64_t now_ms,
			 struct protocol_ack *ack, char *err, size_t errlen)
{
	return hq_writer_ingest(ctx, k, b, now_ms, ack, err, errlen);
}

/* 1 when the request carries (or announces) a body. */
static int has_body(struct MHD_Connection *c, const char *method)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > 0)
		return 1;
	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return 1;
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
}

/* The body of POST /login, /logout or a person's /api/v1/alert-rules: no token needed, at most PEOPLE_MAX_BODY, within the body budget. */
#define PEOPLE_MAX_BODY 8192
static enum MHD_Result people_body(struct hq_http *h, struct MHD_Connection *c, struct req *q)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	if (declared > PEOPLE_MAX_BODY || (!cl && MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING)))
		return refuse(c, q, 413, "a login or logout body has a Content-Length of at most 8192 bytes");
	if (declared) {
		if (hq_guard_body_reserve(h->guard, (size_t)declared))
			return refuse(c, q, 503, "head office is busy (request bodies in flight at their memory limit): try again");
		q->reserved = (size_t)declared;
		if (!(q->body = malloc((size_t)declared)))
			return refuse(c, q, 503, "out of memory");
		q->cap = (size_t)declared;
	}
	return MHD_YES;
}

/*
 * The headers are complete. A body is only read from a client whose token
 * is valid (kiosk or admin: which one a route wants is hq_api's business),
 * that declares no more than the limit, and while the body budget allows.
 */
static enum MHD_Result on_headers(struct hq_http *h, struct MHD_Connection *c, struct req *q)
{
	q->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	q->encoding = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
	q->cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
	q->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	q->csrf_token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	q->origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	q->fetch_site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	q->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	q->if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (!has_body(c, q->method))
		return MHD_YES;
	int kiosk_route = !strcmp(q->url, "/api/v1/ratings");
	/*
	 * People log in without a token (and log out with a cookie): their
	 * small form or JSON body is read without one, up to PEOPLE_MAX_BODY;
	 * hq_api_user checks who they are.
	 */
	if (!strcmp(q->url, "/login") || !strcmp(q->url, "/logout") || !strcmp(q->url, "/api/v1/alert-rules"))
		return people_body(h, c, q);
	size_t tlen;
	const char *t = hq_token_from_header(q->authorization, &tlen);
	uint8_t hash[HQ_HASH_LEN];
	if (!t || hq_token_hash(t, tlen, hash))
		return refuse(c, q, 401, kiosk_route ? "missing bearer token (Authorization: Bearer <kiosk token>)"
						     : "missing bearer token (Authorization: Bearer <token>)");
	struct hq_store *db = db_for_thread(h);
	struct hq_kiosk k;
	int rc = db ? hq_store_kiosk_by_token(db, hash, &k) : -1;
	if (rc == 0)
		rc = hq_store_admin_check(db, hash);
	if (rc < 0)
		return refuse(c, q, 503, "database unavailable");
	char expired[512];
	if (rc == 0 && hq_api_expired_message(db, hash, expired, sizeof(expired)))
		return refuse(c, q, 401, expired); /* says when, so the operator knows to rotate it */
	if (rc == 0)
		return refuse(c, q, 401, kiosk_route ? "unknown or revoked kiosk token" : "unknown or revoked token");
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	if (declared > PROTOCOL_MAX_BODY)
		return refuse(c, q, 413, "body over 1048576 bytes");
	if (declared) {
		if (hq_guard_body_reserve(h->guard, (size_t)declared))
			return refuse(c, q, 503, "head office is busy (request bodies in flight at their memory limit): try again");
		q->reserved = (size_t)declared;
		if (!(q->body = malloc((size_t)declared)))
			return refuse(c, q, 503, "out of memory");
		q->cap = (size_t)declared;
	}
	return MHD_YES;
}

/* Appends a piece of body; a status to refuse with, or 0. */
static int take_body(struct hq_http *h, struct req *q, const char *data, size_t n)
{
	if (q->len + n > PROTOCOL_MAX_BODY)
		return 413;
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 16384;
		while (cap < q->len + n)
			cap *= 2;
		if (cap > PROTOCOL_MAX_BODY)
			cap = PROTOCOL_MAX_BODY;
		/* Chunked (or longer than declared): the budget grows with the buffer. */
		if (cap > q->reserved) {
			if (hq_guard_body_reserve(h->guard, cap - q->reserved))
				return 503;
			q->reserved = cap;
		}
		char *b = realloc(q->body, cap);
		if (!b)
			return 503;
		q->body = b;
		q->cap = cap;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct hq_http *h = cls;
	struct req *q = *con_cls;
	if (!q) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		hq_guard_conn_headers_done(h->guard, ci ? ci->socket_context : NULL);
		if (!(q = calloc(1, sizeof(*q))))
			return MHD_NO;
		*con_cls = q;
		q->h = h;
		q->c = c;
		q->method = method;
		q->url = url;
		q->started_ms = mono_ms();
		q->metrics_t0 = hq_metrics_clock();
		peer_name(c, q->peer, sizeof(q->peer));
		return on_headers(h, c, q);
	}
	switch (q->state) {
	case R_REFUSED:
	case R_QUEUED:
		*upload_size = 0;
		return MHD_YES;
	case R_ANSWERED:
		q->state = R_REFUSED;
		hq_metrics_observe(q->res.status, q->metrics_t0);
		return send_response(c, &q->res);
	case R_READING:
		break;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (too_slow(h, q))
			return refuse_mid_body(h, c, q, 408, "request body too slow");
		int status = take_body(h, q, upload_data, n);
		if (status)
			return refuse_mid_body(h, c, q, status, status == 413 ? "body over 1048576 bytes"
					       : "head office is busy (request bodies in flight at their memory limit): try again");
		return MHD_YES;
	}
	/* The whole request is here. A body that came in too slowly is refused all the same. */
	if (q->len && too_slow(h, q))
		return refuse(c, q, 408, "request body too slow");
	if (!strcmp(url, "/healthz")) {
		/* Never queued behind database work: it says the server is alive. */
		answer(h, q);
		q->state = R_REFUSED;
		hq_metrics_observe(q->res.status, q->metrics_t0);
		return send_response(c, &q->res);
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, q);
	q->state = R_QUEUED;
	MHD_suspend_connection(c);
	if (hq_pool_push(!strcmp(method, "POST") ? h->ingest : h->readers, &q->item)) {
		struct hq_request rq = { .method = method, .path = url, .peer = q->peer };
		hq_api_error(&q->res, &rq, 503, "head office is stopping");
		q->state = R_ANSWERED;
		MHD_resume_connection(c);
	}
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct hq_http *h = cls;
	struct req *q = *con_cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	hq_guard_conn_request_done(h->guard, ci ? ci->socket_context : NULL);
	if (why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
		log_msg(LOG_WARNING, "%s: connection timed out (client too slow)", q ? q->peer : "-");
	else if (why == MHD_REQUEST_TERMINATED_READ_ERROR && q && q->state == R_READING)
		log_msg(LOG_WARNING, "%s: client closed the connection mid-request", q->peer);
	if (q) {
		free(q->body);
		hq_guard_body_release(h->guard, q->reserved);
		hq_api_response_free(&q->res);
		free(q);
	}
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct hq_http *h = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *addr = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		*socket_context = fd ? hq_guard_conn_open(h->guard, fd->connect_fd, addr ? addr->client_addr : NULL) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		hq_guard_conn_close(h->guard, *socket_context);
		*socket_context = NULL;
	}
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_msg(LOG_WARNING, "libmicrohttpd: %s", line);
}

int hq_http_start(struct hq_http **out, const struct hq_http_options *o, char *bound, size_t boundlen,
		  char *err, size_t errlen)
{
	*out = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int v6;
	if (!o->listen || hq_listen_parse(o->listen, &ss, &sslen, &v6)) {
		snprintf(err, errlen, "listen address must be ADDR:PORT or [IPv6]:PORT, not \"%s\"", o->listen ? o->listen : "");
		return -1;
	}
	struct hq_http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->o = *o;
	h->o.api.tls = o->tls_cert && *o->tls_cert && o->tls_key && *o->tls_key;
	pthread_mutex_init(&h->lock, NULL);
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	int tls = o->tls_cert && *o->tls_cert && o->tls_key && *o->tls_key;
	const char *prio = o->tls_priorities && *o->tls_priorities ? o->tls_priorities : HQ_HTTP_TLS_PRIORITIES;
	if (tls) {
		if (hq_listen_key_private(o->tls_key, err, errlen) ||
		    !(h->cert_pem = hq_listen_read_pem(o->tls_cert, err, errlen)) ||
		    !(h->key_pem = hq_listen_read_pem(o->tls_key, err, errlen)))
			goto fail;
		/* Checked here for a clear line; MHD would only fail to start. */
		gnutls_priority_t pc;
		const char *where = NULL;
		if (gnutls_priority_init(&pc, prio, &where) != GNUTLS_E_SUCCESS) {
			snprintf(err, errlen, "[hq] tls_priorities: GnuTLS does not understand \"%s\"", where ? where : prio);
			goto fail;
		}
		gnutls_priority_deinit(pc);
		flags |= MHD_USE_TLS;
	}
	if (hq_guard_start(&h->guard, o->header_timeout_s, o->slow_connections_per_address, o->body_memory_limit,
			   err, errlen) ||
	    hq_writer_start(&h->writer, o->db_path, err, errlen) || hq_health_start(&h->health, o->db_path, err, errlen))
		goto fail;
	h->o.api.db_engine = hq_health_engine(h->health);
	h->o.api.db_ok = health_ok;
	h->o.api.db_ok_ctx = h->health;
	h->o.api.ingest = writer_ingest;
	h->o.api.ingest_ctx = h->writer;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = o->threads > 0 ? (unsigned)o->threads : (unsigned)(cpus > 0 ? cpus : 1);
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	int readers = (int)threads < READ_WORKERS_MIN ? READ_WORKERS_MIN : (int)threads;
	if (hq_pool_start(&h->readers, readers, pool_run, h) || hq_pool_start(&h->ingest, INGEST_WORKERS, pool_run, h)) {
		snprintf(err, errlen, "cannot start worker threads");
		goto fail;
	}
	/* Every connection is a descriptor: make room, or serve fewer. */
	long limit = o->max_connections > 0 ? o->max_connections : HQ_HTTP_MAX_CONNECTIONS;
	long spare = 64 + MAX_DBS * 3; /* listening socket, epoll, SQLite files, logs */
	long fds = hq_guard_raise_fd_limit(limit + spare);
	if (fds < limit + spare) {
		long fit = fds - spare > 16 ? fds - spare : 16;
		log_msg(LOG_WARNING, "descriptor limit %ld allows %ld connections, not %ld: raise LimitNOFILE", fds, fit, limit);
		limit = fit;
	}
	unsigned timeout = o->connection_timeout_s > 0 ? (unsigned)(o->connection_timeout_s + 0.999) : 0;
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL }, /* first, or MHD logs the rest itself */
		{ MHD_OPTION_SOCK_ADDR, 0, &ss },
		{ MHD_OPTION_THREAD_POOL_SIZE, threads, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, timeout, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)limit, NULL },
		{ MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_connections_per_address > 0 ? o->max_connections_per_address : 0,
		  NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h },
		{ tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, h->cert_pem },
		{ tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, h->key_pem },
		{ tls ? MHD_OPTION_HTTPS_PRIORITIES : MHD_OPTION_END, 0, (void *)(uintptr_t)prio },
		{ MHD_OPTION_END, 0, NULL },
	};
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errlen, "cannot listen on %s%s (address in use, or a bad TLS certificate/key?)", o->listen,
			 tls ? " with TLS" : "");
		goto fail;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_LISTEN_FD);
	hq_listen_bound(di ? di->listen_fd : -1, bound, boundlen);
	*out = h;
	return 0;
fail:
	hq_http_stop(h);
	return -1;
}

void hq_http_stop(struct hq_http *h)
{
	if (!h)
		return;
	/*
	 * Order: the pools first (they answer what they hold and resume those
	 * connections; a request completing meanwhile is answered 503), then
	 * the event loops (no connection is left suspended), then the writer
	 * (no pool thread waits for it any more).
	 */
	hq_pool_stop(h->readers);
	hq_pool_stop(h->ingest);
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	hq_pool_free(h->readers);
	hq_pool_free(h->ingest);
	if (h->writer) {
		struct hq_writer_stats st;
		hq_writer_stats(h->writer, &st);
		if (st.groups)
			log_msg(LOG_INFO, "writer: %lld ratings in %lld batches, %lld group commits (%.1f batches each)",
				(long long)st.ratings, (long long)st.batches, (long long)st.groups,
				(double)st.batches / (double)st.groups);
	}
	hq_writer_stop(h->writer);
	hq_health_stop(h->health);
	hq_guard_stop(h->guard);
	for (size_t i = 0; i < h->ndbs; i++)
		hq_store_close(h->dbs[i]);
	pthread_mutex_destroy(&h->lock);
	free(h->cert_pem);
	free(h->key_pem);
	free(h);
}

void hq_http_version(char *out, size_t outlen)
{
	snprintf(out, outlen, "libmicrohttpd %s, GnuTLS %s", MHD_get_version(), gnutls_check_version(NULL));
}
