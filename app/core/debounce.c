/* SPDX-License-Identifier: Apache-2.0 */
/*
 * debounce: the quiet-period state machine. The only state that matters is
 * "stable" versus "settling since the last edge"; everything else is
 * bookkeeping for noise reports.
 */
#include "debounce.h"

void debounce_init(struct debounce *d, int debounce_ms, int level, int64_t now_ns)
{
	*d = (struct debounce){ .quiet_ns = (int64_t)debounce_ms * 1000000, .stable = !!level,
				.raw = !!level, .now_ns = now_ns };
}

int64_t debounce_deadline(const struct debounce *d)
{
	return d->settling ? d->last_edge_ns + d->quiet_ns : DEBOUNCE_NEVER;
}

enum debounce_result debounce_tick(struct debounce *d, int64_t now_ns, int level, int64_t *at_ns)
{
	if (now_ns > d->now_ns)
		d->now_ns = now_ns;
	if (!d->settling || d->now_ns < debounce_deadline(d))
		return DEBOUNCE_NONE;
	*at_ns = debounce_deadline(d);
	d->settling = 0;
	/* The re-read, not the last edge, is the truth: the kernel queue may have dropped edges. */
	d->raw = !!level;
	if (d->raw == d->stable)
		return DEBOUNCE_SETTLED;
	d->stable = d->raw;
	return DEBOUNCE_CHANGED;
}

enum debounce_result debounce_edge(struct debounce *d, int level, int64_t ts_ns, int64_t *at_ns)
{
	enum debounce_result r = debounce_tick(d, ts_ns, d->raw, at_ns);
	if (!d->settling) {
		d->settling = 1;
		d->burst_edges = 0;
		d->burst_start_ns = d->now_ns;
	}
	d->raw = !!level;
	d->last_edge_ns = d->now_ns;
	if (d->burst_edges < UINT32_MAX)
		d->burst_edges++;
	return r;
}
