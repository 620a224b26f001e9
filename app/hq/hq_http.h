/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_http: libmicrohttpd around hq_api: listening (HTTP or HTTPS), reading
 * bodies within their limits, gunzipping, timeouts, and one SQLite
 * connection per worker thread.
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
	int threads;                  /* worker threads; 0: one per CPU */
	double connection_timeout_s;  /* idle connection closed, slow body refused with 408 */
	struct hq_api_options api;
};

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
