/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_client: the few HTTP requests tally-sync makes, over libcurl.
 *
 * One easy handle is kept for the life of the daemon, so the connection to
 * head office (and its TLS session) is reused from batch to batch.
 * Certificates are verified unless a CA file says otherwise; proxies come
 * from the environment (http_proxy, https_proxy, no_proxy), as libcurl
 * reads them by default. Requests block: tally-sync has nothing else to do
 * while one is on the wire, and a stop request aborts it (see set_abort).
 */
#ifndef TALLY_HTTP_CLIENT_H
#define TALLY_HTTP_CLIENT_H

#include <signal.h>
#include <stddef.h>

struct http_client;

struct http_options {
	const char *ca_file;        /* NULL or "": the system CA store */
	long connect_timeout_ms;
	long timeout_ms;            /* the whole request */
	const char *user_agent;
};

struct http_response {
	long status;                /* HTTP status code */
	char *body;                 /* malloc'd, NUL-terminated (decoded if gzip'd) */
	size_t len;
};

/* Call once per process around every other function (curl_global_*). */
int http_global_init(char *err, size_t errlen);
void http_global_cleanup(void);
/* libcurl and its TLS library, as curl_version() names them: "libcurl/7.88.1 GnuTLS/3.7.9 ...". */
const char *http_version(void);

int http_client_new(struct http_client **out, const struct http_options *o, char *err, size_t errlen);
void http_client_free(struct http_client *c);

/* A transfer in progress is abandoned soon after *flag becomes non-zero. */
void http_client_set_abort(struct http_client *c, volatile sig_atomic_t *flag);

/*
 * POSTs json, gzip-compressed (Content-Encoding: gzip), with a bearer
 * token. 0 when an answer arrived (any status: see resp->status), -1 when
 * none did (cannot connect, timeout, connection closed mid-answer), with
 * err filled. The caller frees resp with http_response_free.
 */
int http_post_json_gzip(struct http_client *c, const char *url, const char *token, const char *json, size_t len,
			struct http_response *resp, char *err, size_t errlen);

/* GET with a bearer token (NULL: none). Same contract as the POST. */
int http_get(struct http_client *c, const char *url, const char *token, struct http_response *resp, char *err,
	     size_t errlen);

void http_response_free(struct http_response *r);

/* Why the last request got no answer, for deciding how soon to retry. */
enum http_failure {
	HTTP_FAIL_NONE,
	HTTP_FAIL_CONNECT,   /* could not resolve or connect: head office is down or unreachable */
	HTTP_FAIL_TIMEOUT,   /* connected, but no complete answer in time */
	HTTP_FAIL_OTHER,     /* closed mid-answer, TLS, too large, ... */
	HTTP_FAIL_STOPPED,   /* aborted through the abort flag */
};
enum http_failure http_client_last_failure(const struct http_client *c);

/* Bytes of the last POST body as sent on the wire (after gzip). */
size_t http_client_last_body_bytes(const struct http_client *c);

/* gzip-compresses in (for the client and the benchmarks). 0, or -1. *out is malloc'd. */
int http_gzip(const char *in, size_t len, char **out, size_t *outlen);

#endif
