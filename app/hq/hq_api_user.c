/* SPDX-License-Identifier: Apache-2.0 */
/* hq_api_user: login, logout, the session and the stores a person may see (see hq_api_user.h). */
#include "hq_api_user.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hq_scope.h"
#include "hq_session.h"
#include "hq_token.h"
#include "log.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The session of req's cookie: 1 found (s filled), 0 none, -1 error. */
static int session_of(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		      struct hq_session *s, char id[HQ_SESSION_ID_LEN + 1])
{
	if (!req->cookie || hq_session_cookie(req->cookie, HQ_SESSION_COOKIE, id, HQ_SESSION_ID_LEN + 1))
		return 0;
	return hq_session_lookup(db, &opt->session, id, now_ms(), s);
}

int hq_api_who(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
	       struct hq_response *res, int write, struct hq_who *who)
{
	memset(who, 0, sizeof(*who));
	size_t len;
	const char *t = hq_token_from_header(req->authorization, &len);
	if (t) {
		who->admin = hq_api_auth_admin(db, req, res);
		return who->admin;
	}
	struct hq_session s;
	char id[HQ_SESSION_ID_LEN + 1], err[256], why[256];
	int rc = session_of(db, opt, req, &s, id);
	if (rc < 0) {
		hq_api_error(res, req, 503, "database unavailable");
		return 0;
	}
	if (rc == 0) {
		hq_api_error(res, req, 401, "log in first (POST /login), or send Authorization: Bearer <admin token>");
		return 0;
	}
	if (write && hq_session_csrf_check(&s, req->csrf_token, req->origin, req->fetch_site, req->host, opt->tls,
					   why, sizeof(why))) {
		hq_api_error(res, req, 403, "user %s: %s", s.user, why);
		return 0;
	}
	rc = hq_users_get(db, s.user, &who->user, err, sizeof(err));
	if (rc < 0)
		hq_api_error(res, req, 503, "%s", err);
	else if (rc == 0)
		hq_api_error(res, req, 401, "user %s no longer exists", s.user);
	return rc == 1;
}

/* --- POST /login ------------------------------------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The form field name of an application/x-www-form-urlencoded body, decoded into out. 0 or -1 (absent, bad, too long). */
static int form_field(const char *body, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < len;) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end - i > nl && !memcmp(body + i, name, nl) && body[i + nl] == '=') {
			size_t o = 0;
			for (size_t j = i + nl + 1; j < end; j++) {
				char c = body[j];
				if (c == '+')
					c = ' ';
				else if (c == '%') {
					if (j + 2 >= end)
						return -1;
					int hi = hexval(body[j + 1]), lo = hexval(body[j + 2]);
					if (hi < 0 || lo < 0)
						return -1;
					c = (char)(hi * 16 + lo);
					j += 2;
				}
				if (c == '\0' || o + 1 >= outlen)
					return -1;
				out[o++] = c;
			}
			out[o] = '\0';
			return 0;
		}
		i = end + 1;
	}
	return -1;
}

/* user and password from a JSON or form body. 0, or -1 with why. */
static int login_fields(const struct hq_request *req, char *user, size_t ulen, char *pw, size_t pwlen,
			char *why, size_t whylen)
{
	const char *body = req->body ? req->body : "";
	if (req->content_type && !strncasecmp(req->content_type, "application/json", 16)) {
		json_error_t je;
		json_t *doc = json_loadb(body, req->body_len, 0, &je);
		const char *u = doc ? json_string_value(json_object_get(doc, "user")) : NULL;
		const char *p = doc ? json_string_value(json_object_get(doc, "password")) : NULL;
		int ok = u && p && strlen(u) < ulen && strlen(p) < pwlen;
		if (ok) {
			snprintf(user, ulen, "%s", u);
			snprintf(pw, pwlen, "%s", p);
		}
		json_decref(doc);
		if (!ok)
			snprintf(why, whylen, "body must be JSON {\"user\":\"...\",\"password\":\"...\"}");
		return ok ? 0 : -1;
	}
	if (form_field(body, req->body_len, "user", user, ulen) || form_field(body, req->body_len, "password", pw, pwlen)) {
		snprintf(why, whylen, "body must be a form user=...&password=... or JSON {\"user\",\"password\"}");
		return -1;
	}
	return 0;
}

