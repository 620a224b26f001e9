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

#define TZ_NAME "Europe/Berlin"
#define PER_DAY 2000
#define DAYS 365
#define RUNS 200

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int fill(struct store *s, struct tzdate first, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *ins;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id,"
			       " clock_synced, flags, corrected_ms, acked) VALUES ('bench', ?, 4, 'button', ?, ?, 'b', ?, ?, ?, 1)",
			       -1, &ins, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "prepare: %s", sqlite3_errmsg(db));
		return -1;
	}
	/* Weights of the faces, worst first: a store doing fairly well. */
	static const int weight[4] = { 8, 7, 27, 58 };
	for (int d = 0; d < DAYS; d++) {
		int64_t open_ms;
		if (tzday_local_to_ms(TZ_NAME, tzday_add_days(first, d), 8, 0, 0, &open_ms, err, errlen))
			return -1;
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		int64_t t = open_ms;
		for (int i = 0; i < PER_DAY; i++) {
			t += 1 + next_rand() % (2 * 12 * 3600 * 1000 / PER_DAY); /* 12 opening hours */
			int r = (int)(next_rand() % 100), v = 0;
			for (int acc = weight[0]; r >= acc && v < 3; acc += weight[++v])
				;
			int misuse = next_rand() % 100 < 3;
			int unsynced = next_rand() % 100 == 0;
			sqlite3_bind_int(ins, 1, v);
			sqlite3_bind_int64(ins, 2, unsynced ? t - 86400000 : t);
			sqlite3_bind_int64(ins, 3, t - open_ms);
			sqlite3_bind_int(ins, 4, !unsynced);
			sqlite3_bind_int(ins, 5, misuse ? 1 : 0);
			if (unsynced)
				sqlite3_bind_int64(ins, 6, t);
			else
				sqlite3_bind_null(ins, 6);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				snprintf(err, errlen, "insert: %s", sqlite3_errmsg(db));
				sqlite3_finalize(ins);
				return -1;
			}
			sqlite3_reset(ins);
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(ins);
	store_checkpoint(s);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char path[1024], err[1024];
	const char *tmp = getenv("TMPDIR");
	if (argc > 1)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else
		snprintf(path, sizeof(path), "%s/tally-bench-stats.db", tmp && *tmp ? tmp : "/tmp");
	struct tzdate first = { 2025, 1, 1 };
	struct tzdate last = tzday_add_days(first, DAYS - 1);

	struct store *s;
	if (store_open(&s, path, err, sizeof(err))) {
		fprintf(stderr, "bench_stats: %s\n", err);
		return 1;
	}
	if (store_count(s) != (int64_t)DAYS * PER_DAY) {
		sqlite3_exec(store_db(s), "DELETE FROM ratings", NULL, NULL, NULL);
		double t0 = now_ms();
		if (fill(s, first, err, sizeof(err))) {
			fprintf(stderr, "bench_stats: %s\n", err);
			store_close(s);
			return 1;
		}
		printf("generated %d ratings (%d days x %d) in %.1f s: %s\n", DAYS * PER_DAY, DAYS, PER_DAY,
		       (now_ms() - t0) / 1e3, path);
	} else {
		printf("reusing %d ratings in %s\n", DAYS * PER_DAY, path);
	}
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
