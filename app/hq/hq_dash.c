/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_dash: the dashboard's figures (see hq_dash.h).
 *
 * One request reads the asker's kiosks once (scoped in SQL) and decides
 * each kiosk's period in its own zone. The overview then reads the day
 * and 16-day totals of all of them in one query (overview_days: a year is
 * about 37 rows a kiosk and period); the store page reads each of its few
 * kiosks' days with one indexed range (a cached statement), for the daily
 * trend. Everything is summed in C.
 */
#include "hq_dash.h"
#include "hq_dash_days.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_db.h"
#include "score.h"
#include "tzday.h"

#define SLOT_MS 900000

static int64_t floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;
	return r < 0 ? r + b : r;
}

void hq_dash_acc_merge(struct hq_dash_acc *a, const struct hq_dash_acc *b)
{
	for (int sc = 0; sc < 6; sc++)
		for (int v = 0; v < 5; v++)
			a->counts[sc][v] += b->counts[sc][v];
	a->misuse += b->misuse;
	a->closed += b->closed;
	a->unknown += b->unknown;
}

/* One row of counts (rating_days or rating_counts) into a. */
static void acc_add(struct hq_dash_acc *a, int scale, int known, const int64_t v[5], int64_t misuse, int64_t closed)
{
	a->misuse += misuse;
	a->closed += closed;
	for (int i = 0; i < scale; i++) {
		if (known)
			a->counts[scale][i] += v[i];
		else
			a->unknown += v[i];
	}
}

/* Mixed scales (4- and 5-face kiosks) are each scored on their own scale and weighted, as the kiosk's summary does. */
void hq_dash_score_of(const struct hq_dash_acc *a, struct hq_dash_score *out)
{
	memset(out, 0, sizeof(*out));
	int64_t n[6] = { 0 };
	int dominant = 0;
	for (int sc = 5; sc >= 3; sc--) {
		n[sc] = score_total(a->counts[sc], sc);
		out->ratings += n[sc];
		if (n[sc] > 0 && (dominant == 0 || n[sc] > n[dominant]))
			dominant = sc;
	}
	out->scale = dominant ? dominant : 4;
	out->happy_index = out->positive_pct = -1;
	if (out->ratings == 0)
		return;
	double hi = 0, pos = 0;
	for (int sc = 3; sc <= 5; sc++)
		if (n[sc]) {
			hi += score_happy_index(a->counts[sc], sc) * (double)n[sc];
			pos += score_positive_pct(a->counts[sc], sc) * (double)n[sc];
		}
	/* One decimal, as the kiosk's screens show it. */
	out->happy_index = (double)(int64_t)(hi / (double)out->ratings * 10 + 0.5) / 10;
	out->positive_pct = (double)(int64_t)(pos / (double)out->ratings * 10 + 0.5) / 10;
}

/* --- periods ------------------------------------------------------------------ */

int hq_dash_period_parse(const char *period, const char *from, const char *to, struct hq_dash_period *out,
			 char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (from || to) {
		struct tzdate f, t;
		if (!from || !to || tzday_parse_date(from, &f) || tzday_parse_date(to, &t)) {
			snprintf(err, errlen, "from and to must both be dates YYYY-MM-DD");
			return -1;
		}
		out->from_day = tzif_days_from_civil(f.year, f.month, f.day);
		out->to_day = tzif_days_from_civil(t.year, t.month, t.day);
		if (out->from_day > out->to_day) {
			snprintf(err, errlen, "from %s is after to %s", from, to);
			return -1;
		}
		if (out->to_day - out->from_day + 1 > HQ_DASH_MAX_DAYS) {
			snprintf(err, errlen, "from %s to %s is more than %d days", from, to, HQ_DASH_MAX_DAYS);
			return -1;
		}
		snprintf(out->name, sizeof(out->name), "range");
		out->days = (int)(out->to_day - out->from_day + 1);
		return 0;
	}
	static const struct {
		const char *name;
		int days, back;
	} named[] = { { "today", 1, 0 }, { "yesterday", 1, 1 }, { "7d", 7, 0 }, { "30d", 30, 0 } };
	const char *p = period ? period : "today";
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (!strcmp(p, named[i].name)) {
			snprintf(out->name, sizeof(out->name), "%s", p);
			out->days = named[i].days;
			out->back = named[i].back;
			return 0;
		}
	snprintf(err, errlen, "period must be today, yesterday, 7d or 30d (or from and to)");
	return -1;
}

