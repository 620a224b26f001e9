/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_stats: how long the staff view's figures take from a year of
 * ratings at 2,000 a day (730,000 rows in a real SQLite file, made here).
 *
 * The file is written through store_open, so it has the kiosk's schema,
 * indexes and pragmas; rows go in with one transaction per day, as a
 * bulk load (the kiosk's one-commit-per-rating path is not what is timed).
 * The ratings fall in opening hours 08:00 to 20:00 Berlin time, with about
 * 3% misuse and 1% pressed on an unsynced clock and later corrected.
 *
 * Timed: stats_view_compute (today, yesterday, last week) plus
 * stats_summary for the last day of the year, first on a fresh connection
 * and then repeated. Usage: bench_stats [DB_PATH] (default in $TMPDIR;
 * an existing file with the right number of rows is reused).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"
#include "store.h"
#include "tzday.h"
#include "yeardata.h"

#define RUNS 200

int main(int argc, char **argv)
{
	char path[1024], err[1024];
	struct tzdate first = YEARDATA_FIRST;
	struct tzdate last = tzday_add_days(first, DAYS - 1);
	struct store *s = yeardata_open(argc, argv, "bench_stats", path, sizeof(path));
	if (!s)
		return 1;
	store_close(s);

	/* A fresh connection, as a kiosk opening the staff view after a restart would have. */
	if (store_open(&s, path, err, sizeof(err))) {
		fprintf(stderr, "bench_stats: %s\n", err);
		return 1;
	}
	struct stats_texts texts;
	stats_texts_default(&texts);
	struct stats_view v;
	char sentence[256];
	double times[RUNS];
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_ms();
		if (stats_view_compute(store_db(s), TZ_NAME, 4, last, &v, err, sizeof(err))) {
			fprintf(stderr, "bench_stats: %s\n", err);
			store_close(s);
			return 1;
		}
		stats_summary(&v, &texts, sentence, sizeof(sentence));
		times[i] = now_ms() - t0;
	}
	double first_ms = times[0];
	qsort(times, RUNS, sizeof(times[0]), cmp_double);
	printf("staff view figures for %04d-%02d-%02d: %lld counted, %lld misuse, HI %.1f, %.0f%% positive\n",
	       last.year, last.month, last.day, (long long)v.today.total, (long long)v.today.misuse,
	       v.today.happy_index, v.today.positive_pct);
	printf("  \"%s\"\n", sentence);
	printf("stats_view_compute + stats_summary (3 days of %d ratings out of %d): first %.2f ms, median %.2f ms, "
	       "p95 %.2f ms, max %.2f ms over %d runs (goal: <= 50 ms with drawing)\n",
	       PER_DAY, DAYS * PER_DAY, first_ms, times[RUNS / 2], times[RUNS * 95 / 100], times[RUNS - 1], RUNS);
	store_close(s);
	return 0;
}
