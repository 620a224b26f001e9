/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter: decides which presses count. Every press is stored; a press that
 * comes within the response interval of the previous stored press of the
 * same kiosk is flagged misuse (kept, synced, exported, left out of
 * scores). Bursts of misuse are summarised once rather than logged per press.
 */
#ifndef TALLY_FILTER_H
#define TALLY_FILTER_H

#include <stdint.h>

#include "rating.h"

struct filter {
	int64_t interval_ms;
	int have_prev;
	struct rating prev;     /* the previous stored press */
	int burst;              /* misuse presses since the last clean press */
	int64_t burst_first_ms; /* boot time of the first of them */
};

/* last: the newest stored rating of this kiosk, or NULL. */
void filter_init(struct filter *f, double interval_s, const struct rating *last);

/* The flags `now` gets: RATING_MISUSE or 0. Does not change f. */
int filter_classify(const struct filter *f, const struct rating *now);

/* Records r, just stored with its flags, as the previous press. */
void filter_remember(struct filter *f, const struct rating *r);

/*
 * If a misuse burst is over (no press for the interval since its last one,
 * at boot time now_ms), returns 1 with its size and length and forgets it.
 */
int filter_burst_over(struct filter *f, int64_t now_ms, int *count, int64_t *span_ms);

#endif
