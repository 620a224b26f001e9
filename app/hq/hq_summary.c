/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_summary: the figures of one local day for a kiosk, its store and
 * areas, and the chain (hq_store_summary), read from rating_hours, the
 * hour totals per kiosk and local day that ingest keeps (hq_hours.h),
 * never from the ratings themselves: one day of a 100-kiosk chain is
 * about 1,300 rows, every one of them that day's.
 */
#include "hq_store_impl.h"
#include "hq_hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"


/* Running totals for one kiosk, area, store or the chain. */
struct agg {
	int64_t counts[6][5]; /* [scale][value] */
	int64_t misuse, closed;
	int64_t hourly[24];
};

static void agg_add(struct agg *a, int value, int scale, int flags, int hour, int64_t n)
{
	if (flags & RATING_MISUSE) {
		a->misuse += n;
		return;
	}
	if (flags & RATING_CLOSED) {
		a->closed += n;
		return;
	}
	a->counts[scale][value] += n;
	if (hour >= 0 && hour < 24)
		a->hourly[hour] += n;
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

/* Where one kiosk's ratings count in a summary. */
struct place {
	char id[RATING_ID_MAX];
	int in_store, mine;
	int area;                /* index into the areas, -1: another store's */
};

/* Every kiosk's place, found by id through an open-addressing table. */
struct places {
	struct place *p;
	size_t n;
	int *slots;              /* index into p, -1: empty */
	size_t size;             /* a power of two, at least twice n */
};

static uint32_t id_hash(const char *id, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)id[i]) * 16777619u;
	return h;
}

static const struct place *place_find(const struct places *pl, const char *id, size_t len)
{
	if (!id || !pl->size)
		return NULL;
	for (size_t i = id_hash(id, len) & (pl->size - 1);; i = (i + 1) & (pl->size - 1)) {
		if (pl->slots[i] < 0)
			return NULL;
		const struct place *p = &pl->p[pl->slots[i]];
		if (!strncmp(p->id, id, len) && p->id[len] == '\0')
			return p;
	}
}

