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
 * Who may send a body, how much, and how fast (the limits and the attack
 * or accident each one stops) is hq_http_admit.c's; the state both files
 * share is in hq_http_impl.h.
 */
#include "hq_http.h"
#include "hq_http_impl.h"
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
#include "hq_static.h"
#include "hq_token.h"
#include "hq_writer.h"
#include "log.h"

/* This thread's connection, and which server opened it. */
static _Thread_local struct {
	struct hq_http *owner;
	struct hq_store *db;
} thread_db;

struct hq_store *hq_http_db_for_thread(struct hq_http *h)
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
				 .if_none_match = q->if_none_match, .accept = q->accept };
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
	struct hq_store *db = strcmp(q->url, "/healthz") ? hq_http_db_for_thread(h) : NULL;
	if (!db && strcmp(q->url, "/healthz"))
		hq_api_error(&q->res, &rq, 503, "database unavailable");
	else
		hq_api_handle(db, &h->o.api, &rq, &q->res);
	hq_static_not_found(&h->o.api, &rq, &q->res); /* a person's browser gets a page, a script keeps the JSON */
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
		q->started_ms = hq_http_mono_ms();
		q->metrics_t0 = hq_metrics_clock();
		peer_name(c, q->peer, sizeof(q->peer));
		return hq_http_on_headers(h, c, q);
	}
	switch (q->state) {
	case R_REFUSED:
	case R_QUEUED:
		*upload_size = 0;
		return MHD_YES;
	case R_ANSWERED:
		q->state = R_REFUSED;
		hq_metrics_observe(q->res.status, q->metrics_t0);
		return hq_http_send(c, &q->res);
	case R_READING:
		break;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (hq_http_too_slow(h, q))
			return hq_http_refuse_mid_body(h, c, q, 408, "request body too slow");
		int status = hq_http_take_body(h, q, upload_data, n);
		if (status)
			return hq_http_refuse_mid_body(h, c, q, status, status == 413 ? "body over 1048576 bytes"
					       : "head office is busy (request bodies in flight at their memory limit): try again");
		return MHD_YES;
	}
	/* The whole request is here. A body that came in too slowly is refused all the same. */
	if (q->len && hq_http_too_slow(h, q))
		return hq_http_refuse(c, q, 408, "request body too slow");
	if (!strcmp(url, "/healthz")) {
		/* Never queued behind database work: it says the server is alive. */
		answer(h, q);
		q->state = R_REFUSED;
		hq_metrics_observe(q->res.status, q->metrics_t0);
		return hq_http_send(c, &q->res);
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
	int ingesters = strcmp(h->o.api.db_engine, "postgresql") ? INGEST_WORKERS : INGEST_WORKERS_PG;
	if (hq_pool_start(&h->readers, readers, pool_run, h) || hq_pool_start(&h->ingest, ingesters, pool_run, h)) {
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
