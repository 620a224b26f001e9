/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shift_stats: every shift of the weeks looked at is laid out first
 * (shifts_history_on_date for each date), sorted by start; one query then
 * reads the ratings of that whole span and each is dropped into the shift
 * its best time falls in by binary search. The date's shifts are then
 * compared with the same shift a week (and k weeks) before, and with the
 * pooled figures of every run of the same shift in the 28 days before.
 *
 * Time decisions, and the failure each prevents:
 * - A rating is placed by its best time (stats_best_time): synced wall
 *   time, else the corrected one. One with neither is counted apart, never
 *   put in a shift by a wall time that may be hours off (the Pi has no
 *   RTC), which would credit one team with another's customers.
 * - Shift bounds come from shifts.c in UTC (DST handled there); two runs
 *   that would overlap after a schedule change are cut so that the later
 *   start wins, so no rating counts twice.
 */
#include "shift_stats.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rating.h"
#include "score.h"

static const char span_sql[] =
	"SELECT value, scale, wall_ms, clock_synced, corrected_ms, flags FROM ratings"
	" WHERE (wall_ms >= ?1 AND wall_ms < ?2) OR (corrected_ms >= ?1 AND corrected_ms < ?2)";

struct slot {
	struct shift_occ occ;
	struct shift_figures f;
	int day_index;          /* days before the date asked for (0: that date) */
};

static void figures_init(struct shift_figures *f, int scale)
{
	memset(f, 0, sizeof(*f));
	f->scale = scale;
	f->happy_index = f->positive_pct = -1;
}

static void figures_score(struct shift_figures *f)
{
	f->happy_index = score_happy_index(f->counts, f->scale);
	f->positive_pct = score_positive_pct(f->counts, f->scale);
}

static void figures_pool(struct shift_figures *into, const struct shift_figures *f)
{
	for (int v = 0; v < STATS_MAX_FACES; v++)
		into->counts[v] += f->counts[v];
	into->total += f->total;
	into->misuse += f->misuse;
	into->closed += f->closed;
	into->other_scale += f->other_scale;
	into->time_corrected += f->time_corrected;
}

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	return x->occ.start_ms < y->occ.start_ms ? -1 : x->occ.start_ms > y->occ.start_ms;
}

/* The slot whose [start, end) holds ms, or NULL. Slots are sorted and do not overlap. */
static struct slot *slot_at(struct slot *s, int n, int64_t ms)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (ms < s[mid].occ.start_ms)
			hi = mid - 1;
		else if (ms >= s[mid].occ.end_ms)
			lo = mid + 1;
		else
			return &s[mid];
	}
	return NULL;
}

static void add_rating(struct shift_figures *f, int value, int scale, int flags, enum stats_time_basis basis)
{
	if (flags & RATING_MISUSE)
		f->misuse++;
	else if (flags & RATING_CLOSED)
		f->closed++;
	else if (scale != f->scale || value < 0 || value >= scale)
		f->other_scale++;
	else {
		f->counts[value]++;
		f->total++;
		if (basis == STATS_TIME_CORRECTED)
			f->time_corrected++;
	}
}

static const struct slot *find_slot(const struct slot *s, int n, int day_index, const char *name)
{
	for (int i = 0; i < n; i++)
		if (s[i].day_index == day_index && !strcmp(s[i].occ.name, name))
			return &s[i];
	return NULL;
}

/* A key for a schedule history, so a cache knows when [shifts] changed. */
static uint64_t history_key(const struct shifts_history *h, const char *tz, int scale, int weeks)
{
	uint64_t k = 1469598103934665603ULL;
	char text[SHIFTS_TEXT_MAX];
#define MIX(p, n)                                      \
	for (size_t i_ = 0; i_ < (n); i_++) {            \
		k ^= ((const unsigned char *)(p))[i_];    \
		k *= 1099511628211ULL;                    \
	}
	for (int i = 0; i < h->n; i++) {
		if (shifts_format(&h->v[i].s, text, sizeof(text)))
			text[0] = '\0';
		MIX(text, strlen(text));
		MIX(&h->v[i].from_ms, sizeof(h->v[i].from_ms));
	}
	MIX(tz, strlen(tz));
	MIX(&scale, sizeof(scale));
	MIX(&weeks, sizeof(weeks));
#undef MIX
	return k;
}

