/*
 * shift_end: looks at the shifts of today and the two days before (a night
 * shift ends the day after it starts), by the schedule history, so a
 * schedule changed today still ends yesterday's shifts where they were.
 */
#include "shift_end.h"

#include <string.h>

void shift_end_init(struct shift_end *e)
{
	memset(e, 0, sizeof(*e));
}

void shift_end_done(struct shift_end *e, int64_t end_ms)
{
	if (end_ms > e->shown_end_ms)
		e->shown_end_ms = end_ms;
}

/* Every shift starting from date-back to date+ahead, into out. Count, or -1. */
static int around(const struct shifts_history *h, const char *tz, int64_t now_ms, int back, int ahead,
		  struct shift_occ *out, int max, char *err, size_t errlen)
{
	struct tzdate today;
	if (tzday_date_of(tz, now_ms, &today, NULL, err, errlen))
		return -1;
	int n = 0;
	for (int d = -back; d <= ahead; d++) {
		int k = shifts_history_on_date(h, tz, tzday_add_days(today, d), out + n, max - n, err, errlen);
		if (k < 0)
			return -1;
		n += k;
	}
	return n;
}

int shift_end_due(const struct shift_end *e, const struct shifts_history *h, const char *tz, int64_t now_ms,
		  int64_t grace_ms, struct shift_occ *ended, char *err, size_t errlen)
{
	struct shift_occ occ[3 * SHIFTS_PER_DAY];
	int n = around(h, tz, now_ms, 2, 0, occ, 3 * SHIFTS_PER_DAY, err, errlen);
	if (n < 0)
		return -1;
	int best = -1;
	for (int i = 0; i < n; i++)
		if (occ[i].end_ms <= now_ms && now_ms - occ[i].end_ms <= grace_ms && occ[i].end_ms > e->shown_end_ms &&
		    (best < 0 || occ[i].end_ms > occ[best].end_ms))
			best = i;
	if (best < 0)
		return 0;
	*ended = occ[best];
	return 1;
}

int64_t shift_end_next(const struct shifts_history *h, const char *tz, int64_t now_ms)
{
	struct shift_occ occ[4 * SHIFTS_PER_DAY];
	char err[128];
	int n = around(h, tz, now_ms, 1, 2, occ, 4 * SHIFTS_PER_DAY, err, sizeof(err));
	int64_t next = -1;
	for (int i = 0; i < n; i++)
		if (occ[i].end_ms > now_ms && (next < 0 || occ[i].end_ms - now_ms < next))
			next = occ[i].end_ms - now_ms;
	return next;
}
