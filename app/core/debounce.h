/* SPDX-License-Identifier: Apache-2.0 */
/*
 * debounce: one input line's software debounce, as a state machine rather
 * than a throttle. After any edge the line is "settling"; once it has been
 * quiet for the debounce time, its level is read again and becomes the new
 * stable state if it differs. A throttle (ignore edges for N ms after one)
 * would drop a real release that follows a bounce; this never does, because
 * the decision is always the level after the quiet period.
 *
 * Pure: no clock and no GPIO. Time is passed in, in nanoseconds on any
 * monotonic base, so recorded edges replay deterministically and tests feed
 * time instead of sleeping. Level 1 means "pressed" (active).
 */
#ifndef TALLY_DEBOUNCE_H
#define TALLY_DEBOUNCE_H

#include <stdint.h>

#define DEBOUNCE_NEVER INT64_MAX

enum debounce_result {
	DEBOUNCE_NONE,     /* nothing decided */
	DEBOUNCE_SETTLED,  /* quiet period over, level as before: the edges were a glitch */
	DEBOUNCE_CHANGED,  /* quiet period over, stable state flipped */
};

struct debounce {
	int64_t quiet_ns;
	int stable;            /* debounced level */
	int raw;               /* level of the last edge seen */
	int64_t last_edge_ns;  /* valid while settling */
	int64_t now_ns;        /* latest time seen; time never runs backwards here */
	int settling;
	/* The burst being settled (or just settled): for telling noise from bounce. */
	uint32_t burst_edges;
	int64_t burst_start_ns;
};

/* Starts stable at level (the line's level when opened), at time now_ns. */
void debounce_init(struct debounce *d, int debounce_ms, int level, int64_t now_ns);

/*
 * Feeds one raw edge (the level the line went to, at ts_ns). Time first
 * advances to ts_ns using the last seen level as the re-read, because the
 * edge proves that level held until then: a quiet period that ended before
 * this edge is decided first, and its result returned, with *at_ns set to
 * when it was decided. A ts_ns earlier than time already seen counts as now.
 */
enum debounce_result debounce_edge(struct debounce *d, int level, int64_t ts_ns, int64_t *at_ns);

/*
 * Advances time to now_ns with no edge. If the quiet period has ended, level
 * is the line's level re-read now, and decides. *at_ns gets the end of the
 * quiet period.
 */
enum debounce_result debounce_tick(struct debounce *d, int64_t now_ns, int level, int64_t *at_ns);

/* When debounce_tick next has something to decide, or DEBOUNCE_NEVER. */
int64_t debounce_deadline(const struct debounce *d);

#endif
