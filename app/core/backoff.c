/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backoff: step = min(cap, base * 2^failures); wait = step/2 + rand[0, step/2].
 * The lower half is fixed so the wait still grows as it should; the upper
 * half is random so kiosks spread out. xorshift64 is enough for jitter.
 */
#include "backoff.h"

void backoff_init(struct backoff *b, int64_t base_ms, int64_t cap_ms, uint64_t seed)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->cap_ms = cap_ms >= b->base_ms ? cap_ms : b->base_ms;
	b->failures = 0;
	b->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
}

static uint64_t next_random(struct backoff *b)
{
	uint64_t x = b->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	b->rng = x;
	return x;
}

int64_t backoff_step(const struct backoff *b)
{
	int64_t step = b->base_ms;
	for (int i = 0; i < b->failures && step < b->cap_ms; i++)
		step *= 2;
	return step < b->cap_ms ? step : b->cap_ms;
}

int64_t backoff_fail(struct backoff *b)
{
	int64_t step = backoff_step(b);
	/* Stop counting once at the cap: the step stays put and cannot overflow. */
	if (step < b->cap_ms)
		b->failures++;
	int64_t half = step / 2;
	return step - half + (int64_t)(next_random(b) % (uint64_t)(half + 1));
}

void backoff_reset(struct backoff *b)
{
	b->failures = 0;
}