/* Reads the ratings of [lo, hi) into the slots; counts the day's no-shift and unknown-time ones. */
static int read_span(sqlite3 *db, int64_t lo, int64_t hi, struct slot *s, int n, const struct tzday *day, int scale,
		     int today_only, struct shift_day *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (!db)
		return 0; /* no database yet (a fresh machine): no ratings */
	if (sqlite3_prepare_v2(db, span_sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "shift stats: cannot query ratings: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int value = sqlite3_column_int(st, 0), rscale = sqlite3_column_int(st, 1);
		int64_t wall = sqlite3_column_int64(st, 2), best;
		int synced = sqlite3_column_int(st, 3), flags = sqlite3_column_int(st, 5);
		int has_corr = sqlite3_column_type(st, 4) != SQLITE_NULL;
		enum stats_time_basis basis =
			stats_best_time(synced, has_corr, sqlite3_column_int64(st, 4), wall, &best);
		if (basis == STATS_TIME_UNKNOWN) {
			if (wall >= day->start_ms && wall < day->end_ms)
				out->time_unknown++;
			continue;
		}
		/* A row found by its other time may lie outside the span: counted by its best time only. */
		if (best < lo || best >= hi)
			continue;
		struct slot *sl = slot_at(s, n, best);
		if (sl && today_only && sl->day_index != 0)
			continue; /* a past shift's tail, counted when the cache was filled */
		if (sl)
			add_rating(&sl->f, value, rscale, flags, basis);
		else if (best >= day->start_ms && best < day->end_ms && !(flags & (RATING_MISUSE | RATING_CLOSED)) &&
			 rscale == scale)
			out->no_shift++;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		snprintf(err, errlen, "shift stats: cannot read ratings: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

void shift_stats_cache_free(struct shift_stats_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

int shift_stats_day(sqlite3 *db, const char *tz, int scale, const struct shifts_history *h, struct tzdate date,
		    int weeks, struct shift_day *out, char *err, size_t errlen)
{
	struct shift_stats_cache none = { 0 };
	int rc = shift_stats_day_cached(db, tz, scale, h, date, weeks, &none, out, err, errlen);
	shift_stats_cache_free(&none);
	return rc;
}

int shift_stats_day_cached(sqlite3 *db, const char *tz, int scale, const struct shifts_history *h,
			   struct tzdate date, int weeks, struct shift_stats_cache *cache, struct shift_day *out,
			   char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->date = date;
	if (scale < 2 || scale > STATS_MAX_FACES) {
		snprintf(err, errlen, "shift stats: %d faces is not a scale", scale);
		return -1;
	}
	if (weeks < 1)
		weeks = 1;
	if (weeks > SHIFT_STATS_MAX_WEEKS)
		weeks = SHIFT_STATS_MAX_WEEKS;
	int back = weeks * 7 > SHIFT_STATS_AVG_DAYS ? weeks * 7 : SHIFT_STATS_AVG_DAYS;
	struct tzday day;
	if (tzday_make(&day, tz, date, err, errlen))
		return -1;
	uint64_t key = history_key(h, tz, scale, weeks);
	int reuse = cache->valid && cache->key == key && !memcmp(&cache->date, &date, sizeof(date));

	int cap = (back + 1) * SHIFTS_PER_DAY, n = 0;
	if (!cache->slots) {
		cache->slots = calloc((size_t)cap, sizeof(struct slot));
		if (!cache->slots) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		reuse = 0;
	}
	struct slot *s = cache->slots;
	if (reuse) {
		n = cache->n;
		for (int i = 0; i < n; i++)
			if (s[i].day_index == 0)
				figures_init(&s[i].f, scale);
	} else {
		cache->valid = 0;
		for (int k = back; k >= 0; k--) {
			struct shift_occ occ[SHIFTS_PER_DAY];
			int m = shifts_history_on_date(h, tz, tzday_add_days(date, -k), occ, SHIFTS_PER_DAY, err, errlen);
			if (m < 0)
				return -1;
			for (int i = 0; i < m && n < cap; i++) {
				s[n].occ = occ[i];
				s[n].day_index = k;
				figures_init(&s[n].f, scale);
				n++;
			}
		}
		qsort(s, (size_t)n, sizeof(*s), slot_cmp);
		for (int i = 0; i + 1 < n; i++)
			if (s[i].occ.end_ms > s[i + 1].occ.start_ms)
				s[i].occ.end_ms = s[i + 1].occ.start_ms;
	}

	/*
	 * The weeks before are read once per date (a cache that is reused
	 * reads only the date's own shifts and day); the date's are read on
	 * every call, so the screens follow each press.
	 */
	int64_t lo = day.start_ms, hi = day.end_ms, past_lo = INT64_MAX, past_hi = INT64_MIN;
	for (int i = 0; i < n; i++) {
		if (s[i].day_index == 0) {
			if (s[i].occ.start_ms < lo)
				lo = s[i].occ.start_ms;
			if (s[i].occ.end_ms > hi)
				hi = s[i].occ.end_ms;
		} else {
			if (s[i].occ.start_ms < past_lo)
				past_lo = s[i].occ.start_ms;
			if (s[i].occ.end_ms > past_hi)
				past_hi = s[i].occ.end_ms;
		}
	}
	if (!reuse && past_lo < past_hi) {
		struct shift_day scratch;
		struct tzday nowhere = { .start_ms = 0, .end_ms = 0 };
		memset(&scratch, 0, sizeof(scratch));
		/* the date's span is read below; the past span stops where it starts */
		if (past_hi > lo)
			past_hi = lo;
		if (past_lo < past_hi && read_span(db, past_lo, past_hi, s, n, &nowhere, scale, 0, &scratch, err, errlen))
			return -1;
		for (int i = 0; i < n; i++)
			if (s[i].day_index != 0)
				figures_score(&s[i].f);
	}
	if (read_span(db, lo, hi, s, n, &day, scale, reuse, out, err, errlen))
		return -1;
	for (int i = 0; i < n; i++)
		figures_score(&s[i].f);
	cache->valid = 1;
	cache->key = key;
	cache->date = date;
	cache->n = n;

	for (int i = 0; i < n && out->n < SHIFTS_PER_DAY; i++) {
		if (s[i].day_index != 0)
			continue;
		struct shift_result *r = &out->shift[out->n++];
		r->occ = s[i].occ;
		r->now = s[i].f;
		const struct slot *lw = find_slot(s, n, 7, s[i].occ.name);
		r->has_last_week = lw != NULL;
		if (lw)
			r->last_week = lw->f;
		else
			figures_init(&r->last_week, scale);
		r->weeks = weeks;
		for (int k = 0; k < weeks; k++) {
			const struct slot *w = find_slot(s, n, 7 * (k + 1), s[i].occ.name);
			r->week_ran[k] = w != NULL;
			if (w)
				r->week[k] = w->f;
			else
				figures_init(&r->week[k], scale);
		}
		figures_init(&r->average, scale);
		for (int j = 0; j < n; j++)
			if (s[j].day_index >= 1 && s[j].day_index <= SHIFT_STATS_AVG_DAYS &&
			    !strcmp(s[j].occ.name, s[i].occ.name)) {
				figures_pool(&r->average, &s[j].f);
				r->average_shifts++;
			}
		figures_score(&r->average);
	}
	return 0;
}

int shift_stats_current(const struct shift_day *d, int64_t ms)
{
	for (int i = 0; i < d->n; i++)
		if (ms >= d->shift[i].occ.start_ms && ms < d->shift[i].occ.end_ms)
			return i;
	return -1;
}

/* --- the sentence ------------------------------------------------------------ */

static long round_pct(double x)
{
	return (long)floor(x + 0.5);
}

struct shift_claim shift_choose(const struct shift_result *r, int weeks, int min_ratings)
{
	struct shift_claim c = { SHIFT_CLAIM_NONE, 0, 0 };
	if (min_ratings < 1)
		min_ratings = 1;
	if (r->now.total < min_ratings)
		return c;
	long now = round_pct(r->now.positive_pct);
	/* The most recent same-weekday shifts in a row that had enough ratings. */
	int looked = weeks - 1 < r->weeks ? weeks - 1 : r->weeks, compared = 0, above_all = 1, below_all = 1;
	for (int k = 0; k < looked; k++) {
		if (!r->week_ran[k] || r->week[k].total < min_ratings)
			break;
		long then = round_pct(r->week[k].positive_pct);
		above_all &= now > then;
		below_all &= now < then;
		compared++;
	}
	if (compared >= 2 && above_all) {
		c.kind = SHIFT_CLAIM_BEST;
		c.weeks = compared + 1;
		return c;
	}
	if (compared >= 2 && below_all) {
		c.kind = SHIFT_CLAIM_WORST;
		c.weeks = compared + 1;
		return c;
	}
	if (r->average_shifts > 0 && r->average.total >= min_ratings) {
		long diff = now - round_pct(r->average.positive_pct);
		c.kind = diff > 0 ? SHIFT_CLAIM_ABOVE : diff < 0 ? SHIFT_CLAIM_BELOW : SHIFT_CLAIM_SAME;
		c.points = labs(diff);
	}
	return c;
}

void shift_texts_default(struct shift_texts *t)
{
	static const char *days[7] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
				       "Saturday" };
	t->figures = "{shift} shift: {positive}% positive, Happy Index {happy}";
	t->no_ratings = "{shift} shift: no ratings";
	t->best = "best {weekday} in {weeks} weeks";
	t->worst = "lowest {weekday} in {weeks} weeks";
	t->above = "{points} {point_word} above its four-week average";
	t->below = "{points} {point_word} below its four-week average";
	t->same = "level with its four-week average";
	t->point = "point";
	t->points = "points";
	for (int i = 0; i < 7; i++)
		t->weekday[i] = days[i];
}

struct vars {
	const char *shift, *weekday, *point_word;
	char positive[16], happy[16], count[24], weeks[16], points[16];
};

static const char *var(const struct vars *v, const char *name, size_t len)
{
	static const struct {
		const char *name;
		size_t off;
		int inline_buf;
	} map[] = {
		{ "shift", offsetof(struct vars, shift), 0 },
		{ "weekday", offsetof(struct vars, weekday), 0 },
		{ "point_word", offsetof(struct vars, point_word), 0 },
		{ "positive", offsetof(struct vars, positive), 1 },
		{ "happy", offsetof(struct vars, happy), 1 },
		{ "count", offsetof(struct vars, count), 1 },
		{ "weeks", offsetof(struct vars, weeks), 1 },
		{ "points", offsetof(struct vars, points), 1 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].name) == len && !memcmp(map[i].name, name, len)) {
			const char *base = (const char *)v + map[i].off;
			return map[i].inline_buf ? base : *(const char *const *)(const void *)base;
		}
	return NULL;
}

/* Appends tmpl with {names} filled in. -1 when cut short. */
static int render(const char *tmpl, const struct vars *v, char *out, size_t outlen, size_t *used)
{
	for (const char *p = tmpl; *p; p++) {
		const char *val = NULL, *close = *p == '{' ? strchr(p, '}') : NULL;
		if (close)
			val = var(v, p + 1, (size_t)(close - p - 1));
		size_t n = val ? strlen(val) : 1;
		if (*used + n >= outlen)
			return -1;
		memcpy(out + *used, val ? val : p, n);
		*used += n;
		out[*used] = '\0';
		if (val)
			p = close;
	}
	return 0;
}

static void fill(struct vars *v, const struct shift_result *r, struct shift_claim c, const struct shift_texts *t)
{
	memset(v, 0, sizeof(*v));
	v->shift = r->occ.name;
	v->weekday = t->weekday[tzday_weekday(r->occ.date)];
	snprintf(v->positive, sizeof(v->positive), "%ld", round_pct(r->now.positive_pct));
	snprintf(v->happy, sizeof(v->happy), "%ld", round_pct(r->now.happy_index));
	snprintf(v->count, sizeof(v->count), "%lld", (long long)r->now.total);
	snprintf(v->weeks, sizeof(v->weeks), "%d", c.weeks);
	snprintf(v->points, sizeof(v->points), "%ld", c.points);
	v->point_word = c.points == 1 ? t->point : t->points;
}

int shift_headline(const struct shift_result *r, const struct shift_texts *t, char *out, size_t outlen)
{
	struct vars v;
	struct shift_claim none = { SHIFT_CLAIM_NONE, 0, 0 };
	size_t used = 0;
	if (outlen == 0)
		return -1;
	out[0] = '\0';
	fill(&v, r, none, t);
	return render(r->now.total > 0 ? t->figures : t->no_ratings, &v, out, outlen, &used);
}

int shift_claim_text(const struct shift_result *r, struct shift_claim c, const struct shift_texts *t, char *out,
		     size_t outlen)
{
	const char *tmpl = c.kind == SHIFT_CLAIM_BEST ? t->best : c.kind == SHIFT_CLAIM_WORST ? t->worst
			 : c.kind == SHIFT_CLAIM_ABOVE  ? t->above
			 : c.kind == SHIFT_CLAIM_BELOW  ? t->below
			 : c.kind == SHIFT_CLAIM_SAME   ? t->same
							: "";
	struct vars v;
	size_t used = 0;
	if (outlen == 0)
		return -1;
	out[0] = '\0';
	fill(&v, r, c, t);
	return render(tmpl, &v, out, outlen, &used);
}

int shift_sentence(const struct shift_result *r, int weeks, int min_ratings, const struct shift_texts *t,
		   char *out, size_t outlen)
{
	char claim[256];
	if (shift_headline(r, t, out, outlen))
		return -1;
	if (shift_claim_text(r, shift_choose(r, weeks, min_ratings), t, claim, sizeof(claim)))
		return -1;
	if (claim[0]) {
		size_t used = strlen(out);
		int k = snprintf(out + used, outlen - used, ", %s", claim);
		if (k < 0 || (size_t)k >= outlen - used)
			return -1;
	}
	return 0;
}
