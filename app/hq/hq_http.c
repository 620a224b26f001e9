/*
 * hq_http: the libmicrohttpd side of tally-hq.
 *
 * Threads: MHD's internal thread pool (epoll where there is one). Each
 * worker thread opens its own SQLite connection on first use (kept in a
 * thread-local slot, closed at stop), so readers never wait for each other
 * and SQLite needs no locking of its own; writes are serialised in
 * hq_store.
 *
 * Limits, and the attack or accident each one stops:
 * - A body (as sent, and again after gunzip) is at most 1 MiB: a declared
 *   Content-Length above that is refused before a byte is read, and a body
 *   that grows past it is refused as soon as it does; nothing is buffered
 *   beyond the limit.
 * - connection_timeout_s is both MHD's idle timeout (a client that sends
 *   nothing is disconnected) and the time after which a body arriving at
 *   under 1 KiB/s on average is refused with a 408 (a client trickling a
 *   byte a second must not hold a worker's memory for hours).
 * - Connections in total and per client address are capped.
 */
#include "hq_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hq_metrics.h"
#include "log.h"

#define MAX_CONNECTIONS 1024
#define MAX_PER_CLIENT 256  /* a NAT'd store of kiosks is one address */
#define MAX_THREADS 64

struct hq_http {
	struct MHD_Daemon *daemon;
	struct hq_http_options o;
	char *cert_pem, *key_pem;
	pthread_mutex_t lock;          /* guards dbs */
	struct hq_store *dbs[MAX_THREADS + 2];
	size_t ndbs;
};

/* This thread's connection, and which server opened it. */
static _Thread_local struct {
	struct hq_http *owner;
	struct hq_store *db;
} thread_db;

/* One request in flight. */
struct req {
	char *body;
	size_t len, cap;
	int64_t started_ms;
	int refused;                   /* a response is queued; drop the rest of the body */
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
 * bodies slowly itself (a worker thread serves many connections) and must
 * not blame the kiosks for it.
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
	if (h->ndbs == sizeof(h->dbs) / sizeof(h->dbs[0])) {
		pthread_mutex_unlock(&h->lock);
		hq_store_close(db);
		log_msg(LOG_ERR, "more worker threads than database connections");
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
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (res->link[0])
		MHD_add_response_header(r, "Link", res->link);
	if (res->next_cursor[0])
		MHD_add_response_header(r, "X-Next-Cursor", res->next_cursor);
	if (res->set_cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
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
static enum MHD_Result refuse(struct MHD_Connection *c, struct req *q, const char *method, const char *url,
			      int status, const char *msg)
{
	struct hq_request rq = { .method = method, .path = url, .peer = q->peer };
	struct hq_response res = { 0 };
	hq_api_error(&res, &rq, status, "%s", msg);
	q->refused = 1;
	return send_response(c, &res);
}

/* Gunzips in into a new buffer of at most PROTOCOL_MAX_BODY bytes. 0; 413 too big; 400 corrupt. */
static int gunzip(const char *in, size_t inlen, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return 400;
	size_t cap = PROTOCOL_MAX_BODY + 1; /* one byte over tells "too big" from "exactly full" */
	char *buf = malloc(cap);
	if (!buf) {
		inflateEnd(&zs);
		return 413;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)inlen;
	zs.next_out = (Bytef *)buf;
	zs.avail_out = (uInt)cap;
	int rc = inflate(&zs, Z_FINISH);
	size_t produced = cap - zs.avail_out;
	inflateEnd(&zs);
	if (produced > PROTOCOL_MAX_BODY) {
		free(buf);
		return 413;
	}
	if (rc != Z_STREAM_END) {
		free(buf);
		return 400;
	}
	*out = buf;
	*outlen = produced;
	return 0;
}

/*
 * Refuses a request whose body is still arriving. libmicrohttpd 0.9.75
 * queues responses only before the body or after all of it, and waiting
 * for the rest of a trickled or oversized body is exactly what must not
 * happen. So the answer is written straight to the socket (plain HTTP
 * only: inside TLS it would corrupt the stream), and MHD_NO makes MHD
 * close the connection.
 */
static enum MHD_Result refuse_mid_body(struct hq_http *h, struct MHD_Connection *c, struct req *q, const char *method,
				       const char *url, int status, const char *msg)
{
	struct hq_request rq = { .method = method, .path = url, .peer = q->peer };
	struct hq_response res = { 0 };
	hq_api_error(&res, &rq, status, "%s (connection closed)", msg);
	q->refused = 1;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci && !h->cert_pem && res.body) {
		char head[256];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nConnection: close\r\n"
				 "Content-Length: %zu\r\n\r\n", res.status,
				 status == 408 ? "Request Timeout" : status == 413 ? "Payload Too Large" : "Error", res.body_len);
		/* Best effort: a small answer fits the socket buffer; a client that does not read loses it. */
		if (send(ci->connect_fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n)
			(void)!send(ci->connect_fd, res.body, res.body_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	hq_api_response_free(&res);
	return MHD_NO;
}

static const char *query_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct hq_http *h = cls;
	struct req *q = *con_cls;
	if (!q) {
		/* First call: headers only. Refuse an oversized body before reading it. */
		q = calloc(1, sizeof(*q));
		if (!q)
			return MHD_NO;
		*con_cls = q;
		q->started_ms = mono_ms();
		peer_name(c, q->peer, sizeof(q->peer));
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > PROTOCOL_MAX_BODY)
			return refuse(c, q, method, url, 413, "body over 1048576 bytes");
		return MHD_YES;
	}
	if (q->refused) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (too_slow(h, q))
			return refuse_mid_body(h, c, q, method, url, 408, "request body too slow");
		if (q->len + n > PROTOCOL_MAX_BODY)
			return refuse_mid_body(h, c, q, method, url, 413, "body over 1048576 bytes");
		if (q->len + n > q->cap) {
			size_t cap = q->cap ? q->cap : 16384;
			while (cap < q->len + n)
				cap *= 2;
			char *b = realloc(q->body, cap);
			if (!b)
				return refuse_mid_body(h, c, q, method, url, 503, "out of memory");
			q->body = b;
			q->cap = cap;
		}
		memcpy(q->body + q->len, upload_data, n);
		q->len += n;
		return MHD_YES;
	}
	/* The whole request is here. A body that came in too slowly is refused all the same. */
	if (q->len && too_slow(h, q))
		return refuse(c, q, method, url, 408, "request body too slow");
	struct hq_request rq = { .method = method, .path = url, .peer = q->peer, .query = query_arg, .query_ctx = c,
				 .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
				 .body = q->body, .body_len = q->len,
				 .cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE),
				 .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
				 .csrf_token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token"),
				 .origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
				 .fetch_site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site"),
				 .host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST) };
	const char *enc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
	char *plain = NULL;
	if (enc && q->len && strcasecmp(enc, "identity") != 0) {
		if (strcasecmp(enc, "gzip") != 0)
			return refuse(c, q, method, url, 415, "Content-Encoding must be gzip or identity");
		size_t plen;
		int rc = gunzip(q->body, q->len, &plain, &plen);
		if (rc == 413)
			return refuse(c, q, method, url, 413, "body over 1048576 bytes once gunzipped");
		if (rc)
			return refuse(c, q, method, url, 400, "body is not valid gzip");
		rq.body = plain;
		rq.body_len = plen;
	}
	struct hq_store *db = db_for_thread(h);
	struct hq_response res = { 0 };
	int64_t t0 = hq_metrics_clock();
	if (!db)
		hq_api_error(&res, &rq, 503, "database unavailable");
	else
		hq_api_handle(db, &h->o.api, &rq, &res);
	hq_metrics_observe(res.status, t0);
	free(plain);
	q->refused = 1;
	return send_response(c, &res);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)c;
	struct req *q = *con_cls;
	if (why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
		log_msg(LOG_WARNING, "%s: connection timed out (client too slow)", q ? q->peer : "-");
	else if (why == MHD_REQUEST_TERMINATED_READ_ERROR && q && !q->refused)
		log_msg(LOG_WARNING, "%s: client closed the connection mid-request", q->peer);
	if (q) {
		free(q->body);
		free(q);
	}
	*con_cls = NULL;
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

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(1024 * 1024 + 1);
	size_t n = buf ? fread(buf, 1, 1024 * 1024, f) : 0;
	int bad = ferror(f) || !buf || n == 0;
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errlen, "%s: cannot read (empty?)", path);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* "1.2.3.4:80", "[::1]:80", ":80" (every IPv4 address). 0 or -1. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *v6)
{
	memset(ss, 0, sizeof(*ss));
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -1;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end || port < 0 || port > 65535)
		return -1;
	char host[INET6_ADDRSTRLEN + 2];
	size_t hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		*v6 = 1;
		return 0;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	if (hl == 0)
		a->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*len = sizeof(*a);
	*v6 = 0;
	return 0;
}

