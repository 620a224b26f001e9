/*
 * shift_stats: a store's figures per shift (shifts.h) for one local date,
 * as the staff view, the wall display, the end-of-shift screen and
 * `tallyctl stats --by shift` show them, each shift compared with the same
 * shift a week before and with its own four-week average; and the one
 * honest sentence the end-of-shift screen says about it.
 *
 * Which ratings count: as in stats.h (the configured scale, no flag;
 * misuse and closed counted apart). A rating is placed in the shift its
 * best time falls in, by the schedule in force when that shift started
 * (shifts_history). A rating whose time is unknown (unsynced clock, not
 * corrected) is never guessed into a shift: it is counted apart as
 * time_unknown for the day its wall time claims.
 */
#ifndef TALLY_SHIFT_STATS_H
#define TALLY_SHIFT_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "shift_history.h"
#include "stats.h"

struct slot;

#define SHIFT_STATS_MAX_WEEKS 8 /* same-weekday shifts looked back at, at most */
#define SHIFT_STATS_AVG_DAYS 28 /* the "four-week average" */

struct shift_figures {
	int scale;
	int64_t counts[STATS_MAX_FACES]; /* [0] = most negative */
	int64_t total;                   /* counted ratings */
	int64_t misuse, closed, other_scale; /* not counted */
	int64_t time_corrected;          /* counted, placed by a corrected time */
	double happy_index;              /* 0..100, or -1 with no counted ratings */
	double positive_pct;             /* 0..100, or -1 */
};

/* One shift on the date asked for, with what it is compared with. */
struct shift_result {
	struct shift_occ occ;
	struct shift_figures now;
	int has_last_week;               /* the same shift ran a week before */
	struct shift_figures last_week;
	int average_shifts;              /* occurrences in the 28 days before, pooled below */
	struct shift_figures average;
	int weeks;                       /* entries in week[] */
	int week_ran[SHIFT_STATS_MAX_WEEKS]; /* week[k]: the same shift k+1 weeks before */
	struct shift_figures week[SHIFT_STATS_MAX_WEEKS];
};

struct shift_day {
	struct tzdate date;
	int n;
	struct shift_result shift[SHIFTS_PER_DAY]; /* earliest first */
	int64_t no_shift;                /* counted ratings of the day that fall in no shift */
	int64_t time_unknown;            /* ratings of the day whose time is unknown: in no shift */
};

/*
 * Figures of every shift that starts on local date `date` in zone tz,
 * with `weeks` (<= SHIFT_STATS_MAX_WEEKS) same-weekday shifts before each.
 * One query over the 4 to 8 weeks before. 0, or -1 with err filled.
 */
int shift_stats_day(sqlite3 *db, const char *tz, int scale, const struct shifts_history *h, struct tzdate date,
		    int weeks, struct shift_day *out, char *err, size_t errlen);

/*
 * What shift_stats_day_cached keeps between calls: the weeks before the
 * date, read once per date and schedule (they do not change as the day
 * goes on), so a screen refreshed every few seconds reads only today.
 * Zero-initialise; free with shift_stats_cache_free.
 */
struct shift_stats_cache {
	int valid;
	uint64_t key;            /* schedule, zone, scale and weeks it was read for */
	struct tzdate date;
	int n;
	struct slot *slots;      /* malloc'd */
};
void shift_stats_cache_free(struct shift_stats_cache *c);

/* As shift_stats_day, reusing (and refilling) cache. */
int shift_stats_day_cached(sqlite3 *db, const char *tz, int scale, const struct shifts_history *h,
			   struct tzdate date, int weeks, struct shift_stats_cache *cache, struct shift_day *out,
			   char *err, size_t errlen);

/* The shift of day d running at ms (its index), or -1. */
int shift_stats_current(const struct shift_day *d, int64_t ms);

/* What may honestly be said about a shift, most telling first. */
enum shift_claim_kind {
	SHIFT_CLAIM_NONE,   /* too few ratings, or nothing to compare with: figures only */
	SHIFT_CLAIM_BEST,   /* higher % positive than each same-weekday shift looked at */
	SHIFT_CLAIM_WORST,  /* lower than each */
	SHIFT_CLAIM_ABOVE,  /* above its four-week average */
	SHIFT_CLAIM_BELOW,
	SHIFT_CLAIM_SAME,
};

struct shift_claim {
	enum shift_claim_kind kind;
	int weeks;          /* BEST/WORST: weeks the claim spans, this one included */
	long points;        /* ABOVE/BELOW: whole points, never negative */
};

/*
 * Chooses the claim for r. Compares the rounded % positive the screen
 * shows. BEST/WORST need this shift and each same-weekday shift compared
 * (the most recent ones in a row, at least two, at most weeks-1) to have
 * min_ratings counted ratings, and a strict win or loss against every one;
 * the average needs min_ratings too. Never praises what the numbers do not
 * support: a tie is no record, too few ratings say nothing.
 */
struct shift_claim shift_choose(const struct shift_result *r, int weeks, int min_ratings);

/*
 * Texts of the end-of-shift sentence. Templates may use {shift}, {positive}
 * (whole %), {happy} (whole Happy Index), {count}, {weekday}, {weeks},
 * {points}, {point_word}.
 */
struct shift_texts {
	const char *figures;     /* "{shift} shift: {positive} % positive, Happy Index {happy}" */
	const char *no_ratings;  /* "{shift} shift: no ratings" */
	const char *best;        /* "best {weekday} in {weeks} weeks" */
	const char *worst;       /* "lowest {weekday} in {weeks} weeks" */
	const char *above;       /* "{points} {point_word} above its four-week average" */
	const char *below;
	const char *same;        /* "level with its four-week average" */
	const char *point, *points;
	const char *weekday[7];
};

/* The built-in English texts. */
void shift_texts_default(struct shift_texts *t);

/* The figures part ("Early shift: 84 % positive, Happy Index 78"). 0, or -1 if cut. */
int shift_headline(const struct shift_result *r, const struct shift_texts *t, char *out, size_t outlen);

/* The claim's phrase ("best Tuesday in 4 weeks"), "" for none. 0, or -1 if cut. */
int shift_claim_text(const struct shift_result *r, struct shift_claim c, const struct shift_texts *t, char *out,
		     size_t outlen);

/* Headline and claim joined with ", ". 0, or -1 if cut. */
int shift_sentence(const struct shift_result *r, int weeks, int min_ratings, const struct shift_texts *t,
		   char *out, size_t outlen);

#endif
