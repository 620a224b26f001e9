/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_feed: a kiosk's ratings sent through the real ingest, as the unit
 * tests of head office's figures (test_hq_summary.c, test_hq_dash_range.c,
 * test_hq_slots.c) register and feed them: the given times in order, in batches of random size, each
 * rating's face random, 3 % with a clock that never synced (time unknown),
 * 4 % misuse and 4 % outside opening hours. Failures are cmocka assertions.
 */
#ifndef TALLY_HQ_FEED_H
#define TALLY_HQ_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"

/* Fills k (id, store, area, zone) and registers it; n (1 to 255) makes its token hash its own. */
void hq_feed_add_kiosk(struct hq_store *db, struct hq_kiosk *k, int n, const char *id, const char *store,
		       const char *area, const char *tz);

/*
 * Sorts when[0, n) and stores them as kiosk k's ratings (install "i1",
 * seqs from 1, faces of scale), in batches of 1 to max_batch ratings
 * received at now; rnd gives the test's own random sequence.
 */
void hq_feed_kiosk(struct hq_store *db, const struct hq_kiosk *k, int scale, int64_t *when, size_t n,
		   int max_batch, uint32_t (*rnd)(void), int64_t now);

#endif
