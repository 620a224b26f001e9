/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_hq_ingest: head-office ingest under 100 concurrent kiosks, and
 * reads while they post.
 *
 * 1. The storage's own limit, measured first in the same run: plain
 *    SQLite inserts into head office's ratings table (WAL,
 *    synchronous=FULL, 500-row transactions, one prepared statement), no
 *    HTTP, no JSON. This is what one transaction per batch could reach.
 * 2. Registers the kiosks in a fresh database, starts the real tally-hq
 *    (release build) on a free loopback port, and lets one thread per
 *    kiosk POST full batches (protocol.h's encoding, keep-alive, like
 *    tally-sync) as fast as head office answers. Ratings stored per second
 *    of wall time, every ack checked, and the server's CPU time per rating.
 * 3. Meanwhile one reader asks GET /healthz and GET /api/v1/summary (a
 *    kiosk's day, the day being written) in turn, each on its own
 *    connection, 20 pairs a second, and keeps every latency: p50, p99, max.
 *
 * Goals: >= 150,000 ratings/s on 2 cores; /healthz p99 <= 50 ms and
 * summary p99 <= 100 ms while the kiosks post.
 *
 * On PostgreSQL (--db URI, a fresh migrated database; tests/bench/bench_hq_pg.sh
 * makes one): --replicas N tally-hq processes on that one database, kiosk i
 * posting to replica i % N (goal with 2: >= 50,000 ratings/s). The
 * server's own limit, measured first in the same run, is what two clients'
 * COPY in 50,000-row transactions put into the same table of --limit-db
 * URI2 (same schema, same indexes). Beside each: the server's CPU time per
 * rating (all its processes, read from /proc when the server is local), a
 * figure that holds on a busy machine where ratings/s do not.
 *
 *   bench_hq_ingest [--kiosks N] [--batches N] [--batch N] [--gzip] [--hq PATH]
 *                   [--db PATH|URI] [--limit-db URI] [--replicas N]
 */
#include <curl/curl.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hq_db.h"
#include "hq_store.h"
#include "hq_token.h"
#include "protocol.h"

struct kiosk {
	char id[32];
	char auth[128];
	const char *url; /* the replica it posts to */
	char **bodies;
	size_t *lens;
	int failures;
	pthread_t thread;
};

static int n_kiosks = 100, n_batches = 10, batch_size = 500, use_gzip = 0, n_replicas = 1;
#define MAX_REPLICAS 8
static char url[MAX_REPLICAS][320], base[300];
static pthread_barrier_t go;
static volatile int posting = 1; /* the kiosks are still posting */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static char *gz(const char *in, size_t len, size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	size_t cap = deflateBound(&zs, len);
	char *out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

static void *run_kiosk(void *arg)
{
	struct kiosk *k = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, k->auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	if (use_gzip)
		h = curl_slist_append(h, "Content-Encoding: gzip");
	curl_easy_setopt(c, CURLOPT_URL, k->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	pthread_barrier_wait(&go);
	for (int b = 0; b < n_batches; b++) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, k->bodies[b]);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)k->lens[b]);
		long status = 0;
		if (curl_easy_perform(c) != CURLE_OK || (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status != 200))
			k->failures++;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

/* Latencies of one kind of request, in ms. */
struct lat {
	double *ms;
	size_t n, cap;
	int failures;
};

static void lat_add(struct lat *l, double ms)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->ms = realloc(l->ms, l->cap * sizeof(*l->ms));
	}
	l->ms[l->n++] = ms;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double lat_pct(struct lat *l, double p)
{
	if (!l->n)
		return 0;
	qsort(l->ms, l->n, sizeof(*l->ms), cmp_double);
	size_t i = (size_t)(p * (double)(l->n - 1) + 0.5);
	return l->ms[i];
}

struct reader {
	char auth[128];
	char day[16];
	struct lat healthz, summary;
	pthread_t thread;
};

