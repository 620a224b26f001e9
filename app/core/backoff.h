/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backoff: how long tally-sync waits before trying head office again.
 *
 * Exponential from 1 s, doubling per failure, capped at 5 min, with "equal
 * jitter": the wait is half the step plus a random part of the other half.
 * Jitter keeps a chain of kiosks that lost head office together (a WAN cut)
 * from all coming back in the same second and hammering it in lockstep.
 */
#ifndef TALLY_BACKOFF_H
#define TALLY_BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t base_ms;   /* first step (1000) */
	int64_t cap_ms;    /* largest step (300000) */
	int failures;      /* consecutive failures so far */
	uint64_t rng;      /* xorshift state; never 0 */
};

/* Sets base and cap, zero failures, and seeds the jitter (seed 0: a fixed seed). */
void backoff_init(struct backoff *b, int64_t base_ms, int64_t cap_ms, uint64_t seed);

/* Counts one more failure and returns the wait before the next attempt, ms. */
int64_t backoff_fail(struct backoff *b);

/* A success: the next failure starts again from base. */
void backoff_reset(struct backoff *b);

/* The step (without jitter) the next failure would use, for status output. */
int64_t backoff_step(const struct backoff *b);

#endif