void hq_dash_period_days(const struct hq_dash_period *p, const struct tzif *z, int64_t now_ms, int64_t *from,
			 int64_t *to)
{
	if (strcmp(p->name, "range") == 0) {
		*from = p->from_day;
		*to = p->to_day;
		return;
	}
	*to = hq_dash_local_day(z, now_ms, NULL) - p->back;
	*from = *to - p->days + 1;
}

/* --- the asker's kiosks ---------------------------------------------------------- */

struct kiosk {
	char id[RATING_ID_MAX];
	char store[HQ_NAME_MAX], area[HQ_NAME_MAX], region[HQ_NAME_MAX], tz[HQ_TZ_MAX];
	const struct tzif *z;
	int64_t from, to;           /* its period in its zone; the previous one is the same length before */
};

/* The kiosks of the stores user may see (store: that one only), by store and id. 0 or -1 with err. */
static int kiosks_load(struct hq_store *s, const char *user, const char *store, const struct hq_dash_period *p,
		       int64_t now_ms, struct kiosk **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	if (hq_db_cached(db, "SELECT k.id, k.store, k.area, k.tz, coalesce(st.region, '') FROM kiosks k"
			 " LEFT JOIN stores st ON st.name = k.store"
			 " WHERE (?1 IS NULL OR k.store IN (" HQ_STORE_VISIBLE_SQL("?1") "))"
			 " AND (?2 IS NULL OR k.store = ?2) ORDER BY k.store, k.id", &st, err, errlen) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, user);
	hq_db_bind_text(st, 2, store);
	size_t cap = 0;
	int rc, oom = 0;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			struct kiosk *more = realloc(*out, cap * sizeof(*more));
			if (!more) {
				rc = HQ_DB_ERROR;
				oom = 1;
				break;
			}
			*out = more;
		}
		struct kiosk *k = &(*out)[(*n)++];
		const char *c[5];
		for (int i = 0; i < 5; i++)
			c[i] = hq_db_column_text(st, i);
		snprintf(k->id, sizeof(k->id), "%s", c[0] ? c[0] : "");
		snprintf(k->store, sizeof(k->store), "%s", c[1] ? c[1] : "");
		snprintf(k->area, sizeof(k->area), "%s", c[2] ? c[2] : "");
		snprintf(k->tz, sizeof(k->tz), "%s", c[3] ? c[3] : "UTC");
		snprintf(k->region, sizeof(k->region), "%s", c[4] ? c[4] : "");
	}
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "cannot list kiosks: %s", oom ? "out of memory" : hq_db_errmsg(db));
	hq_db_reset(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		(*out)[i].z = hq_dash_zone((*out)[i].tz);
		hq_dash_period_days(p, (*out)[i].z, now_ms, &(*out)[i].from, &(*out)[i].to);
	}
	return 0;
}

/* The zone most of kiosks k[0..n) are in (ties: the first met); "UTC" when there are none. */
static const char *main_zone(const struct kiosk *k, size_t n)
{
	const char *best = "UTC";
	size_t best_n = 0;
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		for (size_t j = 0; j < n; j++)
			c += !strcmp(k[i].tz, k[j].tz);
		if (c > best_n) {
			best_n = c;
			best = k[i].tz;
		}
	}
	return best;
}

/*
 * Calls fn for each day row of kiosk k in [from, to] (its previous period
 * included when the caller asks for it). 0 or -1 with err.
 */
