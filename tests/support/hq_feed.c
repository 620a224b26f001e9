/* SPDX-License-Identifier: Apache-2.0 */
/* hq_feed: a kiosk's ratings through the real ingest for the unit tests (see hq_feed.h). */
#include "hq_feed.h"

#include <stdlib.h>
#include <string.h>

#include "../unit/testutil.h"
#include "hq_token.h"
#include "protocol.h"
#include "rating.h"

static int cmp_ms(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

void hq_feed_add_kiosk(struct hq_store *db, struct hq_kiosk *k, int n, const char *id, const char *store,
		       const char *area, const char *tz)
{
	char err[512];
	memset(k, 0, sizeof(*k));
	snprintf(k->id, sizeof(k->id), "%s", id);
	snprintf(k->store, sizeof(k->store), "%s", store);
	snprintf(k->area, sizeof(k->area), "%s", area);
	snprintf(k->tz, sizeof(k->tz), "%s", tz);
	uint8_t hash[HQ_HASH_LEN] = { (uint8_t)n, 7 };
	if (hq_store_kiosk_add(db, k, hash, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

void hq_feed_kiosk(struct hq_store *db, const struct hq_kiosk *k, int scale, int64_t *when, size_t n,
		   int max_batch, uint32_t (*rnd)(void), int64_t now)
{
	struct protocol_rating *r = calloc((size_t)max_batch, sizeof(*r));
	assert_non_null(r);
	char err[512];
	qsort(when, n, sizeof(when[0]), cmp_ms);
	int64_t seq = 0;
	for (size_t j = 0; j < n;) {
		int m = 1 + (int)(rnd() % (uint32_t)max_batch);
		struct protocol_batch b = { .n = 0, .ratings = r };
		snprintf(b.kiosk_id, sizeof(b.kiosk_id), "%s", k->id);
		snprintf(b.install_id, sizeof(b.install_id), "i1");
		for (; m > 0 && j < n; m--, j++) {
			struct protocol_rating *p = &r[b.n++];
			memset(p, 0, sizeof(*p));
			p->r.seq = ++seq;
			p->r.scale = scale;
			p->r.value = (int)(rnd() % (uint32_t)scale);
			p->r.source = SOURCE_BUTTON;
			p->r.wall_ms = when[j];
			p->r.boot_ms = seq * 1000;
			uint32_t c = rnd() % 100;
			p->r.clock_synced = c >= 3; /* 3 %: never synced, time unknown */
			p->r.flags = c >= 3 && c < 7 ? RATING_MISUSE : c >= 7 && c < 11 ? RATING_CLOSED : 0;
			snprintf(p->r.boot_id, sizeof(p->r.boot_id), "boot");
		}
		struct protocol_ack ack;
		if (hq_store_ingest(db, k, &b, now, &ack, err, sizeof(err)) != 0)
			fail_msg("%s", err);
	}
	free(r);
}
