/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_fleet: the fleet page's data (see hq_api_fleet.h).
 *
 * A kiosk's silence is counted in its opening hours, as the silent alert
 * rule counts it (hq_alert_open_minutes): an hour after closing, a shop's
 * kiosk has nothing to send, and a list that puts every closed shop first
 * every night hides the one kiosk that broke during the day.
 */
#include "hq_api_fleet.h"
#include "hq_alert_eval.h"
#include "hq_alert_store.h"
#include "hq_api_dash_impl.h"
#include "hq_dash_days.h"
#include "hq_registry.h"
#include "hq_scope.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv_export.h"
#include "hours.h"
#include "tzif.h"

struct fleet_row {
	const struct hq_fleet_kiosk *x;
	const char *region;
	int reasons, revoked, expired;
	int open_now;               /* 1 open, 0 closed, -1 unknown (no zone) */
	double silent_open_min;     /* minutes of opening hours since its last batch (capped past the limit) */
	int silent;                 /* silent_open_min reached the limit */
	int64_t silent_ms;          /* INT64_MAX: never posted */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fleet_cmp(const void *a, const void *b)
{
	const struct fleet_row *x = a, *y = b;
	if (x->revoked != y->revoked)
		return x->revoked - y->revoked;
	if ((x->reasons > 0) != (y->reasons > 0))
		return x->reasons > 0 ? -1 : 1;
	if (x->reasons != y->reasons)
		return y->reasons - x->reasons;
	if (x->reasons && x->silent_ms != y->silent_ms)
		return x->silent_ms > y->silent_ms ? -1 : 1;
	return strcmp(x->x->k.id, y->x->k.id);
}

static json_t *attention_of(const struct fleet_row *r)
{
	const struct hq_fleet_kiosk *x = r->x;
	json_t *a = json_array();
	if (r->revoked)
		return a;
	if (!x->last_batch_ms)
		json_array_append_new(a, json_string("never"));
	else if (r->silent)
		json_array_append_new(a, json_string("silent"));
	if (x->conflicts > 0)
		json_array_append_new(a, json_string("conflicts"));
	if (x->last_seq > x->k.acked_through)
		json_array_append_new(a, json_string("gaps"));
	if (!strcmp(x->clock, "unsynced"))
		json_array_append_new(a, json_string("clock"));
	if (r->expired)
		json_array_append_new(a, json_string("token"));
	return a;
}

/* The zones a request has loaded: a fleet of 100 kiosks lies in a handful of them. */
struct zones {
	size_t n;
	struct zone {
		char name[HQ_TZ_MAX];
		struct tzif *z;     /* NULL: head office cannot read it */
	} *at;
};

static const struct tzif *zone_of(struct zones *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->at[i].name, name))
			return c->at[i].z;
	struct zone *more = realloc(c->at, (c->n + 1) * sizeof(*more));
	if (!more)
		return NULL;
	c->at = more;
	struct zone *z = &c->at[c->n++];
	snprintf(z->name, sizeof(z->name), "%s", name);
	char why[256];
	if (tzif_load(&z->z, name, why, sizeof(why)))
		z->z = NULL;
	return z->z;
}

static void zones_free(struct zones *c)
{
	for (size_t i = 0; i < c->n; i++)
		tzif_free(c->at[i].z);
	free(c->at);
}

/* Whether week says open at UTC instant ms in zone z. */
static int open_at(const struct tzif *z, const struct day_hours week[7], int64_t ms)
{
	int64_t local = ms / 1000 + tzif_offset(z, ms / 1000), days = local / 86400 - (local % 86400 < 0);
	int minute = (int)((local - days * 86400) / 60);
	return hours_open_at(week, (int)(((days + 4) % 7 + 7) % 7), minute); /* 1 January 1970 was a Thursday */
}

/*
 * r's opening-hours state at now: whether it is open, and how many minutes
 * of its opening hours passed since its last batch. Only a kiosk quiet for
 * longer than the limit in plain time needs the count (a zone file and its
 * hours read); the others cannot be silent. A zone head office cannot read
 * counts as open all day: better a false "silent" than a hidden one.
 */
static void opening_of(struct hq_store *db, struct zones *zones, struct fleet_row *r, int64_t now, int limit_min)
{
	const struct hq_fleet_kiosk *x = r->x;
	struct day_hours week[7];
	if (hq_alert_hours_get(db, x->k.id, week))
		hours_always_open(week);
	const struct tzif *z = zone_of(zones, x->k.tz);
	r->open_now = z ? open_at(z, week, now) : -1;
	r->silent_open_min = 0;
	r->silent = 0;
	int64_t limit = (int64_t)limit_min * 60000;
	if (!x->last_batch_ms || now - x->last_batch_ms < limit)
		return;
	r->silent_open_min = z ? hq_alert_open_minutes(z, week, x->last_batch_ms, now, limit_min)
			       : (double)(now - x->last_batch_ms) / 60000;
	r->silent = r->silent_open_min >= limit_min;
}

