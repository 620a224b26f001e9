/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_dash: the dashboard's routes (see hq_api_dash.h).
 *
 * Each answer is built once as a JSON document; format=csv then writes one
 * of its tables with a fixed column list, the same names in the same order
 * as the JSON, so a spreadsheet and the page can never disagree. Who may
 * see what is decided below this file, in hq_dash's SQL (and, for the
 * fleet, by the stores hq_scope lists for the user). The fleet's route is
 * hq_api_fleet.c's; it shares this file's answer (hq_api_dash_impl.h).
 */
#include "hq_api_dash.h"
#include "hq_api_dash_impl.h"
#include "hq_api_fleet.h"
#include "hq_api_user.h"
#include "hq_dash.h"
#include "hq_dash_days.h"
#include "hq_reasons.h"
#include "hq_scope.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "csv_export.h"
#include "face.h"
#include "score.h"

#define MIN_RATINGS_DEFAULT 20

#define FIG "ratings", "happy_index", "positive_pct", "prev_ratings", "prev_happy_index", "prev_positive_pct", \
	"change_ratings", "change_happy_index", "change_positive_pct", "misuse", "closed", "unknown_time", "scale"

/* Each table's columns: the JSON keys of its rows, in order. */
struct table {
	const char *route, *name;
	const char *cols[32];
};
static const struct table tables[] = {
	{ "overview", "stores", { "rank", "store", "region", "tz", "kiosks", "from", "to", FIG, NULL } },
	{ "overview", "regions", { "region", "stores", "kiosks", FIG, NULL } },
	{ "overview", "movers", { "store", "region", "direction", "ratings", "prev_ratings", "happy_index",
				  "prev_happy_index", "change_happy_index", NULL } },
	{ "overview", "chain", { "stores", "kiosks", FIG, NULL } },
	{ "store", "totals", { "store", "region", "tz", "kiosks", "from", "to", FIG, NULL } },
	{ "store", "areas", { "area", "kiosks", FIG, NULL } },
	{ "store", "kiosks", { "kiosk", "area", "tz", FIG, NULL } },
	{ "store", "heatmap", { "weekday", "hour", "ratings", "happy_index", "positive_pct", NULL } },
	{ "store", "trend", { "date", "weekday", "ratings", "happy_index", "positive_pct", "misuse", "closed",
			      "unknown_time", NULL } },
	{ "store", "faces", { "value", "label", "colour", "count", "share_pct", NULL } },
	{ "store", "reasons", { "reason", "after", "count", NULL } },
	{ "fleet", "kiosks", { "kiosk", "store", "region", "area", "tz", "status", "attention", "open_now", "last_batch_ms",
			       "last_batch", "silent_s", "last_seq", "acked_through", "gaps", "version", "clock",
			       "conflicts", "ratings", NULL } },
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *arg(const struct hq_request *req, const char *name)
{
	return req->query ? req->query(req->query_ctx, name) : NULL;
}

/*
 * Appends o to arr; *bad = 1 when o is NULL (a name from before names were
 * checked that is not UTF-8, or out of memory), so the answer becomes an
 * error naming the problem, never a list silently one row short.
 */
void hq_api_dash_push(json_t *arr, int *bad, json_t *o)
{
	if (!o || json_array_append_new(arr, o))
		*bad = 1;
}

const char *const hq_api_dash_bad_names = "a store, region, area or kiosk name is not valid UTF-8 (fix it with sqlite3)"
			       " or head office is out of memory";

static json_t *score_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *day_json(int64_t day)
{
	char d[16];
	hq_dash_day_text(day, d, sizeof(d));
	return json_string(d);
}

/* One decimal, so a change reads as the difference of the two figures shown. */
static double round1(double v)
{
	return round(v * 10) / 10;
}

/* The figures of r (this period, the previous one, the change) into o. */
static void fig_set(json_t *o, const struct hq_dash_row *r)
{
	struct hq_dash_score c, p;
	hq_dash_score_of(&r->cur, &c);
	hq_dash_score_of(&r->prev, &p);
	int both = c.ratings && p.ratings;
	json_object_set_new(o, "ratings", json_integer(c.ratings));
	json_object_set_new(o, "happy_index", score_or_null(c.happy_index));
	json_object_set_new(o, "positive_pct", score_or_null(c.positive_pct));
	json_object_set_new(o, "prev_ratings", json_integer(p.ratings));
	json_object_set_new(o, "prev_happy_index", score_or_null(p.happy_index));
	json_object_set_new(o, "prev_positive_pct", score_or_null(p.positive_pct));
	json_object_set_new(o, "change_ratings", json_integer(c.ratings - p.ratings));
	json_object_set_new(o, "change_happy_index", both ? json_real(round1(c.happy_index - p.happy_index)) : json_null());
	json_object_set_new(o, "change_positive_pct",
			    both ? json_real(round1(c.positive_pct - p.positive_pct)) : json_null());
	json_object_set_new(o, "misuse", json_integer(r->cur.misuse));
	json_object_set_new(o, "closed", json_integer(r->cur.closed));
	json_object_set_new(o, "unknown_time", json_integer(r->cur.unknown));
	json_object_set_new(o, "scale", json_integer(c.scale));
}

void hq_api_dash_as_of(json_t *doc, int64_t ms)
{
	char t[40];
	csv_export_time(ms, 0, t, sizeof(t));
	json_object_set_new(doc, "as_of_ms", json_integer(ms));
	json_object_set_new(doc, "as_of", json_string(t));
}

static void period_set(json_t *doc, const struct hq_dash_period *p, int64_t from, int64_t to)
{
	json_object_set_new(doc, "period", json_pack("{s:s,s:o,s:o,s:i}", "name", p->name, "from", day_json(from),
						      "to", day_json(to), "days", p->days));
	json_object_set_new(doc, "previous", json_pack("{s:o,s:o,s:i}", "from", day_json(from - p->days),
							"to", day_json(from - 1), "days", p->days));
}

/* --- CSV ------------------------------------------------------------------------ */

static void mem_put(void *arg, const char *s, size_t n)
{
	fwrite(s, 1, n, arg);
}

static void csv_value(FILE *f, json_t *v)
{
	if (json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		fprintf(f, "%.1f", json_real_value(v));
	} else if (json_is_string(v)) {
		csv_text(json_string_value(v), mem_put, f);
	} else if (json_is_array(v)) {
		/* attention: its words joined by spaces, one field */
		char *words = NULL;
		size_t len = 0;
		FILE *w = open_memstream(&words, &len);
		if (!w)
			return;
		/* A plain loop, not json_array_foreach: cppcheck reads no jansson header and stops at the macro. */
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *x = json_array_get(v, i);
			fprintf(w, "%s%s", i ? " " : "", json_is_string(x) ? json_string_value(x) : "");
		}
		if (fclose(w) == 0 && words)
			csv_text(words, mem_put, f);
		free(words);
	} else if (json_is_true(v) || json_is_false(v)) {
		fputs(json_is_true(v) ? "true" : "false", f);
	}
	/* null: an empty field */
}