/* One request on a fresh connection (as a browser or a monitoring probe would). Latency in ms, -1 on failure. */
static double timed_get(const char *u, struct curl_slist *h)
{
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (h)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	double t0 = now_s();
	long status = 0;
	int ok = curl_easy_perform(c) == CURLE_OK &&
		 (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status == 200);
	double ms = (now_s() - t0) * 1000;
	curl_easy_cleanup(c);
	return ok ? ms : -1;
}

static void *run_reader(void *arg)
{
	struct reader *r = arg;
	char hu[400], su[400];
	snprintf(hu, sizeof(hu), "%s/healthz", base);
	snprintf(su, sizeof(su), "%s/api/v1/summary?day=%s", base, r->day);
	struct curl_slist *h = curl_slist_append(NULL, r->auth);
	pthread_barrier_wait(&go);
	while (posting) {
		double ms = timed_get(hu, NULL);
		if (ms < 0)
			r->healthz.failures++;
		else
			lat_add(&r->healthz, ms);
		if (!posting)
			break;
		ms = timed_get(su, h);
		if (ms < 0)
			r->summary.failures++;
		else
			lat_add(&r->summary, ms);
		/* 20 pairs a second: a busy dashboard and the kiosks' summary pulls, not a second flood. */
		struct timespec pause = { 0, 50 * 1000000 };
		nanosleep(&pause, NULL);
	}
	curl_slist_free_all(h);
	return NULL;
}

/*
 * The storage's own limit: n plain inserts into a fresh copy of head
 * office's schema, 500 rows a transaction, WAL and synchronous=FULL as
 * head office runs. Rows per second, or -1.
 */
