/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_kiosk: the routes a kiosk's token opens: POST /api/v1/ratings
 * (a batch in, an ack or a conflict out) and GET /api/v1/summary (the
 * staff screens' figures). Apart from the admins' and people's routes
 * because these are tally-sync's whole protocol (protocol.h), answered
 * for every kiosk of the chain, all day.
 */
#include "hq_api_impl.h"
#include "hq_reasons.h"
#include "hq_shifts.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "protocol.h"

/* --- POST /api/v1/ratings ---------------------------------------------------- */

void hq_api_post_ratings(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			 struct hq_response *res)
{
	struct hq_kiosk k;
	if (!hq_api_auth_kiosk(db, req, res, &k))
		return;
	if (req->body_len > PROTOCOL_MAX_BODY) {
		hq_api_error(res, req, 413, "body over %d bytes", PROTOCOL_MAX_BODY);
		return;
	}
	struct protocol_batch b;
	char err[256];
	size_t max = opt->max_batch > 0 && opt->max_batch < PROTOCOL_MAX_BATCH ? (size_t)opt->max_batch : PROTOCOL_MAX_BATCH;
	int rc = protocol_decode_batch(req->body ? req->body : "", req->body_len, max, &b, err, sizeof(err));
	if (rc == PROTOCOL_TOO_MANY) {
		hq_api_error(res, req, 413, "kiosk %s: %s", k.id, err);
		return;
	}
	if (rc != PROTOCOL_OK) {
		hq_api_error(res, req, rc == PROTOCOL_NOMEM ? 503 : 400, "kiosk %s: %s", k.id, err);
		return;
	}
	if (strcmp(b.kiosk_id, k.id) != 0) {
		hq_api_error(res, req, 403, "token belongs to kiosk %s, body says %s", k.id, b.kiosk_id);
		protocol_batch_free(&b);
		return;
	}
	struct protocol_ack *ack = malloc(sizeof(*ack));
	int ing = !ack ? -1
		  : opt->ingest ? opt->ingest(opt->ingest_ctx, &k, &b, hq_api_now_ms(), ack, err, sizeof(err))
		  : hq_store_ingest(db, &k, &b, hq_api_now_ms(), ack, err, sizeof(err));
	if (ing == 1) {
		hq_api_conflict(res, req, &ack->conflict, err);
		free(ack);
		protocol_batch_free(&b);
		return;
	}
	if (ing) {
		hq_api_error(res, req, 503, "kiosk %s: %s", k.id, ack ? err : "out of memory");
		free(ack);
		protocol_batch_free(&b);
		return;
	}
	log_msg(LOG_DEBUG, "kiosk %s: %lld accepted, %lld duplicates, acked through %lld", k.id,
		(long long)ack->accepted, (long long)ack->duplicates, (long long)ack->acked_through);
	char *body;
	size_t len;
	if (protocol_encode_ack(ack, &body, &len, err, sizeof(err)))
		hq_api_error(res, req, 503, "%s", err);
	else
		hq_api_json(res, body, len);
	free(ack);
	protocol_batch_free(&b);
}

/* --- GET /api/v1/summary ----------------------------------------------------- */

/* ?by=shift: the day's summary plus a "shifts" member (hq_shifts.h); takes body over. */
static void summary_add_shifts(struct hq_store *db, const struct hq_kiosk *k, struct tzdate date,
			       const struct hq_request *req, struct hq_response *res, char *body, size_t len)
{
	char err[256];
	json_t *doc = json_loadb(body, len, 0, NULL), *shifts = NULL;
	free(body);
	if (!doc || hq_shifts_summary(db, k, date, &shifts, err, sizeof(err))) {
		hq_api_error(res, req, 503, "summary by shift: %s", doc ? err : "out of memory");
		json_decref(doc);
		return;
	}
	json_object_set_new(doc, "shifts", shifts);
	char *out = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(doc);
	if (!out)
		hq_api_error(res, req, 503, "out of memory");
	else
		hq_api_json(res, out, strlen(out));
}

void hq_api_get_summary(struct hq_store *db, const struct hq_request *req, struct hq_response *res)
{
	struct hq_kiosk k;
	if (!hq_api_auth_kiosk(db, req, res, &k))
		return;
	struct tzdate date;
	const char *day = hq_api_arg(req, "day");
	if (!day || tzday_parse_date(day, &date)) {
		hq_api_error(res, req, 400, "day must be a date YYYY-MM-DD");
		return;
	}
	const char *by = hq_api_arg(req, "by");
	if (by && strcmp(by, "day") && strcmp(by, "shift")) {
		hq_api_error(res, req, 400, "by must be day or shift");
		return;
	}
	struct protocol_summary *s = malloc(sizeof(*s));
	char err[256], *body;
	size_t len;
	if (!s || hq_store_summary(db, &k, date, s, err, sizeof(err)))
		hq_api_error(res, req, 503, "summary: %s", s ? err : "out of memory");
	else if (protocol_encode_summary(s, &body, &len, err, sizeof(err)))
		hq_api_error(res, req, 503, "summary: %s", err);
	else if (hq_reasons_add_to_summary(db, &k, date, &body, &len, err, sizeof(err))) {
		free(body);
		hq_api_error(res, req, 503, "summary: %s", err);
	} else if (by && !strcmp(by, "shift"))
		summary_add_shifts(db, &k, date, req, res, body, len);
	else
		hq_api_json(res, body, len);
	free(s);
}
