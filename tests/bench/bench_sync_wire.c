/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_sync_wire: bytes on the wire per rating in full batches, as
 * tally-sync sends them (protocol_encode_batch, then gzip). Goal: <= 24.
 *
 * The ratings look like a busy counter's: presses a minute or so apart
 * (exponential gaps, mean 60 s, some seconds-apart bursts), a lopsided
 * face distribution, a few misuse flags, one boot per batch, clock synced.
 * A second figure covers the worst case the protocol allows: every rating
 * unsynced and corrected, so corrected_ms is a number rather than null.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"
#include "protocol.h"

#define BATCH 500
#define BATCHES 200

static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double run(int corrected)
{
	static struct protocol_rating rows[BATCH];
	int64_t seq = 1, wall = 1764000000000LL, boot = 3600000;
	size_t wire = 0, raw = 0, n = 0;
	for (int b = 0; b < BATCHES; b++) {
		for (int i = 0; i < BATCH; i++) {
			struct protocol_rating *p = &rows[i];
			memset(p, 0, sizeof(*p));
			int64_t gap = (int64_t)(-log(1.0 - uniform()) * 60000.0) + 300;
			wall += gap;
			boot += gap;
			double u = uniform();
			p->r.seq = seq++;
			p->r.value = u < 0.55 ? 3 : u < 0.8 ? 2 : u < 0.92 ? 1 : 0;
			p->r.scale = 4;
			p->r.source = SOURCE_BUTTON;
			p->r.wall_ms = corrected ? wall - 1700000000000LL : wall;
			p->r.boot_ms = boot;
			snprintf(p->r.boot_id, sizeof(p->r.boot_id), "6c1b2e0a-5d7e-4f43-9a51-%012d", b / 20);
			p->r.clock_synced = !corrected;
			p->r.flags = gap < 5000 ? 1 : 0;
			p->has_corrected = corrected;
			p->corrected_ms = wall;
		}
		char *json, *gz, err[256];
		size_t len, gzlen;
		if (protocol_encode_batch("store-0042-counter", rows, BATCH, &json, &len, err, sizeof(err)) ||
		    http_gzip(json, len, &gz, &gzlen)) {
			fprintf(stderr, "encode failed: %s\n", err);
			exit(1);
		}
		raw += len;
		wire += gzlen;
		n += BATCH;
		free(json);
		free(gz);
	}
	printf("  %-34s %6.1f B/rating gzip'd (%.1f B raw JSON), batches of %d\n",
	       corrected ? "unsynced, every time corrected:" : "synced clock (the usual case):", (double)wire / (double)n,
	       (double)raw / (double)n, BATCH);
	return (double)wire / (double)n;
}

int main(void)
{
	double usual = run(0);
	run(1);
	printf("  goal <= 24 B/rating (usual case): %s\n", usual <= 24.0 ? "met" : "NOT met");
	return 0;
}
