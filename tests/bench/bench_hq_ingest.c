/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_hq_ingest: head-office ingest under 100 concurrent kiosks.
 *
 * Registers the kiosks in a fresh database, starts the real tally-hq
 * (release build) on a free loopback port, and lets one thread per kiosk
 * POST full batches (protocol.h's encoding, keep-alive, like tally-sync)
 * as fast as head office answers. Reports ratings stored per second of
 * wall time, with every ack checked. Goal: >= 20,000 ratings/s on 2 cores.
 *
 *   bench_hq_ingest [--kiosks N] [--batches N] [--batch N] [--gzip] [--hq PATH]
 */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hq_store.h"
#include "hq_token.h"
#include "protocol.h"

struct kiosk {
	char id[32];
	char auth[128];
	char **bodies;
	size_t *lens;
	int failures;
	pthread_t thread;
};

static int n_kiosks = 100, n_batches = 10, batch_size = 500, use_gzip = 0;
static char url[320];
static pthread_barrier_t go;

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
	curl_easy_setopt(c, CURLOPT_URL, url);
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

int main(int argc, char **argv)
{
	const char *hq = "build/tally-hq";
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
		else {
			fprintf(stderr, "usage: bench_hq_ingest [--kiosks N] [--batches N] [--batch N] [--gzip] [--hq PATH]\n");
			return 2;
		}
	}
	if (n_kiosks < 1 || n_batches < 1 || batch_size < 1 || batch_size > PROTOCOL_MAX_BATCH) {
		fprintf(stderr, "bench_hq_ingest: bad sizes\n");
		return 2;
	}
	char dir[256], db[300], err[512];
	snprintf(dir, sizeof(dir), "%s/tally-bench-hq-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/hq.db", dir);

	/* Kiosks and their batches, all prepared before the clock starts. */
	struct hq_store *s;
	if (hq_store_open(&s, db, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct kiosk *ks = calloc((size_t)n_kiosks, sizeof(*ks));
	struct protocol_rating *r = calloc((size_t)batch_size, sizeof(*r));
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
			return 1;
		}
		snprintf(k->auth, sizeof(k->auth), "Authorization: Bearer %s", token);
		k->bodies = calloc((size_t)n_batches, sizeof(char *));
		k->lens = calloc((size_t)n_batches, sizeof(size_t));
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
				return 1;
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

	/* tally-hq as its own process, as in production. */
	int out[2];
	if (pipe(out)) {
		perror("pipe");
		return 1;
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
		return 1;
	}
	line[strcspn(line, "\n")] = '\0';
	snprintf(url, sizeof(url), "http://%s/api/v1/ratings", line + 13);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_barrier_init(&go, NULL, (unsigned)n_kiosks + 1);
	for (int i = 0; i < n_kiosks; i++)
		pthread_create(&ks[i].thread, NULL, run_kiosk, &ks[i]);
	pthread_barrier_wait(&go);
	double t0 = now_s();
	int failures = 0;
	for (int i = 0; i < n_kiosks; i++) {
		pthread_join(ks[i].thread, NULL);
		failures += ks[i].failures;
	}
	double secs = now_s() - t0;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);

	/* Every rating must be there exactly once. */
	struct hq_kiosk *list;
	size_t n;
	int64_t stored = 0, complete = 0;
	if (hq_store_open(&s, db, err, sizeof(err)) || hq_store_kiosk_list(s, &list, &n, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
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
	for (int i = 0; i < n_kiosks; i++) {
		for (int b = 0; b < n_batches; b++)
			free(ks[i].bodies[b]);
		free(ks[i].bodies);
		free(ks[i].lens);
	}
	free(ks);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return failures || stored != total || complete != n_kiosks ? 1 : 0;
}
