/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_report: head office's read side on hq_store's connection: the day's
 * figures for a kiosk, its store and the chain (GET /api/v1/summary), and
 * the admin export (GET /api/v1/ratings). Both count each kiosk's ratings
 * on its own store's local day, DST included, in as many zones as the
 * registry holds (the connection keeps the loaded zones: hq_store_zone).
 */
#include "hq_store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "score.h"

static int db_fail(struct hq_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(hq_store_sqlite(s)));
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

int hq_store_tzday(struct tzday *d, const char *tz, struct tzdate date, char *err, size_t errlen)
{
	return tzday_make(d, tz, date, err, errlen);
}

int hq_store_tz_valid(const char *tz, char *err, size_t errlen)
{
	return tzday_valid(tz, err, errlen);
}

/* The local days of one zone head office has kiosks in. */
struct zone_day {
	char tz[HQ_TZ_MAX];
	struct tzday from;  /* the day (summary) or the first day (export) */
	int64_t end_ms;     /* end of the last day */
};

/* Every zone in use, sorted by name; as many as the registry holds. */
struct zones {
	size_t n;
	struct zone_day *z;
};

static void zones_free(struct zones *z)
{
	free(z->z);
	z->z = NULL;
	z->n = 0;
}

static int zone_day_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zone_day *)a)->tz, ((const struct zone_day *)b)->tz);
}

