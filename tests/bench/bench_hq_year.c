/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_hq_year: head office's reads on a year of a chain.
 *
 * 1. A year for a chain (default 100 kiosks x 365 days x 500 ratings, about
 *    18 million): 25 stores of 4 kiosks (areas), 5 regions, a zone per
 *    region (two with DST on other dates, one southern), faces weighted
 *    like a chain doing fairly well, 3 % misuse, 1 % corrected times,
 *    0.2 % unknown times. Written through hq_store_ingest itself, one
 *    batch per kiosk and day, many batches per commit: the rows and the
 *    aggregates (rating_counts) are exactly what ingest keeps. Cached as
 *    $TMPDIR/tally-bench-hq-year-KxD-sN.db (N the schema version), built
 *    under a temporary name and renamed when complete, so an interrupted
 *    run is never taken for a year.
 * 2. Starts the release tally-hq on it (loopback, free port) and asks
 *    GET /api/v1/summary?day=D (the figures of one kiosk, its store with
 *    every area, and the whole chain for that day) as a random kiosk for a
 *    random day of the year, each on a fresh connection, one at a time:
 *    p50, p95, p99, max. Goal: p95 <= 50 ms.
 * 3. Where this build has the dashboard's data (issue 11), the same for
 *    GET /api/v1/overview (the chain, regions and stores) over 30 days,
 *    183 days and the whole year, and GET /api/v1/store?store=S (one
 *    store) over 30 days, each range ending on a random day, with an admin
 *    token. Goal: p95 <= 100 ms.
 * Each line also gives tally-hq's own CPU time per request (from
 * /proc/PID/stat), which a busy machine's load does not blur.
 *
 * Kiosk tokens are derived from the kiosk's number (bench only), so the
 * cached file needs nothing else kept beside it.
 *
 * On PostgreSQL (--db URI) the year is loaded by tests/bench/bench_hq_pg.sh
 * (COPY from this SQLite year) and only measured here.
 *
 *   bench_hq_year [--hq PATH] [--db PATH|URI] [--kiosks N] [--per-day N] [--requests N]
 *   bench_hq_year --print-schema      (the schema version, for the cache's name)
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "hq_db.h"
#include "hq_scope.h"
#include "hq_store.h"
#include "hq_token.h"
#include "protocol.h"
#include "tzday.h"

#define STORE_KIOSKS 4
#define REGIONS 5
#define YEAR_DAYS 365
#define GROUP 40 /* batches per commit while generating */

static const char *region_name[REGIONS] = { "North", "South", "East", "West", "Overseas" };
static const char *region_tz[REGIONS] = { "Europe/Berlin", "Europe/Lisbon", "Europe/Helsinki", "America/New_York",
					  "Australia/Sydney" };
static const char *area_name[STORE_KIOSKS] = { "Counter", "Pickup", "Warehouse", "Returns" };
static const struct tzdate first_day = { 2025, 1, 1 };

static int n_kiosks = 100, per_day = 500, n_requests = 400;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Kiosk i's token: 64 hex digits from its number (a bench needs no secret). */
static void kiosk_token(int i, char out[HQ_TOKEN_LEN + 1])
{
	snprintf(out, HQ_TOKEN_LEN + 1, "%056d%08x", 0, (unsigned)(i + 1) * 2654435761u);
}

/* The admin token the dashboard's reads are asked with. */
static void admin_token(char out[HQ_TOKEN_LEN + 1])
{
	snprintf(out, HQ_TOKEN_LEN + 1, "%064x", 0xad417u);
}

/* Registers admin_token() in db unless it is there. 0 or -1 with err. */
static int admin_ensure(const char *db, char *err, size_t errlen)
{
	struct hq_store *s;
	char token[HQ_TOKEN_LEN + 1];
	uint8_t hash[HQ_HASH_LEN];
	admin_token(token);
	if (hq_token_hash(token, strlen(token), hash) || hq_store_open(&s, db, err, errlen))
		return -1;
	int rc = hq_store_admin_check(s, hash) == 1 ? 0 : hq_store_admin_add(s, hash, err, errlen);
	hq_store_close(s);
	return rc;
}

static void kiosk_of(int i, struct hq_kiosk *k)
{
	memset(k, 0, sizeof(*k));
	int store = i / STORE_KIOSKS;
	snprintf(k->id, sizeof(k->id), "year-%03d", i);
	snprintf(k->store, sizeof(k->store), "Store %02d", store);
	snprintf(k->area, sizeof(k->area), "%s", area_name[i % STORE_KIOSKS]);
	snprintf(k->tz, sizeof(k->tz), "%s", region_tz[store % REGIONS]);
}

/* One kiosk's day: per_day ratings from 08:00 local over 12 hours, seq continuing from *seq. */
static int make_day(int i, int d, int64_t *seq, struct protocol_batch *b, char *err, size_t errlen)
{
	struct hq_kiosk k;
	kiosk_of(i, &k);
	int64_t open_ms;
	if (tzday_local_to_ms(k.tz, tzday_add_days(first_day, d), 8, 0, 0, &open_ms, err, errlen))
		return -1;
	/* Weights of the faces, worst first; each store a little different. */
	static const int weight[4] = { 8, 9, 27, 56 };
	int shift = i / STORE_KIOSKS % 7;
	int64_t t = open_ms, step = 12LL * 3600 * 1000 / per_day;
	for (int j = 0; j < per_day; j++) {
		struct protocol_rating *p = &b->ratings[j];
		memset(p, 0, sizeof(*p));
		t += 1 + (int64_t)(next_rand() % (uint32_t)(2 * step));
		int r = (int)(next_rand() % (uint32_t)(100 + shift)), v = 0;
		for (int acc = weight[0] + shift; r >= acc && v < 3; acc += weight[++v])
			;
		uint32_t x = next_rand() % 1000;
		p->r.seq = ++*seq;
		p->r.value = v;
		p->r.scale = 4;
		p->r.source = j % 5 ? SOURCE_BUTTON : SOURCE_TOUCH;
		p->r.boot_ms = 60000 + (t - open_ms);
		snprintf(p->r.boot_id, sizeof(p->r.boot_id), "00000000-0000-4000-8000-%012d", i * 1000 + d % 1000);
		p->r.flags = x < 30 ? RATING_MISUSE : 0;
		p->r.clock_synced = x >= 42;
		p->r.wall_ms = p->r.clock_synced ? t : t - 3600000;
		if (x >= 30 && x < 40) { /* an unsynced clock the kiosk corrected later */
			p->has_corrected = 1;
			p->corrected_ms = t;
		}
		/* 40..41: unsynced and never corrected: an unknown time (counted in the day, not its hours) */
	}
	b->n = (size_t)per_day;
	snprintf(b->kiosk_id, sizeof(b->kiosk_id), "%s", k.id);
	snprintf(b->install_id, sizeof(b->install_id), "year-install-%03d", i);
	return 0;
}

/* Builds the year at path (a fresh file). 0 or -1 with err. */
static int generate(const char *path, char *err, size_t errlen)
{
	struct hq_store *s;
	if (hq_store_open(&s, path, err, errlen))
		return -1;
	/* A bench file: a crash means building it again, not lost ratings. */
	if (hq_db_exec(hq_store_sql(s), "PRAGMA synchronous=OFF", err, errlen) != HQ_DB_DONE)
		goto fail;
	struct hq_kiosk *ks = calloc((size_t)n_kiosks, sizeof(*ks));
	int64_t *seq = calloc((size_t)n_kiosks, sizeof(*seq));
	struct protocol_batch b = { .ratings = calloc((size_t)per_day, sizeof(*b.ratings)) };
	if (!ks || !seq || !b.ratings) {
		snprintf(err, errlen, "out of memory");
		free(ks);
		free(seq);
		free(b.ratings);
		goto fail;
	}
	int rc = -1, in_group = 0;
	for (int i = 0; i < n_kiosks; i++) {
		char token[HQ_TOKEN_LEN + 1];
		uint8_t hash[HQ_HASH_LEN];
		kiosk_of(i, &ks[i]);
		kiosk_token(i, token);
		if (hq_token_hash(token, strlen(token), hash) || hq_store_kiosk_add(s, &ks[i], hash, err, errlen))
			goto out;
		if (i % STORE_KIOSKS == 0 &&
		    hq_scope_set_region(s, ks[i].store, region_name[i / STORE_KIOSKS % REGIONS], err, errlen) < 0)
			goto out;
	}
	double t0 = now_s();
	long batches = 0;
	for (int d = 0; d < YEAR_DAYS; d++) {
		for (int i = 0; i < n_kiosks; i++) {
			if (!in_group && hq_store_group_begin(s, err, errlen))
				goto out;
			in_group = 1;
			if (make_day(i, d, &seq[i], &b, err, errlen))
				goto out;
			struct protocol_ack ack;
			int64_t received = 0;
			if (tzday_local_to_ms(ks[i].tz, tzday_add_days(first_day, d), 21, 0, 0, &received, err, errlen) ||
			    hq_store_ingest(s, &ks[i], &b, received, &ack, err, errlen) ||
			    ack.accepted != (int64_t)per_day)
				goto out;
			if (++batches % GROUP == 0) {
				in_group = 0;
				if (hq_store_group_commit(s, err, errlen))
					goto out;
			}
		}
		if (d % 30 == 29)
			fprintf(stderr, "bench_hq_year: %d days written (%.0f ratings/s)\n", d + 1,
				(double)batches * per_day / (now_s() - t0));
	}
	if (in_group && hq_store_group_commit(s, err, errlen))
		goto out;
	in_group = 0;
	rc = 0;
	printf("hq year: generated %ld ratings in %.1f s through hq_store_ingest\n", batches * per_day, now_s() - t0);
out:
	if (in_group)
		hq_store_group_commit(s, err, errlen);
	free(ks);
	free(seq);
	free(b.ratings);
	hq_store_close(s);
	return rc;
fail:
	hq_store_close(s);
	return -1;
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	return n ? v[(size_t)(p * (double)(n - 1) + 0.5)] : 0;
}

/* The 1-minute load average: on a shared machine it says how much of the CPU the run had. */
static const char *loadavg(void)
{
	static char buf[64];
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		snprintf(buf, sizeof(buf), "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, " ")] = '\0';
	return buf;
}

/* Process pid's CPU time (user and system) so far, in ms; 0 when unreadable. */
static double cpu_ms(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	size_t len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[len] = '\0';
	/* Fields after the command's closing parenthesis: state is the 3rd, utime the 14th, stime the 15th. */
	const char *p = strrchr(buf, ')');
	unsigned long long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* Starts hq on db; fills base ("http://addr:port"). The pid, or -1. */
static pid_t start_hq(const char *hq, const char *db, char *base, size_t baselen)
{
	int out[2];
	if (pipe(out))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl(hq, hq, "--db", db, "--listen", "127.0.0.1:0", (char *)NULL);
		perror(hq);
		_exit(127);
	}
	close(out[1]);
	FILE *f = fdopen(out[0], "r");
	char line[256] = "";
	if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "listening on ", 13)) {
		if (f)
			fclose(f);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	snprintf(base, baselen, "http://%s", line + 13);
	return pid;
}

/* GET url with a bearer token on a fresh connection: ms, or -1 (status in *status). */
static double timed_get(const char *url, const char *auth, long *status)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	double t0 = now_s();
	*status = 0;
	int ok = curl_easy_perform(c) == CURLE_OK && (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status), *status == 200);
	double ms = (now_s() - t0) * 1000;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return ok ? ms : -1;
}

