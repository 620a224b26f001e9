/* SPDX-License-Identifier: Apache-2.0 */
/* hq_api_alert: alert rules, alerts and the poster over HTTP (see hq_api_alert.h). */
#include "hq_api_alert.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_alert_store.h"
#include "hq_api_user.h"
#include "hq_poster.h"
#include "hq_scope.h"

#define ALERTS_LIMIT_DEFAULT 100
#define ALERTS_LIMIT_MAX 1000

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static int is_chain(const struct hq_who *w)
{
	return w->admin || w->user.role == HQ_ROLE_CHAIN;
}

/* Whether w may see rule r: a store rule when it sees the store, a region rule when it is the chain or that region's. */
static int may_see_rule(struct hq_store *db, const struct hq_who *w, const struct hq_alert_rule *r)
{
	if (is_chain(w))
		return 1;
	if (!strcmp(r->scope_kind, "store"))
		return hq_scope_may_see(db, w->user.name, r->scope) == 1;
	if (w->user.role != HQ_ROLE_REGION)
		return 0;
	for (size_t i = 0; i < w->user.nscopes; i++)
		if (!strcmp(w->user.scopes[i], r->scope))
			return 1;
	return 0;
}

static json_t *rule_json(const struct hq_alert_rule *r, int chain)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:f,s:i,s:i,s:s,s:s,s:b,s:s,s:b,s:I}", "id", (json_int_t)r->id,
			      "kind", r->kind, "scope_kind", r->scope_kind, "scope", r->scope, "threshold", r->threshold,
			      "window_min", r->window_min, "min_ratings", r->min_ratings, "send_at", r->send_at,
			      "webhook", chain ? r->webhook : "", "secret_set", r->secret[0] != '\0', "mail_to",
			      chain ? r->mail_to : "", "enabled", r->enabled, "updated_ms", (json_int_t)r->updated_ms);
	return o;
}

static void get_rules(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		      struct hq_response *res)
{
	struct hq_who w;
	if (!hq_api_who(db, opt, req, res, 0, &w))
		return;
	struct hq_alert_rule *r;
	size_t n;
	char err[512];
	if (hq_alert_rule_list(db, &r, &n, err, sizeof(err))) {
		hq_api_error(res, req, 503, "%s", err);
		return;
	}
	json_t *list = json_array(), *defaults = json_object();
	for (size_t i = 0; list && i < n; i++)
		if (may_see_rule(db, &w, &r[i]))
			json_array_append_new(list, rule_json(&r[i], is_chain(&w)));
	free(r);
	static const char *const kinds[] = { "negative", "index", "silent", "daily", "weekly" };
	for (int k = 0; defaults && k < 5; k++) {
		struct hq_alert_rule d;
		hq_alert_rule_defaults(&d, kinds[k]);
		json_object_set_new(defaults, kinds[k], json_pack("{s:f,s:i,s:i}", "threshold", d.threshold, "window_min",
								  d.window_min, "min_ratings", d.min_ratings));
	}
	send_json(res, req, list && defaults ? json_pack("{s:o,s:o,s:b,s:I}", "rules", list, "defaults", defaults,
							 "can_edit", is_chain(&w), "as_of_ms", (json_int_t)now_ms())
					     : NULL);
}

