/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzday: local days through the C library's zone rules.
 *
 * The one place in Tally that touches $TZ: zone_enter() sets it to the
 * store's zone and calls tzset(); zone_leave() puts back whatever was there
 * (or unsets it) and calls tzset() again, so the rest of the program keeps
 * the zone it started with. Every public function does its whole job
 * between the two.
 *
 * Time decisions, and the failure each prevents:
 * - Day bounds come from mktime() of local midnight, checked with
 *   localtime_r() and, if the zone has no such midnight (a DST jump at
 *   00:00, as some zones have), found by bisection for the first second of
 *   the date. Adding 24 h to the start would put an hour of the fall-back
 *   day into the next day, and an hour of the next day into spring-forward.
 * - Hours are looked up in a table of quarter hours built once per day, so
 *   placing 2,000 ratings costs no $TZ switching; every zone in use today
 *   has offsets and transitions on quarter hours, so the table is exact.
 *   On a fall-back day both 02:00 hours are local hour 2.
 * - Milliseconds become seconds by floor division, so an instant just
 *   before 1970 (a Pi whose clock never set) is not moved into 1970.
 */
#include "tzday.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct zone_saved {
	char *old; /* $TZ before, or NULL when it was unset */
	int had;
};

static int fail(char *err, size_t errlen, const char *fmt, const char *a)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a);
	return -1;
}

static int zone_enter(struct zone_saved *z, const char *tz, char *err, size_t errlen)
{
	const char *old = getenv("TZ");
	z->had = old != NULL;
	z->old = old ? strdup(old) : NULL;
	if (old && !z->old)
		return fail(err, errlen, "%s: out of memory", tz);
	if (setenv("TZ", tz, 1) != 0) {
		free(z->old);
		return fail(err, errlen, "%s: cannot set TZ", tz);
	}
	tzset();
	return 0;
}

static void zone_leave(struct zone_saved *z)
{
	if (z->had)
		setenv("TZ", z->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(z->old);
	z->old = NULL;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static struct tzdate civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	struct tzdate d;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(yoe + era * 400 + (d.month <= 2));
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
	if (strcmp(tz, "UTC") == 0)
		return 0; /* what glibc falls back to anyway, so right even without tzdata */
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return fail(err, errlen, "unknown time zone \"%s\" (not in the tz database)", tz);
	return 0;
}

/* Local date and time of t; 0, or -1 if the C library cannot represent it. */
static int local_tm(time_t t, struct tm *tm)
{
	return localtime_r(&t, tm) ? 0 : -1;
}

static struct tzdate tm_date(const struct tm *tm)
{
	struct tzdate d = { tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday };
	return d;
}

/* First second whose local date is `date` or later. Called inside zone_enter. */
static int day_start(struct tzdate date, time_t *out)
{
	struct tm tm = { 0 };
	tm.tm_year = date.year - 1900;
	tm.tm_mon = date.month - 1;
	tm.tm_mday = date.day;
	tm.tm_isdst = -1;
	errno = 0;
	time_t guess = mktime(&tm);
	if (guess == (time_t)-1 && errno != 0)
		return -1;
	struct tm back;
	if (local_tm(guess, &back))
		return -1;
	if (date_cmp(tm_date(&back), date) == 0 && back.tm_hour == 0 && back.tm_min == 0 && back.tm_sec == 0) {
		*out = guess;
		return 0;
	}
	/* No plain local midnight: bisect for the first second of the date. */
	time_t lo = guess - 2 * 86400, hi = guess + 2 * 86400;
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;
		if (local_tm(mid, &back))
			return -1;
		if (date_cmp(tm_date(&back), date) >= 0)
			hi = mid;
		else
			lo = mid;
	}
	*out = hi;
	return 0;
}

int tzday_make(struct tzday *d, const char *tz, struct tzdate date, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	struct tzdate next = tzday_add_days(date, 1);
	struct zone_saved z;
	if (zone_enter(&z, tz, err, errlen))
		return -1;
	time_t start, end;
	int rc = 0;
	if (day_start(date, &start) || day_start(next, &end) || end <= start ||
	    end - start > (time_t)TZDAY_MAX_HOURS * 3600) {
		rc = -1;
	} else {
		d->date = date;
		d->wday = tzday_weekday(date);
		d->start_ms = (int64_t)start * 1000;
		d->end_ms = (int64_t)end * 1000;
		int64_t len = d->end_ms - d->start_ms;
		d->nslots = (int)((len + TZDAY_SLOT_MS - 1) / TZDAY_SLOT_MS);
		for (int i = 0; i < d->nslots; i++) {
			struct tm tm;
			if (local_tm(start + (time_t)i * (TZDAY_SLOT_MS / 1000), &tm)) {
				rc = -1;
				break;
			}
			d->slot_hour[i] = (signed char)tm.tm_hour;
		}
	}
	zone_leave(&z);
	if (rc) {
		char what[40];
		snprintf(what, sizeof(what), "%04d-%02d-%02d", date.year, date.month, date.day);
		snprintf(err, errlen, "%s: cannot work out the local day %s", tz, what);
	}
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
	struct zone_saved z;
	if (zone_enter(&z, tz, err, errlen))
		return -1;
	struct tm tm;
	int rc = local_tm((time_t)floor_div(ms, 1000), &tm);
	zone_leave(&z);
	if (rc)
		return fail(err, errlen, "%s: time out of range", tz);
	*out = tm_date(&tm);
	if (hour)
		*hour = tm.tm_hour;
	return 0;
}

int tzday_offset_at(const char *tz, int64_t ms, long *offset_s, char *err, size_t errlen)
{
	struct zone_saved z;
	if (zone_enter(&z, tz, err, errlen))
		return -1;
	struct tm tm;
	int rc = local_tm((time_t)floor_div(ms, 1000), &tm);
	zone_leave(&z);
	if (rc)
		return fail(err, errlen, "%s: time out of range", tz);
	*offset_s = tm.tm_gmtoff;
	return 0;
}

int tzday_local_to_ms(const char *tz, struct tzdate date, int h, int m, int s, int64_t *out, char *err,
		      size_t errlen)
{
	struct zone_saved z;
	if (zone_enter(&z, tz, err, errlen))
		return -1;
	struct tm tm = { 0 };
	tm.tm_year = date.year - 1900;
	tm.tm_mon = date.month - 1;
	tm.tm_mday = date.day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	errno = 0;
	time_t t = mktime(&tm);
	int bad = t == (time_t)-1 && errno != 0;
	zone_leave(&z);
	if (bad)
		return fail(err, errlen, "%s: local time out of range", tz);
	*out = (int64_t)t * 1000;
	return 0;
}
