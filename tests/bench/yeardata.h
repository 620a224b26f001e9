/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yeardata: a year of ratings for the benchmarks that read one
 * (bench_stats, bench_staff): 2,000 a day in Europe/Berlin, faces weighted
 * like a store doing fairly well, 3% misuse, 1% from an unsynced clock
 * (corrected), in a real SQLite file written through the store.
 */
#ifndef TALLY_YEARDATA_H
#define TALLY_YEARDATA_H

#include <stddef.h>

#include "store.h"
#include "tzday.h"

#define TZ_NAME "Europe/Berlin"
#define PER_DAY 2000
#define DAYS 365

/* CLOCK_MONOTONIC in milliseconds. */
double now_ms(void);
/* Writes DAYS x PER_DAY ratings from local date first on. 0, or -1 with err. */
int fill(struct store *s, struct tzdate first, char *err, size_t errlen);
/* The first day of the year of ratings. */
#define YEARDATA_FIRST ((struct tzdate){ 2025, 1, 1 })
/*
 * Opens the year's file (argv[1], else $TMPDIR/tally-bench-stats.db) and
 * fills it unless it already holds the year. The store, or NULL after a
 * line on stderr naming prog.
 */
struct store *yeardata_open(int argc, char **argv, const char *prog, char *path, size_t pathlen);
/* qsort comparison of doubles, for percentiles. */
int cmp_double(const void *a, const void *b);

#endif
