/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_client: libcurl easy interface with a reused handle.
 *
 * Decisions, and the failure each prevents:
 * - CURLOPT_NOSIGNAL: libcurl must not use SIGALRM for DNS timeouts in a
 *   daemon that handles its own signals.
 * - Connect and total timeouts: a head office that accepts the connection
 *   and then says nothing (or a middlebox that swallows packets) would
 *   otherwise hold the queue forever.
 * - A response larger than MAX_RESPONSE is abandoned: a misdirected URL
 *   (a captive portal, a big web page) must not grow the daemon's memory.
 * - Any transport error, including a connection closed mid-answer, is "no
 *   answer": the caller then marks nothing, and head office's idempotence
 *   on (kiosk, seq) makes the later resend harmless.
 */
#include "http_client.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_RESPONSE (4 * 1024 * 1024)

struct http_client {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	volatile sig_atomic_t *abort_flag;
	size_t last_body;
	enum http_failure failure;
	/* the answer being received */
	char *buf;
	size_t len, cap;
	int too_big;
};

int http_global_init(char *err, size_t errlen)
{
	/*
	 * Debian's libcurl links libssh2 (SCP/SFTP, never used here), whose
	 * initialisation inside curl_global_init brings up OpenSSL's libcrypto
	 * and reads /etc/ssl/openssl.cnf, loading its providers: 2.3 MiB of the
	 * idle daemon's PSS against 1.1 MiB without. Our TLS is GnuTLS, which
	 * never reads that file, so skipping it changes nothing we use. An
	 * OPENSSL_CONF the admin set is kept.
	 */
	setenv("OPENSSL_CONF", "/dev/null", 0);
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

const char *http_version(void)
{
	return curl_version();
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_client *c = arg;
	size_t n = size * nmemb;
	if (c->len + n + 1 > MAX_RESPONSE) {
		c->too_big = 1;
		return 0; /* makes curl fail the transfer */
	}
	if (c->len + n + 1 > c->cap) {
		size_t ncap = c->cap ? c->cap : 4096;
		while (ncap < c->len + n + 1)
			ncap *= 2;
		char *nb = realloc(c->buf, ncap);
		if (!nb)
			return 0;
		c->buf = nb;
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, ptr, n);
	c->len += n;
	c->buf[c->len] = '\0';
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	struct http_client *c = arg;
	return c->abort_flag && *c->abort_flag ? 1 : 0;
}

int http_client_new(struct http_client **out, const struct http_options *o, char *err, size_t errlen)
{
	*out = NULL;
	struct http_client *c = calloc(1, sizeof(*c));
	if (!c || !(c->curl = curl_easy_init())) {
		free(c);
		snprintf(err, errlen, "cannot create an HTTP client (out of memory)");
		return -1;
	}
	CURL *h = c->curl;
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file && o->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : "tally-sync");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	*out = c;
	return 0;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c->buf);
	free(c);
}

void http_client_set_abort(struct http_client *c, volatile sig_atomic_t *flag)
{
	c->abort_flag = flag;
}

size_t http_client_last_body_bytes(const struct http_client *c)
{
	return c->last_body;
}

void http_response_free(struct http_response *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

int http_gzip(const char *in, size_t len, char **out, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper, as Content-Encoding: gzip means. */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len);
	char *buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

static enum http_failure classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return HTTP_FAIL_NONE;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return HTTP_FAIL_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_FAIL_TIMEOUT;
	case CURLE_ABORTED_BY_CALLBACK:
		return HTTP_FAIL_STOPPED;
	default:
		return HTTP_FAIL_OTHER;
	}
}

enum http_failure http_client_last_failure(const struct http_client *c)
{
	return c->failure;
}

/* Runs the prepared request; hands the answer over to resp. */
static int perform(struct http_client *c, struct curl_slist *headers, struct http_response *resp, char *err,
		   size_t errlen)
{
	memset(resp, 0, sizeof(*resp));
	c->len = 0;
	c->too_big = 0;
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
	CURLcode rc = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	c->failure = classify(rc);
	if (rc != CURLE_OK) {
		if (c->too_big)
			snprintf(err, errlen, "answer larger than %d bytes, abandoned", MAX_RESPONSE);
		else if (rc == CURLE_ABORTED_BY_CALLBACK)
			snprintf(err, errlen, "stopped");
		else
			snprintf(err, errlen, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		/* After an error the connection may be half-used: start afresh. */
		curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, 1L);
		return -1;
	}
	curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, 0L);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	/* Hand the buffer over; the next request grows a new one. */
	if (!c->buf && !(c->buf = calloc(1, 1))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	resp->body = c->buf;
	resp->len = c->len;
	c->buf = NULL;
	c->len = c->cap = 0;
	return 0;
}

static struct curl_slist *auth_headers(const char *token, int json)
{
	struct curl_slist *h = NULL, *t;
	char line[512];
	if (token && token[0]) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
		if (!(t = curl_slist_append(h, line)))
			goto bad;
		h = t;
	}
	if (json) {
		if (!(t = curl_slist_append(h, "Content-Type: application/json")))
			goto bad;
		h = t;
		if (!(t = curl_slist_append(h, "Content-Encoding: gzip")))
			goto bad;
		h = t;
		/* No "100-continue" round trip before each batch. */
		if (!(t = curl_slist_append(h, "Expect:")))
			goto bad;
		h = t;
	}
	return h;
bad:
	curl_slist_free_all(h);
	return NULL;
}

int http_post_json_gzip(struct http_client *c, const char *url, const char *token, const char *json, size_t len,
			struct http_response *resp, char *err, size_t errlen)
{
	char *gz;
	size_t gzlen;
	memset(resp, 0, sizeof(*resp));
	if (http_gzip(json, len, &gz, &gzlen)) {
		c->failure = HTTP_FAIL_OTHER;
		snprintf(err, errlen, "cannot gzip the request body");
		return -1;
	}
	struct curl_slist *headers = auth_headers(token, 1);
	if (!headers) {
		c->failure = HTTP_FAIL_OTHER;
		free(gz);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->last_body = gzlen;
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, gz);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)gzlen);
	int rc = perform(c, headers, resp, err, errlen);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(headers);
	free(gz);
	return rc;
}

int http_get(struct http_client *c, const char *url, const char *token, struct http_response *resp, char *err,
	     size_t errlen)
{
	memset(resp, 0, sizeof(*resp));
	struct curl_slist *headers = auth_headers(token, 0);
	if (token && token[0] && !headers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	int rc = perform(c, headers, resp, err, errlen);
	curl_slist_free_all(headers);
	return rc;
}
