/* SPDX-License-Identifier: Apache-2.0 */
/* hours: opening hours per weekday, minute resolution. */
#include "hours.h"

#include <stdio.h>
#include <string.h>


static int parse_hhmm(const char *s, int *out)
{
	int h, m, n = 0;
	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m))
		return -1;
	*out = h * 60 + m;
	return 0;
}

int hours_parse(const char *text, struct day_hours *out)
{
	memset(out, 0, sizeof(*out));
	while (*text == ' ')
		text++;
	if (*text == '\0') {
		out->all_day = 1;
		return 0;
	}
	if (!strcmp(text, "closed")) {
		out->closed = 1;
		return 0;
	}
	if (strlen(text) != 11 || text[5] != '-')
		return -1;
	if (parse_hhmm(text, &out->open_min) || parse_hhmm(text + 6, &out->close_min))
		return -1;
	if (out->open_min == out->close_min || (out->open_min == 0 && out->close_min == 1440))
		out->all_day = 1;
	return 0;
}

void hours_always_open(struct day_hours week[7])
{
	for (int d = 0; d < 7; d++)
		week[d] = (struct day_hours){ .all_day = 1 };
}

int hours_all_open(const struct day_hours week[7])
{
	for (int d = 0; d < 7; d++)
		if (!week[d].all_day)
			return 0;
	return 1;
}

int hours_open_at(const struct day_hours week[7], int wday, int minute)
{
	const struct day_hours *today = &week[wday], *yesterday = &week[(wday + 6) % 7];
	/* the tail of yesterday's range that runs past midnight */
	if (!yesterday->closed && !yesterday->all_day && yesterday->close_min < yesterday->open_min &&
	    minute < yesterday->close_min)
		return 1;
	if (today->all_day)
		return 1;
	if (today->closed)
		return 0;
	if (today->close_min > today->open_min)
		return minute >= today->open_min && minute < today->close_min;
	return minute >= today->open_min;
}

int hours_next_change(const struct day_hours week[7], int wday, int minute)
{
	int now = hours_open_at(week, wday, minute);
	for (int step = 1; step <= 7 * 1440; step++) {
		int m = minute + step;
		if (hours_open_at(week, (wday + m / 1440) % 7, m % 1440) != now)
			return step;
	}
	return -1;
}

int hours_local_now(const char *tz, int64_t ms, int *wday, int *minute, char *err, size_t errlen)
{
	struct tzdate date;
	long offset;
	if (tzday_date_of(tz, ms, &date, NULL, err, errlen) || tzday_offset_at(tz, ms, &offset, err, errlen))
		return -1;
	int64_t local_s = ms / 1000 + offset;
	*minute = (int)(((local_s / 60) % 1440 + 1440) % 1440);
	*wday = tzday_weekday(date);
	return 0;
}

struct day_hours hours_on_date(const struct hours_calendar *c, struct tzdate date)
{
	for (int i = 0; i < c->ndated; i++)
		if (c->dated[i].date.year == date.year && c->dated[i].date.month == date.month &&
		    c->dated[i].date.day == date.day)
			return c->dated[i].h;
	return c->week[tzday_weekday(date)];
}

int hours_open_on(const struct hours_calendar *c, struct tzdate date, int minute)
{
	/* hours_open_at's rule on a two-day week: yesterday as Saturday, today as Sunday. */
	struct day_hours two[7];
	hours_always_open(two);
	two[6] = hours_on_date(c, tzday_add_days(date, -1));
	two[0] = hours_on_date(c, date);
	return hours_open_at(two, 0, minute);
}

int hours_calendar_all_open(const struct hours_calendar *c)
{
	return hours_all_open(c->week) && c->ndated == 0;
}

int hours_next_change_on(const struct hours_calendar *c, struct tzdate date, int minute)
{
	int now = hours_open_on(c, date, minute);
	for (int step = 1; step <= 14 * 1440; step++) {
		int m = minute + step;
		if (hours_open_on(c, tzday_add_days(date, m / 1440), m % 1440) != now)
			return step;
	}
	return -1;
}

int hours_next_open_on(const struct hours_calendar *c, struct tzdate date, int minute, struct tzdate *open_date,
			int *open_minute, int *days_ahead)
{
	int m = minute, step;
	/* Open now: the opening meant is the one after the coming closing. */
	if (hours_open_on(c, date, minute)) {
		if ((step = hours_next_change_on(c, date, m)) < 0)
			return -1;
		m += step;
	}
	if ((step = hours_next_change_on(c, tzday_add_days(date, m / 1440), m % 1440)) < 0)
		return -1;
	m += step;
	*open_date = tzday_add_days(date, m / 1440);
	*open_minute = m % 1440;
	*days_ahead = m / 1440;
	return 0;
}

int hours_local_date(const char *tz, int64_t ms, struct tzdate *date, int *minute, char *err, size_t errlen)
{
	long offset;
	if (tzday_date_of(tz, ms, date, NULL, err, errlen) || tzday_offset_at(tz, ms, &offset, err, errlen))
		return -1;
	int64_t local_s = ms / 1000 + offset;
	*minute = (int)(((local_s / 60) % 1440 + 1440) % 1440);
	return 0;
}
