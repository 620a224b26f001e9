/* SPDX-License-Identifier: Apache-2.0 */
/* hq_deliver: webhooks and SMTP mail through one curl multi handle (see hq_deliver.h). */
#include "hq_deliver.h"

#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int hq_deliver_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int hq_deliver_sign(const char *secret, int64_t t_s, const char *body, char *out, size_t len)
{
	char *signed_text = NULL;
	if (asprintf(&signed_text, "%lld.%s", (long long)t_s, body) < 0)
		return -1;
	unsigned char mac[32];
	int rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, strlen(secret), signed_text, strlen(signed_text), mac);
	free(signed_text);
	if (rc < 0)
		return -1;
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	snprintf(out, len, "t=%lld,v1=%s", (long long)t_s, hex);
	return 0;
}

/* One message in flight. */
struct flight {
	CURL *h;
	struct curl_slist *headers, *rcpt;
	char *payload;        /* mail: headers and body */
	size_t sent;          /* mail: bytes of payload handed to curl */
	char curl_err[CURL_ERROR_SIZE];
};

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static size_t mail_read(char *buf, size_t size, size_t n, void *arg)
{
	struct flight *f = arg;
	size_t left = strlen(f->payload) - f->sent, k = size * n < left ? size * n : left;
	memcpy(buf, f->payload + f->sent, k);
	f->sent += k;
	return k;
}

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	out[o] = '\0';
}

/* A header's text: as is when plain ASCII, else RFC 2047's =?UTF-8?B?...?= (a store named "Köln"). malloc'd. */
static char *header_text(const char *s)
{
	int plain = 1;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		plain &= *c >= 0x20 && *c < 0x7f;
	if (plain)
		return strdup(s);
	size_t n = strlen(s);
	char *b = malloc((n + 2) / 3 * 4 + 1), *out = NULL;
	if (!b)
		return NULL;
	base64((const unsigned char *)s, n, b);
	if (asprintf(&out, "=?UTF-8?B?%s?=", b) < 0)
		out = NULL;
	free(b);
	return out;
}

/* The mail's text with its headers, lines ended CRLF as SMTP wants. malloc'd, or NULL. */
static char *mail_payload(const struct hq_deliver_conf *c, const struct hq_alert_msg *m, int64_t now_ms)
{
	char date[64], host[128] = "localhost";
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	gethostname(host, sizeof(host) - 1);
	char *subject = header_text(m->subject), *head = NULL;
	if (!subject)
		return NULL;
	int rc = asprintf(&head, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\n"
			  "Message-ID: <tally-%lld-%lld@%s>\r\nMIME-Version: 1.0\r\n"
			  "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
			  date, c->smtp_from, m->target, subject, (long long)m->id, (long long)m->created_ms, host);
	free(subject);
	if (rc < 0)
		return NULL;
	size_t hl = strlen(head), bl = strlen(m->body);
	char *out = malloc(hl + 2 * bl + 3), *o = out;
	if (!out) {
		free(head);
		return NULL;
	}
	memcpy(o, head, hl);
	o += hl;
	free(head);
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			*o++ = '\r';
		*o++ = *p;
	}
	if (bl && m->body[bl - 1] != '\n') {
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}

/* Adds each comma-separated address of to. */
static struct curl_slist *recipients(const char *to)
{
	struct curl_slist *l = NULL;
	char *copy = strdup(to), *save = NULL;
	for (char *a = copy ? strtok_r(copy, ",", &save) : NULL; a; a = strtok_r(NULL, ",", &save)) {
		while (*a == ' ')
			a++;
		size_t k = strlen(a);
		while (k && a[k - 1] == ' ')
			a[--k] = '\0';
		if (!*a)
			continue;
		char angle[HQ_ALERT_MAIL_MAX + 3];
		snprintf(angle, sizeof(angle), "<%s>", a);
		struct curl_slist *more = curl_slist_append(l, angle);
		if (!more)
			break;
		l = more;
	}
	free(copy);
	return l;
}

