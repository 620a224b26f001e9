/* SPDX-License-Identifier: Apache-2.0 */
/* latency: collects duration samples and reports percentiles (benchmarks, --stats-out). */
#ifndef TALLY_LATENCY_H
#define TALLY_LATENCY_H

#include <stdint.h>

struct latency {
	int64_t *ns;
	int n, cap;
};

/* Adds one sample in nanoseconds (dropped silently if memory runs out). */
void latency_add(struct latency *l, int64_t ns);
/* The p-th percentile (0..100) in milliseconds, or -1 with no samples. */
double latency_percentile_ms(struct latency *l, double p);
void latency_free(struct latency *l);
/* CLOCK_MONOTONIC in nanoseconds. */
int64_t latency_now_ns(void);

#endif
