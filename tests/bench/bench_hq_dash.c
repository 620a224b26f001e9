/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_hq_dash: the dashboard's data on a year of a 100-kiosk chain.
 *
 * The chain: 100 kiosks in 50 stores (two kiosks each), 5 regions, three
 * zones (Europe/Berlin, Europe/London, America/New_York), open 08:00-20:00
 * local, about 10 ratings per kiosk and quarter hour: 365 x 48 x 100 =
 * 1.75 million quarter-hour rows holding about 18 million ratings, plus
 * misuse and closed presses. The dashboard reads only the quarter hours
 * (rating_counts) and the day totals made from them, never the raw
 * ratings, so the bench writes the quarter hours directly (what ingest
 * writes for those ratings; the raw rows would only take disk) and then
 * times the one-off fill of the day totals, as an upgraded database gets it.
 *
 * Then, through the API's own entry point (hq_api_handle: authentication,
 * the figures, JSON; no sockets), each request N times with an admin
 * token and with a region user's session: p50, p95, max of the wall time,
 * and of the thread's CPU time (on a shared machine the wall time also
 * holds the waits for a core).
 *
 * Goal (issue 11): overview and store page p95 <= 100 ms.
 *
 *   bench_hq_dash [DB] [--runs N]   (DB default $TMPDIR/tally-bench-dash.db, kept between runs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hq_api.h"
#include "hq_dash_days.h"
#include "hq_db.h"
#include "hq_scope.h"
#include "hq_session.h"
#include "hq_store.h"
#include "hq_token.h"
#include "hq_users.h"

#define KIOSKS 100
#define DAYS 365
#define SLOT_MS 900000LL

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* This thread's CPU time: on a shared machine the wall time includes waiting for a core. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static uint64_t rng = 88172645463325252ULL;
static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *zone_of(int store)
{
	return store % 5 == 4 ? "America/New_York" : store % 5 == 3 ? "Europe/London" : "Europe/Berlin";
}

/* Registers the chain and writes its year of quarter hours. 0 or -1. */
static int fill(struct hq_store *db, const char *path)
{
	char err[512];
	double t0 = mono_ms();
	for (int i = 0; i < KIOSKS; i++) {
		struct hq_kiosk k;
		memset(&k, 0, sizeof(k));
		snprintf(k.id, sizeof(k.id), "k%03d", i);
		snprintf(k.store, sizeof(k.store), "Store %02d", i / 2);
		snprintf(k.area, sizeof(k.area), "%s", i % 2 ? "Pickup" : "Counter");
		snprintf(k.tz, sizeof(k.tz), "%s", zone_of(i / 2));
		char region[32];
		snprintf(region, sizeof(region), "Region %d", (i / 2) % 5);
		uint8_t hash[HQ_HASH_LEN];
		hq_token_hash(k.id, strlen(k.id), hash);
		if (hq_store_kiosk_add(db, &k, hash, err, sizeof(err)) ||
		    hq_scope_set_region(db, k.store, region, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench_hq_dash: %s\n", err);
			return -1;
		}
	}
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_db_begin(s, 1, err, sizeof(err)) != HQ_DB_DONE ||
	    hq_db_prepare(s, "INSERT INTO rating_counts (slot, kiosk_id, scale, known, v0, v1, v2, v3, v4, misuse,"
			  " closed) VALUES (?, ?, 4, ?, ?, ?, ?, ?, 0, ?, ?)", &st, err, sizeof(err)) != HQ_DB_DONE) {
		fprintf(stderr, "bench_hq_dash: %s: %s\n", path, err);
		return -1;
	}
	int64_t now = wall_ms(), ratings = 0;
	for (int i = 0; i < KIOSKS; i++) {
		const struct tzif *z = hq_dash_zone(zone_of(i / 2));
		char id[16];
		snprintf(id, sizeof(id), "k%03d", i);
		int64_t today = hq_dash_local_day(z, now, NULL);
		for (int64_t day = today - DAYS + 1; day <= today; day++) {
			int64_t open = hq_dash_day_start(z, day) + 8 * 3600000LL;
			for (int q = 0; q < 48; q++) {
				/* Stores differ, and so do their weekdays: faces weighted per store. */
				int base = (i / 2) % 7, n = 6 + (int)next(9);
				int64_t v[4] = { 0 };
				for (int r = 0; r < n; r++) {
					unsigned u = next(100);
					v[u < 5u + (unsigned)base ? 0 : u < 15u + (unsigned)base * 2 ? 1 : u < 50 ? 2 : 3]++;
				}
				hq_db_bind_int64(st, 1, (open + q * SLOT_MS) / SLOT_MS);
				hq_db_bind_text(st, 2, id);
				hq_db_bind_int64(st, 3, next(200) != 0); /* one quarter hour in 200 on an unsynced clock */
				for (int x = 0; x < 4; x++)
					hq_db_bind_int64(st, 4 + x, v[x]);
				hq_db_bind_int64(st, 8, next(10) == 0);
				hq_db_bind_int64(st, 9, q == 47 && next(4) == 0);
				ratings += n;
				if (hq_db_step(st) != HQ_DB_DONE) {
					fprintf(stderr, "bench_hq_dash: %s\n", hq_db_errmsg(s));
					hq_db_finalize(st);
					return -1;
				}
				hq_db_reset(st);
			}
		}
	}
	hq_db_finalize(st);
	/* As an upgraded database: the day totals are filled from the quarter hours on first use. */
	if (hq_db_exec(s, "DELETE FROM rating_days; UPDATE dash_state SET value = 0", err, sizeof(err)) != HQ_DB_DONE ||
	    hq_db_commit(s, err, sizeof(err)) != HQ_DB_DONE) {
		fprintf(stderr, "bench_hq_dash: %s\n", err);
		return -1;
	}
	printf("chain: %d kiosks, 50 stores, 5 regions, 3 zones; %d days; %lld ratings in %d quarter-hour rows"
	       " (written in %.1f s)\n", KIOSKS, DAYS, (long long)ratings, KIOSKS * DAYS * 48, (mono_ms() - t0) / 1e3);
	t0 = mono_ms();
	if (hq_dash_days_ready(db, err, sizeof(err))) {
		fprintf(stderr, "bench_hq_dash: %s\n", err);
		return -1;
	}
	printf("day totals filled once from the quarter hours: %.1f s\n", (mono_ms() - t0) / 1e3);
	return 0;
}

static const char *query(void *ctx, const char *name)
{
	for (const char **a = ctx; *a; a++) {
		size_t n = strlen(name);
		if (!strncmp(*a, name, n) && (*a)[n] == '=')
			return *a + n + 1;
	}
	return NULL;
}

static void measure(struct hq_store *db, const char *who, const char *auth, const char *cookie, const char *path,
		    const char **args, const char *label, int runs)
{
	struct hq_api_options opt = { .max_batch = 5000, .session = { .hours = 12, .idle_minutes = 60 } };
	double *t = malloc((size_t)runs * sizeof(*t)), *cpu = malloc((size_t)runs * sizeof(*cpu));
	size_t bytes = 0;
	for (int i = 0; i < runs && t && cpu; i++) {
		struct hq_request req = { .method = "GET", .path = path, .authorization = auth, .cookie = cookie,
					  .query = query, .query_ctx = (void *)args, .peer = "127.0.0.1" };
		struct hq_response res;
		double t0 = mono_ms(), c0 = cpu_ms();
		hq_api_handle(db, &opt, &req, &res);
		t[i] = mono_ms() - t0;
		cpu[i] = cpu_ms() - c0;
		if (res.status != 200) {
			fprintf(stderr, "bench_hq_dash: %s %s: %d %.*s\n", path, label, res.status, (int)res.body_len, res.body);
			hq_api_response_free(&res);
			free(t);
			free(cpu);
			return;
		}
		bytes = res.body_len;
		hq_api_response_free(&res);
	}
	if (t && cpu) {
		qsort(t, (size_t)runs, sizeof(*t), cmp_d);
		qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_d);
		printf("%-7s %-32s p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms | CPU p50 %5.1f p95 %5.1f ms (%zu B)\n",
		       who, label, t[runs / 2], t[(int)(runs * 0.95)], t[runs - 1], cpu[runs / 2], cpu[(int)(runs * 0.95)],
		       bytes);
	}
	free(t);
	free(cpu);
}

