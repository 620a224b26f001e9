/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_http_admit: which request may send head office a body, how much and
 * how fast, and how the rest are refused (a JSON answer, or one written
 * straight to the socket mid-body).
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
#include "hq_http_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "hq_guard.h"
#include "hq_metrics.h"
#include "hq_token.h"
#include "log.h"

int64_t hq_http_mono_ms(void)
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
int hq_http_too_slow(const struct hq_http *h, const struct req *q)
{
	if (h->o.connection_timeout_s <= 0)
		return 0;
	int64_t ms = hq_http_mono_ms() - q->started_ms;
	return ms > (int64_t)(h->o.connection_timeout_s * 1000) && (double)q->len * 1000.0 / (double)ms < MIN_BODY_RATE;
}

enum MHD_Result hq_http_send(struct MHD_Connection *c, struct hq_response *res)
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
enum MHD_Result hq_http_refuse(struct MHD_Connection *c, struct req *q, int status, const char *msg)
{
	struct hq_request rq = { .method = q->method, .path = q->url, .peer = q->peer };
	struct hq_response res = { 0 };
	hq_api_error(&res, &rq, status, "%s", msg);
	q->state = R_REFUSED;
	hq_metrics_observe(res.status, q->metrics_t0);
	return hq_http_send(c, &res);
}

/*
 * Refuses a request whose body is still arriving. libmicrohttpd 0.9.75
 * queues responses only before the body or after all of it, and waiting
 * for the rest of a trickled or oversized body is exactly what must not
 * happen. So the answer is written straight to the socket (plain HTTP
 * only: inside TLS it would corrupt the stream), and MHD_NO makes MHD
 * close the connection.
 */
enum MHD_Result hq_http_refuse_mid_body(struct hq_http *h, struct MHD_Connection *c, struct req *q, int status,
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

/* A declared body's bytes counted against the budget and its buffer allocated, or 503. */
static enum MHD_Result hold_body(struct hq_http *h, struct MHD_Connection *c, struct req *q, unsigned long long declared)
{
	if (!declared)
		return MHD_YES;
	if (hq_guard_body_reserve(h->guard, (size_t)declared))
		return hq_http_refuse(c, q, 503, "head office is busy (request bodies in flight at their memory limit): try again");
	q->reserved = (size_t)declared;
	if (!(q->body = malloc((size_t)declared)))
		return hq_http_refuse(c, q, 503, "out of memory");
	q->cap = (size_t)declared;
	return MHD_YES;
}

/* The body of POST /login, /logout or a person's /api/v1/alert-rules: no token needed, at most PEOPLE_MAX_BODY, within the body budget. */
#define PEOPLE_MAX_BODY 8192
static enum MHD_Result people_body(struct hq_http *h, struct MHD_Connection *c, struct req *q)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	if (declared > PEOPLE_MAX_BODY || (!cl && MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING)))
		return hq_http_refuse(c, q, 413, "a login or logout body has a Content-Length of at most 8192 bytes");
	return hold_body(h, c, q, declared);
}

/*
 * The headers are complete. A body is only read from a client whose token
 * is valid (kiosk or admin: which one a route wants is hq_api's business),
 * that declares no more than the limit, and while the body budget allows.
 */
enum MHD_Result hq_http_on_headers(struct hq_http *h, struct MHD_Connection *c, struct req *q)
{
	/*
	 * Request line and headers over HQ_HTTP_MAX_HEADER: refused here, with
	 * a JSON body like every answer of ours, while they still fit
	 * libmicrohttpd's connection memory (32 KiB by default); past that MHD
	 * answers 431 itself, with no hook to give it a JSON body
	 * (docs/http-api.md, "Answers libmicrohttpd gives itself").
	 */
	const union MHD_ConnectionInfo *hs = MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	if (hs && hs->header_size > HQ_HTTP_MAX_HEADER)
		return hq_http_refuse(c, q, 431, "request line and headers over 8192 bytes");
	q->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	q->encoding = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
	q->cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
	q->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	q->csrf_token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	q->origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	q->fetch_site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	q->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	q->if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	q->accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
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
		return hq_http_refuse(c, q, 401, kiosk_route ? "missing bearer token (Authorization: Bearer <kiosk token>)"
						     : "missing bearer token (Authorization: Bearer <token>)");
	struct hq_store *db = hq_http_db_for_thread(h);
	struct hq_kiosk k;
	int rc = db ? hq_store_kiosk_by_token(db, hash, &k) : -1;
	if (rc == 0)
		rc = hq_store_admin_check(db, hash);
	if (rc < 0)
		return hq_http_refuse(c, q, 503, "database unavailable");
	char expired[512];
	if (rc == 0 && hq_api_expired_message(db, hash, expired, sizeof(expired)))
		return hq_http_refuse(c, q, 401, expired); /* says when, so the operator knows to rotate it */
	if (rc == 0)
		return hq_http_refuse(c, q, 401, kiosk_route ? "unknown or revoked kiosk token" : "unknown or revoked token");
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	if (declared > PROTOCOL_MAX_BODY)
		return hq_http_refuse(c, q, 413, "body over 1048576 bytes");
	return hold_body(h, c, q, declared);
}

/* Appends a piece of body; a status to refuse with, or 0. */
int hq_http_take_body(struct hq_http *h, struct req *q, const char *data, size_t n)
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