static double storage_limit(const char *dir, int n)
{
	char path[400], err[256];
	snprintf(path, sizeof(path), "%s/limit.db", dir);
	struct hq_store *s;
	if (hq_store_open(&s, path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	hq_store_close(s);
	sqlite3 *db;
	sqlite3_stmt *st;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO ratings (kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id,"
				   " clock_synced, corrected_ms, flags, best_ms, time_known, received_ms, install)"
				   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "storage limit: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	double t0 = now_s();
	int ok = 1;
	for (int i = 0; i < n && ok; i++) {
		if (i % 500 == 0)
			ok = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
		char id[32];
		int64_t seq = i / 100 + 1, t = 1711875600000 + seq * 20000;
		snprintf(id, sizeof(id), "bench-%03d", i % 100);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, seq);
		sqlite3_bind_int(st, 3, (int)(seq * 7 % 4));
		sqlite3_bind_int(st, 4, 4);
		sqlite3_bind_text(st, 5, "button", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, t);
		sqlite3_bind_int64(st, 7, 100000 + seq * 20000);
		sqlite3_bind_text(st, 8, "5f0c2a5e-1d7b-4b5e-9a51-0c6d1e2f3a4b", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 9, 1);
		sqlite3_bind_null(st, 10);
		sqlite3_bind_int(st, 11, 0);
		sqlite3_bind_int64(st, 12, t);
		sqlite3_bind_int(st, 13, 1);
		sqlite3_bind_int64(st, 14, 1711875600000);
		sqlite3_bind_int64(st, 15, 1); /* one kiosk store per kiosk: the same unique key as head office's */
		ok = ok && sqlite3_step(st) == SQLITE_DONE;
		sqlite3_reset(st);
		if (ok && (i % 500 == 499 || i == n - 1))
			ok = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	}
	double secs = now_s() - t0;
	if (!ok)
		fprintf(stderr, "storage limit: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok ? (double)n / secs : -1;
}

/*
 * The database server's own limit (PostgreSQL), measured fairly: what it
 * takes into head office's ratings table (the same schema, every index)
 * when nothing but storing happens. LIMIT_CLIENTS connections at once
 * (as many as the ingest has replicas), each COPYing its kiosks' rows in
 * LIMIT_TX-row transactions, fsync and synchronous_commit as the server
 * is configured. Rows per second, or -1; *cpu_us: the server's CPU time
 * per row (server_cpu), 0 where it cannot be read.
 */
#define LIMIT_TX 50000
#define LIMIT_CLIENTS 2

struct copier {
	const char *target;
	int first, n; /* rows [first, first + n) */
	int ok;
	char err[256];
	pthread_t thread;
};

static void *copy_rows(void *arg)
{
	struct copier *c = arg;
	PGconn *conn = PQconnectdb(c->target);
	size_t cap = 256 * (size_t)LIMIT_TX;
	char *buf = malloc(cap);
	c->ok = conn && PQstatus(conn) == CONNECTION_OK && buf;
	for (int at = 0; c->ok && at < c->n; at += LIMIT_TX) {
		int m = c->n - at < LIMIT_TX ? c->n - at : LIMIT_TX;
		size_t len = 0;
		for (int r = 0; r < m; r++) {
			int64_t k = c->first + at + r, seq = k / 100 + 1, t = 1711875600000 + seq * 20000;
			len += (size_t)snprintf(buf + len, cap - len,
						"bench-%03d\t%lld\t%lld\t4\tbutton\t%lld\t%lld\t5f0c2a5e-1d7b-4b5e-9a51-0c6d1e2f3a4b"
						"\t1\t\\N\t0\t%lld\t1\t1711875600000\t1\n", (int)(k % 100), (long long)seq,
						(long long)(seq * 7 % 4), (long long)t, (long long)(100000 + seq * 20000),
						(long long)t);
		}
		PGresult *res = PQexec(conn, "BEGIN");
		c->ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
		res = c->ok ? PQexec(conn, "COPY ratings (kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id,"
				     " clock_synced, corrected_ms, flags, best_ms, time_known, received_ms, install)"
				     " FROM STDIN") : NULL;
		c->ok = c->ok && PQresultStatus(res) == PGRES_COPY_IN;
		PQclear(res);
		c->ok = c->ok && PQputCopyData(conn, buf, (int)len) == 1 && PQputCopyEnd(conn, NULL) == 1;
		while (c->ok && (res = PQgetResult(conn))) {
			c->ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
		}
		res = c->ok ? PQexec(conn, "COMMIT") : NULL;
		c->ok = c->ok && PQresultStatus(res) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(res), "COMMIT");
		PQclear(res);
	}
	if (!c->ok)
		snprintf(c->err, sizeof(c->err), "%s", conn ? PQerrorMessage(conn) : "out of memory");
	free(buf);
	PQfinish(conn);
	return NULL;
}

/* The fields of /proc/<pid>/stat after the command name (state first), read into buf; NULL if unreadable. */
static const char *stat_fields(const char *pid, char *buf, size_t len)
{
	char path[300];
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	return p && p[1] ? p + 2 : NULL;
}

/* The PostgreSQL server's process (its postmaster), found through a connection to target; 0 if not local. */
static pid_t server_pid(const char *target)
{
	PGconn *conn = PQconnectdb(target);
	pid_t pm = 0;
	if (conn && PQstatus(conn) == CONNECTION_OK) {
		char pid[32], buf[512];
		snprintf(pid, sizeof(pid), "%d", PQbackendPID(conn));
		const char *p = stat_fields(pid, buf, sizeof(buf));
		int ppid = 0;
		if (p && sscanf(p, "%*c %d", &ppid) == 1)
			pm = (pid_t)ppid;
	}
	PQfinish(conn);
	return pm;
}

/*
 * CPU seconds of the whole server: its postmaster, the children it reaped
 * (backends that ended), and every child running now (backends, WAL
 * writer, checkpointer). 0 when pm is 0.
 */
static double server_cpu(pid_t pm)
{
	if (!pm)
		return 0;
	double sum = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char buf[1024];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		const char *p = stat_fields(e->d_name, buf, sizeof(buf));
		int ppid = 0;
		unsigned long ut = 0, st = 0;
		long cut = 0, cst = 0;
		if (!p || sscanf(p, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld", &ppid, &ut, &st, &cut,
				 &cst) != 5)
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid == pm)
			sum += (double)(ut + st) + (double)(cut + cst);
		else if (ppid == pm)
			sum += (double)(ut + st);
	}
	if (d)
		closedir(d);
	return sum / (double)sysconf(_SC_CLK_TCK);
}

