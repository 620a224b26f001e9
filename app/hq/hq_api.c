/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api: routing and authentication of API v1: who is asking (a kiosk's
 * token, an admin's), and which route answers. The routes live in files
 * of their own (hq_api_kiosk.c what kiosks send and ask, hq_api_export.c
 * the export, hq_api_admin.c the fleet's health and metrics, and the
 * hq_api_*.c of people, the dashboard and alerts); the answers they make
 * in hq_api_answer.c; what they share in hq_api_impl.h.
 *
 * Checks run in a fixed order so that a client learns the first thing it
 * must fix: who it is (401), whether the body is sound (400, 413), then
 * whether it may write there (403). Nothing is written until all of that
 * passed, and the write is one transaction, so a refused batch leaves no
 * trace but a log line.
 */
#include "hq_api.h"
#include "hq_api_alert.h"
#include "hq_api_dash.h"
#include "hq_api_impl.h"
#include "hq_api_user.h"
#include "hq_static.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "hq_registry.h"
#include "hq_token.h"

/* The bearer token's hash, or -1 (no usable Authorization header). */
static int bearer_hash(const struct hq_request *req, uint8_t hash[HQ_HASH_LEN])
{
	size_t len;
	const char *t = hq_token_from_header(req->authorization, &len);
	if (!t)
		return -1;
	return hq_token_hash(t, len, hash);
}

int hq_api_expired_message(struct hq_store *db, const uint8_t hash[HQ_HASH_LEN], char *msg, size_t len)
{
	char who[128], when[32];
	int64_t at;
	if (hq_registry_expired(db, hash, who, sizeof(who), &at) != 1)
		return 0;
	hq_api_utc_text(at, when);
	snprintf(msg, len, "the token of %s expired at %s; make a new one (tally-hq kiosk rotate-token ID,"
		 " or admin-token rotate ID)", who, when);
	return 1;
}

/* An expired token gets its own 401, saying when, so the operator knows to rotate it. 1 if so. */
static int refuse_expired(struct hq_store *db, const struct hq_request *req, struct hq_response *res,
			  const uint8_t hash[HQ_HASH_LEN])
{
	char msg[512];
	if (!hq_api_expired_message(db, hash, msg, sizeof(msg)))
		return 0;
	hq_api_error(res, req, 401, "%s", msg);
	return 1;
}

/* 1 with k filled, or 0 with the error response made. */
int hq_api_auth_kiosk(struct hq_store *db, const struct hq_request *req, struct hq_response *res, struct hq_kiosk *k)
{
	uint8_t hash[HQ_HASH_LEN];
	if (bearer_hash(req, hash)) {
		hq_api_error(res, req, 401, "missing bearer token (Authorization: Bearer <kiosk token>)");
		return 0;
	}
	int rc = hq_store_kiosk_by_token(db, hash, k);
	if (rc < 0)
		hq_api_error(res, req, 503, "database unavailable");
	else if (rc == 0 && !refuse_expired(db, req, res, hash))
		hq_api_error(res, req, 401, "unknown or revoked kiosk token");
	return rc == 1;
}

/* 1 with the admin's request allowed, or 0 with the error response made. */
int hq_api_auth_admin(struct hq_store *db, const struct hq_request *req, struct hq_response *res)
{
	uint8_t hash[HQ_HASH_LEN];
	if (bearer_hash(req, hash)) {
		hq_api_error(res, req, 401, "missing bearer token (Authorization: Bearer <admin token>)");
		return 0;
	}
	int rc = hq_store_admin_check(db, hash);
	if (rc < 0) {
		hq_api_error(res, req, 503, "database unavailable");
		return 0;
	}
	if (rc == 0) {
		struct hq_kiosk k;
		if (hq_store_kiosk_by_token(db, hash, &k) == 1)
			hq_api_error(res, req, 403, "kiosk %s: this needs an admin token", k.id);
		else if (!refuse_expired(db, req, res, hash))
			hq_api_error(res, req, 401, "unknown or revoked admin token");
		return 0;
	}
	return 1;
}

/* A query argument of req, or NULL. */
const char *hq_api_arg(const struct hq_request *req, const char *name)
{
	return req->query ? req->query(req->query_ctx, name) : NULL;
}

/* --- routing ------------------------------------------------------------------ */

void hq_api_handle(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		   struct hq_response *res)
{
	memset(res, 0, sizeof(*res));
	const char *m = req->method ? req->method : "", *p = req->path ? req->path : "";
	int get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
	if (!strcmp(p, "/healthz")) {
		if (!get) {
			hq_api_error(res, req, 405, "use GET");
			return;
		}
		/* Which engine, and whether it answers: a load balancer takes a replica whose database is gone out. */
		char why[512] = "";
		int reachable = !opt->db_ok || opt->db_ok(opt->db_ok_ctx, why, sizeof(why));
		json_t *o = json_pack("{s:b,s:s,s:b}", "ok", reachable, "db", opt->db_engine ? opt->db_engine : "sqlite",
				      "db_reachable", reachable);
		if (o && !reachable)
			json_object_set_new(o, "error", json_string(why[0] ? why : "database unreachable"));
		char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (body) {
			hq_api_json(res, body, strlen(body));
			if (!reachable)
				res->status = 503;
		} else {
			hq_api_error(res, req, 503, "out of memory");
		}
	} else if (!strcmp(p, "/api/v1/ratings")) {
		if (post)
			hq_api_post_ratings(db, opt, req, res);
		else if (get)
			hq_api_get_ratings(db, opt, req, res);
		else
			hq_api_error(res, req, 405, "use POST (kiosks) or GET (admin export)");
	} else if (!strcmp(p, "/api/v1/kiosks")) {
		if (get)
			hq_api_get_kiosks(db, req, res);
		else
			hq_api_error(res, req, 405, "use GET");
	} else if (!strcmp(p, "/metrics")) {
		if (get)
			hq_api_get_metrics(db, opt, req, res);
		else
			hq_api_error(res, req, 405, "use GET");
	} else if (!strcmp(p, "/api/v1/summary")) {
		if (get)
			hq_api_get_summary(db, req, res);
		else
			hq_api_error(res, req, 405, "use GET");
	} else if (!strcmp(p, "/login") && get) {
		hq_static_handle(db, opt, req, res); /* the login form; POST /login signs in */
	} else if (!strcmp(p, "/login") || !strcmp(p, "/logout")) {
		if (!post)
			hq_api_error(res, req, 405, "use POST");
		else if (!strcmp(p, "/login"))
			hq_api_login(db, opt, req, res);
		else
			hq_api_logout(db, opt, req, res);
	} else if (!strcmp(p, "/api/v1/overview") || !strcmp(p, "/api/v1/store") || !strcmp(p, "/api/v1/fleet")) {
		if (get)
			hq_api_dash(db, opt, req, res);
		else
			hq_api_error(res, req, 405, "use GET");
	} else if (!strcmp(p, "/api/v1/session") || !strcmp(p, "/api/v1/stores")) {
		if (!get)
			hq_api_error(res, req, 405, "use GET");
		else if (!strcmp(p, "/api/v1/session"))
			hq_api_session(db, opt, req, res);
		else
			hq_api_stores(db, opt, req, res);
	} else if (!strcmp(p, "/api/v1/alert-rules") || !strcmp(p, "/api/v1/alerts") || !strcmp(p, "/api/v1/poster")) {
		hq_api_alert_handle(db, opt, req, res);
	} else if (hq_static_route(p)) {
		if (get)
			hq_static_handle(db, opt, req, res);
		else
			hq_api_error(res, req, 405, "use GET");
	} else {
		hq_api_error(res, req, 404, "no such resource: %s", p);
	}
}
