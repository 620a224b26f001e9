/* SPDX-License-Identifier: Apache-2.0 */
/* latency: a growing array, sorted on demand (nearest-rank percentile). */
#include "latency.h"

#include <stdlib.h>
#include <time.h>

void latency_add(struct latency *l, int64_t ns)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 256;
		int64_t *grown = realloc(l->ns, sizeof(*grown) * (size_t)cap);
		if (!grown)
			return;
		l->ns = grown;
		l->cap = cap;
	}
	l->ns[l->n++] = ns;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

double latency_percentile_ms(struct latency *l, double p)
{
	if (l->n == 0)
		return -1;
	qsort(l->ns, (size_t)l->n, sizeof(*l->ns), cmp);
	int rank = (int)(p / 100.0 * l->n + 0.999999) - 1;
	if (rank < 0)
		rank = 0;
	if (rank >= l->n)
		rank = l->n - 1;
	return (double)l->ns[rank] / 1e6;
}

void latency_free(struct latency *l)
{
	free(l->ns);
	l->ns = NULL;
	l->n = l->cap = 0;
}

int64_t latency_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
