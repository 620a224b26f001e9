/* SPDX-License-Identifier: Apache-2.0 */
/* hq_session: sessions, their cookie, CSRF and login rate limits (see hq_session.h). */
#include "hq_session.h"

#include "hq_db.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hq_token.h"

static int64_t hours_ms(const struct hq_session_options *o)
{
	return (int64_t)(o->hours > 0 ? o->hours : 12) * 3600 * 1000;
}

static int64_t idle_ms(const struct hq_session_options *o)
{
	return (int64_t)(o->idle_minutes > 0 ? o->idle_minutes : 60) * 60 * 1000;
}

static int write_step(struct hq_db_stmt *st)
{
	hq_store_write_lock(1);
	int rc = hq_db_step(st);
	hq_store_write_lock(0);
	hq_db_finalize(st);
	return rc;
}

int hq_session_create(struct hq_store *db, const struct hq_session_options *o, const char *user, int64_t now_ms,
		      char id[HQ_SESSION_ID_LEN + 1], char csrf[HQ_SESSION_ID_LEN + 1], char *err, size_t errlen)
{
	uint8_t hash[HQ_HASH_LEN];
	if (hq_token_new(id, err, errlen) || hq_token_new(csrf, err, errlen) || hq_token_hash(id, strlen(id), hash))
		return -1;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	/* Sweep: sessions past either limit are dead; no need to keep their rows. */
	if (hq_db_prepare(s, "DELETE FROM sessions WHERE created_ms <= ? OR seen_ms <= ?", &st, NULL, 0) == HQ_DB_DONE) {
		hq_db_bind_int64(st, 1, now_ms - hours_ms(o));
		hq_db_bind_int64(st, 2, now_ms - idle_ms(o));
		(void)write_step(st);
	}
	if (hq_db_prepare(s, "INSERT INTO sessions (id_hash, username, csrf, created_ms, seen_ms) VALUES (?,?,?,?,?)", &st, NULL, 0) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot open session: %s", hq_db_errmsg(s));
		return -1;
	}
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	hq_db_bind_text(st, 2, user);
	hq_db_bind_text(st, 3, csrf);
	hq_db_bind_int64(st, 4, now_ms);
	hq_db_bind_int64(st, 5, now_ms);
	if (write_step(st) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot open session: %s", hq_db_errmsg(s));
		return -1;
	}
	return 0;
}

static int id_ok(const char *id)
{
	if (!id || strlen(id) != HQ_SESSION_ID_LEN)
		return 0;
	return strspn(id, "0123456789abcdef") == HQ_SESSION_ID_LEN;
}

int hq_session_lookup(struct hq_store *db, const struct hq_session_options *o, const char *id, int64_t now_ms,
		      struct hq_session *out)
{
	if (!id_ok(id))
		return 0;
	uint8_t hash[HQ_HASH_LEN];
	if (hq_token_hash(id, strlen(id), hash))
		return -1;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_db_prepare(s, "SELECT username, csrf, created_ms, seen_ms FROM sessions WHERE id_hash = ?", &st, NULL, 0) != HQ_DB_DONE)
		return -1;
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW) {
		memset(out, 0, sizeof(*out));
		snprintf(out->user, sizeof(out->user), "%s", hq_db_column_text(st, 0));
		snprintf(out->csrf, sizeof(out->csrf), "%s", hq_db_column_text(st, 1));
		out->created_ms = hq_db_column_int64(st, 2);
		out->seen_ms = hq_db_column_int64(st, 3);
	}
	hq_db_finalize(st);
	if (rc == HQ_DB_DONE)
		return 0;
	if (rc != HQ_DB_ROW)
		return -1;
	if (out->created_ms + hours_ms(o) <= now_ms || out->seen_ms + idle_ms(o) <= now_ms) {
		hq_session_end(db, id);
		return 0;
	}
	/* Restart the idle clock, at most once a minute: a page's many requests need not each write. */
	if (now_ms - out->seen_ms >= 60 * 1000 &&
	    hq_db_prepare(s, "UPDATE sessions SET seen_ms = ? WHERE id_hash = ?", &st, NULL, 0) == HQ_DB_DONE) {
		hq_db_bind_int64(st, 1, now_ms);
		hq_db_bind_blob(st, 2, hash, HQ_HASH_LEN);
		if (write_step(st) == HQ_DB_DONE)
			out->seen_ms = now_ms;
	}
	return 1;
}

int hq_session_end(struct hq_store *db, const char *id)
{
	uint8_t hash[HQ_HASH_LEN];
	if (!id || hq_token_hash(id, strlen(id), hash))
		return -1;
	struct hq_db_stmt *st;
	if (hq_db_prepare(hq_store_sql(db), "DELETE FROM sessions WHERE id_hash = ?", &st, NULL, 0) != HQ_DB_DONE)
		return -1;
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	return write_step(st) == HQ_DB_DONE ? 0 : -1;
}

int hq_session_cookie(const char *header, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			size_t vl = len - nl - 1;
			if (vl >= outlen)
				return -1;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -1;
}

void hq_session_set_cookie(char *out, size_t outlen, const char *id, const struct hq_session_options *o, int tls)
{
	snprintf(out, outlen, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", HQ_SESSION_COOKIE,
		 id ? id : "", id ? (long long)(hours_ms(o) / 1000) : 0LL, tls ? "; Secure" : "");
}

