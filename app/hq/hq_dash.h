/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_dash: the dashboard's figures. The chain, its regions and stores for
 * a period against the previous one (the overview), and one store in
 * depth: areas and kiosks side by side, a weekday x hour heat map, the
 * daily trend, the faces.
 *
 * Sources: the day totals per kiosk (hq_dash_days.h) for everything per
 * day, the quarter-hour counts (rating_counts) for the heat map; never the
 * raw ratings. Days are each kiosk's own local days. What a user sees goes
 * through HQ_STORE_VISIBLE_SQL (hq_store.h), in the query that lists the
 * kiosks, so nothing outside the role is ever read.
 *
 * Every press counts in exactly one bucket: a rating (its time known, not
 * misuse, not closed: the figures), misuse, closed, or unknown time (an
 * unsynced clock that could not be corrected: counted, never in the
 * figures, because its day is a guess).
 */
#ifndef HQ_DASH_H
#define HQ_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"
#include "tzif.h"

#define HQ_DASH_MAX_DAYS 366
#define HQ_DASH_MOVERS 5

/* The counts behind one set of figures. */
struct hq_dash_acc {
	int64_t counts[6][5];       /* [scale][value]: ratings with a known time, not misuse or closed */
	int64_t misuse, closed, unknown;
};

/* Figures of one hq_dash_acc, by score.c's definitions. */
struct hq_dash_score {
	int64_t ratings;
	double happy_index;         /* 0..100, one decimal; -1: no ratings */
	double positive_pct;        /* likewise */
	int scale;                  /* the scale of most ratings (4 when none) */
};
void hq_dash_score_of(const struct hq_dash_acc *a, struct hq_dash_score *out);

/* Adds b to a. */
void hq_dash_acc_merge(struct hq_dash_acc *a, const struct hq_dash_acc *b);

/* A period: named (today, yesterday, 7d, 30d: ending on each zone's own today) or a range of dates. */
struct hq_dash_period {
	char name[12];              /* "today", "yesterday", "7d", "30d" or "range" */
	int days;
	int back;                   /* named: the last day is today minus back */
	int64_t from_day, to_day;   /* range: day numbers (hq_dash_days.h) */
};

/* From the query's period, from and to (each may be NULL). 0, or -1 with err (one line, for a 400). */
int hq_dash_period_parse(const char *period, const char *from, const char *to, struct hq_dash_period *out,
			 char *err, size_t errlen);
/* The period's first and last day in zone z at now_ms. */
void hq_dash_period_days(const struct hq_dash_period *p, const struct tzif *z, int64_t now_ms, int64_t *from,
			 int64_t *to);

/* A row of figures: the chain, a region, a store, an area or a kiosk. */
struct hq_dash_row {
	char name[HQ_NAME_MAX];     /* region, store, area or kiosk id */
	char region[HQ_NAME_MAX];   /* a store's ("" none) */
	char area[HQ_NAME_MAX];     /* a kiosk's */
	char tz[HQ_TZ_MAX];         /* a store's (the zone of most of its kiosks) */
	int stores, kiosks;
	int64_t from_day, to_day;   /* a store's own period */
	struct hq_dash_acc cur, prev;
	int rank;                   /* stores of the overview: 1.. in the ranking */
};

struct hq_dash_overview {
	int64_t as_of_ms;
	int64_t from_day, to_day;   /* in the zone of most kiosks */
	struct hq_dash_row chain;
	struct hq_dash_row *regions; /* by name */
	size_t nregions;
	struct hq_dash_row *stores;  /* ranked: Happy Index, then ratings (more first), then name; none last */
	size_t nstores;
	size_t movers[HQ_DASH_MOVERS]; /* indexes into stores: largest change of Happy Index first */
	size_t nmovers;
};

/*
 * The overview for user (NULL: everything) over p at now_ms; a store is a
 * mover with at least min_ratings ratings in both periods. 0, or -1 with err.
 */
int hq_dash_overview(struct hq_store *s, const char *user, const struct hq_dash_period *p, int64_t now_ms,
		     int64_t min_ratings, struct hq_dash_overview *out, char *err, size_t errlen);
void hq_dash_overview_free(struct hq_dash_overview *o);

struct hq_dash_store {
	int64_t as_of_ms;
	struct hq_dash_row totals;  /* name, region, tz, kiosks, from_day, to_day */
	struct hq_dash_row *areas;  /* every area of its kiosks, by name */
	size_t nareas;
	struct hq_dash_row *kiosks; /* by id, with area */
	size_t nkiosks;
	struct hq_dash_acc heat[7][24]; /* [weekday 0 = Sunday][local hour]: ratings with a known time */
	struct hq_dash_acc *trend;  /* one per day from totals.from_day */
	size_t ndays;
};

/*
 * Store `store` seen by user (NULL: everything) over p at now_ms. 0; 1 no
 * such store among those user may see; -1 with err.
 */
int hq_dash_store(struct hq_store *s, const char *user, const char *store, const struct hq_dash_period *p,
		  int64_t now_ms, struct hq_dash_store *out, char *err, size_t errlen);
void hq_dash_store_free(struct hq_dash_store *d);

#endif
