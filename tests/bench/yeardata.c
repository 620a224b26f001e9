/* SPDX-License-Identifier: Apache-2.0 */
/* yeardata: the benchmarks' year of ratings (see yeardata.h). */
#include "yeardata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double now_ms(void)
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

int fill(struct store *s, struct tzdate first, char *err, size_t errlen)
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

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct store *yeardata_open(int argc, char **argv, const char *prog, char *path, size_t pathlen)
{
	char err[1024];
	const char *tmp = getenv("TMPDIR");
	if (argc > 1)
		snprintf(path, pathlen, "%s", argv[1]);
	else
		snprintf(path, pathlen, "%s/tally-bench-stats.db", tmp && *tmp ? tmp : "/tmp");
	struct store *s;
	if (store_open(&s, path, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return NULL;
	}
	if (store_count(s) == (int64_t)DAYS * PER_DAY) {
		printf("reusing %d ratings in %s\n", DAYS * PER_DAY, path);
		return s;
	}
	sqlite3_exec(store_db(s), "DELETE FROM ratings", NULL, NULL, NULL);
	double t0 = now_ms();
	if (fill(s, YEARDATA_FIRST, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		store_close(s);
		return NULL;
	}
	printf("generated %d ratings (%d days x %d) in %.1f s: %s\n", DAYS * PER_DAY, DAYS, PER_DAY,
	       (now_ms() - t0) / 1e3, path);
	return s;
}