int main(int argc, char **argv)
{
	char path[512] = "", err[512];
	int runs = 100;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else
			snprintf(path, sizeof(path), "%s", argv[i]);
	}
	if (runs < 20)
		runs = 20;
	if (!path[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/tally-bench-dash.db", tmp && *tmp ? tmp : "/tmp");
	}
	hq_store_init_process();
	struct hq_store *db;
	if (hq_store_open(&db, path, err, sizeof(err))) {
		fprintf(stderr, "bench_hq_dash: %s\n", err);
		return 1;
	}
	/* A year that ends today: refilled when the file is missing or from another day. */
	struct hq_db_stmt *st;
	int have = 0;
	if (hq_db_prepare(hq_store_sql(db), "SELECT max(slot) FROM rating_counts", &st, err, sizeof(err)) == HQ_DB_DONE) {
		if (hq_db_step(st) == HQ_DB_ROW)
			have = hq_db_column_int64(st, 0) * SLOT_MS > wall_ms() - 20 * 3600000LL;
		hq_db_finalize(st);
	}
	if (!have) {
		hq_store_close(db);
		unlink(path);
		char side[600];
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
		if (hq_store_open(&db, path, err, sizeof(err)) || fill(db, path)) {
			fprintf(stderr, "bench_hq_dash: %s\n", err);
			return 1;
		}
	} else {
		printf("chain: reusing %s\n", path);
	}
	/* An admin token, and a region user (Region 1: 10 stores, 20 kiosks) with a session. */
	char token[HQ_TOKEN_LEN + 1], auth[HQ_TOKEN_LEN + 16], cookie[HQ_SESSION_ID_LEN + 32];
	uint8_t hash[HQ_HASH_LEN];
	struct hq_user u = { .role = HQ_ROLE_REGION, .nscopes = 1 };
	snprintf(u.name, sizeof(u.name), "bench-region");
	snprintf(u.scopes[0], sizeof(u.scopes[0]), "Region 1");
	hq_users_del(db, u.name, err, sizeof(err));
	struct hq_session_options so = { .hours = 12, .idle_minutes = 60 };
	char sid[HQ_SESSION_ID_LEN + 1], csrf[HQ_SESSION_ID_LEN + 1];
	if (hq_token_new(token, err, sizeof(err)) || hq_token_hash(token, strlen(token), hash) ||
	    hq_store_admin_add(db, hash, err, sizeof(err)) || hq_users_add(db, &u, "bench-password", err, sizeof(err)) ||
	    hq_session_create(db, &so, u.name, wall_ms(), sid, csrf, err, sizeof(err))) {
		fprintf(stderr, "bench_hq_dash: %s\n", err);
		return 1;
	}
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	snprintf(cookie, sizeof(cookie), "tally_session=%s", sid);
	printf("each request %d times through hq_api_handle (authentication, figures, JSON), 1 thread:\n", runs);
	const char *ov_today[] = { "period=today", NULL }, *ov_7d[] = { "period=7d", NULL },
			  *ov_30d[] = { "period=30d", NULL }, *ov_year[] = { "from=2000-01-01", "to=2000-12-31", NULL },
			  *st_today[] = { "store=Store 06", "period=today", NULL },
			  *st_7d[] = { "store=Store 06", "period=7d", NULL },
			  *st_30d[] = { "store=Store 06", "period=30d", NULL }, *fleet[] = { NULL },
			  *ov_csv[] = { "period=30d", "format=csv", NULL };
	/* The last 365 days as an explicit range (the longest a request may ask). */
	char from[16], to[16], a_from[24], a_to[24], s_from[24], s_to[24];
	int64_t today = hq_dash_local_day(hq_dash_zone("Europe/Berlin"), wall_ms(), NULL);
	hq_dash_day_text(today - 182, from, sizeof(from));
	hq_dash_day_text(today, to, sizeof(to));
	snprintf(a_from, sizeof(a_from), "from=%s", from);
	snprintf(a_to, sizeof(a_to), "to=%s", to);
	ov_year[0] = a_from;
	ov_year[1] = a_to;
	snprintf(s_from, sizeof(s_from), "from=%s", from);
	snprintf(s_to, sizeof(s_to), "to=%s", to);
	const char *st_half[] = { "store=Store 06", NULL, NULL, NULL };
	st_half[1] = s_from;
	st_half[2] = s_to;
	for (int w = 0; w < 2; w++) {
		const char *who = w ? "region" : "admin", *a = w ? NULL : auth, *c = w ? cookie : NULL;
		measure(db, who, a, c, "/api/v1/overview", ov_today, "overview period=today", runs);
		measure(db, who, a, c, "/api/v1/overview", ov_7d, "overview period=7d", runs);
		measure(db, who, a, c, "/api/v1/overview", ov_30d, "overview period=30d", runs);
		measure(db, who, a, c, "/api/v1/overview", ov_year, "overview 183 days", runs);
		measure(db, who, a, c, "/api/v1/overview", ov_csv, "overview period=30d format=csv", runs);
		measure(db, who, a, c, "/api/v1/store", st_today, "store (2 kiosks) period=today", runs);
		measure(db, who, a, c, "/api/v1/store", st_7d, "store (2 kiosks) period=7d", runs);
		measure(db, who, a, c, "/api/v1/store", st_30d, "store (2 kiosks) period=30d", runs);
		measure(db, who, a, c, "/api/v1/store", st_half, "store (2 kiosks) 183 days", runs);
		measure(db, who, a, c, "/api/v1/fleet", fleet, "fleet", runs);
	}
	hq_store_close(db);
	return 0;
}
