/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api: routing, authentication and the answers of API v1.
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
#include "hq_api_user.h"
#include "hq_scope.h"
#include "hq_reasons.h"
#include "hq_shifts.h"
#include "hq_static.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clockstate.h"
#include "csv_export.h"
#include "hq_metrics.h"
#include "hq_registry.h"
#include "hq_token.h"
#include "log.h"
#include "protocol.h"
#include "rating.h"
#include "stats.h"
#include "utf8.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hq_api_response_free(struct hq_response *res)
{
	free(res->body);
	res->body = NULL;
	res->body_len = 0;
}

/*
 * Every JSON answer carries head office's clock ("hq_time_ms") and whether
 * it is NTP-synced: a kiosk in a store network that blocks NTP reads it over
 * the round trip as its time source. Taken here, when the answer is made
 * (after the commit of a batch), so it is as close to the send as it can be.
 */
static void stamp_time(struct hq_response *res)
{
	if (!res->body || !res->content_type || strcmp(res->content_type, "application/json") != 0)
		return;
	protocol_stamp_hq_time(&res->body, &res->body_len, now_ms(), clockstate_synced());
}

static void set_body(struct hq_response *res, int status, const char *type, char *body, size_t len)
{
	hq_api_response_free(res);
	res->status = status;
	res->content_type = type;
	res->body = body;
	res->body_len = len;
	stamp_time(res);
}

void hq_api_error(struct hq_response *res, const struct hq_request *req, int status, const char *fmt, ...)
{
	char raw[1024], msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/*
	 * A client's text (a path like /%ff or /%0a) is in many messages: every
	 * control character and byte that is not UTF-8 becomes \xNN and the
	 * message is cut on a character boundary, so the body is always valid
	 * JSON and the log line one line (log_msg escapes the rest of it).
	 */
	utf8_escape(raw, msg, sizeof(msg));
	log_msg(status >= 500 ? LOG_ERR : LOG_WARNING, "%s %s %s: %d %s", req->peer ? req->peer : "-",
		req->method ? req->method : "-", req->path ? req->path : "-", status, msg);
	char *body = NULL;
	size_t len = 0;
	if (protocol_encode_error(msg, &body, &len)) {
		/* Only out of memory gets here (msg is valid UTF-8): still a JSON body if at all possible. */
		body = strdup("{\"error\":\"out of memory\"}");
		len = body ? strlen(body) : 0;
	}
	set_body(res, status, "application/json", body, len);
	res->link[0] = res->next_cursor[0] = '\0';
}

static void utc_text(int64_t ms, char out[32]);
void hq_api_conflict(struct hq_response *res, const struct hq_request *req, const struct protocol_conflict *c,
		     const char *line)
{
	log_msg(LOG_ERR, "%s %s %s: 409 %s", req->peer ? req->peer : "-", req->method ? req->method : "-",
		req->path ? req->path : "-", line);
	char *body = NULL;
	size_t len = 0;
	if (protocol_encode_conflict(line, c, &body, &len)) {
		hq_api_error(res, req, 503, "out of memory");
		return;
	}
	set_body(res, 409, "application/json", body, len);
	res->link[0] = res->next_cursor[0] = '\0';
}

void hq_api_json(struct hq_response *res, char *body, size_t len)
{
	set_body(res, 200, "application/json", body, len);
}

void hq_api_send(struct hq_response *res, const char *type, char *body, size_t len)
{
	set_body(res, 200, type, body, len);
}

static void ok_json(struct hq_response *res, char *body, size_t len)
{
	hq_api_json(res, body, len);
}

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
	utc_text(at, when);
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
static int auth_kiosk(struct hq_store *db, const struct hq_request *req, struct hq_response *res, struct hq_kiosk *k)
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

/* --- POST /api/v1/ratings ---------------------------------------------------- */

static void post_ratings(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			 struct hq_response *res)
{
	struct hq_kiosk k;
	if (!auth_kiosk(db, req, res, &k))
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
		  : opt->ingest ? opt->ingest(opt->ingest_ctx, &k, &b, now_ms(), ack, err, sizeof(err))
		  : hq_store_ingest(db, &k, &b, now_ms(), ack, err, sizeof(err));
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
		ok_json(res, body, len);
	free(ack);
	protocol_batch_free(&b);
}

