/*
 * bench_shift_stats: how long the figures per shift take (the staff view,
 * wall display and end-of-shift screen with [shifts]) from a year of
 * ratings at 2,000 a day (yeardata.c), two shifts a day (Early 08:00-14:00,
 * Late 14:00-20:00, every day) compared with the same shift a week before
 * and four weeks back: one query over 29 days, about 58,000 rows.
 *
 * Timed: shift_stats_day (everything read: a screen's first look at a
 * date) and shift_stats_day_cached (the weeks before kept: every later
 * refresh that day), each with shift_sentence for both shifts. Usage: bench_shift_stats
 * [DB_PATH] (default in $TMPDIR; an existing year file is reused).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shift_stats.h"
#include "store.h"
#include "tzday.h"
#include "yeardata.h"

#define RUNS 50

int main(int argc, char **argv)
{
	char path[1024], err[1024];
	struct tzdate last = tzday_add_days(YEARDATA_FIRST, DAYS - 1);
	struct store *s = yeardata_open(argc, argv, "bench_shift_stats", path, sizeof(path));
	if (!s)
		return 1;
	store_close(s);
	if (store_open(&s, path, err, sizeof(err))) {
		fprintf(stderr, "bench_shift_stats: %s\n", err);
		return 1;
	}
	static struct shifts sh;
	static struct shifts_history h;
	static struct shift_day d;
	shifts_init(&sh);
	if (shifts_add_line(&sh, "Early", "Sun-Sat 08:00-14:00", 1, err, sizeof(err)) ||
	    shifts_add_line(&sh, "Late", "Sun-Sat 14:00-20:00", 2, err, sizeof(err))) {
		fprintf(stderr, "bench_shift_stats: %s\n", err);
		return 1;
	}
	shifts_history_add(&h, &sh, 0);
	struct shift_texts t;
	shift_texts_default(&t);
	char sentence[2][256];
	double times[RUNS], cached[RUNS];
	struct shift_stats_cache cache = { 0 };
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_ms();
		if (shift_stats_day_cached(store_db(s), TZ_NAME, 4, &h, last, 4, &cache, &d, err, sizeof(err))) {
			fprintf(stderr, "bench_shift_stats: %s\n", err);
			store_close(s);
			return 1;
		}
		for (int k = 0; k < d.n && k < 2; k++)
			shift_sentence(&d.shift[k], 4, 5, &t, sentence[k], sizeof(sentence[k]));
		cached[i] = now_ms() - t0;
	}
	shift_stats_cache_free(&cache);
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_ms();
		if (shift_stats_day(store_db(s), TZ_NAME, 4, &h, last, 4, &d, err, sizeof(err))) {
			fprintf(stderr, "bench_shift_stats: %s\n", err);
			store_close(s);
			return 1;
		}
		for (int k = 0; k < d.n && k < 2; k++)
			shift_sentence(&d.shift[k], 4, 5, &t, sentence[k], sizeof(sentence[k]));
		times[i] = now_ms() - t0;
	}
	double first_ms = cached[0];
	qsort(times, RUNS, sizeof(times[0]), cmp_double);
	qsort(cached + 1, RUNS - 1, sizeof(cached[0]), cmp_double);
	for (int k = 0; k < d.n && k < 2; k++)
		printf("%s: %lld counted, average over %lld  \"%s\"\n", d.shift[k].occ.name, (long long)d.shift[k].now.total,
		       (long long)d.shift[k].average.total, sentence[k]);
	printf("first look at a date (29 days of %d ratings out of %d, fresh connection): %.2f ms; every read: median %.2f ms, "
	       "p95 %.2f ms over %d runs\n",
	       PER_DAY, DAYS * PER_DAY, first_ms, times[RUNS / 2], times[RUNS * 95 / 100], RUNS);
	printf("refresh with the weeks before cached (today's %d ratings read): median %.2f ms, p95 %.2f ms, max %.2f ms "
	       "over %d runs (goal: <= 50 ms, as the staff view's figures)\n",
	       PER_DAY, cached[1 + (RUNS - 1) / 2], cached[1 + (RUNS - 1) * 95 / 100], cached[RUNS - 1], RUNS - 1);
	store_close(s);
	return 0;
}
