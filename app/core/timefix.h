/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timefix: correcting wall times taken on an unsynced clock.
 *
 * The Pi has no battery-backed clock: after a power cut its wall clock may
 * be hours or years off (even earlier than before the cut) until NTP syncs.
 * CLOCK_BOOTTIME is right all along, but only within one boot. So a rating
 * taken unsynced at boottime b gets corrected from a synced reading
 * (t_sync, b_sync) of the SAME boot taken LATER:
 *
 *     corrected = t_sync - (b_sync - b)
 *
 * A rating whose boot never saw a synced reading (the power went before NTP
 * did) cannot be corrected; it keeps corrected = none and its synced flag
 * 0, and head office treats its time as untrusted. Pure: no I/O.
 */
#ifndef TALLY_TIMEFIX_H
#define TALLY_TIMEFIX_H

#include <stdint.h>

#include "rating.h"

/* A moment on a synced wall clock, with the boot it was taken in. */
struct timefix_ref {
	char boot_id[RATING_BOOT_ID_MAX];
	int64_t wall_ms;   /* synced CLOCK_REALTIME */
	int64_t boot_ms;   /* CLOCK_BOOTTIME at the same moment */
};

/*
 * The corrected wall time of r from ref: 0 with *out set, or -1 when ref
 * cannot correct r (r was synced already, another boot, or ref is earlier
 * in the boot than r, so the clock may have been stepped in between).
 */
int timefix_correct(const struct rating *r, const struct timefix_ref *ref, int64_t *out);

/*
 * A scan over ratings NEWEST FIRST (descending seq), which is how one
 * pass finds, for every unsynced rating, the nearest later synced reading
 * of its boot: each synced rating becomes the reference for the older
 * ones of its boot. Boots run in contiguous seq ranges, but a few recent
 * boots are remembered in case a store was merged.
 */
#define TIMEFIX_BOOTS 8
struct timefix_scan {
	struct timefix_ref ref[TIMEFIX_BOOTS];
	int n;
	int next;          /* round-robin slot to replace when full */
};

/* Starts a scan; now (may be NULL) is a synced reading taken right now. */
void timefix_scan_init(struct timefix_scan *s, const struct timefix_ref *now);

/* Feeds the next older rating: 1 with *out set if it can be corrected, else 0. */
int timefix_scan_feed(struct timefix_scan *s, const struct rating *r, int64_t *out);

#endif