int hq_http_start(struct hq_http **out, const struct hq_http_options *o, char *bound, size_t boundlen,
		  char *err, size_t errlen)
{
	*out = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int v6;
	if (!o->listen || parse_listen(o->listen, &ss, &sslen, &v6)) {
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
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	int tls = o->tls_cert && *o->tls_cert && o->tls_key && *o->tls_key;
	if (tls) {
		if (!(h->cert_pem = read_file(o->tls_cert, err, errlen)) || !(h->key_pem = read_file(o->tls_key, err, errlen)))
			goto fail;
		flags |= MHD_USE_TLS;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = o->threads > 0 ? (unsigned)o->threads : (unsigned)(cpus > 0 ? cpus : 1);
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	unsigned timeout = o->connection_timeout_s > 0 ? (unsigned)(o->connection_timeout_s + 0.999) : 0;
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL }, /* first, or MHD logs the rest itself */
		{ MHD_OPTION_SOCK_ADDR, 0, &ss },
		{ MHD_OPTION_THREAD_POOL_SIZE, threads, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, timeout, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, MAX_CONNECTIONS, NULL },
		{ MHD_OPTION_PER_IP_CONNECTION_LIMIT, MAX_PER_CLIENT, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL },
		{ tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, h->cert_pem },
		{ tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, h->key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errlen, "cannot listen on %s%s (address in use, or a bad TLS certificate/key?)", o->listen,
			 tls ? " with TLS" : "");
		goto fail;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_LISTEN_FD);
	struct sockaddr_storage got;
	socklen_t gotlen = sizeof(got);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (di && getsockname(di->listen_fd, (struct sockaddr *)&got, &gotlen) == 0) {
		if (got.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&got;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&got;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		}
	}
	snprintf(bound, boundlen, v6 ? "[%s]:%d" : "%s:%d", host, port);
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
	if (h->daemon)
		MHD_stop_daemon(h->daemon); /* joins the workers: no one uses dbs after this */
	for (size_t i = 0; i < h->ndbs; i++)
		hq_store_close(h->dbs[i]);
	pthread_mutex_destroy(&h->lock);
	free(h->cert_pem);
	free(h->key_pem);
	free(h);
}
