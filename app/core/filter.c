/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter: the response-interval rule.
 *
 * The interval is measured on CLOCK_BOOTTIME when both presses are from the
 * same boot: the wall clock may jump when NTP syncs, and a jump must not
 * turn a child's mashing into valid ratings or a real press into misuse.
 * Across a reboot only wall time is left; a negative difference (clock set
 * back) is never misuse, because we cannot know.
 */
#include "filter.h"

#include <string.h>

void filter_init(struct filter *f, double interval_s, const struct rating *last)
{
	memset(f, 0, sizeof(*f));
	f->interval_ms = (int64_t)(interval_s * 1000.0 + 0.5);
	if (last) {
		f->prev = *last;
		f->have_prev = 1;
	}
}

static int64_t since_prev(const struct filter *f, const struct rating *now)
{
	if (!strcmp(f->prev.boot_id, now->boot_id))
		return now->boot_ms - f->prev.boot_ms;
	return now->wall_ms - f->prev.wall_ms;
}

int filter_classify(const struct filter *f, const struct rating *now)
{
	if (!f->have_prev || f->interval_ms <= 0)
		return 0;
	int64_t d = since_prev(f, now);
	return d >= 0 && d < f->interval_ms ? RATING_MISUSE : 0;
}

void filter_remember(struct filter *f, const struct rating *r)
{
	if (r->flags & RATING_MISUSE) {
		if (f->burst++ == 0)
			f->burst_first_ms = r->boot_ms;
	}
	f->prev = *r;
	f->have_prev = 1;
}

int filter_burst_over(struct filter *f, int64_t now_ms, int *count, int64_t *span_ms)
{
	if (f->burst == 0 || now_ms - f->prev.boot_ms < f->interval_ms)
		return 0;
	*count = f->burst;
	*span_ms = f->prev.boot_ms - f->burst_first_ms;
	f->burst = 0;
	return 1;
}