/* rows (an array of objects, or one object) as CSV with t's columns. 0 with *out malloc'd, or -1. */
static int csv_of(const struct table *t, json_t *rows, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	if (!f)
		return -1;
	for (int c = 0; t->cols[c]; c++)
		fprintf(f, "%s%s", c ? "," : "", t->cols[c]);
	fputs("\r\n", f);
	size_t n = json_is_array(rows) ? json_array_size(rows) : 1;
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_is_array(rows) ? json_array_get(rows, i) : rows;
		for (int c = 0; t->cols[c]; c++) {
			if (c)
				fputc(',', f);
			csv_value(f, json_object_get(row, t->cols[c]));
		}
		fputs("\r\n", f);
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* A name safe inside a filename: letters, digits, '-' and '_' kept, the rest '-'. */
static void file_safe(const char *s, char *out, size_t outlen)
{
	size_t i = 0;
	for (; *s && i + 1 < outlen; s++, i++) {
		char c = *s;
		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '-';
	}
	out[i] = '\0';
}

/*
 * Answers with doc as JSON, or (format=csv) with its table `table` as CSV
 * named "tally-<route>-<label>-<table>.csv". Takes doc over.
 */
void hq_api_dash_answer(const struct hq_request *req, struct hq_response *res, json_t *doc, const char *route,
			const char *label)
{
	const char *format = arg(req, "format"), *want = arg(req, "table");
	if (!doc) {
		hq_api_error(res, req, 503, "out of memory");
		return;
	}
	if (!format || !strcmp(format, "json")) {
		char *body = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
		json_decref(doc);
		if (!body)
			hq_api_error(res, req, 503, "out of memory");
		else
			hq_api_json(res, body, strlen(body));
		return;
	}
	const struct table *t = NULL;
	char names[256] = "";
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (strcmp(tables[i].route, route))
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", names[0] ? ", " : "",
			 tables[i].name);
		/* The overview's default is its ranking; the fleet has one table. */
		if ((want && !strcmp(want, tables[i].name)) ||
		    (!want && (!strcmp(route, "fleet") || (!strcmp(route, "overview") && !t))))
			t = t ? t : &tables[i];
	}
	if (!t) {
		json_decref(doc);
		hq_api_error(res, req, 400, "table must be one of: %s", names);
		return;
	}
	char *body = NULL;
	size_t len = 0;
	json_t *rows = json_object_get(doc, !strcmp(route, "fleet") ? "kiosks" : t->name);
	int rc = rows ? csv_of(t, rows, &body, &len) : -1;
	json_decref(doc);
	if (rc) {
		hq_api_error(res, req, 503, "out of memory");
		return;
	}
	hq_api_response_free(res);
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	res->body = body;
	res->body_len = len;
	char safe[128];
	file_safe(label, safe, sizeof(safe));
	snprintf(res->disposition, sizeof(res->disposition), "attachment; filename=\"tally-%s-%s%s%s.csv\"", route,
		 strcmp(route, "fleet") ? t->name : "", strcmp(route, "fleet") ? "-" : "", safe);
}