/* --- GET /api/v1/summary ----------------------------------------------------- */

static const char *arg(const struct hq_request *req, const char *name)
{
	return req->query ? req->query(req->query_ctx, name) : NULL;
}

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
		ok_json(res, out, strlen(out));
}

static void get_summary(struct hq_store *db, const struct hq_request *req, struct hq_response *res)
{
	struct hq_kiosk k;
	if (!auth_kiosk(db, req, res, &k))
		return;
	struct tzdate date;
	const char *day = arg(req, "day");
	if (!day || tzday_parse_date(day, &date)) {
		hq_api_error(res, req, 400, "day must be a date YYYY-MM-DD");
		return;
	}
	const char *by = arg(req, "by");
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
		ok_json(res, body, len);
	free(s);
}

/* --- GET /api/v1/ratings (admin export) -------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* ms as RFC 3339 in UTC with milliseconds, the export's format (csv_export_time). */
static void utc_text(int64_t ms, char out[32])
{
	csv_export_time(ms, 0, out, 32);
}

/* Who corrected a time: "kiosk" (its own synced clock), "hq" (head office's clock), "" (not corrected). */
static const char *corrected_by_name(const struct protocol_rating *p)
{
	if (!p->has_corrected)
		return "";
	return p->corrected_by == PROTOCOL_CORRECTED_HQ ? "hq" : "kiosk";
}

struct export_state {
	int csv;
	int n;
	struct buf out;
	json_t *rows;
	char why[256];             /* why a row could not be written */
};

/* A text column that JSON (and the CSV's declared charset) cannot carry stops the export, said so. */
static int export_text_ok(struct export_state *e, const struct hq_export_row *row, const char *what, const char *s)
{
	if (utf8_valid(s, strlen(s)))
		return 1;
	snprintf(e->why, sizeof(e->why), "row %lld (kiosk %s, seq %lld): %s \"%s\" is not valid UTF-8",
		 (long long)row->cursor, row->p.r.kiosk_id, (long long)row->p.r.seq, what, s);
	return 0;
}

static int export_row(const struct hq_export_row *row, void *arg)
{
	struct export_state *e = arg;
	const struct rating *r = &row->p.r;
	if (!export_text_ok(e, row, "kiosk id", r->kiosk_id) || !export_text_ok(e, row, "store", row->store) ||
	    !export_text_ok(e, row, "area", row->area) || !export_text_ok(e, row, "boot id", r->boot_id))
		return -1;
	char when[40];
	csv_export_time(row->time_ms, 0, when, sizeof(when));
	e->n++;
	if (e->csv) {
		/* The kiosk's export's schema (csv_export.h), times in UTC; the cursor is in the Link header. */
		char wall[40], corrected[40] = "", received[40], line[4096];
		int64_t best;
		enum stats_time_basis basis = stats_best_time(r->clock_synced, row->p.has_corrected, row->p.corrected_ms,
							      r->wall_ms, &best);
		if (row->p.has_corrected)
			csv_export_time(row->p.corrected_ms, 0, corrected, sizeof(corrected));
		struct csv_export_row x = {
			.kiosk = r->kiosk_id, .install_id = row->install_id, .store = row->store, .area = row->area,
			.seq = r->seq, .time = row->time_known ? when : "", .time_basis = stats_time_basis_name(basis),
			.value = r->value, .scale = r->scale, .source = rating_source_name(r->source),
			.flags = r->flags, .wall_time = csv_export_time(r->wall_ms, 0, wall, sizeof(wall)),
			.boot_ms = r->boot_ms, .boot_id = r->boot_id, .clock_synced = r->clock_synced,
			.corrected_time = corrected, .corrected_by = corrected_by_name(&row->p),
			.corrected_err_ms = row->p.has_corrected && row->p.corrected_by == PROTOCOL_CORRECTED_HQ
						    ? row->p.corrected_err_ms : -1,
			.at_head_office = 1,
			.received_time = csv_export_time(row->received_ms, 0, received, sizeof(received)),
			.shift = "", /* shifts are the kiosk's schedule: head office does not know them */
			.reason = row->reason,
		};
		int n = csv_export_row(&x, line, sizeof(line));
		if (n < 0)
			return -1;
		buf_add(&e->out, line, (size_t)n);
		return e->out.failed;
	}
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:i,s:i,s:s,s:s,s:I,s:b,s:I,s:I,s:s,s:b,s:o,s:i,s:b,s:I}",
			      "cursor", "", "kiosk", r->kiosk_id, "store", row->store, "area", row->area,
			      "seq", (json_int_t)r->seq, "value", r->value, "scale", r->scale,
			      "source", rating_source_name(r->source), "time_utc", when,
			      "time_ms", (json_int_t)row->time_ms, "time_known", row->time_known,
			      "wall_ms", (json_int_t)r->wall_ms, "boot_ms", (json_int_t)r->boot_ms,
			      "boot_id", r->boot_id, "synced", r->clock_synced,
			      "corrected_ms", row->p.has_corrected ? json_integer(row->p.corrected_ms) : json_null(),
			      "flags", r->flags, "misuse", (r->flags & RATING_MISUSE) != 0,
			      "received_ms", (json_int_t)row->received_ms);
	if (!o) {
		snprintf(e->why, sizeof(e->why), "row %lld: cannot be encoded (out of memory?)", (long long)row->cursor);
		return -1;
	}
	json_object_set_new(o, "install", json_string(row->install_id));
	json_object_set_new(o, "reason", row->reason[0] ? json_string(row->reason) : json_null());
	json_object_set_new(o, "corrected_by", row->p.has_corrected ? json_string(corrected_by_name(&row->p)) : json_null());
	json_object_set_new(o, "corrected_err_ms", row->p.has_corrected && row->p.corrected_by == PROTOCOL_CORRECTED_HQ
						    ? json_integer(row->p.corrected_err_ms) : json_null());
	char cursor[32];
	snprintf(cursor, sizeof(cursor), "%lld", (long long)row->cursor);
	json_object_set_new(o, "cursor", json_string(cursor));
	return json_array_append_new(e->rows, o);
}

