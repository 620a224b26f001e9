/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats: one query per local day over the ratings_wall index, each row
 * placed by its best time, then the market's scores from score.c.
 *
 * Time decisions, and the failure each prevents:
 * - The day is [local midnight, next local midnight) from tzday, never
 *   start + 24 h, so DST days get their 23 or 25 hours and the ratings near
 *   midnight land in the right day.
 * - The query takes the rows whose wall time or corrected time falls in
 *   the day (two indexes, ratings_wall and ratings_corrected), and each is
 *   then placed by its best time: a rating pressed on a clock that was
 *   wrong (after a power cut, the Pi has no RTC) belongs to the day of its
 *   corrected time, however far off the wrong one was.
 * - Synced wall time beats a correction; a correction beats an unsynced
 *   wall time; an unsynced, uncorrected time is never put in an hour (it
 *   could be hours off) but still counts for the day it claims, as the
 *   best guess there is, and is reported as time_unknown.
 */
#include "stats.h"
#include "textfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rating.h"
#include "score.h"

enum stats_time_basis stats_best_time(int clock_synced, int has_corrected, int64_t corrected_ms,
				      int64_t wall_ms, int64_t *best_ms)
{
	if (clock_synced) {
		*best_ms = wall_ms;
		return STATS_TIME_SYNCED;
	}
	if (has_corrected) {
		*best_ms = corrected_ms;
		return STATS_TIME_CORRECTED;
	}
	*best_ms = wall_ms;
	return STATS_TIME_UNKNOWN;
}

const char *stats_time_basis_name(enum stats_time_basis b)
{
	switch (b) {
	case STATS_TIME_SYNCED:
		return "synced";
	case STATS_TIME_CORRECTED:
		return "corrected";
	case STATS_TIME_UNKNOWN:
		break;
	}
	return "unknown";
}

static const char day_sql[] =
	"SELECT value, scale, wall_ms, clock_synced, corrected_ms, flags FROM ratings"
	" WHERE (wall_ms >= ?1 AND wall_ms < ?2) OR (corrected_ms >= ?1 AND corrected_ms < ?2)";

static void add_row(struct stats_day *d, sqlite3_stmt *st)
{
	int value = sqlite3_column_int(st, 0);
	int scale = sqlite3_column_int(st, 1);
	int64_t wall = sqlite3_column_int64(st, 2);
	int synced = sqlite3_column_int(st, 3);
	int has_corr = sqlite3_column_type(st, 4) != SQLITE_NULL;
	int64_t corr = sqlite3_column_int64(st, 4);
	int flags = sqlite3_column_int(st, 5);

	int64_t best;
	enum stats_time_basis basis = stats_best_time(synced, has_corr, corr, wall, &best);
	if (best < d->day.start_ms || best >= d->day.end_ms)
		return;
	if (flags & RATING_MISUSE) {
		d->misuse++;
		return;
	}
	if (flags & RATING_CLOSED) {
		d->closed++;
		return;
	}
	if (scale != d->scale || value < 0 || value >= scale) {
		d->other_scale++;
		return;
	}
	d->counts[value]++;
	d->total++;
	if (basis == STATS_TIME_UNKNOWN) {
		d->time_unknown++;
		return;
	}
	if (basis == STATS_TIME_CORRECTED)
		d->time_corrected++;
	int h = tzday_hour(&d->day, best);
	if (h >= 0 && h < 24) {
		d->hourly[h]++;
		d->hourly_face[h][value]++;
	}
}