/* Checks format= before any work: a wrong one is a 400, never a JSON answer instead. */
static int format_ok(const struct hq_request *req, struct hq_response *res)
{
	const char *format = arg(req, "format");
	if (format && strcmp(format, "json") && strcmp(format, "csv")) {
		hq_api_error(res, req, 400, "format must be json or csv");
		return 0;
	}
	return 1;
}

/* --- GET /api/v1/overview ------------------------------------------------------ */

static json_t *row_json(const struct hq_dash_row *r)
{
	json_t *o = json_object();
	if (o)
		fig_set(o, r);
	return o;
}

static void get_overview(struct hq_store *db, const struct hq_who *who, const struct hq_request *req,
			 struct hq_response *res)
{
	struct hq_dash_period p;
	char err[256];
	if (hq_dash_period_parse(arg(req, "period"), arg(req, "from"), arg(req, "to"), &p, err, sizeof(err))) {
		hq_api_error(res, req, 400, "%s", err);
		return;
	}
	long long min = MIN_RATINGS_DEFAULT;
	const char *m = arg(req, "min_ratings");
	char *end;
	if (m && (!*m || (min = strtoll(m, &end, 10), *end) || min < 1 || min > 1000000)) {
		hq_api_error(res, req, 400, "min_ratings must be 1..1000000");
		return;
	}
	struct hq_dash_overview o;
	if (hq_dash_overview(db, who->admin ? NULL : who->user.name, &p, now_ms(), min, &o, err, sizeof(err))) {
		hq_api_error(res, req, 503, "overview: %s", err);
		return;
	}
	json_t *doc = json_object(), *regions = json_array(), *stores = json_array(), *movers = json_array();
	int bad = !doc || !regions || !stores || !movers;
	hq_api_dash_as_of(doc, o.as_of_ms);
	period_set(doc, &p, o.from_day, o.to_day);
	json_object_set_new(doc, "min_ratings", json_integer(min));
	json_t *chain = json_pack("{s:i,s:i}", "stores", o.chain.stores, "kiosks", o.chain.kiosks);
	fig_set(chain, &o.chain);
	bad |= json_object_set_new(doc, "chain", chain) != 0;
	for (size_t i = 0; i < o.nregions; i++) {
		json_t *r = json_pack("{s:s,s:i,s:i}", "region", o.regions[i].name, "stores", o.regions[i].stores,
				      "kiosks", o.regions[i].kiosks);
		fig_set(r, &o.regions[i]);
		hq_api_dash_push(regions, &bad, r);
	}
	for (size_t i = 0; i < o.nstores; i++) {
		const struct hq_dash_row *s = &o.stores[i];
		json_t *r = json_pack("{s:i,s:s,s:s,s:s,s:i,s:o,s:o}", "rank", s->rank, "store", s->name, "region",
				      s->region, "tz", s->tz, "kiosks", s->kiosks, "from", day_json(s->from_day),
				      "to", day_json(s->to_day));
		fig_set(r, s);
		hq_api_dash_push(stores, &bad, r);
	}
	for (size_t i = 0; i < o.nmovers; i++) {
		const struct hq_dash_row *s = &o.stores[o.movers[i]];
		json_t *f = row_json(s);
		double change = json_real_value(json_object_get(f, "change_happy_index"));
		hq_api_dash_push(movers, &bad, json_pack("{s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:O}", "store", s->name,
							"region", s->region, "direction", change > 0 ? "up" : "down",
							"ratings", json_object_get(f, "ratings"),
							"prev_ratings", json_object_get(f, "prev_ratings"),
							"happy_index", json_object_get(f, "happy_index"),
							"prev_happy_index", json_object_get(f, "prev_happy_index"),
							"change_happy_index", json_object_get(f, "change_happy_index")));
		json_decref(f);
	}
	json_object_set_new(doc, "regions", regions);
	json_object_set_new(doc, "stores", stores);
	json_object_set_new(doc, "movers", movers);
	char label[40], a[16], b[16];
	hq_dash_day_text(o.from_day, a, sizeof(a));
	hq_dash_day_text(o.to_day, b, sizeof(b));
	snprintf(label, sizeof(label), "%s-%s", a, b);
	hq_dash_overview_free(&o);
	if (bad) {
		json_decref(doc);
		hq_api_error(res, req, 500, "overview: %s", hq_api_dash_bad_names);
		return;
	}
	hq_api_dash_answer(req, res, doc, "overview", label);
}

