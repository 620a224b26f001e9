/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_http: libmicrohttpd around hq_api: listening (HTTP or HTTPS), who
 * may send a body (the token is checked on the headers), how much body
 * memory may be in flight, slow and idle clients, gunzipping, and which
 * thread does what (see hq_http.c).
 */
#ifndef HQ_HTTP_H
#define HQ_HTTP_H

#include <stddef.h>

#include "hq_api.h"

struct hq_http_options {
	const char *listen;           /* "ADDR:PORT", "[v6]:PORT"; port 0 picks a free one */
	const char *db_path;
	const char *tls_cert;         /* PEM files; both set: HTTPS */
	const char *tls_key;
	const char *tls_priorities;   /* GnuTLS priority string; NULL or "": HQ_HTTP_TLS_PRIORITIES */
	int threads;                  /* HTTP (event loop) threads; 0: one per CPU */
	double connection_timeout_s;  /* idle connection closed, slow body refused with 408 */
	double header_timeout_s;      /* request line and headers complete within this; 0: no limit */
	int max_connections;          /* open connections in total; 0: HQ_HTTP_MAX_CONNECTIONS */
	int max_connections_per_address; /* all connections of one address; 0: no limit */
	int slow_connections_per_address; /* header phase over 1 s, per address: beyond it they are closed; 0: no cap */
	size_t body_memory_limit;     /* bytes of request bodies held at once; 0: no limit */
	struct hq_api_options api;    /* api.ingest is set by hq_http (the writer thread) */
};

/* TLS 1.2 and 1.3 only, forward-secret key exchanges only (no static RSA). */
#define HQ_HTTP_TLS_PRIORITIES "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-DHE-DSS:%SERVER_PRECEDENCE"
#define HQ_HTTP_MAX_CONNECTIONS 10000
/* Request line and headers at most this many bytes (as Tomcat; nginx allows 8 KiB a line): beyond, 431. A browser's cookies and a kiosk's token fit many times over. */
#define HQ_HTTP_MAX_HEADER 8192

struct hq_http;

/*
 * Starts serving in background threads. bound gets "ADDR:PORT" as actually
 * bound (the real port when 0 was asked). 0, or -1 with err filled.
 */
int hq_http_start(struct hq_http **out, const struct hq_http_options *o, char *bound, size_t boundlen,
		  char *err, size_t errlen);

/* Stops accepting, finishes or drops the requests in flight, closes everything. */
void hq_http_stop(struct hq_http *h);

/* The HTTP and TLS libraries served with, for --version: "libmicrohttpd 0.9.75, GnuTLS 3.7.9". */
void hq_http_version(char *out, size_t outlen);

#endif