static double db_limit(const char *target, int n, double *cpu_us)
{
	struct copier c[LIMIT_CLIENTS];
	pid_t pm = server_pid(target);
	double cpu0 = server_cpu(pm), t0 = now_s();
	for (int i = 0; i < LIMIT_CLIENTS; i++) {
		c[i] = (struct copier){ .target = target, .first = i * (n / LIMIT_CLIENTS), .n = n / LIMIT_CLIENTS };
		pthread_create(&c[i].thread, NULL, copy_rows, &c[i]);
	}
	int ok = 1;
	for (int i = 0; i < LIMIT_CLIENTS; i++) {
		pthread_join(c[i].thread, NULL);
		if (!c[i].ok) {
			fprintf(stderr, "db limit: %s\n", c[i].err);
			ok = 0;
		}
	}
	double secs = now_s() - t0;
	int rows = n / LIMIT_CLIENTS * LIMIT_CLIENTS;
	*cpu_us = pm ? (server_cpu(pm) - cpu0) * 1e6 / rows : 0;
	return ok ? (double)rows / secs : -1;
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

/* CPU seconds (user + system) used so far by process pid. */
static double cpu_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

int main(int argc, char **argv)
{
	const char *hq = "build/tally-hq", *target = NULL, *limit_target = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kiosks") && i + 1 < argc)
			n_kiosks = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--batches") && i + 1 < argc)
			n_batches = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch_size = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--hq") && i + 1 < argc)
			hq = argv[++i];
		else if (!strcmp(argv[i], "--gzip"))
			use_gzip = 1;
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			target = argv[++i];
		else if (!strcmp(argv[i], "--limit-db") && i + 1 < argc)
			limit_target = argv[++i];
		else if (!strcmp(argv[i], "--replicas") && i + 1 < argc)
			n_replicas = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench_hq_ingest [--kiosks N] [--batches N] [--batch N] [--gzip] [--hq PATH]\n"
					"                       [--db PATH|URI] [--limit-db URI] [--replicas N]\n");
			return 2;
		}
	}
	int pg = target && hq_db_engine_of(target) == HQ_DB_PG;
	if (n_kiosks < 1 || n_batches < 1 || batch_size < 1 || batch_size > PROTOCOL_MAX_BATCH || n_replicas < 1 ||
	    n_replicas > MAX_REPLICAS || (pg && !limit_target)) {
		fprintf(stderr, "bench_hq_ingest: bad sizes\n");
		return 2;
	}
	char dir[256], db[300], err[512];
	snprintf(dir, sizeof(dir), "%s/tally-bench-hq-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (target)
		snprintf(db, sizeof(db), "%s", target);
	else
		snprintf(db, sizeof(db), "%s/hq.db", dir);
	double limit_cpu_us = 0;
	double limit = pg ? db_limit(limit_target, 500000, &limit_cpu_us) : storage_limit(dir, 100000);
	if (limit < 0)
		return 1;

	/* Kiosks and their batches, all prepared before the clock starts. */
	struct hq_store *s;
	if (hq_store_open(&s, db, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct kiosk *ks = calloc((size_t)n_kiosks, sizeof(*ks));
	struct protocol_rating *r = calloc((size_t)batch_size, sizeof(*r));
	if (!ks || !r) {
		fprintf(stderr, "bench_hq_ingest: out of memory\n");
		exit(1); /* exit, not return: the end of the program, not a leak (scan-build) */
	}
	size_t wire = 0;
	for (int i = 0; i < n_kiosks; i++) {
		struct kiosk *k = &ks[i];
		struct hq_kiosk hk = { .acked_through = 0 };
		char token[HQ_TOKEN_LEN + 1];
		uint8_t hash[HQ_HASH_LEN];
		snprintf(k->id, sizeof(k->id), "bench-%03d", i);
		snprintf(hk.id, sizeof(hk.id), "%s", k->id);
		snprintf(hk.store, sizeof(hk.store), "Store %d", i / 4);
		snprintf(hk.area, sizeof(hk.area), "Area %d", i % 4);
		snprintf(hk.tz, sizeof(hk.tz), "Europe/Berlin");
		if (hq_token_new(token, err, sizeof(err)) || hq_token_hash(token, strlen(token), hash) ||
		    hq_store_kiosk_add(s, &hk, hash, err, sizeof(err))) {
			fprintf(stderr, "kiosk: %s\n", err);
			exit(1);
		}
		snprintf(k->auth, sizeof(k->auth), "Authorization: Bearer %s", token);
		k->bodies = calloc((size_t)n_batches, sizeof(char *));
		k->lens = calloc((size_t)n_batches, sizeof(size_t));
		if (!k->bodies || !k->lens) {
			fprintf(stderr, "bench_hq_ingest: out of memory\n");
			exit(1);
		}
		for (int b = 0; b < n_batches; b++) {
			for (int j = 0; j < batch_size; j++) {
				int64_t seq = (int64_t)b * batch_size + j + 1;
				r[j] = (struct protocol_rating){ .r = { .seq = seq, .value = (int)(seq * 7 % 4), .scale = 4,
									.source = SOURCE_BUTTON, .wall_ms = 1711875600000 + seq * 20000,
									.boot_ms = 100000 + seq * 20000, .clock_synced = 1,
									.flags = seq % 17 == 0 ? RATING_MISUSE : 0 } };
				snprintf(r[j].r.boot_id, sizeof(r[j].r.boot_id), "5f0c2a5e-1d7b-4b5e-9a51-0c6d1e2f3a4b");
			}
			if (protocol_encode_batch(k->id, r, (size_t)batch_size, &k->bodies[b], &k->lens[b], err, sizeof(err))) {
				fprintf(stderr, "encode: %s\n", err);
				exit(1);
			}
			if (use_gzip) {
				size_t n;
				char *z = gz(k->bodies[b], k->lens[b], &n);
				free(k->bodies[b]);
				k->bodies[b] = z;
				k->lens[b] = n;
			}
			wire += k->lens[b];
		}
	}
	free(r);
	hq_store_close(s);

	/* tally-hq as its own process(es), as in production: replicas share the one database. */
	pid_t pids[MAX_REPLICAS] = { 0 };
	for (int r = 0; r < n_replicas; r++) {
		int out[2];
		if (pipe(out)) {
			perror("pipe");
			exit(1);
		}
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
			fprintf(stderr, "bench_hq_ingest: %s did not start\n", hq);
			exit(1);
		}
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		snprintf(base, sizeof(base), "http://%s", line + 13);
		snprintf(url[r], sizeof(url[r]), "%s/api/v1/ratings", base);
		pids[r] = pid;
	}
	for (int i = 0; i < n_kiosks; i++)
		ks[i].url = url[i % n_replicas];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* The reader asks as the first kiosk, for the local day its first ratings fall on. */
	struct reader *rd = calloc(1, sizeof(*rd));
	snprintf(rd->auth, sizeof(rd->auth), "%s", ks[0].auth);
	snprintf(rd->day, sizeof(rd->day), "2024-03-31");
	pthread_barrier_init(&go, NULL, (unsigned)n_kiosks + 2);
	for (int i = 0; i < n_kiosks; i++)
		pthread_create(&ks[i].thread, NULL, run_kiosk, &ks[i]);
	pthread_create(&rd->thread, NULL, run_reader, rd);
	double cpu0 = 0;
	for (int r = 0; r < n_replicas; r++)
		cpu0 += cpu_of(pids[r]);
	pid_t pm = pg ? server_pid(db) : 0;
	double server0 = server_cpu(pm);
	pthread_barrier_wait(&go);
	double t0 = now_s();
	int failures = 0;
	for (int i = 0; i < n_kiosks; i++) {
		pthread_join(ks[i].thread, NULL);
		failures += ks[i].failures;
	}
	double secs = now_s() - t0;
	double cpu = -cpu0, server = server_cpu(pm) - server0;
	for (int r = 0; r < n_replicas; r++)
		cpu += cpu_of(pids[r]);
	posting = 0;
	pthread_join(rd->thread, NULL);
	for (int r = 0; r < n_replicas; r++) {
		kill(pids[r], SIGTERM);
		waitpid(pids[r], NULL, 0);
	}

	/* Every rating must be there exactly once. */
	struct hq_kiosk *list;
	size_t n;
	int64_t stored = 0, complete = 0;
	if (hq_store_open(&s, db, err, sizeof(err)) || hq_store_kiosk_list(s, &list, &n, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		stored += list[i].ratings;
		complete += list[i].acked_through == (int64_t)n_batches * batch_size;
	}
	free(list);
	hq_store_close(s);
	int64_t total = (int64_t)n_kiosks * n_batches * batch_size;
	printf("hq ingest: %d kiosks x %d batches x %d ratings%s = %lld ratings in %.2f s\n", n_kiosks, n_batches,
	       batch_size, use_gzip ? " (gzip)" : "", (long long)total, secs);
	printf("hq ingest: %.0f ratings/s, %.0f batches/s, %.1f bytes/rating on the wire, %ld CPUs\n",
	       (double)total / secs, (double)n_kiosks * n_batches / secs, (double)wire / (double)total,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("hq ingest: %lld stored, %lld/%d kiosks acked through the end, %d failed requests\n", (long long)stored,
	       (long long)complete, n_kiosks, failures);
	if (pg) {
		printf("hq ingest: PostgreSQL, %d tally-hq replicas: %.0f ratings/s (goal >= 50,000); the server alone,"
		       " COPY by %d clients in %d-row transactions into the same table: %.0f rows/s; ingest / limit = %.2f\n",
		       n_replicas, (double)total / secs, LIMIT_CLIENTS, LIMIT_TX, limit, (double)total / secs / limit);
		printf("hq ingest: PostgreSQL server CPU %.2f us per rating under ingest, %.2f us per row alone (COPY)\n",
		       server * 1e6 / (double)total, limit_cpu_us);
	}
	else
		printf("hq ingest: %.0f ratings/s (goal >= 150,000); storage limit, plain SQLite inserts (WAL,"
		       " synchronous=FULL, 500-row transactions): %.0f rows/s; ingest / limit = %.2f\n",
		       (double)total / secs, limit, (double)total / secs / limit);
	printf("hq ingest: tally-hq CPU %.1f s, %.2f us per rating%s (load average when done: %s)\n", cpu,
	       cpu * 1e6 / (double)total, pg ? " (the PostgreSQL server's not counted)" : "", loadavg());
	printf("hq reads while posting: /healthz p50 %.1f ms, p99 %.1f ms (goal <= 50), max %.1f ms, %zu answered, %d failed\n",
	       lat_pct(&rd->healthz, 0.5), lat_pct(&rd->healthz, 0.99), lat_pct(&rd->healthz, 1.0), rd->healthz.n,
	       rd->healthz.failures);
	printf("hq reads while posting: /api/v1/summary?day=%s p50 %.1f ms, p99 %.1f ms (goal <= 100), max %.1f ms,"
	       " %zu answered, %d failed\n", rd->day, lat_pct(&rd->summary, 0.5), lat_pct(&rd->summary, 0.99),
	       lat_pct(&rd->summary, 1.0), rd->summary.n, rd->summary.failures);
	int read_failures = rd->healthz.failures + rd->summary.failures;
	free(rd->healthz.ms);
	free(rd->summary.ms);
	free(rd);
	for (int i = 0; i < n_kiosks; i++) {
		for (int b = 0; ks[i].bodies && b < n_batches; b++) /* always set; scan-build loses count of the loop */
			free(ks[i].bodies[b]);
		free(ks[i].bodies);
		free(ks[i].lens);
	}
	free(ks);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (getenv("BENCH_KEEP")) /* for a look at the database afterwards */
		fprintf(stderr, "kept %s\n", dir);
	else if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return failures || read_failures || stored != total || complete != n_kiosks ? 1 : 0;
}
