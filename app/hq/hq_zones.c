/* SPDX-License-Identifier: Apache-2.0 */
/* hq_zones: the time zones of head office's kiosks and their local days, for summaries and exports. */
#include "hq_store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Zones are values (tzif.c), not the process's $TZ, so any number of them
 * serve any number of threads; each connection keeps the zones it loaded.
 */
static int zone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hq_zone_cache *)a)->name, ((const struct hq_zone_cache *)b)->name);
}

/* The loaded zone tz, from this connection's cache or read now. NULL with err. */
static const struct tzif *zone_get(struct hq_store *s, const char *tz, char *err, size_t errlen)
{
	struct hq_zone_cache key = { .z = NULL };
	snprintf(key.name, sizeof(key.name), "%s", tz);
	struct hq_zone_cache *hit = s->nzones ? bsearch(&key, s->zones, s->nzones, sizeof(key), zone_cmp) : NULL;
	if (hit)
		return hit->z;
	struct hq_zone_cache *more = realloc(s->zones, (s->nzones + 1) * sizeof(*more));
	if (!more) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->zones = more;
	if (tzif_load(&key.z, tz, err, errlen))
		return NULL;
	s->zones[s->nzones++] = key;
	qsort(s->zones, s->nzones, sizeof(key), zone_cmp);
	return key.z;
}

int hq_store_tzday(struct tzday *d, const char *tz, struct tzdate date, char *err, size_t errlen)
{
	return tzday_make(d, tz, date, err, errlen);
}

int hq_store_tz_valid(const char *tz, char *err, size_t errlen)
{
	return tzday_valid(tz, err, errlen);
}

void hq_zones_cache_free(struct hq_store *s)
{
	for (size_t i = 0; i < s->nzones; i++)
		tzif_free(s->zones[i].z);
	free(s->zones);
	s->zones = NULL;
	s->nzones = 0;
}

void hq_zones_free(struct hq_zones *z)
{
	free(z->tz);
	free(z->from);
	free(z->end_ms);
	memset(z, 0, sizeof(*z));
}

static int zones_grow(struct hq_zones *z, size_t cap)
{
	char(*tz)[HQ_TZ_MAX] = realloc(z->tz, cap * sizeof(*tz));
	if (tz)
		z->tz = tz;
	struct tzday *from = realloc(z->from, cap * sizeof(*from));
	if (from)
		z->from = from;
	int64_t *end = realloc(z->end_ms, cap * sizeof(*end));
	if (end)
		z->end_ms = end;
	return tz && from && end ? 0 : -1;
}

static int tz_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int hq_zones_load(struct hq_store *s, const char *store, struct tzdate from, struct tzdate to,
		  struct hq_zones *z, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	char why[256];
	z->n = 0;
	if (hq_db_prepare(s->sql, "SELECT DISTINCT tz FROM kiosks WHERE ?1 IS NULL OR store = ?1", &st, why,
			  sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot list zones: %s", why);
		return -1;
	}
	hq_db_bind_text(st, 1, store);
	int rc;
	size_t cap = 0;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (z->n == cap && zones_grow(z, cap = cap ? cap * 2 : 16)) {
			hq_db_finalize(st);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		hq_store_text(st, 0, z->tz[z->n], sizeof(z->tz[z->n]));
		z->n++;
	}
	if (rc != HQ_DB_DONE)
		hq_store_fail(s, "cannot list zones", err, errlen);
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return -1;
	/* strcmp's order, whatever the database's collation: hq_zones_find searches by it. */
	if (z->n > 1) /* no zones: z->tz is NULL, which qsort may not be given even for 0 items */
		qsort(z->tz, z->n, sizeof(*z->tz), tz_cmp);
	for (size_t i = 0; i < z->n; i++) {
		struct tzday last;
		const struct tzif *zone = zone_get(s, z->tz[i], err, errlen);
		if (!zone || tzday_make_in(&z->from[i], zone, from, err, errlen) ||
		    tzday_make_in(&last, zone, to, err, errlen))
			return -1;
		z->end_ms[i] = last.end_ms;
	}
	return 0;
}

int hq_zones_find(const struct hq_zones *z, const char *tz)
{
	if (!tz || !z->n)
		return -1;
	char key[HQ_TZ_MAX];
	snprintf(key, sizeof(key), "%s", tz);
	const char(*hit)[HQ_TZ_MAX] = bsearch(key, z->tz, z->n, sizeof(*z->tz), tz_cmp);
	return hit ? (int)(hit - z->tz) : -1;
}

void hq_zones_span(const struct hq_zones *z, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MAX;
	*hi = INT64_MIN;
	for (size_t i = 0; i < z->n; i++) {
		if (z->from[i].start_ms < *lo)
			*lo = z->from[i].start_ms;
		if (z->end_ms[i] > *hi)
			*hi = z->end_ms[i];
	}
}