static int kiosk_days(struct hq_db *db, const struct kiosk *k, int64_t from, int64_t to,
		      void (*fn)(void *arg, int64_t day, int scale, int known, const int64_t v[5], int64_t misuse,
				 int64_t closed),
		      void *arg, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	if (hq_db_cached(db, "SELECT day, scale, known, v0, v1, v2, v3, v4, misuse, closed FROM rating_days"
			 " WHERE kiosk_id = ? AND day >= ? AND day <= ?", &st, err, errlen) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, k->id);
	hq_db_bind_int64(st, 2, from);
	hq_db_bind_int64(st, 3, to);
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		int scale = (int)hq_db_column_int64(st, 1);
		if (scale < 3 || scale > 5)
			continue; /* never index out of bounds on a hand-edited row */
		int64_t v[5];
		for (int i = 0; i < 5; i++)
			v[i] = hq_db_column_int64(st, 3 + i);
		fn(arg, hq_db_column_int64(st, 0), scale, (int)hq_db_column_int64(st, 2), v, hq_db_column_int64(st, 8),
		   hq_db_column_int64(st, 9));
	}
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "cannot read day totals: %s", hq_db_errmsg(db));
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* Where a kiosk's day rows go: this period or the previous one, and the trend. */
struct day_sink {
	const struct kiosk *k;
	struct hq_dash_acc *cur, *prev;
	struct hq_dash_acc *trend;  /* or NULL */
	int64_t trend_from;
	size_t ndays;
};

static void day_to_sink(void *arg, int64_t day, int scale, int known, const int64_t v[5], int64_t misuse,
			int64_t closed)
{
	struct day_sink *d = arg;
	int64_t len = d->k->to - d->k->from + 1;
	if (day >= d->k->from && day <= d->k->to) {
		acc_add(d->cur, scale, known, v, misuse, closed);
		if (d->trend && day >= d->trend_from && day < d->trend_from + (int64_t)d->ndays)
			acc_add(&d->trend[day - d->trend_from], scale, known, v, misuse, closed);
	} else if (d->prev && day < d->k->from && day >= d->k->from - len) {
		acc_add(d->prev, scale, known, v, misuse, closed);
	}
}

static int days_of(struct hq_db *db, const struct kiosk *k, struct day_sink *sink, char *err, size_t errlen)
{
	int64_t len = k->to - k->from + 1;
	return kiosk_days(db, k, sink->prev ? k->from - len : k->from, k->to, day_to_sink, sink, err, errlen);
}

static int sink_id_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct day_sink *const *)a)->k->id, (*(const struct day_sink *const *)b)->k->id);
}

static int id_sink_cmp(const void *id, const void *b)
{
	return strcmp(id, (*(const struct day_sink *const *)b)->k->id);
}

/* Whole blocks (hq_dash_days.h) inside days [lo, hi]: [*b_lo, *b_hi] and their days [*d_lo, *d_hi]; empty: lo > hi. */
static void whole_blocks(int64_t lo, int64_t hi, int64_t *b_lo, int64_t *b_hi, int64_t *d_lo, int64_t *d_hi)
{
	*b_lo = hq_dash_block_of(lo - 1) + 1;
	*b_hi = hq_dash_block_of(hi + 1) - 1;
	*d_lo = *b_lo * HQ_DASH_BLOCK_DAYS;
	*d_hi = (*b_hi + 1) * HQ_DASH_BLOCK_DAYS - 1;
}

/*
 * The day totals of all the overview's kiosks (user's, as kiosks_load
 * chose them) in one query, each row handed to its kiosk's sink.
 *
 * Why: one range per kiosk (as the store page reads) was 100 round trips
 * on PostgreSQL, and a year of 100 kiosks is 73,000 day rows (and as many
 * for the year before) to read and send; that was most of a 365-day
 * overview's 126 ms. Here, of the days every kiosk counts in its current
 * period (the band [cur_lo, cur_hi]), the whole 16-day blocks come from
 * rating_blocks, filed as day cur_lo, which day_to_sink counts as current
 * for each kiosk; likewise in the band every kiosk counts as its previous
 * period. Only the days at the bands' ends come one by one, and where the
 * kiosks' zones disagree about a period (a named one such as 30d, with
 * Tokyo already a day ahead of Berlin) day_to_sink decides them per kiosk,
 * as before. A year is then about 37 rows a kiosk and period instead of
 * 365, a month about the same as before. Summed in C, not with GROUP BY:
 * SQLite's sorter for it cost more than the rows it saved.
 */