/* Sets f up for message m. 0, or -1 with why. */
static int prepare(const struct hq_deliver_conf *c, const struct hq_alert_msg *m, const char *secret, int64_t now_ms,
		   struct flight *f, char why[256])
{
	memset(f, 0, sizeof(*f));
	f->h = curl_easy_init();
	if (!f->h) {
		snprintf(why, 256, "cannot start libcurl");
		return -1;
	}
	CURL *h = f->h;
	long ms = (long)(c->timeout_s * 1000);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->curl_err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (!strcmp(m->channel, "webhook")) {
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_URL, m->target);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, m->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(m->body));
		char line[160], event[16] = "alert";
		json_t *o = json_loads(m->body, 0, NULL);
		const char *ev = json_string_value(json_object_get(o, "event"));
		snprintf(event, sizeof(event), "%s", ev ? ev : "alert");
		json_decref(o);
		f->headers = curl_slist_append(f->headers, "Content-Type: application/json");
		snprintf(line, sizeof(line), "X-Tally-Event: %s", event);
		f->headers = curl_slist_append(f->headers, line);
		f->headers = curl_slist_append(f->headers, "User-Agent: tally-hq/" TALLY_VERSION);
		if (secret && *secret) {
			char sig[128];
			if (hq_deliver_sign(secret, now_ms / 1000, m->body, sig, sizeof(sig))) {
				snprintf(why, 256, "cannot sign the body");
				return -1;
			}
			snprintf(line, sizeof(line), "X-Tally-Signature: %s", sig);
			f->headers = curl_slist_append(f->headers, line);
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, f->headers);
		return 0;
	}
	if (!c->smtp_url || !*c->smtp_url) {
		snprintf(why, 256, "no mail server: set [alerts] smtp_url");
		return -1;
	}
	f->rcpt = recipients(m->target);
	f->payload = mail_payload(c, m, now_ms);
	if (!f->rcpt || !f->payload) {
		snprintf(why, 256, f->rcpt ? "out of memory" : "no recipient in \"%.200s\"", m->target);
		return -1;
	}
	char from[HQ_ALERT_MAIL_MAX];
	snprintf(from, sizeof(from), "<%s>", c->smtp_from);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, f->rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(h, CURLOPT_READDATA, f);
	curl_easy_setopt(h, CURLOPT_INFILESIZE, (long)strlen(f->payload));
	/* STARTTLS required: AUTH, and the password, never go over a plain connection. */
	curl_easy_setopt(h, CURLOPT_USE_SSL, c->smtp_starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (c->smtp_ca_file && *c->smtp_ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->smtp_ca_file);
	if (c->smtp_user && *c->smtp_user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->smtp_password ? c->smtp_password : "");
	}
	return 0;
}

static void finish(struct flight *f)
{
	if (f->h)
		curl_easy_cleanup(f->h);
	curl_slist_free_all(f->headers);
	curl_slist_free_all(f->rcpt);
	free(f->payload);
	memset(f, 0, sizeof(*f));
}

void hq_deliver(const struct hq_deliver_conf *c, const struct hq_alert_msg *msgs, const char *const *secrets, size_t n,
		int64_t now_ms, int *ok, char (*why)[256])
{
	struct flight *f = calloc(n ? n : 1, sizeof(*f));
	CURLM *multi = curl_multi_init();
	for (size_t i = 0; i < n; i++) {
		ok[i] = 0;
		why[i][0] = '\0';
	}
	if (!f || !multi) {
		for (size_t i = 0; i < n; i++)
			snprintf(why[i], 256, "out of memory");
		free(f);
		if (multi)
			curl_multi_cleanup(multi);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (prepare(c, &msgs[i], secrets ? secrets[i] : "", now_ms, &f[i], why[i]) ||
		    curl_multi_add_handle(multi, f[i].h) != CURLM_OK) {
			if (!why[i][0])
				snprintf(why[i], 256, "cannot start the transfer");
			finish(&f[i]);
		}
	}
	int running = 1;
	while (running) {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(multi, NULL, 0, 1000, NULL);
	}
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (f[i].h != msg->easy_handle)
				continue;
			long status = 0;
			curl_easy_getinfo(f[i].h, CURLINFO_RESPONSE_CODE, &status);
			if (msg->data.result != CURLE_OK) {
				/* curl's own words, never the URL (it may hold a token) nor a password. */
				snprintf(why[i], 256, "%s", curl_easy_strerror(msg->data.result));
			} else if (!strcmp(msgs[i].channel, "webhook") && (status < 200 || status > 299)) {
				snprintf(why[i], 256, "the webhook answered HTTP %ld", status);
			} else {
				ok[i] = 1;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (f[i].h) {
			curl_multi_remove_handle(multi, f[i].h);
			finish(&f[i]);
		}
		if (!ok[i] && !why[i][0])
			snprintf(why[i], 256, "not sent");
	}
	curl_multi_cleanup(multi);
	free(f);
}
