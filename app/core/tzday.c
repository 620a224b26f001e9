/*
 * tzday: local days from the zone rules tzif.c reads.
 *
 * Earlier versions switched $TZ around each call and let the C library
 * convert; that was not thread-safe and head office, serving many zones
 * from many threads, had to serialise every conversion and cap the zones
 * it could keep. Now a zone is a value (struct tzif) and nothing here
 * touches process-wide state.
 *
 * Time decisions, and the failure each prevents:
 * - A day starts at the first second whose local date is that day: local
 *   midnight, or, in a zone whose DST jump skips midnight, the end of the
 *   gap. Adding 24 h to the start would put an hour of the fall-back day
 *   into the next day, and an hour of the next day into spring-forward.
 * - Hours are looked up in a table of quarter hours built once per day, so
 *   placing 2,000 ratings costs no zone lookups; every zone in use today
 *   has offsets and transitions on quarter hours, so the table is exact.
 *   On a fall-back day both 02:00 hours are local hour 2.
 * - Milliseconds become seconds by floor division, so an instant just
 *   before 1970 (a Pi whose clock never set) is not moved into 1970.
 */
#include "tzday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, const char *a)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a);
	return -1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int y, int m, int d)
{
	return tzif_days_from_civil(y, m, d);
}

static struct tzdate civil_from_days(int64_t z)
{
	struct tzdate d;
	tzif_civil_from_days(z, &d.year, &d.month, &d.day);
	return d;
}

struct tzdate tzday_add_days(struct tzdate date, int days)
{
	return civil_from_days(days_from_civil(date.year, date.month, date.day) + days);
}

int tzday_weekday(struct tzdate date)
{
	int64_t z = days_from_civil(date.year, date.month, date.day);
	return (int)((z % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
}

static int date_cmp(struct tzdate a, struct tzdate b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

int tzday_parse_date(const char *s, struct tzdate *out)
{
	int y, m, d, n = 0;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[4] != '-' ||
	    s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	struct tzdate date = { y, m, d };
	if (m < 1 || m > 12 || d < 1 || d > 31 || date_cmp(tzday_add_days(date, 0), date) != 0)
		return -1;
	*out = date;
	return 0;
}

int tzday_valid(const char *tz, char *err, size_t errlen)
{
	if (!tz || !*tz)
		return fail(err, errlen, "%stime zone must not be empty", "");
	/* A path or a POSIX rule string is not an IANA name; refuse rather than guess. */
	if (tz[0] == '/' || tz[0] == ':' || strstr(tz, "..") || strlen(tz) > 100)
		return fail(err, errlen, "\"%s\" is not an IANA time zone name (like Europe/Berlin)", tz);
	struct tzif *z;
	char why[256];
	if (tzif_load(&z, tz, why, sizeof(why))) {
		if (strstr(why, "unknown time zone"))
			return fail(err, errlen, "unknown time zone \"%s\" (not in the tz database)", tz);
		return fail(err, errlen, "%s", why);
	}
	tzif_free(z);
	return 0;
}

/* Local seconds (from 1970, as if UTC) of instant t. */
static int64_t local_s(const struct tzif *z, int64_t t)
{
	return t + tzif_offset(z, t);
}

static struct tzdate date_of_local(int64_t ls, int *hour)
{
	if (hour)
		*hour = (int)(floor_div(ls, 3600) - floor_div(ls, 86400) * 24);
	return civil_from_days(floor_div(ls, 86400));
}

/* First second whose local date is `date` (or later). */
static int64_t day_start(const struct tzif *z, struct tzdate date)
{
	int64_t t, gap_end;
	if (tzif_to_utc(z, days_from_civil(date.year, date.month, date.day) * 86400, &t, &gap_end) == 1)
		return gap_end; /* midnight skipped: the day begins when the gap ends */
	return t;
}

int tzday_make_in(struct tzday *d, const struct tzif *z, struct tzdate date, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	int64_t start = day_start(z, date), end = day_start(z, tzday_add_days(date, 1));
	if (end <= start || end - start > (int64_t)TZDAY_MAX_HOURS * 3600) {
		char what[40];
		snprintf(what, sizeof(what), "%04d-%02d-%02d", date.year, date.month, date.day);
		snprintf(err, errlen, "%s: cannot work out the local day %s", tzif_name(z), what);
		return -1;
	}
	d->date = date;
	d->wday = tzday_weekday(date);
	d->start_ms = start * 1000;
	d->end_ms = end * 1000;
	int64_t len = d->end_ms - d->start_ms;
	d->nslots = (int)((len + TZDAY_SLOT_MS - 1) / TZDAY_SLOT_MS);
	/* Walk the day's stretches of constant offset (one, or two on a DST day). */
	int64_t t = start, change = start;
	long off = 0;
	for (int i = 0; i < d->nslots; i++, t += TZDAY_SLOT_MS / 1000) {
		if (t >= change) {
			off = tzif_offset(z, t);
			change = tzif_next_change(z, t);
		}
		int64_t ls = t + off;
		d->slot_hour[i] = (signed char)((ls - floor_div(ls, 86400) * 86400) / 3600);
	}
	return 0;
}

int tzday_make(struct tzday *d, const char *tz, struct tzdate date, char *err, size_t errlen)
{
	struct tzif *z;
	memset(d, 0, sizeof(*d));
	if (tzif_load(&z, tz, err, errlen))
		return -1;
	int rc = tzday_make_in(d, z, date, err, errlen);
	tzif_free(z);
	return rc;
}

int tzday_hour(const struct tzday *d, int64_t ms)
{
	if (ms < d->start_ms || ms >= d->end_ms)
		return -1;
	int64_t i = (ms - d->start_ms) / TZDAY_SLOT_MS;
	return i < d->nslots ? d->slot_hour[i] : -1;
}

int tzday_date_of(const char *tz, int64_t ms, struct tzdate *out, int *hour, char *err, size_t errlen)
{
	struct tzif *z;
	if (tzif_load(&z, tz, err, errlen))
		return -1;
	*out = date_of_local(local_s(z, floor_div(ms, 1000)), hour);
	tzif_free(z);
	return 0;
}

int tzday_offset_at(const char *tz, int64_t ms, long *offset_s, char *err, size_t errlen)
{
	struct tzif *z;
	if (tzif_load(&z, tz, err, errlen))
		return -1;
	*offset_s = tzif_offset(z, floor_div(ms, 1000));
	tzif_free(z);
	return 0;
}

int tzday_local_to_ms(const char *tz, struct tzdate date, int h, int m, int s, int64_t *out, char *err,
		      size_t errlen)
{
	struct tzif *z;
	if (tzif_load(&z, tz, err, errlen))
		return -1;
	int64_t t, gap_end;
	tzif_to_utc(z, days_from_civil(date.year, date.month, date.day) * 86400 + (int64_t)h * 3600 + m * 60 + s,
		    &t, &gap_end);
	tzif_free(z);
	*out = t * 1000;
	return 0;
}