/*
 * Whether the body is the login page's own form posted without JavaScript
 * (its hidden reply=page): the answer is then a page's, 303 See Other,
 * rather than JSON for a script.
 */
static int wants_page(const struct hq_request *req)
{
	char v[8];
	return req->content_type && !strncasecmp(req->content_type, "application/x-www-form-urlencoded", 33) &&
	       !form_field(req->body ? req->body : "", req->body_len, "reply", v, sizeof(v)) && !strcmp(v, "page");
}

/* s %-encoded into out: every byte but RFC 3986's unreserved ones, and (path) also / ? = & % kept. */
static void url_encode(const char *s, int path, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *s && o + 4 < outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c) ||
		    (path && strchr("/?=&%+", c)))
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/*
 * Where the form goes back to: the login page's ?next= (the form posts to
 * the page's own address, so it comes along) when it is a path of this
 * server, never another site ("//evil.example", "/\\evil"); else "/".
 */
static const char *page_next(const struct hq_request *req)
{
	const char *n = req->query ? req->query(req->query_ctx, "next") : NULL;
	if (!n || n[0] != '/' || n[1] == '/' || n[1] == '\\' || strlen(n) > 400)
		return "/";
	for (const char *p = n; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "/";
	return n;
}

/*
 * The page's answer to a login: 303 to next with the cookie set, or back
 * to the form with the reason as its fragment (#wrong, #limited), which
 * login.html shows with CSS alone (:target). Other errors stay JSON.
 */
static void page_answer(const struct hq_request *req, struct hq_response *res)
{
	const char *next = page_next(req);
	if (res->status == 200)
		url_encode(next, 1, res->location, sizeof(res->location));
	else if (res->status == 400 || res->status == 401 || res->status == 429) {
		char enc[sizeof(res->location) - 40];
		url_encode(next, 0, enc, sizeof(enc));
		snprintf(res->location, sizeof(res->location), "/login?next=%s#%s", enc,
			 res->status == 429 ? "limited" : "wrong");
	} else
		return;
	res->status = 303;
}

/* {"user","role","scopes"[,"csrf_token"]} of u. NULL when out of memory. */
static json_t *user_json(const struct hq_user *u, const char *csrf)
{
	json_t *scopes = json_array();
	for (size_t i = 0; scopes && i < u->nscopes; i++)
		json_array_append_new(scopes, json_string(u->scopes[i]));
	json_t *o = json_pack("{s:s,s:s,s:o}", "user", u->name, "role", hq_role_name(u->role), "scopes", scopes);
	if (o && csrf)
		json_object_set_new(o, "csrf_token", json_string(csrf));
	return o;
}

static void send_json(struct hq_response *res, const struct hq_request *req, json_t *o)
{
	char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!body)
		hq_api_error(res, req, 503, "out of memory");
	else
		hq_api_json(res, body, strlen(body));
}

static void login(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		  struct hq_response *res)
{
	char user[HQ_USERS_NAME_MAX + 1], pw[HQ_USERS_PW_MAX + 2], why[256], err[256];
	if (hq_session_origin_check(req->origin, req->fetch_site, req->host, opt->tls, why, sizeof(why))) {
		hq_api_error(res, req, 403, "login: %s", why);
		return;
	}
	if (login_fields(req, user, sizeof(user), pw, sizeof(pw), why, sizeof(why))) {
		hq_api_error(res, req, 400, "login: %s", why);
		return;
	}
	if (!hq_users_name_ok(user)) {
		hq_api_error(res, req, 401, "wrong user name or password");
		return;
	}
	int64_t now = now_ms();
	int wait = hq_session_login_allowed(&opt->session, user, req->peer, now);
	if (wait) {
		hq_api_error(res, req, 429, "login %s: too many failed logins for this account or address; try again in %d s",
			     user, wait);
		res->retry_after = wait;
		return;
	}
	int rc = hq_users_verify(db, user, pw, strlen(pw), err, sizeof(err));
	memset(pw, 0, sizeof(pw));
	if (rc < 0) {
		hq_api_error(res, req, 503, "login: %s", err);
		return;
	}
	if (rc == 0) {
		hq_session_login_failed(&opt->session, user, req->peer, now);
		hq_api_error(res, req, 401, "login %s: wrong user name or password", user);
		return;
	}
	hq_session_login_ok(user);
	struct hq_user u;
	char id[HQ_SESSION_ID_LEN + 1], csrf[HQ_SESSION_ID_LEN + 1];
	if (hq_users_get(db, user, &u, err, sizeof(err)) != 1 ||
	    hq_session_create(db, &opt->session, user, now, id, csrf, err, sizeof(err))) {
		hq_api_error(res, req, 503, "login: %s", err);
		return;
	}
	log_msg(LOG_NOTICE, "%s: user %s logged in (%s)", req->peer ? req->peer : "-", user, hq_role_name(u.role));
	send_json(res, req, user_json(&u, csrf));
	if (res->status == 200)
		hq_session_set_cookie(res->set_cookie, sizeof(res->set_cookie), id, &opt->session, opt->tls);
}