static int overview_days(struct hq_db *db, const char *user, struct day_sink *sinks, size_t n, char *err,
			 size_t errlen)
{
	if (!n)
		return 0;
	int64_t lo = INT64_MAX, hi = INT64_MIN;                 /* every day some kiosk reads */
	int64_t prev_lo = INT64_MIN, prev_hi = INT64_MAX;       /* previous for every kiosk */
	int64_t cur_lo = INT64_MIN, cur_hi = INT64_MAX;         /* current for every kiosk */
	for (size_t i = 0; i < n; i++) {
		const struct kiosk *k = sinks[i].k;
		int64_t len = k->to - k->from + 1;
		lo = k->from - len < lo ? k->from - len : lo;
		hi = k->to > hi ? k->to : hi;
		prev_lo = k->from - len > prev_lo ? k->from - len : prev_lo;
		prev_hi = k->from - 1 < prev_hi ? k->from - 1 : prev_hi;
		cur_lo = k->from > cur_lo ? k->from : cur_lo;
		cur_hi = k->to < cur_hi ? k->to : cur_hi;
	}
	int64_t cb[2], cd[2], pb[2], pd[2]; /* the bands' whole blocks, and their days */
	whole_blocks(cur_lo, cur_hi, &cb[0], &cb[1], &cd[0], &cd[1]);
	whole_blocks(prev_lo, prev_hi, &pb[0], &pb[1], &pd[0], &pd[1]);
	/*
	 * The days left to read one by one: [lo, hi] less the bands' whole
	 * blocks, at most three ranges (the unused ones empty: 1 to 0). One
	 * arm of the query per range, so that PostgreSQL reads each kiosk's
	 * few days from the covering index rating_days_kiosk: given the three
	 * ranges OR'ed in one arm, it read the whole table instead.
	 */
	int64_t rest[6] = { 1, 0, 1, 0, 1, 0 };
	int nrest = 0;
	int64_t from = lo;
	const int64_t skip[2][2] = { { pd[0], pd[1] }, { cd[0], cd[1] } }; /* the previous band comes first */
	for (int i = 0; i < 2; i++) {
		if (skip[i][0] > skip[i][1])
			continue;
		if (skip[i][0] > from) {
			rest[2 * nrest] = from;
			rest[2 * nrest++ + 1] = skip[i][0] - 1;
		}
		from = skip[i][1] + 1 > from ? skip[i][1] + 1 : from;
	}
	if (from <= hi) {
		rest[2 * nrest] = from;
		rest[2 * nrest++ + 1] = hi;
	}
	/* Sinks by kiosk id, for the rows (which come in no order). */
	const struct day_sink **by_id = malloc(n * sizeof(*by_id));
	if (!by_id) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		by_id[i] = &sinks[i];
	qsort(by_id, n, sizeof(*by_id), sink_id_cmp);
	/* Rows: kiosk, scale, known, day (or block), 0 (a day) or 1 (a block), the counts. */
#define DASH_COLS(T) T ".kiosk_id, " T ".scale, " T ".known, "
#define DASH_COUNTS(T) ", " T ".v0, " T ".v1, " T ".v2, " T ".v3, " T ".v4, " T ".misuse, " T ".closed"
#define DASH_KIOSKS(T)                                                                                                \
	" " T ".kiosk_id IN (SELECT k.id FROM kiosks k WHERE ?1 IS NULL OR k.store IN (" HQ_STORE_VISIBLE_SQL("?1") "))"
#define DASH_DAYS(LO, HI)                                                                                             \
	" SELECT " DASH_COLS("d") "d.day, 0" DASH_COUNTS("d") " FROM rating_days d WHERE" DASH_KIOSKS("d")            \
	" AND d.day >= " LO " AND d.day <= " HI
	struct hq_db_stmt *st;
	if (hq_db_cached(db, DASH_DAYS("?2", "?3") " UNION ALL" DASH_DAYS("?4", "?5") " UNION ALL" DASH_DAYS("?6", "?7")
			 " UNION ALL SELECT " DASH_COLS("b") "b.block, 1" DASH_COUNTS("b") " FROM rating_blocks b"
			 " WHERE" DASH_KIOSKS("b")
			 " AND ((b.block >= ?8 AND b.block <= ?9) OR (b.block >= ?10 AND b.block <= ?11))",
			 &st, err, errlen) != HQ_DB_DONE) {
		free(by_id);
		return -1;
	}
#undef DASH_COLS
#undef DASH_COUNTS
#undef DASH_KIOSKS
#undef DASH_DAYS
	const int64_t args[] = { rest[0], rest[1], rest[2], rest[3], rest[4], rest[5], cb[0], cb[1], pb[0], pb[1] };
	hq_db_bind_text(st, 1, user);
	for (int i = 0; i < (int)(sizeof(args) / sizeof(args[0])); i++)
		hq_db_bind_int64(st, 2 + i, args[i]);
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		const char *id = hq_db_column_text(st, 0);
		int scale = (int)hq_db_column_int64(st, 1);
		if (!id || scale < 3 || scale > 5)
			continue; /* never index out of bounds on a hand-edited row */
		const struct day_sink **hit = bsearch(id, by_id, n, sizeof(*by_id), id_sink_cmp);
		if (!hit)
			continue; /* a kiosk added since kiosks_load: in the next request */
		int64_t day = hq_db_column_int64(st, 3), v[5];
		if (hq_db_column_int64(st, 4)) /* a whole block of a band: counted as the band's first day */
			day = day >= cb[0] && day <= cb[1] ? cur_lo : prev_lo;
		for (int i = 0; i < 5; i++)
			v[i] = hq_db_column_int64(st, 5 + i);
		day_to_sink((void *)*hit, day, scale, (int)hq_db_column_int64(st, 2), v, hq_db_column_int64(st, 10),
			    hq_db_column_int64(st, 11));
	}
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "cannot read day totals: %s", hq_db_errmsg(db));
	hq_db_reset(st);
	free(by_id);
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* --- overview ----------------------------------------------------------------- */