/* Overlays the members of o on r. 0, or -1 with err (a member of the wrong type). */
static int overlay(json_t *o, struct hq_alert_rule *r, char *err, size_t errlen)
{
	struct { const char *name; char *out; size_t len; } texts[] = {
		{ "scope_kind", r->scope_kind, sizeof(r->scope_kind) }, { "scope", r->scope, sizeof(r->scope) },
		{ "send_at", r->send_at, sizeof(r->send_at) }, { "webhook", r->webhook, sizeof(r->webhook) },
		{ "secret", r->secret, sizeof(r->secret) }, { "mail_to", r->mail_to, sizeof(r->mail_to) },
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *v = json_object_get(o, texts[i].name);
		if (!v)
			continue;
		if (!json_is_string(v) || strlen(json_string_value(v)) >= texts[i].len) {
			snprintf(err, errlen, "\"%s\" must be a string of at most %zu bytes", texts[i].name, texts[i].len - 1);
			return -1;
		}
		snprintf(texts[i].out, texts[i].len, "%s", json_string_value(v));
	}
	json_t *v;
	if ((v = json_object_get(o, "threshold"))) {
		if (!json_is_number(v)) {
			snprintf(err, errlen, "\"threshold\" must be a number");
			return -1;
		}
		r->threshold = json_number_value(v);
	}
	struct { const char *name; int *out; } ints[] = { { "window_min", &r->window_min }, { "min_ratings", &r->min_ratings } };
	for (size_t i = 0; i < 2; i++) {
		if (!(v = json_object_get(o, ints[i].name)))
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000) {
			snprintf(err, errlen, "\"%s\" must be a whole number", ints[i].name);
			return -1;
		}
		*ints[i].out = (int)json_integer_value(v);
	}
	if ((v = json_object_get(o, "enabled"))) {
		if (!json_is_boolean(v)) {
			snprintf(err, errlen, "\"enabled\" must be true or false");
			return -1;
		}
		r->enabled = json_is_true(v);
	}
	return 0;
}

static void post_rules(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		       struct hq_response *res)
{
	struct hq_who w;
	if (!hq_api_who(db, opt, req, res, 1, &w))
		return;
	if (!is_chain(&w)) {
		hq_api_error(res, req, 403, "user %s: only the chain role changes alert rules", w.user.name);
		return;
	}
	json_error_t jerr;
	json_t *o = req->body ? json_loadb(req->body, req->body_len, 0, &jerr) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		hq_api_error(res, req, 400, "the body must be a JSON object (a rule)");
		return;
	}
	struct hq_alert_rule r;
	char err[512];
	json_t *id = json_object_get(o, "id"), *kind = json_object_get(o, "kind");
	int rc;
	if (id && (!json_is_integer(id) || json_integer_value(id) <= 0)) {
		hq_api_error(res, req, 400, "\"id\" must be a rule's number");
		json_decref(o);
		return;
	}
	if (id && (rc = hq_alert_rule_get(db, json_integer_value(id), &r)) != 1) {
		if (rc < 0)
			hq_api_error(res, req, 503, "database unavailable");
		else
			hq_api_error(res, req, 404, "no rule %lld", (long long)json_integer_value(id));
		json_decref(o);
		return;
	}
	if (id && json_is_true(json_object_get(o, "delete"))) {
		rc = hq_alert_rule_delete(db, r.id, err, sizeof(err));
		if (rc)
			hq_api_error(res, req, rc == 1 ? 404 : 503, "%s", rc == 1 ? "no such rule" : err);
		else
			send_json(res, req, json_pack("{s:I,s:b}", "id", (json_int_t)r.id, "deleted", 1));
		json_decref(o);
		return;
	}
	if (id && kind && (!json_is_string(kind) || strcmp(json_string_value(kind), r.kind))) {
		hq_api_error(res, req, 400, "a rule keeps its kind: delete it and add one of the other kind");
		json_decref(o);
		return;
	}
	if (!id && (!json_is_string(kind) || hq_alert_rule_defaults(&r, json_string_value(kind)))) {
		hq_api_error(res, req, 400, "\"kind\" must be negative, index, silent, daily or weekly");
		json_decref(o);
		return;
	}
	rc = overlay(o, &r, err, sizeof(err));
	json_decref(o);
	if (rc || hq_alert_rule_check(&r, err, sizeof(err))) {
		hq_api_error(res, req, 400, "%s", err);
		return;
	}
	int exists = !strcmp(r.scope_kind, "store") ? hq_scope_may_see(db, NULL, r.scope) : hq_scope_region_stores(db, r.scope);
	if (exists < 0) {
		hq_api_error(res, req, 503, "database unavailable");
		return;
	}
	if (exists == 0) {
		hq_api_error(res, req, 400, "no %s \"%s\" (a region needs a store in it)", r.scope_kind, r.scope);
		return;
	}
	rc = hq_alert_rule_save(db, &r, now_ms(), err, sizeof(err));
	if (rc) {
		hq_api_error(res, req, rc == 1 ? 404 : 503, "%s", rc == 1 ? "no such rule" : err);
		return;
	}
	send_json(res, req, rule_json(&r, 1));
}