static int zones_load(struct hq_store *s, const char *store, struct tzdate from, struct tzdate to,
		      struct zones *z, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	z->n = 0;
	if (sqlite3_prepare_v2(hq_store_sqlite(s), "SELECT DISTINCT tz FROM kiosks WHERE ?1 IS NULL OR store = ?1 ORDER BY tz",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot list zones", err, errlen);
	if (store)
		sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (z->n == cap) {
			cap = cap ? cap * 2 : 16;
			struct zone_day *more = realloc(z->z, cap * sizeof(*more));
			if (!more) {
				sqlite3_finalize(st);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			z->z = more;
		}
		struct zone_day *d = &z->z[z->n];
		text(st, 0, d->tz, sizeof(d->tz));
		struct tzday last;
		const struct tzif *zone = hq_store_zone(s, d->tz, err, errlen);
		if (!zone || tzday_make_in(&d->from, zone, from, err, errlen) ||
		    tzday_make_in(&last, zone, to, err, errlen)) {
			sqlite3_finalize(st);
			return -1;
		}
		d->end_ms = last.end_ms;
		z->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, "cannot list zones", err, errlen);
	/* SQLite's ORDER BY and strcmp agree (BINARY collation), but sort anyway: bsearch depends on it. */
	if (z->n)
		qsort(z->z, z->n, sizeof(*z->z), zone_day_cmp);
	return 0;
}

static const struct zone_day *zones_find(const struct zones *z, const char *tz)
{
	if (!tz || !z->n)
		return NULL;
	struct zone_day key;
	snprintf(key.tz, sizeof(key.tz), "%s", tz);
	return bsearch(&key, z->z, z->n, sizeof(key), zone_day_cmp);
}

static void zones_span(const struct zones *z, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MAX;
	*hi = INT64_MIN;
	for (size_t i = 0; i < z->n; i++) {
		if (z->z[i].from.start_ms < *lo)
			*lo = z->z[i].from.start_ms;
		if (z->z[i].end_ms > *hi)
			*hi = z->z[i].end_ms;
	}
}

/* --- summary ---------------------------------------------------------------- */

/* Running totals for one kiosk, area, store or the chain. */
struct agg {
	int64_t counts[6][5]; /* [scale][value] */
	int64_t misuse, closed;
	int64_t hourly[24];
};

static void agg_add(struct agg *a, int value, int scale, int flags, int hour)
{
	if (flags & RATING_MISUSE) {
		a->misuse++;
		return;
	}
	if (flags & RATING_CLOSED) {
		a->closed++;
		return;
	}
	a->counts[scale][value]++;
	if (hour >= 0 && hour < 24)
		a->hourly[hour]++;
}

/*
 * Mixed scales (a chain with 4- and 5-face kiosks): counts[] are those of
 * the dominant scale (most ratings; default_scale when there are none),
 * total counts every scale, and the Happy Index and % positive are taken
 * over every rating, each on its own scale, so they stay comparable.
 */
static void agg_figures(const struct agg *a, int default_scale, struct protocol_figures *f)
{
	memset(f, 0, sizeof(*f));
	int64_t n[6] = { 0 };
	int dominant = 0;
	for (int sc = 5; sc >= 3; sc--) {
		n[sc] = score_total(a->counts[sc], sc);
		f->total += n[sc];
		if (n[sc] > 0 && (dominant == 0 || n[sc] > n[dominant]))
			dominant = sc;
	}
	f->scale = dominant ? dominant : default_scale;
	memcpy(f->counts, a->counts[f->scale], sizeof(f->counts));
	f->misuse = a->misuse;
	f->closed = a->closed;
	memcpy(f->hourly, a->hourly, sizeof(f->hourly));
	f->happy_index = f->positive_pct = -1;
	if (f->total == 0)
		return;
	double hi = 0, pos = 0;
	for (int sc = 3; sc <= 5; sc++)
		if (n[sc]) {
			hi += score_happy_index(a->counts[sc], sc) * (double)n[sc];
			pos += score_positive_pct(a->counts[sc], sc) * (double)n[sc];
		}
	/* One decimal, as the screens show it; the wire carries no false precision. */
	f->happy_index = (double)(int64_t)(hi / (double)f->total * 10 + 0.5) / 10;
	f->positive_pct = (double)(int64_t)(pos / (double)f->total * 10 + 0.5) / 10;
}

struct area_agg {
	char name[HQ_NAME_MAX];
	struct agg a;
};

/* One kiosk as the summary for kiosk k counts it. */
struct place {
	char id[RATING_ID_MAX];
	const struct zone_day *zd; /* its zone's day; NULL if its zone is unknown */
	int in_store, is_me;
	int area;                  /* index into the store's areas, or -1 */
};

static int place_cmp(const void *a, const void *b)
{
	return strcmp(((const struct place *)a)->id, ((const struct place *)b)->id);
}

static const struct place *place_find(const struct place *p, size_t n, const char *id)
{
	struct place key;
	if (!id || !n)
		return NULL;
	snprintf(key.id, sizeof(key.id), "%s", id);
	return bsearch(&key, p, n, sizeof(key), place_cmp);
}

static int places_load(struct hq_store *s, const struct hq_kiosk *k, const struct zones *z, struct place **out,
		       size_t *n, struct area_agg *areas, size_t *nareas, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(hq_store_sqlite(s), "SELECT id, store, area, tz FROM kiosks", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot list kiosks", err, errlen);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct place *more = realloc(*out, cap * sizeof(*more));
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			*out = more;
		}
		struct place *p = &(*out)[(*n)++];
		text(st, 0, p->id, sizeof(p->id));
		const char *store = (const char *)sqlite3_column_text(st, 1);
		const char *area = (const char *)sqlite3_column_text(st, 2);
		p->zd = zones_find(z, (const char *)sqlite3_column_text(st, 3));
		p->in_store = store && !strcmp(store, k->store);
		p->is_me = !strcmp(p->id, k->id);
		p->area = -1;
		if (p->in_store && area) {
			size_t i;
			for (i = 0; i < *nareas && strcmp(areas[i].name, area); i++)
				;
			if (i == *nareas && *nareas < PROTOCOL_MAX_AREAS)
				snprintf(areas[(*nareas)++].name, sizeof(areas[i].name), "%s", area);
			if (i < *nareas)
				p->area = (int)i;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot list kiosks: %s", sqlite3_errstr(rc));
		return -1;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), place_cmp);
	return 0;
}

int hq_store_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date,
		     struct protocol_summary *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct place *places = NULL;
	size_t nplaces = 0;
	struct zones *z = calloc(1, sizeof(*z));
	struct area_agg *areas = calloc(PROTOCOL_MAX_AREAS, sizeof(*areas));
	struct agg *mine = calloc(3, sizeof(*mine)), *store = mine + 1, *chain = mine + 2;
	size_t nareas = 0;
	int rc = -1;
	sqlite3_stmt *st = NULL;
	if (!z || !areas || !mine) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (zones_load(s, NULL, date, date, z, err, errlen))
		goto done;
	int64_t lo, hi;
	zones_span(z, &lo, &hi);
	/* The requester's own scale, for figures that have no ratings yet. */
	int default_scale = 4;
	if (sqlite3_prepare_v2(hq_store_sqlite(s), "SELECT scale FROM ratings WHERE kiosk_id = ? ORDER BY seq DESC LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			default_scale = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	/*
	 * Where each kiosk counts (its zone's day, whether it is in the
	 * requester's store, which area) is worked out once per kiosk here,
	 * so the ratings are read alone, without a join and without comparing
	 * names per rating: the per-rating cost is one binary search.
	 */
	if (places_load(s, k, z, &places, &nplaces, areas, &nareas, err, errlen))
		goto done;
	if (sqlite3_prepare_v2(hq_store_sqlite(s),
			       "SELECT kiosk_id, value, scale, flags, best_ms, time_known FROM ratings"
			       " WHERE best_ms >= ? AND best_ms < ?", -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, "cannot read ratings", err, errlen);
		goto done;
	}
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const struct place *pl = place_find(places, nplaces, (const char *)sqlite3_column_text(st, 0));
		int64_t ms = sqlite3_column_int64(st, 4);
		if (!pl || !pl->zd || ms < pl->zd->from.start_ms || ms >= pl->zd->from.end_ms)
			continue;
		int value = sqlite3_column_int(st, 1), scale = sqlite3_column_int(st, 2);
		int flags = sqlite3_column_int(st, 3);
		int hour = sqlite3_column_int(st, 5) ? tzday_hour(&pl->zd->from, ms) : -1;
		if (scale < 3 || scale > 5 || value < 0 || value >= scale)
			continue; /* the decoder refuses these; never index out of bounds on a hand-edited row */
		agg_add(chain, value, scale, flags, hour);
		if (!pl->in_store)
			continue;
		agg_add(store, value, scale, flags, hour);
		if (pl->is_me)
			agg_add(mine, value, scale, flags, hour);
		if (pl->area >= 0)
			agg_add(&areas[pl->area].a, value, scale, flags, hour);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		db_fail(s, "cannot read ratings", err, errlen);
		goto done;
	}
	/* Every area of the store is listed, those without ratings today too. */
	if (sqlite3_prepare_v2(hq_store_sqlite(s), "SELECT DISTINCT area FROM kiosks WHERE store = ? ORDER BY area",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, "cannot list areas", err, errlen);
		goto done;
	}
	sqlite3_bind_text(st, 1, k->store, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && out->nareas < PROTOCOL_MAX_AREAS) {
		struct protocol_area *pa = &out->areas[out->nareas++];
		text(st, 0, pa->area, sizeof(pa->area));
		struct agg empty = { 0 };
		const struct agg *a = &empty;
		for (size_t i = 0; i < nareas; i++)
			if (!strcmp(areas[i].name, pa->area))
				a = &areas[i].a;
		agg_figures(a, default_scale, &pa->figures);
	}
	sqlite3_finalize(st);
	snprintf(out->day, sizeof(out->day), "%04d-%02d-%02d", date.year, date.month, date.day);
	out->as_of_ms = now_ms();
	snprintf(out->store_name, sizeof(out->store_name), "%s", k->store);
	agg_figures(mine, default_scale, &out->kiosk);
	agg_figures(store, default_scale, &out->store_total);
	agg_figures(chain, default_scale, &out->chain);
	rc = 0;
done:
	if (z)
		zones_free(z);
	free(z);
	free(places);
	free(areas);
	free(mine);
	return rc;
}

/* --- export ----------------------------------------------------------------- */

int hq_store_export(struct hq_store *s, const struct hq_export_query *q,
		    int (*fn)(const struct hq_export_row *row, void *arg), void *arg,
		    int64_t *next, char *err, size_t errlen)
{
	*next = 0;
	const char *store = q->store && *q->store ? q->store : NULL;
	struct zones *z = calloc(1, sizeof(*z));
	struct hq_export_row *row = calloc(1, sizeof(*row));
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (!z || !row) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (zones_load(s, store, q->from, q->to, z, err, errlen))
		goto done;
	if (z->n == 0) {
		rc = 0;
		goto done;
	}
	int64_t lo, hi;
	zones_span(z, &lo, &hi);
	if (sqlite3_prepare_v2(hq_store_sqlite(s),
			       "SELECT r.rowid, r.kiosk_id, r.seq, r.value, r.scale, r.source, r.wall_ms, r.boot_ms,"
			       " r.boot_id, r.clock_synced, r.corrected_ms, r.flags, r.best_ms, r.time_known,"
			       " r.received_ms, k.store, k.area, k.tz"
			       " FROM ratings r JOIN kiosks k ON k.id = r.kiosk_id"
			       " WHERE r.rowid > ?1 AND r.best_ms >= ?2 AND r.best_ms < ?3 AND (?4 IS NULL OR k.store = ?4)"
			       " ORDER BY r.rowid", -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, "cannot export", err, errlen);
		goto done;
	}
	sqlite3_bind_int64(st, 1, q->after);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	if (store)
		sqlite3_bind_text(st, 4, store, -1, SQLITE_STATIC);
	int n = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const struct zone_day *zd = zones_find(z, (const char *)sqlite3_column_text(st, 17));
		int64_t ms = sqlite3_column_int64(st, 12);
		if (!zd || ms < zd->from.start_ms || ms >= zd->end_ms)
			continue;
		if (n == q->limit) {
			/* There is at least one more row: the page ends at the previous one. */
			*next = row->cursor;
			break;
		}
		memset(row, 0, sizeof(*row));
		row->cursor = sqlite3_column_int64(st, 0);
		struct rating *r = &row->p.r;
		text(st, 1, r->kiosk_id, sizeof(r->kiosk_id));
		r->seq = sqlite3_column_int64(st, 2);
		r->value = sqlite3_column_int(st, 3);
		r->scale = sqlite3_column_int(st, 4);
		rating_source_parse((const char *)sqlite3_column_text(st, 5), &r->source);
		r->wall_ms = sqlite3_column_int64(st, 6);
		r->boot_ms = sqlite3_column_int64(st, 7);
		text(st, 8, r->boot_id, sizeof(r->boot_id));
		r->clock_synced = sqlite3_column_int(st, 9);
		row->p.has_corrected = sqlite3_column_type(st, 10) != SQLITE_NULL;
		row->p.corrected_ms = sqlite3_column_int64(st, 10);
		r->flags = sqlite3_column_int(st, 11);
		row->time_ms = ms;
		row->time_known = sqlite3_column_int(st, 13);
		row->received_ms = sqlite3_column_int64(st, 14);
		text(st, 15, row->store, sizeof(row->store));
		text(st, 16, row->area, sizeof(row->area));
		if (fn(row, arg)) {
			/* A page cut short here would look like the last one: fail instead. */
			snprintf(err, errlen, "export stopped at row %lld", (long long)row->cursor);
			goto done;
		}
		n++;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(s, "cannot export", err, errlen);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	if (z)
		zones_free(z);
	free(z);
	free(row);
	return rc;
}