static int rank_cmp(const void *a, const void *b)
{
	const struct hq_dash_row *x = a, *y = b;
	struct hq_dash_score sx, sy;
	hq_dash_score_of(&x->cur, &sx);
	hq_dash_score_of(&y->cur, &sy);
	if ((sx.ratings > 0) != (sy.ratings > 0))
		return sx.ratings > 0 ? -1 : 1;
	if (sx.happy_index != sy.happy_index)
		return sx.happy_index > sy.happy_index ? -1 : 1;
	if (sx.ratings != sy.ratings)
		return sx.ratings > sy.ratings ? -1 : 1;
	return strcmp(x->name, y->name);
}

static double change_of(const struct hq_dash_row *r)
{
	struct hq_dash_score c, p;
	hq_dash_score_of(&r->cur, &c);
	hq_dash_score_of(&r->prev, &p);
	return c.ratings && p.ratings ? c.happy_index - p.happy_index : 0;
}

/* The movers' order: biggest change first, then by name. */
static int mover_cmp_r(const struct hq_dash_row *rows, size_t a, size_t b)
{
	double ca = change_of(&rows[a]), cb = change_of(&rows[b]);
	ca = ca < 0 ? -ca : ca;
	cb = cb < 0 ? -cb : cb;
	if (ca != cb)
		return ca > cb ? -1 : 1;
	return strcmp(rows[a].name, rows[b].name);
}

static void pick_movers(struct hq_dash_overview *o, int64_t min_ratings)
{
	o->nmovers = 0;
	for (size_t i = 0; i < o->nstores; i++) {
		struct hq_dash_score c, p;
		hq_dash_score_of(&o->stores[i].cur, &c);
		hq_dash_score_of(&o->stores[i].prev, &p);
		if (c.ratings < min_ratings || p.ratings < min_ratings || c.happy_index == p.happy_index)
			continue;
		/* Insertion into the few kept, largest change first: a chain has few stores per request. */
		size_t at = o->nmovers;
		while (at > 0 && mover_cmp_r(o->stores, i, o->movers[at - 1]) < 0)
			at--;
		if (at >= HQ_DASH_MOVERS)
			continue;
		size_t last = o->nmovers < HQ_DASH_MOVERS ? o->nmovers : HQ_DASH_MOVERS - 1;
		memmove(&o->movers[at + 1], &o->movers[at], (last - at) * sizeof(o->movers[0]));
		o->movers[at] = i;
		if (o->nmovers < HQ_DASH_MOVERS)
			o->nmovers++;
	}
}

static int row_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hq_dash_row *)a)->name, ((const struct hq_dash_row *)b)->name);
}

