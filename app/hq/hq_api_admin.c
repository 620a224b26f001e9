/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_admin: the fleet's health for whoever runs head office: GET
 * /api/v1/kiosks (every kiosk, its last batch, version and clock; admin
 * token) and GET /metrics (Prometheus text, hq_metrics.h). Apart from the
 * dashboard's fleet page (hq_api_fleet.c) because these answer scripts
 * and monitoring with everything, not people with their stores.
 */
#include "hq_api_impl.h"
#include "hq_metrics.h"
#include "hq_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- GET /api/v1/kiosks (admin: fleet health) --------------------------------- */

static json_t *ms_or_null(int64_t ms)
{
	return ms ? json_integer(ms) : json_null();
}

void hq_api_get_kiosks(struct hq_store *db, const struct hq_request *req, struct hq_response *res)
{
	if (!hq_api_auth_admin(db, req, res))
		return;
	struct hq_fleet_kiosk *f;
	size_t n;
	char err[256];
	if (hq_registry_fleet(db, &f, &n, err, sizeof(err))) {
		hq_api_error(res, req, 503, "kiosks: %s", err);
		return;
	}
	int64_t now = hq_api_now_ms();
	json_t *list = json_array();
	int failed = !list;
	err[0] = '\0';
	for (size_t i = 0; i < n && !failed; i++) {
		const struct hq_fleet_kiosk *x = &f[i];
		const char *status = x->k.revoked_ms ? "revoked"
				     : x->k.token_expires_ms && x->k.token_expires_ms <= now ? "expired" : "active";
		char last[32] = "";
		if (x->last_batch_ms)
			hq_api_utc_text(x->last_batch_ms, last);
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:I,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:o,s:o}",
				      "id", x->k.id, "store", x->k.store, "area", x->k.area, "tz", x->k.tz,
				      "status", status,
				      "last_batch_ms", ms_or_null(x->last_batch_ms),
				      "last_batch_utc", x->last_batch_ms ? json_string(last) : json_null(),
				      "silent_s", x->last_batch_ms ? json_integer((now - x->last_batch_ms) / 1000) : json_null(),
				      "last_seq", (json_int_t)x->last_seq, "acked_through", (json_int_t)x->k.acked_through,
				      "version", x->version[0] ? json_string(x->version) : json_null(),
				      "clock", x->clock[0] ? json_string(x->clock) : json_null(),
				      "conflicts", (json_int_t)x->conflicts, "batches", (json_int_t)x->batches,
				      "accepted", (json_int_t)x->accepted, "duplicates", (json_int_t)x->duplicates,
				      "ratings", (json_int_t)x->k.ratings,
				      "token_prefix", x->k.token_prefix[0] ? json_string(x->k.token_prefix) : json_null(),
				      "token_expires_ms", ms_or_null(x->k.token_expires_ms));
		/* Names were checked at kiosk add; one from before that is a 500 naming it, never a short list. */
		failed = !o || json_array_append_new(list, o);
		if (!o)
			snprintf(err, sizeof(err), "kiosk %s: a name is not valid UTF-8", x->k.id);
	}
	free(f);
	json_t *page = failed ? NULL : json_pack("{s:o,s:I}", "kiosks", list, "as_of_ms", (json_int_t)now);
	if (failed)
		json_decref(list);
	char *body = page ? json_dumps(page, JSON_COMPACT) : NULL;
	json_decref(page);
	if (!body)
		hq_api_error(res, req, 500, "kiosks: %s", failed && err[0] ? err : "out of memory");
	else
		hq_api_json(res, body, strlen(body));
}

/* --- GET /metrics (Prometheus) ----------------------------------------------- */

static int is_loopback(const char *peer)
{
	return peer && (!strncmp(peer, "127.", 4) || !strcmp(peer, "::1") || !strncmp(peer, "::ffff:127.", 11));
}

void hq_api_get_metrics(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			struct hq_response *res)
{
	/* Fleet names and sizes are the chain's business: an admin token, unless loopback scraping is allowed. */
	if (!(opt->metrics_open_on_loopback && is_loopback(req->peer)) && !hq_api_auth_admin(db, req, res))
		return;
	struct hq_fleet_kiosk *f;
	size_t n;
	char err[256];
	if (hq_registry_fleet(db, &f, &n, err, sizeof(err))) {
		hq_api_error(res, req, 503, "metrics: %s", err);
		return;
	}
	char *body = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&body, &len);
	if (m) {
		hq_metrics_write(m, f, n, hq_api_now_ms());
		if (fclose(m) != 0) {
			free(body);
			body = NULL;
		}
	}
	free(f);
	if (!body)
		hq_api_error(res, req, 503, "out of memory");
	else
		hq_api_set_body(res, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
}
