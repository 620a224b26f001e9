/*
 * shift_history: each version applies to the shifts that start in its
 * time; an instant's shift is looked up among the shifts of its local day
 * and the day before (a night shift runs past midnight). Where a change
 * makes an old shift run into a new one, the later start wins, so every
 * instant has one shift at most.
 */
#include "shift_history.h"

#include <stdlib.h>
#include <string.h>

static int occ_cmp(const void *a, const void *b)
{
	const struct shift_occ *x = a, *y = b;
	return x->start_ms < y->start_ms ? -1 : x->start_ms > y->start_ms;
}

static int same_schedule(const struct shifts *a, const struct shifts *b)
{
	char ta[SHIFTS_TEXT_MAX], tb[SHIFTS_TEXT_MAX];
	if (shifts_format(a, ta, sizeof(ta)) || shifts_format(b, tb, sizeof(tb)))
		return 0;
	return !strcmp(ta, tb);
}

int shifts_history_add(struct shifts_history *h, const struct shifts *s, int64_t from_ms)
{
	if (h->n > 0 && same_schedule(&h->v[h->n - 1].s, s))
		return 0;
	if (h->n == SHIFTS_MAX_VERSIONS) {
		memmove(&h->v[0], &h->v[1], (SHIFTS_MAX_VERSIONS - 1) * sizeof(h->v[0]));
		h->n--;
	}
	h->v[h->n].from_ms = from_ms;
	h->v[h->n].s = *s;
	h->n++;
	return 1;
}

int shifts_history_any(const struct shifts_history *h)
{
	for (int i = 0; i < h->n; i++)
		if (h->v[i].s.n > 0)
			return 1;
	return 0;
}

int shifts_history_on_date(const struct shifts_history *h, const char *tz, struct tzdate date,
			   struct shift_occ *out, int max, char *err, size_t errlen)
{
	int n = 0;
	for (int i = 0; i < h->n; i++) {
		struct shift_occ tmp[SHIFTS_PER_DAY];
		int k = shifts_on_date(&h->v[i].s, tz, date, tmp, SHIFTS_PER_DAY, err, errlen);
		if (k < 0)
			return -1;
		int64_t from = i == 0 ? INT64_MIN : h->v[i].from_ms;
		int64_t until = i + 1 < h->n ? h->v[i + 1].from_ms : INT64_MAX;
		for (int j = 0; j < k && n < max; j++)
			if (tmp[j].start_ms >= from && tmp[j].start_ms < until)
				out[n++] = tmp[j];
	}
	/*
	 * A change can make an old night shift run into a new morning shift;
	 * the later start wins the overlap, so every instant has one shift.
	 */
	qsort(out, (size_t)n, sizeof(*out), occ_cmp);
	for (int j = 0; j + 1 < n; j++)
		if (out[j].end_ms > out[j + 1].start_ms)
			out[j].end_ms = out[j + 1].start_ms;
	return n;
}

int shifts_history_at(const struct shifts_history *h, const char *tz, int64_t ms, struct shift_occ *out,
		      char *err, size_t errlen)
{
	struct tzdate date;
	if (tzday_date_of(tz, ms, &date, NULL, err, errlen))
		return -1;
	/* A shift that started yesterday may still run; the later start wins. */
	int found = 0;
	for (int back = 1; back >= 0; back--) {
		struct shift_occ occ[SHIFTS_PER_DAY];
		int n = shifts_history_on_date(h, tz, tzday_add_days(date, -back), occ, SHIFTS_PER_DAY, err, errlen);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (ms >= occ[i].start_ms && ms < occ[i].end_ms) {
				*out = occ[i];
				found = 1;
			}
	}
	return found;
}

void shifts_finder_init(struct shifts_finder *f, const struct shifts_history *h, const char *tz)
{
	memset(f, 0, sizeof(*f));
	f->h = h;
	f->tz = tz;
}

int shifts_finder_at(struct shifts_finder *f, int64_t ms, struct shift_occ *out, char *err, size_t errlen)
{
	if (!f->valid || ms < f->day_start_ms || ms >= f->day_end_ms) {
		struct tzdate date;
		struct tzday day;
		if (tzday_date_of(f->tz, ms, &date, NULL, err, errlen) || tzday_make(&day, f->tz, date, err, errlen))
			return -1;
		int a = shifts_history_on_date(f->h, f->tz, tzday_add_days(date, -1), f->occ, SHIFTS_PER_DAY, err, errlen);
		if (a < 0)
			return -1;
		int b = shifts_history_on_date(f->h, f->tz, date, f->occ + a, SHIFTS_PER_DAY, err, errlen);
		if (b < 0)
			return -1;
		f->n = a + b;
		/* the later start wins where a night shift runs into a changed morning */
		for (int j = 0; j + 1 < f->n; j++)
			if (f->occ[j].end_ms > f->occ[j + 1].start_ms)
				f->occ[j].end_ms = f->occ[j + 1].start_ms;
		f->day_start_ms = day.start_ms;
		f->day_end_ms = day.end_ms;
		f->valid = 1;
	}
	for (int i = 0; i < f->n; i++)
		if (ms >= f->occ[i].start_ms && ms < f->occ[i].end_ms) {
			*out = f->occ[i];
			return 1;
		}
	return 0;
}