/* Percent-encodes s for a query string. */
static void url_arg(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c)) {
			buf_add(b, (const char *)&c, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_add(b, e, 3);
		}
	}
}

static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	long long v = strtoll(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void get_ratings(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			struct hq_response *res)
{
	struct hq_who who;
	if (!hq_api_who(db, opt, req, res, 0, &who))
		return;
	struct hq_export_query q = { .store = arg(req, "store"), .limit = HQ_EXPORT_LIMIT_DEFAULT };
	/* A user's export holds only the stores of their role: filtered in the query itself (hq_store.h). */
	q.user = who.admin ? NULL : who.user.name;
	if (q.user && q.store && *q.store && hq_scope_may_see(db, q.user, q.store) != 1) {
		hq_api_error(res, req, 403, "user %s: store %s is not among the stores you may see", q.user, q.store);
		return;
	}
	const char *from = arg(req, "from"), *to = arg(req, "to"), *format = arg(req, "format");
	const char *after = arg(req, "after"), *limit = arg(req, "limit");
	long long v;
	if (!from || tzday_parse_date(from, &q.from) || !to || tzday_parse_date(to, &q.to)) {
		hq_api_error(res, req, 400, "from and to must be dates YYYY-MM-DD");
		return;
	}
	if (strcmp(from, to) > 0) {
		hq_api_error(res, req, 400, "from %s is after to %s", from, to);
		return;
	}
	if (format && strcmp(format, "json") && strcmp(format, "csv")) {
		hq_api_error(res, req, 400, "format must be json or csv");
		return;
	}
	if (after) {
		if (parse_int(after, 0, INT64_MAX, &v)) {
			hq_api_error(res, req, 400, "after must be a cursor from a previous page");
			return;
		}
		q.after = v;
	}
	if (limit) {
		if (parse_int(limit, 1, HQ_EXPORT_LIMIT_MAX, &v)) {
			hq_api_error(res, req, 400, "limit must be 1..%d", HQ_EXPORT_LIMIT_MAX);
			return;
		}
		q.limit = (int)v;
	}
	struct export_state e = { .csv = format && !strcmp(format, "csv") };
	if (e.csv)
		buf_add(&e.out, csv_export_header(), strlen(csv_export_header()));
	else if (!(e.rows = json_array())) {
		hq_api_error(res, req, 503, "out of memory");
		return;
	}
	char err[256];
	int64_t next = 0;
	if (hq_store_export(db, &q, export_row, &e, &next, err, sizeof(err)) || e.out.failed) {
		/*
		 * Never a shortened page that looks complete: whatever stops the
		 * export part-way is an error the client sees, with the row.
		 */
		if (e.why[0])
			hq_api_error(res, req, 500, "export stopped: %s", e.why);
		else
			hq_api_error(res, req, 503, "export: %s", e.out.failed ? "out of memory" : err);
		json_decref(e.rows);
		free(e.out.p);
		return;
	}
	res->link[0] = res->next_cursor[0] = '\0';
	if (next) {
		struct buf link = { 0 };
		buf_add(&link, "</api/v1/ratings?", 17);
		if (q.store && *q.store) {
			buf_add(&link, "store=", 6);
			url_arg(&link, q.store);
			buf_add(&link, "&", 1);
		}
		buf_printf(&link, "from=%s&to=%s&format=%s&limit=%d&after=%lld>; rel=\"next\"", from, to,
			   e.csv ? "csv" : "json", q.limit, (long long)next);
		if (!link.failed && link.len < sizeof(res->link))
			memcpy(res->link, link.p, link.len + 1);
		free(link.p);
		snprintf(res->next_cursor, sizeof(res->next_cursor), "%lld", (long long)next);
	}
	if (e.csv) {
		set_body(res, 200, "text/csv; charset=utf-8", e.out.p, e.out.len);
		return;
	}
	json_t *page = json_pack("{s:o,s:i,s:o}", "ratings", e.rows, "count", e.n,
				 "next", next ? json_string(res->next_cursor) : json_null());
	char *body = page ? json_dumps(page, JSON_COMPACT) : NULL;
	json_decref(page);
	if (!body)
		hq_api_error(res, req, 503, "out of memory");
	else
		ok_json(res, body, strlen(body));
}

/* --- GET /api/v1/kiosks (admin: fleet health) --------------------------------- */

static json_t *ms_or_null(int64_t ms)
{
	return ms ? json_integer(ms) : json_null();
}

static void get_kiosks(struct hq_store *db, const struct hq_request *req, struct hq_response *res)
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
	int64_t now = now_ms();
	json_t *list = json_array();
	int failed = !list;
	err[0] = '\0';
	for (size_t i = 0; i < n && !failed; i++) {
		const struct hq_fleet_kiosk *x = &f[i];
		const char *status = x->k.revoked_ms ? "revoked"
				     : x->k.token_expires_ms && x->k.token_expires_ms <= now ? "expired" : "active";
		char last[32] = "";
		if (x->last_batch_ms)
			utc_text(x->last_batch_ms, last);
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
		ok_json(res, body, strlen(body));
}

/* --- GET /metrics (Prometheus) ----------------------------------------------- */

static int is_loopback(const char *peer)
{
	return peer && (!strncmp(peer, "127.", 4) || !strcmp(peer, "::1") || !strncmp(peer, "::ffff:127.", 11));
}

static void get_metrics(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
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
		hq_metrics_write(m, f, n, now_ms());
		if (fclose(m) != 0) {
			free(body);
			body = NULL;
		}
	}
	free(f);
	if (!body)
		hq_api_error(res, req, 503, "out of memory");
	else
		set_body(res, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
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
			ok_json(res, body, strlen(body));
			if (!reachable)
				res->status = 503;
		} else {
			hq_api_error(res, req, 503, "out of memory");
		}
	} else if (!strcmp(p, "/api/v1/ratings")) {
		if (post)
			post_ratings(db, opt, req, res);
		else if (get)
			get_ratings(db, opt, req, res);
		else
			hq_api_error(res, req, 405, "use POST (kiosks) or GET (admin export)");
	} else if (!strcmp(p, "/api/v1/kiosks")) {
		if (get)
			get_kiosks(db, req, res);
		else
			hq_api_error(res, req, 405, "use GET");
	} else if (!strcmp(p, "/metrics")) {
		if (get)
			get_metrics(db, opt, req, res);
		else
			hq_api_error(res, req, 405, "use GET");
	} else if (!strcmp(p, "/api/v1/summary")) {
		if (get)
			get_summary(db, req, res);
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