/* --- GET /api/v1/store --------------------------------------------------------- */

static void store_tables(json_t *doc, const struct hq_dash_store *d, int *bad_out)
{
	int bad = 0;
	json_t *areas = json_array(), *kiosks = json_array(), *heat = json_array(), *trend = json_array();
	json_t *faces = json_array();
	for (size_t i = 0; i < d->nareas; i++) {
		json_t *r = json_pack("{s:s,s:i}", "area", d->areas[i].name, "kiosks", d->areas[i].kiosks);
		fig_set(r, &d->areas[i]);
		hq_api_dash_push(areas, &bad, r);
	}
	for (size_t i = 0; i < d->nkiosks; i++) {
		json_t *r = json_pack("{s:s,s:s,s:s}", "kiosk", d->kiosks[i].name, "area", d->kiosks[i].area, "tz",
				      d->kiosks[i].tz);
		fig_set(r, &d->kiosks[i]);
		hq_api_dash_push(kiosks, &bad, r);
	}
	for (int wd = 0; wd < 7; wd++)
		for (int h = 0; h < 24; h++) {
			struct hq_dash_score s;
			hq_dash_score_of(&d->heat[wd][h], &s);
			if (s.ratings)
				hq_api_dash_push(heat, &bad, json_pack("{s:i,s:i,s:I,s:o,s:o}", "weekday", wd, "hour", h,
								      "ratings", (json_int_t)s.ratings, "happy_index",
								      score_or_null(s.happy_index), "positive_pct",
								      score_or_null(s.positive_pct)));
		}
	for (size_t i = 0; i < d->ndays; i++) {
		int64_t day = d->totals.from_day + (int64_t)i;
		struct hq_dash_score s;
		hq_dash_score_of(&d->trend[i], &s);
		hq_api_dash_push(trend, &bad, json_pack("{s:o,s:i,s:I,s:o,s:o,s:I,s:I,s:I}", "date", day_json(day),
						       "weekday", (int)(((day + 4) % 7 + 7) % 7), "ratings",
						       (json_int_t)s.ratings, "happy_index", score_or_null(s.happy_index),
						       "positive_pct", score_or_null(s.positive_pct), "misuse",
						       (json_int_t)d->trend[i].misuse, "closed", (json_int_t)d->trend[i].closed,
						       "unknown_time", (json_int_t)d->trend[i].unknown));
	}
	/* The faces of the dominant scale, best first, as every screen and list orders them by default. */
	struct hq_dash_score s;
	hq_dash_score_of(&d->totals.cur, &s);
	for (int v = s.scale - 1; v >= 0; v--) {
		int64_t count = d->totals.cur.counts[s.scale][v];
		char colour[8];
		snprintf(colour, sizeof(colour), "#%06x", (unsigned)face_colour(v, s.scale));
		int64_t total = score_total(d->totals.cur.counts[s.scale], s.scale);
		hq_api_dash_push(faces, &bad, json_pack("{s:i,s:s,s:s,s:I,s:o}", "value", v, "label",
						       score_face_label(v, s.scale), "colour", colour, "count",
						       (json_int_t)count, "share_pct",
						       total ? json_real(round1(100.0 * (double)count / (double)total))
							     : json_null()));
	}
	json_object_set_new(doc, "areas", areas);
	json_object_set_new(doc, "kiosks", kiosks);
	json_object_set_new(doc, "heatmap", heat);
	json_object_set_new(doc, "trend", trend);
	json_object_set_new(doc, "faces", faces);
	*bad_out |= bad;
}

/*
 * The follow-up answers given in the store over the period (its own local
 * days), most given first; counted as the figures are (misuse and closed
 * apart: their answers are kept but not counted). 0, or -1 with err.
 */