/* Adds the ratings stored in out's day to its counts. 0, or -1 with err filled. */
static int read_day(sqlite3 *db, struct stats_day *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, day_sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "stats: cannot query ratings: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, out->day.start_ms);
	sqlite3_bind_int64(st, 2, out->day.end_ms);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_row(out, st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "stats: cannot read ratings: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int stats_day_compute(sqlite3 *db, const char *tz, int scale, struct tzdate date, struct stats_day *out,
		      char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (scale < 2 || scale > STATS_MAX_FACES) {
		snprintf(err, errlen, "stats: %d faces is not a scale (2 to %d)", scale, STATS_MAX_FACES);
		return -1;
	}
	if (tzday_make(&out->day, tz, date, err, errlen))
		return -1;
	out->scale = scale;
	out->hours_in_day = (int)((out->day.end_ms - out->day.start_ms + 1800000) / 3600000);
	out->hour_first = 0;
	out->hour_end = 24;
	/* No database yet (a fresh machine): the day as it is, with nothing in it. */
	if (db && read_day(db, out, err, errlen))
		return -1;
	out->happy_index = score_happy_index(out->counts, scale);
	out->positive_pct = score_positive_pct(out->counts, scale);
	return 0;
}

struct stats_delta stats_compare(const struct stats_day *a, const struct stats_day *b)
{
	struct stats_delta d = { 0 };
	d.total_diff = a->total - b->total;
	d.comparable = a->total > 0 && b->total > 0;
	if (d.comparable) {
		d.happy_points = a->happy_index - b->happy_index;
		d.positive_points = a->positive_pct - b->positive_pct;
	}
	return d;
}

int stats_view_compute(sqlite3 *db, const char *tz, int scale, struct tzdate date, struct stats_view *out,
		       char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (stats_day_compute(db, tz, scale, date, &out->today, err, errlen) ||
	    stats_day_compute(db, tz, scale, tzday_add_days(date, -1), &out->yesterday, err, errlen) ||
	    stats_day_compute(db, tz, scale, tzday_add_days(date, -7), &out->last_week, err, errlen))
		return -1;
	out->vs_yesterday = stats_compare(&out->today, &out->yesterday);
	out->vs_last_week = stats_compare(&out->today, &out->last_week);
	return 0;
}

void stats_restrict_hours(struct stats_day *d, int first, int end)
{
	if (first < 0 || end > 24 || first >= end)
		return;
	d->hour_first = first;
	d->hour_end = end;
	d->outside_hours = 0;
	for (int h = 0; h < 24; h++)
		if (h < first || h >= end)
			d->outside_hours += d->hourly[h];
}

void stats_texts_default(struct stats_texts *t)
{
	static const char *days[7] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
				       "Saturday" };
	t->no_ratings = "No ratings yet {day}.";
	t->alone = "{positive}% positive {day}.";
	t->above = "{positive}% positive {day} \u2014 {points} {point_word} above {other}.";
	t->below = "{positive}% positive {day} \u2014 {points} {point_word} below {other}.";
	t->same = "{positive}% positive {day} \u2014 the same as {other}.";
	t->today = "today";
	t->yesterday = "yesterday";
	t->last_weekday = "last {weekday}";
	t->point = "point";
	t->points = "points";
	t->decimal = ".";
	t->thousands = NULL;
	for (int i = 0; i < 7; i++)
		t->weekday[i] = days[i];
}

/* The values a template may name; NULL ones are left as written. */
struct vars {
	char positive[24], happy[32], count[24], points[24];
	const char *day, *point_word, *other, *weekday;
};

static const char *var_value(const struct vars *v, const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (IS("positive"))
		return v->positive;
	if (IS("happy"))
		return v->happy;
	if (IS("count"))
		return v->count;
	if (IS("points"))
		return v->points;
	if (IS("day"))
		return v->day;
	if (IS("point_word"))
		return v->point_word;
	if (IS("other"))
		return v->other;
	if (IS("weekday"))
		return v->weekday;
#undef IS
	return NULL;
}

/* Appends tmpl with {names} filled in at out+*used. -1 when cut short. */
static int render(const char *tmpl, const struct vars *v, char *out, size_t outlen, size_t *used)
{
	for (const char *p = tmpl; *p; p++) {
		const char *val = NULL;
		size_t skip = 0;
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (close) {
				val = var_value(v, p + 1, (size_t)(close - p - 1));
				skip = (size_t)(close - p);
			}
		}
		if (val) {
			size_t n = strlen(val);
			if (*used + n >= outlen)
				return -1;
			memcpy(out + *used, val, n);
			*used += n;
			p += skip;
		} else {
			if (*used + 1 >= outlen)
				return -1;
			out[(*used)++] = *p;
		}
		out[*used] = '\0';
	}
	return 0;
}

static long round_pct(double x)
{
	return (long)floor(x + 0.5);
}

int stats_summary(const struct stats_view *v, const struct stats_texts *t, char *out, size_t outlen)
{
	if (outlen == 0)
		return -1;
	out[0] = '\0';
	struct vars vars = { .day = t->today };
	const struct stats_day *today = &v->today;
	textfmt_count(today->total, t->thousands ? t->thousands : "", vars.count, sizeof(vars.count));
	if (today->total == 0) {
		size_t used = 0;
		return render(t->no_ratings, &vars, out, outlen, &used);
	}
	snprintf(vars.positive, sizeof(vars.positive), "%ld", round_pct(today->positive_pct));
	textfmt_decimal(today->happy_index, 1, t->decimal ? t->decimal : ".", "", vars.happy, sizeof(vars.happy));

	const struct stats_day *other = NULL;
	char other_text[128];
	if (v->vs_last_week.comparable) {
		other = &v->last_week;
		struct vars w = { .weekday = t->weekday[other->day.wday] };
		size_t used = 0;
		other_text[0] = '\0';
		render(t->last_weekday, &w, other_text, sizeof(other_text), &used);
		vars.other = other_text;
	} else if (v->vs_yesterday.comparable) {
		other = &v->yesterday;
		vars.other = t->yesterday;
	}
	const char *tmpl = t->alone;
	if (other) {
		long diff = round_pct(today->positive_pct) - round_pct(other->positive_pct);
		tmpl = diff > 0 ? t->above : diff < 0 ? t->below : t->same;
		snprintf(vars.points, sizeof(vars.points), "%ld", labs(diff));
		vars.point_word = labs(diff) == 1 ? t->point : t->points;
	}
	size_t used = 0;
	return render(tmpl, &vars, out, outlen, &used);
}