/* Reads every kiosk and decides its place for requester k. 0 or -1 with err. */
static int kiosk_places(struct hq_store *s, const struct hq_kiosk *k, struct area_agg *areas, size_t *nareas,
			struct places *pl, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_prepare(s->sql, "SELECT id, store, area FROM kiosks", &st, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot list kiosks: %s", why);
		return -1;
	}
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (pl->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct place *more = realloc(pl->p, cap * sizeof(*more));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			pl->p = more;
		}
		struct place *p = &pl->p[pl->n++];
		hq_store_text(st, 0, p->id, sizeof(p->id));
		p->in_store = !strcmp(hq_db_column_text(st, 1), k->store);
		p->mine = p->in_store && !strcmp(p->id, k->id);
		p->area = -1;
		if (p->in_store) {
			const char *area = hq_db_column_text(st, 2);
			size_t i;
			for (i = 0; i < *nareas && strcmp(areas[i].name, area); i++)
				;
			if (i == *nareas && *nareas < PROTOCOL_MAX_AREAS)
				snprintf(areas[(*nareas)++].name, sizeof(areas[i].name), "%s", area);
			if (i < *nareas)
				p->area = (int)i;
		}
	}
	if (rc != HQ_DB_DONE)
		hq_store_fail(s, "cannot list kiosks", err, errlen);
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return -1;
	pl->size = 16;
	while (pl->size < pl->n * 2)
		pl->size *= 2;
	if (!(pl->slots = malloc(pl->size * sizeof(*pl->slots)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < pl->size; i++)
		pl->slots[i] = -1;
	for (size_t j = 0; j < pl->n; j++) {
		size_t i = id_hash(pl->p[j].id, strlen(pl->p[j].id)) & (pl->size - 1);
		while (pl->slots[i] >= 0)
			i = (i + 1) & (pl->size - 1);
		pl->slots[i] = (int)j;
	}
	return 0;
}

int hq_store_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date,
		     struct protocol_summary *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct area_agg *areas = calloc(PROTOCOL_MAX_AREAS, sizeof(*areas));
	struct agg *mine = calloc(3, sizeof(*mine)), *store = NULL, *chain = NULL;
	struct places places = { 0 };
	size_t nareas = 0;
	int rc = -1;
	struct hq_db_stmt *st = NULL;
	if (!areas || !mine) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	store = mine + 1; /* not before the check: arithmetic on a NULL pointer is undefined */
	chain = mine + 2;
	if (hq_hours_ready(s, err, errlen))
		goto done;
	/*
	 * The requester's own scale, for figures that have no ratings yet: that
	 * of the last rating of its latest kiosk store. One index probe; "ORDER
	 * BY seq" over all of the kiosk's installs sorted every rating it ever
	 * sent (51 million instructions a summary with 18,000 ratings a kiosk).
	 */
	int default_scale = 4;
	char why[256];
	if (hq_db_cached(s->sql, "SELECT scale FROM ratings WHERE kiosk_id = ?1 AND install ="
			 " (SELECT id FROM installs WHERE kiosk_id = ?1 ORDER BY last_ms DESC, id DESC LIMIT 1)"
			 " ORDER BY seq DESC LIMIT 1", &st, why, sizeof(why)) == HQ_DB_DONE) {
		hq_db_bind_text(st, 1, k->id);
		if (hq_db_step(st) == HQ_DB_ROW)
			default_scale = (int)hq_db_column_int64(st, 0);
		hq_db_reset(st);
	}
	/*
	 * Each kiosk's place in the figures (the requester's store, the
	 * requester itself, its area) is decided once here, not per row: the
	 * rows below are per kiosk and hour, and a summary is asked by every
	 * kiosk every few minutes.
	 */
	if (kiosk_places(s, k, areas, &nareas, &places, err, errlen))
		goto done;
	/*
	 * Hour totals of the day (migration 10): each kiosk's rows are already
	 * those of its own local day, so nothing is sorted into days here.
	 */
	if (hq_db_cached(s->sql, "SELECT kiosk_id, local_hour, scale, v0, v1, v2, v3, v4, misuse, closed"
			 " FROM rating_hours WHERE day = ?", &st, why, sizeof(why)) != HQ_DB_DONE) {
		hq_store_fail(s, "cannot read ratings", err, errlen);
		goto done;
	}
	hq_db_bind_int64(st, 1, tzif_days_from_civil(date.year, date.month, date.day));
	int step;
	while ((step = hq_db_step(st)) == HQ_DB_ROW) {
		const char *id = hq_db_column_text(st, 0);
		const struct place *pl = place_find(&places, id, id ? strlen(id) : 0);
		if (!pl)
			continue;
		int hour = (int)hq_db_column_int64(st, 1), scale = (int)hq_db_column_int64(st, 2);
		if (scale < 3 || scale > 5)
			continue; /* the decoder refuses these; never index out of bounds on a hand-edited row */
		struct agg *to[4] = { chain, pl->in_store ? store : NULL, pl->mine ? mine : NULL,
				      pl->area >= 0 ? &areas[pl->area].a : NULL };
		int64_t v[5], misuse = hq_db_column_int64(st, 8), closed = hq_db_column_int64(st, 9);
		for (int i = 0; i < scale; i++)
			v[i] = hq_db_column_int64(st, 3 + i);
		for (int t = 0; t < 4; t++) {
			if (!to[t])
				continue;
			for (int i = 0; i < scale; i++)
				agg_add(to[t], i, scale, 0, hour, v[i]);
			agg_add(to[t], 0, scale, RATING_MISUSE, hour, misuse);
			agg_add(to[t], 0, scale, RATING_CLOSED, hour, closed);
		}
	}
	hq_db_reset(st);
	if (step != HQ_DB_DONE) {
		hq_store_fail(s, "cannot read ratings", err, errlen);
		goto done;
	}
	/* Every area of the store is listed, those without ratings today too. */
	if (hq_db_prepare(s->sql, "SELECT DISTINCT area FROM kiosks WHERE store = ? ORDER BY area",
			  &st, why, sizeof(why)) != HQ_DB_DONE) {
		hq_store_fail(s, "cannot list areas", err, errlen);
		goto done;
	}
	hq_db_bind_text(st, 1, k->store);
	while (hq_db_step(st) == HQ_DB_ROW && out->nareas < PROTOCOL_MAX_AREAS) {
		struct protocol_area *pa = &out->areas[out->nareas++];
		hq_store_text(st, 0, pa->area, sizeof(pa->area));
		struct agg empty = { 0 };
		const struct agg *a = &empty;
		for (size_t i = 0; i < nareas; i++)
			if (!strcmp(areas[i].name, pa->area))
				a = &areas[i].a;
		agg_figures(a, default_scale, &pa->figures);
	}
	hq_db_finalize(st);
	snprintf(out->day, sizeof(out->day), "%04d-%02d-%02d", date.year, date.month, date.day);
	out->as_of_ms = hq_store_now_ms();
	snprintf(out->store_name, sizeof(out->store_name), "%s", k->store);
	agg_figures(mine, default_scale, &out->kiosk);
	agg_figures(store, default_scale, &out->store_total);
	agg_figures(chain, default_scale, &out->chain);
	rc = 0;
done:
	free(areas);
	free(mine);
	free(places.p);
	free(places.slots);
	return rc;
}