static int store_reasons(struct hq_store *db, json_t *doc, const struct hq_dash_store *d, char *err, size_t errlen)
{
	const struct tzif *z = hq_dash_zone(d->totals.tz);
	int64_t from_ms = hq_dash_day_start(z, d->totals.from_day), to_ms = hq_dash_day_start(z, d->totals.to_day + 1);
	struct hq_reason_count top[32];
	int n = hq_reasons_top(db, NULL, d->totals.name, from_ms, to_ms, top, 32, err, errlen);
	if (n < 0)
		return -1;
	json_t *reasons = json_array();
	int bad = !reasons;
	for (int i = 0; i < n; i++)
		hq_api_dash_push(reasons, &bad, json_pack("{s:s,s:s,s:I}", "reason", top[i].reason, "after",
					      top[i].positive ? "positive" : "negative", "count", (json_int_t)top[i].n));
	if (bad || json_object_set_new(doc, "reasons", reasons)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void get_store(struct hq_store *db, const struct hq_who *who, const struct hq_request *req,
		      struct hq_response *res)
{
	const char *store = arg(req, "store");
	struct hq_dash_period p;
	char err[256];
	if (!store || !*store) {
		hq_api_error(res, req, 400, "store is required (store=NAME)");
		return;
	}
	if (hq_dash_period_parse(arg(req, "period"), arg(req, "from"), arg(req, "to"), &p, err, sizeof(err))) {
		hq_api_error(res, req, 400, "%s", err);
		return;
	}
	const char *user = who->admin ? NULL : who->user.name;
	if (user && who->user.role != HQ_ROLE_CHAIN) {
		/* The same answer for a store that exists and one that does not: a user learns nothing outside the role. */
		int may = hq_scope_may_see(db, user, store);
		if (may != 1) {
			if (may < 0)
				hq_api_error(res, req, 503, "database unavailable");
			else
				hq_api_error(res, req, 403, "user %s: store %s is not among the stores you may see", user,
					     store);
			return;
		}
	}
	struct hq_dash_store *d = malloc(sizeof(*d));
	int rc = d ? hq_dash_store(db, user, store, &p, now_ms(), d, err, sizeof(err)) : -1;
	if (rc) {
		if (rc == 1)
			hq_api_error(res, req, 404, "no such store: %s", store);
		else
			hq_api_error(res, req, 503, "store: %s", d ? err : "out of memory");
		free(d);
		return;
	}
	json_t *doc = json_object();
	hq_api_dash_as_of(doc, d->as_of_ms);
	json_object_set_new(doc, "store", json_string(d->totals.name));
	json_object_set_new(doc, "region", json_string(d->totals.region));
	json_object_set_new(doc, "tz", json_string(d->totals.tz));
	period_set(doc, &p, d->totals.from_day, d->totals.to_day);
	json_t *totals = json_pack("{s:s,s:s,s:s,s:i,s:o,s:o}", "store", d->totals.name, "region", d->totals.region,
				   "tz", d->totals.tz, "kiosks", d->totals.kiosks, "from", day_json(d->totals.from_day),
				   "to", day_json(d->totals.to_day));
	fig_set(totals, &d->totals);
	int bad = !doc || json_object_set_new(doc, "totals", totals) != 0;
	store_tables(doc, d, &bad);
	if (!bad && store_reasons(db, doc, d, err, sizeof(err))) {
		json_decref(doc);
		hq_dash_store_free(d);
		free(d);
		hq_api_error(res, req, 503, "store: %s", err);
		return;
	}
	char label[128], a[16], b[16];
	hq_dash_day_text(d->totals.from_day, a, sizeof(a));
	hq_dash_day_text(d->totals.to_day, b, sizeof(b));
	char safe[64]; /* a long name is cut: the filename only has to say which store */
	file_safe(d->totals.name, safe, sizeof(safe));
	snprintf(label, sizeof(label), "%s-%s-%s", safe, a, b);
	hq_dash_store_free(d);
	free(d);
	if (bad) {
		json_decref(doc);
		hq_api_error(res, req, 500, "store: %s", hq_api_dash_bad_names);
		return;
	}
	hq_api_dash_answer(req, res, doc, "store", label);
}

void hq_api_dash(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		 struct hq_response *res)
{
	struct hq_who who;
	if (!hq_api_who(db, opt, req, res, 0, &who) || !format_ok(req, res))
		return;
	if (!strcmp(req->path, "/api/v1/overview"))
		get_overview(db, &who, req, res);
	else if (!strcmp(req->path, "/api/v1/store"))
		get_store(db, &who, req, res);
	else
		hq_api_fleet(db, &who, opt->fleet_silent_minutes, req, res);
}