int hq_dash_overview(struct hq_store *s, const char *user, const struct hq_dash_period *p, int64_t now_ms,
		     int64_t min_ratings, struct hq_dash_overview *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct kiosk *k;
	size_t n;
	if (hq_dash_days_ready(s, err, errlen) || kiosks_load(s, user, NULL, p, now_ms, &k, &n, err, errlen))
		return -1;
	out->as_of_ms = now_ms;
	hq_dash_period_days(p, hq_dash_zone(main_zone(k, n)), now_ms, &out->from_day, &out->to_day);
	snprintf(out->chain.name, sizeof(out->chain.name), "chain");
	/* Kiosks come by store: one row per run of the same store. */
	out->stores = calloc(n ? n : 1, sizeof(*out->stores));
	int rc = out->stores ? 0 : -1;
	if (rc)
		snprintf(err, errlen, "out of memory");
	struct day_sink *sinks = calloc(n ? n : 1, sizeof(*sinks));
	if (!rc && !sinks) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		if (i == 0 || strcmp(k[i].store, k[i - 1].store)) {
			struct hq_dash_row *r = &out->stores[out->nstores++];
			snprintf(r->name, sizeof(r->name), "%s", k[i].store);
			snprintf(r->region, sizeof(r->region), "%s", k[i].region);
			size_t m = i;
			while (m < n && !strcmp(k[m].store, k[i].store))
				m++;
			snprintf(r->tz, sizeof(r->tz), "%s", main_zone(&k[i], m - i));
			hq_dash_period_days(p, hq_dash_zone(r->tz), now_ms, &r->from_day, &r->to_day);
		}
		struct hq_dash_row *r = &out->stores[out->nstores - 1];
		r->kiosks++;
		sinks[i] = (struct day_sink){ .k = &k[i], .cur = &r->cur, .prev = &r->prev };
	}
	if (!rc)
		rc = overview_days(hq_store_sql(s), user, sinks, n, err, errlen);
	free(sinks);
	free(k);
	if (rc) {
		hq_dash_overview_free(out);
		return -1;
	}
	/* Regions and the chain from the stores. */
	out->regions = calloc(out->nstores ? out->nstores : 1, sizeof(*out->regions));
	if (!out->regions) {
		snprintf(err, errlen, "out of memory");
		hq_dash_overview_free(out);
		return -1;
	}
	for (size_t i = 0; i < out->nstores; i++) {
		const struct hq_dash_row *st = &out->stores[i];
		size_t g;
		for (g = 0; g < out->nregions && strcmp(out->regions[g].name, st->region); g++)
			;
		if (g == out->nregions)
			snprintf(out->regions[out->nregions++].name, sizeof(out->regions[0].name), "%s", st->region);
		struct hq_dash_row *to[2] = { &out->regions[g], &out->chain };
		for (int t = 0; t < 2; t++) {
			to[t]->stores++;
			to[t]->kiosks += st->kiosks;
			hq_dash_acc_merge(&to[t]->cur, &st->cur);
			hq_dash_acc_merge(&to[t]->prev, &st->prev);
		}
	}
	qsort(out->regions, out->nregions, sizeof(*out->regions), row_name_cmp);
	qsort(out->stores, out->nstores, sizeof(*out->stores), rank_cmp);
	for (size_t i = 0; i < out->nstores; i++)
		out->stores[i].rank = (int)i + 1;
	pick_movers(out, min_ratings);
	return 0;
}

void hq_dash_overview_free(struct hq_dash_overview *o)
{
	free(o->regions);
	free(o->stores);
	memset(o, 0, sizeof(*o));
}

/* --- one store --------------------------------------------------------------- */