static json_t *row_json(const struct fleet_row *r, int64_t now)
{
	const struct hq_fleet_kiosk *x = r->x;
	char last[40] = "";
	if (x->last_batch_ms)
		csv_export_time(x->last_batch_ms, 0, last, sizeof(last));
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kiosk", x->k.id, "store", x->k.store, "region", r->region,
			      "area", x->k.area, "tz", x->k.tz, "status",
			      r->revoked ? "revoked" : r->expired ? "expired" : "active");
	if (!o)
		return NULL;
	json_object_set_new(o, "attention", attention_of(r));
	json_object_set_new(o, "open_now", r->open_now < 0 ? json_null() : json_boolean(r->open_now));
	json_object_set_new(o, "last_batch_ms", x->last_batch_ms ? json_integer(x->last_batch_ms) : json_null());
	json_object_set_new(o, "last_batch", x->last_batch_ms ? json_string(last) : json_null());
	json_object_set_new(o, "silent_s", x->last_batch_ms ? json_integer((now - x->last_batch_ms) / 1000) : json_null());
	json_object_set_new(o, "last_seq", json_integer(x->last_seq));
	json_object_set_new(o, "acked_through", json_integer(x->k.acked_through));
	json_object_set_new(o, "gaps", json_integer(x->last_seq > x->k.acked_through ? x->last_seq - x->k.acked_through : 0));
	json_object_set_new(o, "version", x->version[0] ? json_string(x->version) : json_null());
	json_object_set_new(o, "clock", x->clock[0] ? json_string(x->clock) : json_null());
	json_object_set_new(o, "conflicts", json_integer(x->conflicts));
	json_object_set_new(o, "ratings", json_integer(x->k.ratings));
	return o;
}

void hq_api_fleet(struct hq_store *db, const struct hq_who *who, int silent_min, const struct hq_request *req,
		  struct hq_response *res)
{
	if (silent_min <= 0)
		silent_min = HQ_FLEET_SILENT_MIN;
	struct hq_fleet_kiosk *f = NULL;
	struct hq_scope_store *stores = NULL;
	size_t n = 0, nstores = 0;
	char err[256];
	if (hq_registry_fleet(db, &f, &n, err, sizeof(err)) ||
	    hq_scope_stores(db, who->admin ? NULL : who->user.name, &stores, &nstores, err, sizeof(err))) {
		hq_api_error(res, req, 503, "fleet: %s", err);
		free(f);
		return;
	}
	int64_t now = now_ms();
	struct fleet_row *rows = calloc(n ? n : 1, sizeof(*rows));
	json_t *doc = rows ? json_object() : NULL, *list = json_array();
	int bad = !doc || !list;
	size_t m = 0;
	struct zones zones = { 0, NULL };
	for (size_t i = 0; rows && i < n; i++) {
		size_t s;
		for (s = 0; s < nstores && strcmp(stores[s].name, f[i].k.store); s++)
			;
		/* Only the stores the asker may see; the admin token sees kiosks of stores without a row too. */
		if (s == nstores && !who->admin)
			continue;
		struct fleet_row *r = &rows[m++];
		r->x = &f[i];
		r->region = s < nstores ? stores[s].region : "";
		r->revoked = f[i].k.revoked_ms != 0;
		r->expired = f[i].k.token_expires_ms && f[i].k.token_expires_ms <= now;
		opening_of(db, &zones, r, now, silent_min);
		json_t *a = attention_of(r);
		r->reasons = (int)json_array_size(a);
		json_decref(a);
		r->silent_ms = f[i].last_batch_ms ? now - f[i].last_batch_ms : INT64_MAX;
	}
	zones_free(&zones);
	if (rows)
		qsort(rows, m, sizeof(*rows), fleet_cmp);
	for (size_t i = 0; rows && i < m; i++)
		hq_api_dash_push(list, &bad, row_json(&rows[i], now));
	free(rows);
	free(f);
	free(stores);
	if (bad) {
		json_decref(doc);
		json_decref(list);
		hq_api_error(res, req, 500, "fleet: %s", hq_api_dash_bad_names);
		return;
	}
	hq_api_dash_as_of(doc, now);
	json_object_set_new(doc, "kiosks", list);
	char label[16];
	hq_dash_day_text(now / 86400000, label, sizeof(label)); /* the UTC date of the as_of */
	hq_api_dash_answer(req, res, doc, "fleet", label);
}