void hq_api_login(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		  struct hq_response *res)
{
	/* The same checks, limits and cookie either way; only the form of the answer differs. */
	login(db, opt, req, res);
	if (wants_page(req))
		page_answer(req, res);
}

/* --- POST /logout, GET /api/v1/session ------------------------------------- */

void hq_api_logout(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		   struct hq_response *res)
{
	struct hq_who who;
	char id[HQ_SESSION_ID_LEN + 1];
	struct hq_session s;
	if (req->authorization) {
		hq_api_error(res, req, 400, "logout ends a session cookie; tokens are revoked with the tally-hq command");
		return;
	}
	if (!hq_api_who(db, opt, req, res, 1, &who))
		return;
	if (session_of(db, opt, req, &s, id) != 1 || hq_session_end(db, id)) {
		hq_api_error(res, req, 503, "cannot end the session");
		return;
	}
	log_msg(LOG_NOTICE, "%s: user %s logged out", req->peer ? req->peer : "-", who.user.name);
	char *body = strdup("{\"ok\":true}");
	if (!body) {
		hq_api_error(res, req, 503, "out of memory");
		return;
	}
	hq_api_json(res, body, strlen(body));
	hq_session_set_cookie(res->set_cookie, sizeof(res->set_cookie), NULL, &opt->session, opt->tls);
}

void hq_api_session(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		    struct hq_response *res)
{
	struct hq_session s;
	struct hq_user u;
	char id[HQ_SESSION_ID_LEN + 1], err[256];
	int rc = session_of(db, opt, req, &s, id);
	if (rc == 1)
		rc = hq_users_get(db, s.user, &u, err, sizeof(err));
	if (rc < 0)
		hq_api_error(res, req, 503, "database unavailable");
	else if (rc == 0)
		hq_api_error(res, req, 401, "not logged in (POST /login)");
	else
		send_json(res, req, user_json(&u, s.csrf));
}

/* --- GET /api/v1/stores ------------------------------------------------------ */

void hq_api_stores(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		   struct hq_response *res)
{
	struct hq_who who;
	if (!hq_api_who(db, opt, req, res, 0, &who))
		return;
	struct hq_scope_store *st;
	size_t n;
	char err[256];
	if (hq_scope_stores(db, who.admin ? NULL : who.user.name, &st, &n, err, sizeof(err))) {
		hq_api_error(res, req, 503, "%s", err);
		return;
	}
	json_t *stores = json_array(), *regions = json_array();
	for (size_t i = 0; stores && regions && i < n; i++) {
		json_array_append_new(stores, json_pack("{s:s,s:s,s:i}", "store", st[i].name, "region", st[i].region,
							"kiosks", st[i].kiosks));
		int seen = !st[i].region[0];
		for (size_t j = 0; !seen && j < i; j++)
			seen = !strcmp(st[j].region, st[i].region);
		if (!seen)
			json_array_append_new(regions, json_string(st[i].region));
	}
	free(st);
	json_t *o = who.admin ? json_pack("{s:n,s:s}", "user", "role", "admin") : user_json(&who.user, NULL);
	if (o && stores && regions) {
		json_object_set_new(o, "stores", stores);
		json_object_set_new(o, "regions", regions);
	} else {
		json_decref(stores);
		json_decref(regions);
	}
	send_json(res, req, o);
}
