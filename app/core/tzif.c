/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzif: IANA zones from their TZif files, per RFC 8536.
 *
 * Why this and not the C library or ICU: glibc converts in exactly one
 * zone per process, the one in $TZ, and switching it with setenv("TZ") is
 * not thread-safe (getenv/setenv race, tzset's global state) and costs a
 * file read per switch; head office serves many zones from many threads
 * at once. ICU's ucal_* would do, but pulls about 30 MiB of library and
 * data onto a kiosk for what is 300 lines of reading a documented format
 * from the tzdata package every Debian system already keeps current. So
 * this reads the same files glibc reads, and its tests compare it with
 * glibc's answers for every zone on the machine.
 *
 * How it works:
 * - The version 2+ (64-bit) data block is used; a version 1 file is read
 *   from its 32-bit block. Files with leap-second records (the "right/"
 *   zones) are refused: their times are not POSIX seconds.
 * - Before the first transition, time type 0 applies (RFC 8536 3.2).
 * - After the last transition the footer's POSIX TZ string rules
 *   ("CET-1CEST,M3.5.0,M10.5.0/3"), computed per year, so dates past
 *   2037 stay right; without a footer the last type goes on.
 * - Local to UTC walks the constant-offset stretches within 26 hours of
 *   the wanted time (no zone is further than that from UTC), so gaps and
 *   repeated hours are found exactly, not guessed.
 */
#include "tzif.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILE (1024 * 1024)
#define WINDOW (27 * 3600) /* more than any UTC offset (the largest today is 14 h) */

/* The footer's rule: std offset, and optionally dst with its start and end. */
struct rule_day {
	char kind;   /* 'J' (1..365, no Feb 29), 'n' (0..365), 'M' (month.week.day) */
	int a, b, c; /* J/n: a = day; M: a = month, b = week, c = weekday */
	long time;   /* local seconds after midnight, may be negative or over 24 h */
};

struct footer {
	int present, has_dst;
	long std_off, dst_off; /* east positive */
	struct rule_day start, end;
};

struct tzif {
	char name[128];
	size_t n;         /* transitions */
	int64_t *when;    /* n transition instants, ascending */
	unsigned char *type; /* n type indices */
	size_t ntypes;
	long *utoff;      /* ntypes offsets */
	struct footer f;
};

static int fail(char *err, size_t errlen, const char *name, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", name, what);
	return -1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t tzif_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tzif_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* --- the POSIX TZ string of the footer ------------------------------------ */

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 3.3.1). */
static int parse_hms(const char **p, long *out)
{
	const char *s = *p;
	long sign = 1, h = 0, m = 0, sec = 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9' && h < 1000)
		h = h * 10 + (*s++ - '0');
	if (*s == ':') {
		s++;
		if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
			return -1;
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (*s == ':') {
			s++;
			if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
				return -1;
			sec = (s[0] - '0') * 10 + (s[1] - '0');
			s += 2;
		}
	}
	if (h > 167)
		return -1;
	*out = sign * (h * 3600 + m * 60 + sec);
	*p = s;
	return 0;
}

/* A zone abbreviation: <...> or three or more letters. */
static int skip_name(const char **p)
{
	const char *s = *p;
	if (*s == '<') {
		while (*s && *s != '>')
			s++;
		if (*s != '>')
			return -1;
		s++;
	} else {
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			s++;
		if (s - *p < 3)
			return -1;
	}
	*p = s;
	return 0;
}

static int parse_int(const char **p, int lo, int hi, int *out)
{
	const char *s = *p;
	int v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9' && v <= hi)
		v = v * 10 + (*s++ - '0');
	if (v < lo || v > hi)
		return -1;
	*out = v;
	*p = s;
	return 0;
}

static int parse_rule_day(const char **p, struct rule_day *r)
{
	const char *s = *p;
	if (*s == 'J') {
		s++;
		r->kind = 'J';
		if (parse_int(&s, 1, 365, &r->a))
			return -1;
	} else if (*s == 'M') {
		s++;
		r->kind = 'M';
		if (parse_int(&s, 1, 12, &r->a) || *s++ != '.' || parse_int(&s, 1, 5, &r->b) || *s++ != '.' ||
		    parse_int(&s, 0, 6, &r->c))
			return -1;
	} else {
		r->kind = 'n';
		if (parse_int(&s, 0, 365, &r->a))
			return -1;
	}
	r->time = 2 * 3600;
	if (*s == '/') {
		s++;
		if (parse_hms(&s, &r->time))
			return -1;
	}
	*p = s;
	return 0;
}

/* "std offset [dst [offset] [,start[/time],end[/time]]]"; POSIX offsets are west positive. */
static int parse_footer(const char *s, struct footer *f)
{
	memset(f, 0, sizeof(*f));
	if (!*s)
		return 0; /* empty footer: no rule, the last type goes on */
	long off;
	if (skip_name(&s) || parse_hms(&s, &off))
		return -1;
	f->present = 1;
	f->std_off = -off;
	if (!*s)
		return 0;
	if (skip_name(&s))
		return -1;
	f->has_dst = 1;
	f->dst_off = f->std_off + 3600;
	if (*s && *s != ',') {
		if (parse_hms(&s, &off))
			return -1;
		f->dst_off = -off;
	}
	if (!*s) {
		/* POSIX leaves the default rule to the implementation; glibc uses the US rule. */
		f->start = (struct rule_day){ 'M', 3, 2, 0, 7200 };
		f->end = (struct rule_day){ 'M', 11, 1, 0, 7200 };
		return 0;
	}
	if (*s++ != ',' || parse_rule_day(&s, &f->start) || *s++ != ',' || parse_rule_day(&s, &f->end) || *s)
		return -1;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The local second (from 1970, as if UTC) at which rule day r happens in year y. */
static int64_t rule_local(const struct rule_day *r, int y)
{
	int64_t day;
	if (r->kind == 'J') {
		day = tzif_days_from_civil(y, 1, 1) + r->a - 1 + (is_leap(y) && r->a >= 60);
	} else if (r->kind == 'n') {
		day = tzif_days_from_civil(y, 1, 1) + r->a;
	} else {
		int64_t first = tzif_days_from_civil(y, r->a, 1);
		int64_t next = r->a == 12 ? tzif_days_from_civil(y + 1, 1, 1) : tzif_days_from_civil(y, r->a + 1, 1);
		int wday = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
		day = first + (r->c - wday + 7) % 7 + (int64_t)(r->b - 1) * 7;
		while (day >= next)
			day -= 7; /* week 5: the last such weekday */
	}
	return day * 86400 + r->time;
}

/* UTC instants when DST starts and ends in year y. */
static void rule_year(const struct footer *f, int y, int64_t *start, int64_t *end)
{
	*start = rule_local(&f->start, y) - f->std_off;
	*end = rule_local(&f->end, y) - f->dst_off;
}

static int year_of(int64_t t)
{
	int y, m, d;
	tzif_civil_from_days(floor_div(t, 86400), &y, &m, &d);
	return y;
}

static long footer_offset(const struct footer *f, int64_t t)
{
	if (!f->has_dst)
		return f->std_off;
	int y = year_of(t + f->std_off);
	int64_t s, e;
	rule_year(f, y, &s, &e);
	int dst = s < e ? (t >= s && t < e) : !(t >= e && t < s); /* southern hemisphere: DST spans new year */
	return dst ? f->dst_off : f->std_off;
}

/* The first footer transition after t, or INT64_MAX. */
static int64_t footer_next(const struct footer *f, int64_t t)
{
	if (!f->has_dst)
		return INT64_MAX;
	int64_t best = INT64_MAX;
	int y = year_of(t);
	for (int yy = y - 1; yy <= y + 1; yy++) {
		int64_t s, e;
		rule_year(f, yy, &s, &e);
		if (s > t && s < best)
			best = s;
		if (e > t && e < best)
			best = e;
	}
	return best;
}

/* --- reading the file -------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct header {
	uint32_t isut, isstd, leap, time, type, chars;
};

static int read_header(const unsigned char *p, size_t len, struct header *h, char *version)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	*version = (char)p[4];
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	/* Bounds that also keep the size arithmetic below far from overflow. */
	if (h->time > 1000000 || h->type == 0 || h->type > 256 || h->chars > 100000 || h->leap > 100000 ||
	    (h->isut && h->isut != h->type) || (h->isstd && h->isstd != h->type))
		return -1;
	return 0;
}

static size_t block_size(const struct header *h, size_t tsize)
{
	return h->time * tsize + h->time + h->type * 6 + h->chars + h->leap * (tsize + 4) + h->isstd + h->isut;
}

static int parse(struct tzif *z, const unsigned char *p, size_t len, char *err, size_t errlen)
{
	struct header h;
	char version;
	if (read_header(p, len, &h, &version))
		return fail(err, errlen, z->name, "not a TZif file");
	size_t tsize = 4, off = 44;
	if (version >= '2') {
		/* Skip the 32-bit block; the 64-bit one follows with its own header. */
		size_t skip = block_size(&h, 4);
		if (off + skip > len || read_header(p + off + skip, len - off - skip, &h, &version))
			return fail(err, errlen, z->name, "truncated TZif file");
		off += skip + 44;
		tsize = 8;
	}
	if (h.leap)
		return fail(err, errlen, z->name, "zone files with leap seconds (right/) are not supported");
	size_t need = block_size(&h, tsize);
	if (off + need > len)
		return fail(err, errlen, z->name, "truncated TZif file");
	z->n = h.time;
	z->ntypes = h.type;
	z->when = calloc(h.time ? h.time : 1, sizeof(*z->when));
	z->type = calloc(h.time ? h.time : 1, 1);
	z->utoff = calloc(h.type, sizeof(*z->utoff));
	if (!z->when || !z->type || !z->utoff)
		return fail(err, errlen, z->name, "out of memory");
	const unsigned char *q = p + off;
	for (size_t i = 0; i < h.time; i++, q += tsize) {
		z->when[i] = tsize == 8 ? be64(q) : (int64_t)(int32_t)be32(q);
		if (i > 0 && z->when[i] <= z->when[i - 1])
			return fail(err, errlen, z->name, "transitions out of order");
	}
	for (size_t i = 0; i < h.time; i++, q++) {
		if (*q >= h.type)
			return fail(err, errlen, z->name, "bad time type index");
		z->type[i] = *q;
	}
	for (size_t i = 0; i < h.type; i++, q += 6) {
		int32_t u = (int32_t)be32(q);
		if (u < -25 * 3600 || u > 26 * 3600)
			return fail(err, errlen, z->name, "UTC offset out of range");
		z->utoff[i] = u;
	}
	if (tsize == 8) {
		/* The footer: "\n" TZ string "\n" right after the data block. */
		const char *f = (const char *)p + off + need, *end = (const char *)p + len;
		const char *nl = f < end && *f == '\n' ? memchr(f + 1, '\n', (size_t)(end - f - 1)) : NULL;
		char tzstr[256];
		if (nl && (size_t)(nl - f - 1) < sizeof(tzstr)) {
			memcpy(tzstr, f + 1, (size_t)(nl - f - 1));
			tzstr[nl - f - 1] = '\0';
			if (parse_footer(tzstr, &z->f))
				return fail(err, errlen, z->name, "footer TZ string not understood");
		}
	}
	return 0;
}

static int name_ok(const char *name)
{
	return name && *name && name[0] != '/' && name[0] != ':' && !strstr(name, "..") && strlen(name) < 128;
}

int tzif_load(struct tzif **out, const char *name, char *err, size_t errlen)
{
	*out = NULL;
	if (!name_ok(name))
		return fail(err, errlen, name ? name : "", "not an IANA time zone name (like Europe/Berlin)");
	struct tzif *z = calloc(1, sizeof(*z));
	if (!z)
		return fail(err, errlen, name, "out of memory");
	snprintf(z->name, sizeof(z->name), "%s", name);
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (!strcmp(name, "UTC") && e == ENOENT) {
			/* What glibc does without tzdata: right, and no file needed. */
			z->f.present = 1;
			*out = z;
			return 0;
		}
		tzif_free(z);
		return fail(err, errlen, name, e == ENOENT || e == ENOTDIR ? "unknown time zone (not in the tz database)"
								    : strerror(e));
	}
	unsigned char *buf = malloc(MAX_FILE);
	size_t len = 0;
	ssize_t got = 0;
	while (buf && len < MAX_FILE && (got = read(fd, buf + len, MAX_FILE - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)got;
	}
	close(fd);
	int rc = !buf ? fail(err, errlen, name, "out of memory")
		 : got < 0 ? fail(err, errlen, name, "cannot read the zone file")
			   : parse(z, buf, len, err, errlen);
	free(buf);
	if (rc) {
		tzif_free(z);
		return -1;
	}
	*out = z;
	return 0;
}

void tzif_free(struct tzif *z)
{
	if (!z)
		return;
	free(z->when);
	free(z->type);
	free(z->utoff);
	free(z);
}

const char *tzif_name(const struct tzif *z)
{
	return z->name;
}

/* Index of the last transition at or before t, or -1. */
static ptrdiff_t last_at(const struct tzif *z, int64_t t)
{
	size_t lo = 0, hi = z->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->when[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

long tzif_offset(const struct tzif *z, int64_t t)
{
	ptrdiff_t i = last_at(z, t);
	if (i == (ptrdiff_t)z->n - 1 && z->f.present)
		return footer_offset(&z->f, t);
	if (i < 0)
		return z->ntypes ? z->utoff[0] : 0;
	return z->utoff[z->type[i]];
}

int64_t tzif_next_change(const struct tzif *z, int64_t t)
{
	ptrdiff_t i = last_at(z, t);
	if (i + 1 < (ptrdiff_t)z->n)
		return z->when[i + 1];
	return z->f.present ? footer_next(&z->f, t) : INT64_MAX;
}

int tzif_to_utc(const struct tzif *z, int64_t local_s, int64_t *t, int64_t *gap_end)
{
	/* Walk the stretches of constant offset that can hold local_s. */
	int64_t a = local_s - WINDOW, limit = local_s + WINDOW;
	long prev_off = tzif_offset(z, a);
	for (;;) {
		long off = tzif_offset(z, a);
		int64_t b = tzif_next_change(z, a);
		if (off != prev_off && local_s >= a + prev_off && local_s < a + off) {
			/* Skipped by a spring-forward at a: mktime moves it on by the gap. */
			*t = local_s - prev_off;
			*gap_end = a;
			return 1;
		}
		int64_t cand = local_s - off;
		if (cand >= a && cand < b) {
			*t = cand; /* the first stretch holding it: the earlier of a repeated hour */
			return 0;
		}
		if (b >= limit || b == INT64_MAX)
			break;
		prev_off = off;
		a = b;
	}
	*t = local_s - tzif_offset(z, local_s); /* not reached for a sane zone */
	return 0;
}
