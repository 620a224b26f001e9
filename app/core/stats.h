/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats: a store's figures for one local day, as the staff view, the wall
 * display and `tallyctl stats` show them: counts per face, % positive and
 * Happy Index (score.h), ratings per local hour, and today against
 * yesterday and against the same weekday last week, plus one plain
 * sentence that says it all.
 *
 * Which ratings count: those of the configured scale with no flag. Misuse
 * and closed-hours ratings are counted apart (a rating flagged both is
 * counted as misuse) and stay out of every score.
 *
 * Where a rating is placed in time, its "best time": wall_ms when the clock
 * was synced at the press; else corrected_ms when tally-sync has corrected
 * it; else it is unknown. An unknown time still puts the rating in the day
 * of its wall_ms (and in the scores), but in no hour; it is counted as
 * time_unknown so the screen can say so.
 */
#ifndef TALLY_STATS_H
#define TALLY_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "tzday.h"

#define STATS_MAX_FACES 5

enum stats_time_basis {
	STATS_TIME_SYNCED,    /* wall clock was synced at the press */
	STATS_TIME_CORRECTED, /* wall time corrected from a later synced reading */
	STATS_TIME_UNKNOWN,   /* neither: not trusted */
};

/*
 * A rating's best time. *best_ms gets the time that decides its day: the
 * trusted time, or wall_ms when the basis is STATS_TIME_UNKNOWN.
 */
enum stats_time_basis stats_best_time(int clock_synced, int has_corrected, int64_t corrected_ms,
				      int64_t wall_ms, int64_t *best_ms);
/* "synced", "corrected" or "unknown". */
const char *stats_time_basis_name(enum stats_time_basis b);

/* One local day's figures. */
struct stats_day {
	struct tzday day;                 /* date, wday, [start_ms, end_ms) in UTC ms */
	int hours_in_day;                 /* 24; 23 or 25 on a DST day */
	int scale;                        /* faces counted */
	int64_t counts[STATS_MAX_FACES];  /* counted ratings per face, [0] = most negative */
	int64_t total;                    /* sum of counts */
	int64_t misuse;                   /* flagged misuse: not in counts */
	int64_t closed;                   /* flagged closed (and not misuse): not in counts */
	int64_t other_scale;              /* stored with another number of faces: not in counts */
	int64_t time_corrected;           /* counted, placed by a corrected time */
	int64_t time_unknown;             /* counted, in no hour */
	double happy_index;               /* 0..100, or -1 with no counted ratings */
	double positive_pct;              /* 0..100, or -1 with no counted ratings */
	int64_t hourly[24];               /* counted ratings per local clock hour */
	int64_t hourly_face[24][STATS_MAX_FACES]; /* the same per face: how each hour felt */
	int hour_first, hour_end;         /* hours to show: [first, end); 0, 24 unless restricted */
	int64_t outside_hours;            /* counted ratings with an hour outside [first, end) */
};

/* One day against another, in points (percentage points for % positive). */
struct stats_delta {
	int comparable;          /* both days have counted ratings */
	double happy_points;     /* a.happy_index - b.happy_index */
	double positive_points;  /* a.positive_pct - b.positive_pct */
	int64_t total_diff;      /* a.total - b.total (meaningful even when not comparable) */
};

/* What the staff view shows: a day, and the two days it is compared with. */
struct stats_view {
	struct stats_day today;      /* the day asked for (not necessarily today) */
	struct stats_day yesterday;  /* the day before */
	struct stats_day last_week;  /* the same weekday a week before */
	struct stats_delta vs_yesterday;
	struct stats_delta vs_last_week;
};

/*
 * Figures of local day `date` in zone tz for ratings with `scale` faces,
 * from a kiosk store's connection (store_db(), or a read-only connection to
 * the same file). A NULL db is a store with no database yet: the day's
 * bounds and hours, and no ratings. 0, or -1 with err filled.
 */
int stats_day_compute(sqlite3 *db, const char *tz, int scale, struct tzdate date, struct stats_day *out,
		      char *err, size_t errlen);

/* The day `date` with yesterday and last week, and both comparisons. 0 or -1. */
int stats_view_compute(sqlite3 *db, const char *tz, int scale, struct tzdate date, struct stats_view *out,
		       char *err, size_t errlen);

/*
 * Restricts the hours to show to [first, end) (0 <= first < end <= 24; e.g.
 * opening hours 8..20) and counts the ratings outside them into
 * outside_hours. hourly[] and the scores are unchanged. Bad ranges are
 * ignored. Applies to d only; call it for each day of a view.
 */
void stats_restrict_hours(struct stats_day *d, int first, int end);

/* a compared with b. */
struct stats_delta stats_compare(const struct stats_day *a, const struct stats_day *b);

/*
 * Texts of the summary sentence, so a store can translate them. Templates
 * may use {positive} (% positive, whole number), {happy} (Happy Index, one
 * decimal), {count} (counted ratings), {day} (the `today` text), {points}
 * (difference in whole points, never negative), {point_word} (`point` or
 * `points`), {other} (the `yesterday` text, or `last_weekday` with
 * {weekday} filled in). An unknown {name} is copied as it is.
 */
struct stats_texts {
	const char *no_ratings;   /* "No ratings yet {day}." */
	const char *alone;        /* "{positive}% positive {day}." */
	const char *above;        /* "{positive}% positive {day} — {points} {point_word} above {other}." */
	const char *below;        /* "{positive}% positive {day} — {points} {point_word} below {other}." */
	const char *same;         /* "{positive}% positive {day} — the same as {other}." */
	const char *today;        /* "today" */
	const char *yesterday;    /* "yesterday" */
	const char *last_weekday; /* "last {weekday}" */
	const char *point;        /* "point" */
	const char *points;       /* "points" */
	const char *weekday[7];   /* "Sunday" .. "Saturday" */
	const char *decimal;      /* {happy}'s decimal separator; NULL: "." */
	const char *thousands;    /* {count}'s thousands separator; NULL: none */
};

/* The built-in English texts. */
void stats_texts_default(struct stats_texts *t);

/*
 * One sentence for view v: against the same weekday last week when both
 * days have ratings, else against yesterday, else on its own. The
 * difference is taken between the rounded percentages the screen shows, so
 * "82% ... 6 points above" always matches the figures next to it.
 * Returns 0, or -1 if out was too small (out then holds a cut sentence).
 */
int stats_summary(const struct stats_view *v, const struct stats_texts *t, char *out, size_t outlen);

#endif
