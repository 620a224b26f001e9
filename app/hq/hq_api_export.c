/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_export: GET /api/v1/ratings, every rating of a date range as
 * JSON or as the kiosk's CSV (csv_export.h), a page at a time behind an
 * opaque cursor; an admin token sees every store, a user's session only
 * the stores of their role. Apart from the other routes because a page
 * is built row by row, and never cut short without saying so.
 */
#include "hq_api_impl.h"
#include "hq_api_user.h"
#include "hq_scope.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_export.h"
#include "protocol.h"
#include "rating.h"
#include "stats.h"
#include "utf8.h"

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

void hq_api_get_ratings(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			struct hq_response *res)
{
	struct hq_who who;
	if (!hq_api_who(db, opt, req, res, 0, &who))
		return;
	struct hq_export_query q = { .store = hq_api_arg(req, "store"), .limit = HQ_EXPORT_LIMIT_DEFAULT };
	/* A user's export holds only the stores of their role: filtered in the query itself (hq_store.h). */
	q.user = who.admin ? NULL : who.user.name;
	if (q.user && q.store && *q.store && hq_scope_may_see(db, q.user, q.store) != 1) {
		hq_api_error(res, req, 403, "user %s: store %s is not among the stores you may see", q.user, q.store);
		return;
	}
	const char *from = hq_api_arg(req, "from"), *to = hq_api_arg(req, "to"), *format = hq_api_arg(req, "format");
	const char *after = hq_api_arg(req, "after"), *limit = hq_api_arg(req, "limit");
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
		hq_api_set_body(res, 200, "text/csv; charset=utf-8", e.out.p, e.out.len);
		return;
	}
	json_t *page = json_pack("{s:o,s:i,s:o}", "ratings", e.rows, "count", e.n,
				 "next", next ? json_string(res->next_cursor) : json_null());
	char *body = page ? json_dumps(page, JSON_COMPACT) : NULL;
	json_decref(page);
	if (!body)
		hq_api_error(res, req, 503, "out of memory");
	else
		hq_api_json(res, body, strlen(body));
}