static void get_alerts(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		       struct hq_response *res)
{
	struct hq_who w;
	if (!hq_api_who(db, opt, req, res, 0, &w))
		return;
	const char *state = req->query ? req->query(req->query_ctx, "state") : NULL;
	const char *lim = req->query ? req->query(req->query_ctx, "limit") : NULL;
	if (state && strcmp(state, "open") && strcmp(state, "all")) {
		hq_api_error(res, req, 400, "state must be open or all");
		return;
	}
	int limit = ALERTS_LIMIT_DEFAULT;
	if (lim) {
		char *end;
		long v = strtol(lim, &end, 10);
		if (*end || v < 1 || v > ALERTS_LIMIT_MAX) {
			hq_api_error(res, req, 400, "limit must be 1 to %d", ALERTS_LIMIT_MAX);
			return;
		}
		limit = (int)v;
	}
	struct hq_alert_episode *e;
	size_t n;
	char err[512];
	if (hq_alert_episode_list(db, w.admin ? NULL : w.user.name, state && !strcmp(state, "open"), limit, &e, &n, err,
				  sizeof(err))) {
		hq_api_error(res, req, 503, "%s", err);
		return;
	}
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:I,s:o,s:f,s:i,s:s}", "id",
						      (json_int_t)e[i].id, "rule_id", (json_int_t)e[i].rule_id, "kind", e[i].kind,
						      "subject", e[i].subject, "store", e[i].store, "state",
						      e[i].cleared_ms ? "cleared" : "open", "opened_ms", (json_int_t)e[i].opened_ms,
						      "cleared_ms", e[i].cleared_ms ? json_integer(e[i].cleared_ms) : json_null(),
						      "value", e[i].value, "ratings", e[i].ratings, "detail", e[i].detail));
	free(e);
	send_json(res, req, list ? json_pack("{s:o,s:I}", "alerts", list, "as_of_ms", (json_int_t)now_ms()) : NULL);
}

static void get_poster(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		       struct hq_response *res)
{
	struct hq_who w;
	if (!hq_api_who(db, opt, req, res, 0, &w))
		return;
	const char *store = req->query ? req->query(req->query_ctx, "store") : NULL;
	const char *week = req->query ? req->query(req->query_ctx, "week") : NULL;
	if (!store || !week) {
		hq_api_error(res, req, 400, "give store=NAME and week=YYYY-Www");
		return;
	}
	int may = hq_scope_may_see(db, w.admin ? NULL : w.user.name, store);
	if (may < 0) {
		hq_api_error(res, req, 503, "database unavailable");
		return;
	}
	if (!may) {
		/* The same answer as for a store that does not exist: a name outside the role is not confirmed. */
		hq_api_error(res, req, 404, "no store %s", store);
		return;
	}
	char *pdf, err[512];
	size_t len;
	if (hq_poster_make(db, store, week, &pdf, &len, err, sizeof(err))) {
		hq_api_error(res, req, strstr(err, "ISO week") ? 400 : 404, "%s", err);
		return;
	}
	hq_api_send(res, "application/pdf", pdf, len);
	/* A file name of plain letters and digits: a store's name may hold quotes or any UTF-8. */
	char name[64];
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)store; *c && o < 40; c++)
		name[o++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ? (char)*c : '-';
	name[o] = '\0';
	snprintf(res->disposition, sizeof(res->disposition), "attachment; filename=\"tally-poster-%s-%.8s.pdf\"", name, week);
}

void hq_api_alert_handle(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			 struct hq_response *res)
{
	const char *m = req->method ? req->method : "", *p = req->path ? req->path : "";
	int get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
	if (!strcmp(p, "/api/v1/alert-rules") && post)
		post_rules(db, opt, req, res);
	else if (!strcmp(p, "/api/v1/alert-rules") && get)
		get_rules(db, opt, req, res);
	else if (!strcmp(p, "/api/v1/alerts") && get)
		get_alerts(db, opt, req, res);
	else if (!strcmp(p, "/api/v1/poster") && get)
		get_poster(db, opt, req, res);
	else
		hq_api_error(res, req, 405, !strcmp(p, "/api/v1/alert-rules") ? "use GET or POST" : "use GET");
}
