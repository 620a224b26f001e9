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
 *
 * Head office's clock is a reference too, where NTP is blocked: tally-sync
 * reads it over a round trip (t_hq, and b_sync the middle of the round trip
 * on CLOCK_BOOTTIME) and gets the same arithmetic, with an error bound of
 * half the round trip. Such a reference maps boot time to real time whatever
 * the kiosk's wall clock does, so it may also correct a rating taken a
 * little AFTER it (up to TIMEFIX_HQ_AHEAD_MS), which a rating pressed
 * between a reading and the batch that carries it needs. Its error bound
 * grows by TIMEFIX_DRIFT_PPM of the distance (CLOCK_BOOTTIME runs on the
 * kiosk's crystal).
 */
#ifndef TALLY_TIMEFIX_H
#define TALLY_TIMEFIX_H

#include <stdint.h>

#include "rating.h"

/* A moment on a synced wall clock, with the boot it was taken in. */
struct timefix_ref {
	char boot_id[RATING_BOOT_ID_MAX];
	int64_t wall_ms;   /* synced CLOCK_REALTIME, or head office's clock */
	int64_t boot_ms;   /* CLOCK_BOOTTIME at the same moment */
	int by_hq;         /* wall_ms is head office's clock read over the network */
	int64_t error_ms;  /* by_hq: half the round trip */
};

#define TIMEFIX_HQ_AHEAD_MS (3600LL * 1000)
#define TIMEFIX_DRIFT_PPM 100

/* The error bound of a correction of r from a head-office reference. */
int64_t timefix_error_ms(const struct rating *r, const struct timefix_ref *ref);

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
	struct timefix_ref used; /* the reference of the last correction made by feed */
};

/* Starts a scan; now (may be NULL) is a synced reading taken right now. */
void timefix_scan_init(struct timefix_scan *s, const struct timefix_ref *now);

/* Feeds the next older rating: 1 with *out set if it can be corrected, else 0. */
int timefix_scan_feed(struct timefix_scan *s, const struct rating *r, int64_t *out);

#endif