/* Adds kiosk k's quarter hours with a known time in [from, to] to the heat map, by its own local hour. */
static int heat_of(struct hq_db *db, const struct kiosk *k, struct hq_dash_acc heat[7][24], char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	if (hq_db_cached(db, "SELECT slot, scale, v0, v1, v2, v3, v4 FROM rating_counts"
			 " WHERE kiosk_id = ? AND slot >= ? AND slot < ? AND known = 1", &st, err, errlen) != HQ_DB_DONE)
		return -1;
	int64_t lo = hq_dash_day_start(k->z, k->from), hi = hq_dash_day_start(k->z, k->to + 1);
	hq_db_bind_text(st, 1, k->id);
	hq_db_bind_int64(st, 2, lo / SLOT_MS);
	hq_db_bind_int64(st, 3, (hi + SLOT_MS - 1) / SLOT_MS);
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		int scale = (int)hq_db_column_int64(st, 1), hour;
		if (scale < 3 || scale > 5)
			continue;
		int64_t day = hq_dash_local_day(k->z, hq_db_column_int64(st, 0) * SLOT_MS, &hour);
		if (day < k->from || day > k->to)
			continue;
		int64_t v[5];
		for (int i = 0; i < 5; i++)
			v[i] = hq_db_column_int64(st, 2 + i);
		acc_add(&heat[floor_mod(day + 4, 7)][hour], scale, 1, v, 0, 0); /* 1970-01-01 was a Thursday */
	}
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "cannot read quarter hours: %s", hq_db_errmsg(db));
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_dash_store(struct hq_store *s, const char *user, const char *store, const struct hq_dash_period *p,
		  int64_t now_ms, struct hq_dash_store *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct kiosk *k;
	size_t n;
	if (hq_dash_days_ready(s, err, errlen) || kiosks_load(s, user, store, p, now_ms, &k, &n, err, errlen))
		return -1;
	if (n == 0) {
		free(k);
		return 1;
	}
	out->as_of_ms = now_ms;
	struct hq_dash_row *t = &out->totals;
	snprintf(t->name, sizeof(t->name), "%s", k[0].store);
	snprintf(t->region, sizeof(t->region), "%s", k[0].region);
	snprintf(t->tz, sizeof(t->tz), "%s", main_zone(k, n));
	t->stores = 1;
	t->kiosks = (int)n;
	hq_dash_period_days(p, hq_dash_zone(t->tz), now_ms, &t->from_day, &t->to_day);
	out->ndays = (size_t)(t->to_day - t->from_day + 1);
	out->trend = calloc(out->ndays, sizeof(*out->trend));
	out->kiosks = calloc(n, sizeof(*out->kiosks));
	out->areas = calloc(n, sizeof(*out->areas));
	int rc = out->trend && out->kiosks && out->areas ? 0 : -1;
	if (rc)
		snprintf(err, errlen, "out of memory");
	struct hq_db *db = hq_store_sql(s);
	for (size_t i = 0; i < n && !rc; i++) {
		struct hq_dash_row *kr = &out->kiosks[out->nkiosks++];
		snprintf(kr->name, sizeof(kr->name), "%s", k[i].id);
		snprintf(kr->area, sizeof(kr->area), "%s", k[i].area);
		snprintf(kr->tz, sizeof(kr->tz), "%s", k[i].tz);
		kr->kiosks = 1;
		kr->from_day = k[i].from;
		kr->to_day = k[i].to;
		struct day_sink sink = { .k = &k[i], .cur = &kr->cur, .prev = &kr->prev, .trend = out->trend,
					 .trend_from = t->from_day, .ndays = out->ndays };
		rc = days_of(db, &k[i], &sink, err, errlen) || heat_of(db, &k[i], out->heat, err, errlen) ? -1 : 0;
		hq_dash_acc_merge(&t->cur, &kr->cur);
		hq_dash_acc_merge(&t->prev, &kr->prev);
		size_t a;
		for (a = 0; a < out->nareas && strcmp(out->areas[a].name, kr->area); a++)
			;
		if (a == out->nareas)
			snprintf(out->areas[out->nareas++].name, sizeof(out->areas[0].name), "%s", kr->area);
		out->areas[a].kiosks++;
		hq_dash_acc_merge(&out->areas[a].cur, &kr->cur);
		hq_dash_acc_merge(&out->areas[a].prev, &kr->prev);
	}
	free(k);
	if (rc) {
		hq_dash_store_free(out);
		return -1;
	}
	qsort(out->areas, out->nareas, sizeof(*out->areas), row_name_cmp);
	return 0;
}

void hq_dash_store_free(struct hq_dash_store *d)
{
	free(d->areas);
	free(d->kiosks);
	free(d->trend);
	memset(d, 0, sizeof(*d));
}