int main(int argc, char **argv)
{
	const char *hq = "build/tally-hq", *db_arg = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hq") && i + 1 < argc)
			hq = argv[++i];
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db_arg = argv[++i];
		else if (!strcmp(argv[i], "--kiosks") && i + 1 < argc)
			n_kiosks = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--per-day") && i + 1 < argc)
			per_day = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--requests") && i + 1 < argc)
			n_requests = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--print-schema")) {
			printf("%d\n", hq_store_schema_latest());
			return 0;
		} else {
			fprintf(stderr, "usage: bench_hq_year [--hq PATH] [--db PATH] [--kiosks N] [--per-day N] [--requests N]\n");
			return 2;
		}
	}
	if (n_kiosks < STORE_KIOSKS || n_kiosks % STORE_KIOSKS || per_day < 1 || per_day > PROTOCOL_MAX_BATCH ||
	    n_requests < 1) {
		fprintf(stderr, "bench_hq_year: kiosks a multiple of %d, per-day 1..%d, requests >= 1\n", STORE_KIOSKS,
			PROTOCOL_MAX_BATCH);
		return 2;
	}
	char db[512], tmp[560], err[512];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (db_arg)
		snprintf(db, sizeof(db), "%s", db_arg);
	else
		snprintf(db, sizeof(db), "%s/tally-bench-hq-year-%dx%d-s%d.db", dir, n_kiosks, per_day,
			 hq_store_schema_latest());
	struct stat sb;
	int pg = hq_db_engine_of(db) == HQ_DB_PG;
	if (pg) {
		printf("hq year: PostgreSQL (loaded by bench_hq_pg.sh)\n");
	} else if (stat(db, &sb) == 0) {
		printf("hq year: %s (cached, %.1f GB)\n", db, (double)sb.st_size / 1e9);
	} else {
		snprintf(tmp, sizeof(tmp), "%s.part", db);
		unlink(tmp);
		if (generate(tmp, err, sizeof(err))) {
			fprintf(stderr, "bench_hq_year: generating %s: %s\n", tmp, err);
			return 1;
		}
		if (rename(tmp, db)) {
			perror(db);
			return 1;
		}
		stat(db, &sb);
		printf("hq year: %s (%.1f GB)\n", db, (double)sb.st_size / 1e9);
	}

	if (admin_ensure(db, err, sizeof(err))) {
		fprintf(stderr, "bench_hq_year: %s\n", err);
		return 1;
	}
	char base[300];
	pid_t pid = start_hq(hq, db, base, sizeof(base));
	if (pid < 0) {
		fprintf(stderr, "bench_hq_year: %s did not start on %s\n", hq, db);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	double *ms = calloc((size_t)n_requests, sizeof(*ms));
	if (!ms) {
		fprintf(stderr, "bench_hq_year: out of memory\n");
		exit(1);
	}
	printf("hq year: %d kiosks, %d stores, %d regions, %d days, %d ratings a kiosk a day\n", n_kiosks,
	       n_kiosks / STORE_KIOSKS, REGIONS, YEAR_DAYS, per_day);
	int failures = 0;
	/* What is asked, and over how many days (the dashboard's range ends on a random day of the year). */
	static const struct {
		const char *what;
		int api, days; /* api 0 summary, 1 overview, 2 store */
	} kinds[] = {
		{ "/api/v1/summary (a kiosk, its store and areas, the chain) for a random kiosk and day", 0, 1 },
		{ "/api/v1/overview (the chain, its regions and stores) for 30 days to a random day", 1, 30 },
		{ "/api/v1/overview for 183 days to a random day", 1, 183 },
		{ "/api/v1/overview for the whole year (365 days)", 1, 365 },
		{ "/api/v1/store (one store: areas, kiosks, heat map, trend) for 30 days to a random day", 2, 30 },
	};
	for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]); ki++) {
		int kind = kinds[ki].api, span = kinds[ki].days;
		size_t n = 0;
		int failed = 0;
		double cpu0 = cpu_ms(pid);
		for (int r = 0; r < n_requests; r++) {
			int i = (int)(next_rand() % (uint32_t)n_kiosks);
			int d = span - 1 + (int)(next_rand() % (uint32_t)(YEAR_DAYS - span + 1));
			char token[HQ_TOKEN_LEN + 1], auth[128], url[512];
			struct tzdate day = tzday_add_days(first_day, d), from = tzday_add_days(first_day, d - (span - 1));
			struct hq_kiosk k;
			kiosk_of(i, &k);
			if (kind == 0)
				kiosk_token(i, token);
			else
				admin_token(token);
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
			if (kind == 0)
				snprintf(url, sizeof(url), "%s/api/v1/summary?day=%04d-%02d-%02d", base, day.year, day.month,
					 day.day);
			else
				snprintf(url, sizeof(url), "%s/api/v1/%s?from=%04d-%02d-%02d&to=%04d-%02d-%02d%s%.2s", base,
					 kind == 1 ? "overview" : "store", from.year, from.month, from.day, day.year, day.month,
					 day.day, kind == 2 ? "&store=Store%20" : "", kind == 2 ? k.store + 6 : "");
			long status;
			double t = timed_get(url, auth, &status);
			if (t < 0 && status == 404 && kind > 0 && r == 0) {
				printf("hq year: /api/v1/%s: not in this build (the dashboard's data, issue 11)\n",
				       kind == 1 ? "overview" : "store");
				break;
			}
			if (t < 0) {
				if (!failed++)
					fprintf(stderr, "bench_hq_year: %s answered %ld\n", url, status);
			} else {
				ms[n++] = t;
			}
		}
		failures += failed;
		if (!n && !failed)
			continue;
		/* tally-hq's own CPU per request: what the load average cannot blur (the database server's not counted). */
		double cpu = (cpu_ms(pid) - cpu0) / (double)(n + (size_t)failed);
		qsort(ms, n, sizeof(*ms), cmp_double);
		printf("hq year: %s, %s: p50 %.1f ms, p95 %.1f ms (goal <= %d), p99 %.1f ms, max %.1f ms, %zu answered,"
		       " %d failed; tally-hq CPU %.2f ms a request (load average: %s)\n", kinds[ki].what,
		       pg ? "PostgreSQL" : "SQLite", pct(ms, n, 0.5), pct(ms, n, 0.95), kind ? 100 : 50, pct(ms, n, 0.99),
		       pct(ms, n, 1.0), n, failed, cpu, loadavg());
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	free(ms);
	curl_global_cleanup();
	return failures ? 1 : 0;
}
