/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_session: a signed-in person's session, and the guards around it.
 *
 * - The cookie "tally_session" holds 32 random bytes in hex; the database
 *   keeps only their SHA-256, so a copy of the file opens no session. It
 *   is sent HttpOnly (no script reads it), SameSite=Strict (no other site's
 *   page sends it), Path=/, and Secure when head office serves HTTPS.
 * - A session ends at logout, session_hours after login (absolute), or
 *   after session_idle_minutes without a request (idle); a new password or
 *   a deleted user ends all of theirs.
 * - CSRF: a request that changes state and is authenticated by the cookie
 *   must echo the session's own token in X-CSRF-Token, and must not come
 *   from another site (Sec-Fetch-Site, and Origin when sent, must match).
 * - Login attempts: after login_max_failures wrong passwords for one
 *   account, or login_max_failures_per_address from one address, within
 *   login_lockout_minutes of the first of them, further attempts are
 *   refused (429 with Retry-After) until that window has passed. Counted
 *   in memory (HQ_SESSION_LIMIT_SLOTS accounts and addresses at once,
 *   the oldest forgotten first): a restart forgets them.
 */
#ifndef HQ_SESSION_H
#define HQ_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"

#define HQ_SESSION_COOKIE "tally_session"
#define HQ_SESSION_ID_LEN 64   /* hex digits */
#define HQ_SESSION_LIMIT_SLOTS 4096

struct hq_session_options {
	int hours;                  /* absolute lifetime; 0: 12 */
	int idle_minutes;           /* idle lifetime; 0: 60 */
	int max_failures;           /* per account; 0: 5 */
	int max_failures_per_address; /* 0: 20 */
	int lockout_minutes;        /* the window failures are counted in; 0: 15 */
};

struct hq_session {
	char user[64];
	char csrf[HQ_SESSION_ID_LEN + 1];
	int64_t created_ms, seen_ms;
};

/*
 * Opens a session for user: id gets the cookie's value, csrf the token.
 * 0, or -1 with err. Expired sessions of every user are swept here.
 */
int hq_session_create(struct hq_store *db, const struct hq_session_options *o, const char *user, int64_t now_ms,
		      char id[HQ_SESSION_ID_LEN + 1], char csrf[HQ_SESSION_ID_LEN + 1], char *err, size_t errlen);

/* The live session with cookie value id: 1 found (and its idle clock restarted), 0 none or expired, -1 error. */
int hq_session_lookup(struct hq_store *db, const struct hq_session_options *o, const char *id, int64_t now_ms,
		      struct hq_session *out);

/* Ends the session with cookie value id. 0 or -1. */
int hq_session_end(struct hq_store *db, const char *id);

/* The value of cookie name in a Cookie header into out, or -1 when absent or malformed. */
int hq_session_cookie(const char *header, const char *name, char *out, size_t outlen);

/* The Set-Cookie value that sets (id) or clears (id NULL) the session cookie. */
void hq_session_set_cookie(char *out, size_t outlen, const char *id, const struct hq_session_options *o, int tls);

/*
 * The request comes from head office's own pages or a non-browser client:
 * Sec-Fetch-Site (when sent) is same-origin or none, and Origin (when
 * sent) is http:// or https:// and this server's Host. 0 ok, or -1 with why filled.
 */
int hq_session_origin_check(const char *origin, const char *fetch_site, const char *host, int tls,
			    char *why, size_t whylen);

/*
 * CSRF check for a state-changing request authenticated by s's cookie.
 * token: X-CSRF-Token; origin, fetch_site: Origin and Sec-Fetch-Site (NULL
 * when absent); host: Host. 0 ok, or -1 with why filled.
 */
int hq_session_csrf_check(const struct hq_session *s, const char *token, const char *origin, const char *fetch_site,
			  const char *host, int tls, char *why, size_t whylen);

/*
 * Login attempt gates. hq_session_login_allowed: 0 go ahead, or the seconds
 * to wait (>= 1) when user or addr has had too many failures. Then
 * _login_failed or _login_ok with the outcome.
 */
int hq_session_login_allowed(const struct hq_session_options *o, const char *user, const char *addr, int64_t now_ms);
void hq_session_login_failed(const struct hq_session_options *o, const char *user, const char *addr, int64_t now_ms);
void hq_session_login_ok(const char *user);

#endif