/* Equal strings, compared without an early exit. */
static int same_text(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int hq_session_origin_check(const char *origin, const char *fetch_site, const char *host, int tls,
			    char *why, size_t whylen)
{
	if (fetch_site && strcasecmp(fetch_site, "same-origin") && strcasecmp(fetch_site, "none")) {
		snprintf(why, whylen, "cross-site request refused (Sec-Fetch-Site: %.32s)", fetch_site);
		return -1;
	}
	if (origin) {
		/*
		 * The host must be this server's Host; the scheme may be either,
		 * because behind a proxy that terminates TLS (head-office.md) the
		 * browser's https origin reaches a plain-HTTP tally-hq.
		 */
		(void)tls;
		const char *h = !strncasecmp(origin, "https://", 8) ? origin + 8 : !strncasecmp(origin, "http://", 7) ? origin + 7 : NULL;
		if (!host || !h || strcasecmp(h, host)) {
			snprintf(why, whylen, "cross-origin request refused (Origin: %.100s)", origin);
			return -1;
		}
	}
	return 0;
}

int hq_session_csrf_check(const struct hq_session *s, const char *token, const char *origin, const char *fetch_site,
			  const char *host, int tls, char *why, size_t whylen)
{
	if (hq_session_origin_check(origin, fetch_site, host, tls, why, whylen))
		return -1;
	if (!token || !*token || !same_text(token, s->csrf)) {
		snprintf(why, whylen, "missing or wrong X-CSRF-Token (the csrf_token of POST /login or GET /api/v1/session)");
		return -1;
	}
	return 0;
}

/* --- login attempt limits -------------------------------------------------- */

struct slot {
	char key[160];        /* "u:" name or "a:" address; "" free */
	int failures;
	int64_t first_ms;     /* the window's first failure */
};

static struct slot slots[HQ_SESSION_LIMIT_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t window_ms(const struct hq_session_options *o)
{
	return (int64_t)(o->lockout_minutes > 0 ? o->lockout_minutes : 15) * 60 * 1000;
}

/* The slot of key, or NULL; with make, a new one in a free, else expired, else the oldest slot. Lock held. */
static struct slot *find(const char *key, int make, const struct hq_session_options *o, int64_t now_ms)
{
	struct slot *free_slot = NULL, *expired = NULL, *oldest = NULL;
	for (size_t i = 0; i < HQ_SESSION_LIMIT_SLOTS; i++) {
		struct slot *s = &slots[i];
		if (!s->key[0]) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (!strcmp(s->key, key))
			return s;
		if (!expired && s->first_ms + window_ms(o) <= now_ms)
			expired = s;
		if (!oldest || s->first_ms < oldest->first_ms)
			oldest = s;
	}
	if (!make)
		return NULL;
	struct slot *s = free_slot ? free_slot : expired ? expired : oldest;
	memset(s, 0, sizeof(*s));
	snprintf(s->key, sizeof(s->key), "%s", key);
	return s;
}

static int wait_s(const char *key, int max, const struct hq_session_options *o, int64_t now_ms)
{
	struct slot *s = find(key, 0, o, now_ms);
	if (!s || s->failures < max)
		return 0;
	int64_t left = s->first_ms + window_ms(o) - now_ms;
	if (left <= 0) {
		s->key[0] = '\0';
		return 0;
	}
	return (int)((left + 999) / 1000);
}

int hq_session_login_allowed(const struct hq_session_options *o, const char *user, const char *addr, int64_t now_ms)
{
	char ku[160], ka[160];
	snprintf(ku, sizeof(ku), "u:%s", user);
	snprintf(ka, sizeof(ka), "a:%s", addr ? addr : "-");
	pthread_mutex_lock(&slots_lock);
	int a = wait_s(ku, o->max_failures > 0 ? o->max_failures : 5, o, now_ms);
	int b = wait_s(ka, o->max_failures_per_address > 0 ? o->max_failures_per_address : 20, o, now_ms);
	pthread_mutex_unlock(&slots_lock);
	return a > b ? a : b;
}

static void count(const char *key, const struct hq_session_options *o, int64_t now_ms)
{
	struct slot *s = find(key, 1, o, now_ms);
	if (!s)
		return;
	if (!s->failures || s->first_ms + window_ms(o) <= now_ms) {
		s->failures = 0;
		s->first_ms = now_ms;
	}
	s->failures++;
}

void hq_session_login_failed(const struct hq_session_options *o, const char *user, const char *addr, int64_t now_ms)
{
	char ku[160], ka[160];
	snprintf(ku, sizeof(ku), "u:%s", user);
	snprintf(ka, sizeof(ka), "a:%s", addr ? addr : "-");
	pthread_mutex_lock(&slots_lock);
	count(ku, o, now_ms);
	count(ka, o, now_ms);
	pthread_mutex_unlock(&slots_lock);
}

void hq_session_login_ok(const char *user)
{
	char ku[160];
	snprintf(ku, sizeof(ku), "u:%s", user);
	pthread_mutex_lock(&slots_lock);
	for (size_t i = 0; i < HQ_SESSION_LIMIT_SLOTS; i++)
		if (slots[i].key[0] && !strcmp(slots[i].key, ku))
			slots[i].key[0] = '\0';
	pthread_mutex_unlock(&slots_lock);
}
