/*
 * shifts: parsing [shifts], checking it, and placing shifts on dates.
 *
 * Checks work on a map of the week in minutes (7 x 1440): each span marks
 * its minutes with its shift, a minute marked twice is an overlap. A span
 * past midnight marks the next day's early minutes, and Saturday night
 * runs into Sunday (the week wraps), so a night shift that collides with
 * the next morning's is caught too. Dated lines are checked the same way
 * on their own day (with the previous day's shifts that run into it).
 *
 * Time decisions: a shift's UTC bounds come from tzday_local_to_ms of its
 * start and end on their local dates, never start + length, so a night
 * shift over a DST change gets its real 7 or 9 hours and no rating slips
 * into the wrong shift at the change.
 */
#include "shifts.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEEK_MIN (7 * 1440)

static const char *day_names[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

void shifts_init(struct shifts *s)
{
	memset(s, 0, sizeof(*s));
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int parse_hhmm(const char *s, int *out)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m))
		return -1;
	*out = h * 60 + m;
	return 0;
}

/* "HH:MM-HH:MM" at p; advances *p past it. */
static int parse_range(const char **p, int *start, int *end)
{
	const char *s = *p;
	if (strlen(s) < 11 || s[5] != '-' || parse_hhmm(s, start) || parse_hhmm(s + 6, end) || *start == 1440)
		return -1;
	if (*start == *end)
		return -1; /* zero length, or 24 hours: neither is a shift anyone works */
	*p = s + 11;
	return 0;
}

static int parse_day(const char *s, int *out)
{
	for (int d = 0; d < 7; d++)
		if (strncasecmp(s, day_names[d], 3) == 0 && !isalpha((unsigned char)s[3])) {
			*out = d;
			return 0;
		}
	return -1;
}

/* "Mon", "Mon-Fri", "Fri-Mon" at p: a weekday mask. */
static int parse_days(const char **p, unsigned char *mask)
{
	int a, b;
	const char *s = *p;
	if (parse_day(s, &a))
		return -1;
	s += 3;
	b = a;
	if (*s == '-') {
		if (parse_day(s + 1, &b))
			return -1;
		s += 4;
	}
	*mask = 0;
	for (int d = a;; d = (d + 1) % 7) {
		*mask |= (unsigned char)(1u << d);
		if (d == b)
			break;
	}
	*p = s;
	return 0;
}

static int name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= SHIFTS_NAME_MAX)
		return 0;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != ' ' && *c != '-' && *c != '_' && *c != '.' &&
		    (unsigned char)*c < 0x80)
			return 0;
	return 1;
}

int shifts_find_name(const struct shifts *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->def[i].name, name))
			return i;
	return -1;
}

static int add_def(struct shifts *s, const char *name, const char *value, int line, char *err, size_t errlen)
{
	if (!name_ok(name)) {
		snprintf(err, errlen, "shift name \"%s\" must be 1 to %d letters, digits, spaces, '-', '_' or '.'", name,
			 SHIFTS_NAME_MAX - 1);
		return -1;
	}
	if (shifts_find_name(s, name) >= 0) {
		snprintf(err, errlen, "shift \"%s\" is defined twice (list several days on one line: Mon-Fri 06:00-14:00, Sat 08:00-12:00)", name);
		return -1;
	}
	if (s->n == SHIFTS_MAX) {
		snprintf(err, errlen, "at most %d shifts", SHIFTS_MAX);
		return -1;
	}
	struct shift_def d = { .line = line };
	snprintf(d.name, sizeof(d.name), "%s", name);
	const char *p = skip_space(value);
	while (*p) {
		struct shift_span sp;
		if (d.nspans == SHIFTS_MAX_SPANS || parse_days(&p, &sp.days))
			goto bad;
		p = skip_space(p);
		if (parse_range(&p, &sp.start_min, &sp.end_min))
			goto bad;
		d.span[d.nspans++] = sp;
		p = skip_space(p);
		if (*p == ',')
			p = skip_space(p + 1);
		else if (*p)
			goto bad;
	}
	if (d.nspans == 0)
		goto bad;
	s->def[s->n++] = d;
	return 0;
bad:
	snprintf(err, errlen, "shift \"%s\" must be DAYS HH:MM-HH:MM (e.g. Mon-Fri 06:00-14:00), spans separated by commas, not \"%s\"",
		 name, value);
	return -1;
}

static int add_dated(struct shifts *s, struct tzdate date, const char *value, int line, char *err, size_t errlen)
{
	for (int i = 0; i < s->ndated; i++)
		if (!memcmp(&s->dated[i].date, &date, sizeof(date))) {
			snprintf(err, errlen, "%04d-%02d-%02d is given twice", date.year, date.month, date.day);
			return -1;
		}
	if (s->ndated == SHIFTS_MAX_DATED) {
		snprintf(err, errlen, "at most %d dated lines in [shifts]", SHIFTS_MAX_DATED);
		return -1;
	}
	struct shift_dated *x = &s->dated[s->ndated];
	memset(x, 0, sizeof(*x));
	x->date = date;
	x->line = line;
	const char *p = skip_space(value);
	if (!strcmp(p, "closed")) {
		s->ndated++;
		return 0;
	}
	while (*p) {
		/* NAME HH:MM-HH:MM: the name is everything before the last word. */
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len < 13 || x->n == SHIFTS_PER_DAY || (p[len - 12] != ' ' && p[len - 12] != '\t'))
			goto bad;
		const char *range = p + len - 11;
		char name[SHIFTS_NAME_MAX];
		size_t nlen = len - 12;
		while (nlen && (p[nlen - 1] == ' ' || p[nlen - 1] == '\t'))
			nlen--;
		if (nlen == 0 || nlen >= sizeof(name))
			goto bad;
		memcpy(name, p, nlen);
		name[nlen] = '\0';
		char rbuf[12];
		memcpy(rbuf, range, 11);
		rbuf[11] = '\0';
		const char *rp = rbuf;
		if (parse_range(&rp, &x->start_min[x->n], &x->end_min[x->n]))
			goto bad;
		snprintf(x->pending[x->n], sizeof(x->pending[x->n]), "%s", name);
		x->shift[x->n] = -1;
		x->n++;
		p = comma ? skip_space(comma + 1) : p + strlen(p);
	}
	if (x->n == 0)
		goto bad;
	s->ndated++;
	return 0;
bad:
	snprintf(err, errlen, "%04d-%02d-%02d must be \"closed\" or SHIFT HH:MM-HH:MM, ... (shifts defined in [shifts]), not \"%s\"",
		 date.year, date.month, date.day, value);
	return -1;
}

int shifts_add_line(struct shifts *s, const char *key, const char *value, int line, char *err, size_t errlen)
{
	struct tzdate date;
	if (isdigit((unsigned char)key[0]) && tzday_parse_date(key, &date) == 0)
		return add_dated(s, date, value, line, err, errlen);
	return add_def(s, key, value, line, err, errlen);
}

/* --- checks ------------------------------------------------------------------- */

/* Marks [start, end) minutes of the week with shift+1; reports the first collision. */
static int mark(short *week, int from, int len, short who, short *clash)
{
	for (int m = 0; m < len; m++) {
		int at = (from + m) % WEEK_MIN;
		if (week[at] && week[at] != who) {
			*clash = week[at];
			return -1;
		}
		week[at] = who;
	}
	return 0;
}

static int span_len(int start, int end)
{
	return end > start ? end - start : end + 1440 - start;
}

int shifts_check(struct shifts *s, shifts_report_fn report, void *arg)
{
	int problems = 0;
	char msg[256];
	for (int i = 0; i < s->ndated; i++) {
		struct shift_dated *x = &s->dated[i];
		for (int k = 0; k < x->n; k++) {
			x->shift[k] = shifts_find_name(s, x->pending[k]);
			if (x->shift[k] < 0) {
				snprintf(msg, sizeof(msg), "%04d-%02d-%02d names shift \"%s\", which [shifts] does not define",
					 x->date.year, x->date.month, x->date.day, x->pending[k]);
				report(arg, x->line, msg);
				problems++;
			}
		}
	}
	short *week = calloc(WEEK_MIN, sizeof(*week));
	if (!week) {
		report(arg, 0, "out of memory");
		return problems + 1;
	}
	for (int i = 0; i < s->n; i++) {
		const struct shift_def *d = &s->def[i];
		for (int k = 0; k < d->nspans; k++)
			for (int day = 0; day < 7; day++) {
				if (!(d->span[k].days & (1u << day)))
					continue;
				short clash = 0;
				int from = day * 1440 + d->span[k].start_min;
				if (mark(week, from, span_len(d->span[k].start_min, d->span[k].end_min), (short)(i + 1), &clash)) {
					const struct shift_def *o = &s->def[clash - 1];
					snprintf(msg, sizeof(msg), "shift \"%s\" overlaps \"%s\" on %s (a rating must belong to one shift)",
						 d->name, o->name, day_names[day]);
					report(arg, d->line, msg);
					problems++;
					goto next_def;
				}
			}
next_def:;
	}
	/* A dated day on its own: its shifts against each other. */
	for (int i = 0; i < s->ndated; i++) {
		const struct shift_dated *x = &s->dated[i];
		memset(week, 0, WEEK_MIN * sizeof(*week));
		for (int k = 0; k < x->n; k++) {
			short clash = 0;
			if (mark(week, x->start_min[k], span_len(x->start_min[k], x->end_min[k]), (short)(k + 1), &clash)) {
				snprintf(msg, sizeof(msg), "%04d-%02d-%02d: \"%s\" overlaps \"%s\"", x->date.year, x->date.month,
					 x->date.day, x->pending[k], x->pending[clash - 1]);
				report(arg, x->line, msg);
				problems++;
				break;
			}
		}
	}
	free(week);
	return problems;
}

int shifts_gaps(const struct shifts *s, const struct day_hours hours[7], shifts_report_fn note, void *arg)
{
	if (s->n == 0)
		return 0;
	int notes = 0;
	char msg[256];
	/* Gaps: on each weekday, a shift that ends where no shift starts, and a later one that starts that day. */
	for (int day = 0; day < 7; day++) {
		for (int i = 0; i < s->n; i++)
			for (int k = 0; k < s->def[i].nspans; k++) {
				const struct shift_span *a = &s->def[i].span[k];
				if (!(a->days & (1u << day)) || a->end_min <= a->start_min)
					continue;
				int end = a->end_min, next = 1441;
				const char *next_name = NULL;
				int covered = 0;
				for (int j = 0; j < s->n; j++)
					for (int q = 0; q < s->def[j].nspans; q++) {
						const struct shift_span *b = &s->def[j].span[q];
						if (!(b->days & (1u << day)))
							continue;
						if (b->start_min == end)
							covered = 1;
						else if (b->start_min > end && b->start_min < next) {
							next = b->start_min;
							next_name = s->def[j].name;
						}
					}
				if (!covered && next_name) {
					snprintf(msg, sizeof(msg), "note: on %s no shift runs from %02d:%02d to %02d:%02d (between \"%s\" and \"%s\"); ratings then count in no shift",
						 day_names[day], end / 60, end % 60, next / 60, next % 60, s->def[i].name, next_name);
					note(arg, s->def[i].line, msg);
					notes++;
				}
			}
	}
	/* Opening hours no shift covers. */
	if (hours && !hours_all_open(hours)) {
		for (int day = 0; day < 7; day++) {
			int first = -1, last = -1;
			for (int m = 0; m < 1440; m++) {
				int open = hours_open_at(hours, day, m), in = 0;
				for (int i = 0; i < s->n && !in; i++)
					for (int k = 0; k < s->def[i].nspans && !in; k++) {
						const struct shift_span *a = &s->def[i].span[k];
						int yday = (day + 6) % 7;
						if (a->days & (1u << day))
							in = a->end_min > a->start_min ? m >= a->start_min && m < a->end_min
										       : m >= a->start_min;
						if (!in && (a->days & (1u << yday)) && a->end_min <= a->start_min)
							in = m < a->end_min;
					}
				if (open && !in) {
					if (first < 0)
						first = m;
					last = m;
				}
			}
			if (first >= 0) {
				snprintf(msg, sizeof(msg), "note: on %s the store is open from %02d:%02d to %02d:%02d with no shift ([hours]); ratings then count in no shift",
					 day_names[day], first / 60, first % 60, (last + 1) / 60, (last + 1) % 60);
				note(arg, s->def[0].line, msg);
				notes++;
			}
		}
	}
	return notes;
}

/* --- dates ------------------------------------------------------------------- */

static int occ_cmp(const void *a, const void *b)
{
	const struct shift_occ *x = a, *y = b;
	return x->start_ms < y->start_ms ? -1 : x->start_ms > y->start_ms;
}

static int make_occ(const char *name, const char *tz, struct tzdate date, int start, int end, struct shift_occ *o,
		    char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->date = date;
	o->start_min = start;
	o->end_min = end;
	struct tzdate end_date = end <= start || end == 1440 ? tzday_add_days(date, 1) : date;
	int e = end == 1440 ? 0 : end;
	if (tzday_local_to_ms(tz, date, start / 60, start % 60, 0, &o->start_ms, err, errlen) ||
	    tzday_local_to_ms(tz, end_date, e / 60, e % 60, 0, &o->end_ms, err, errlen))
		return -1;
	return 0;
}

int shifts_on_date(const struct shifts *s, const char *tz, struct tzdate date, struct shift_occ *out, int max,
		   char *err, size_t errlen)
{
	int n = 0;
	for (int i = 0; i < s->ndated; i++) {
		const struct shift_dated *x = &s->dated[i];
		if (memcmp(&x->date, &date, sizeof(date)) != 0)
			continue;
		for (int k = 0; k < x->n && n < max; k++) {
			if (x->shift[k] < 0)
				continue;
			if (make_occ(s->def[x->shift[k]].name, tz, date, x->start_min[k], x->end_min[k], &out[n], err, errlen))
				return -1;
			n++;
		}
		goto sorted;
	}
	int wday = tzday_weekday(date);
	for (int i = 0; i < s->n; i++)
		for (int k = 0; k < s->def[i].nspans && n < max; k++) {
			const struct shift_span *sp = &s->def[i].span[k];
			if (!(sp->days & (1u << wday)))
				continue;
			if (make_occ(s->def[i].name, tz, date, sp->start_min, sp->end_min, &out[n], err, errlen))
				return -1;
			n++;
		}
sorted:
	qsort(out, (size_t)n, sizeof(*out), occ_cmp);
	return n;
}

/* --- text -------------------------------------------------------------------- */

static int put(char *out, size_t outlen, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int put(char *out, size_t outlen, size_t *used, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + *used, outlen - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outlen - *used)
		return -1;
	*used += (size_t)n;
	return 0;
}

static void days_text(unsigned char mask, char *out, size_t outlen)
{
	/* The longest run, starting after a day off so that Fri-Mon stays one run. */
	if (mask == 0x7f) {
		snprintf(out, outlen, "Sun-Sat");
		return;
	}
	int first = 0;
	while (mask & (1u << first))
		first++;
	int from = -1, used = 0;
	out[0] = '\0';
	for (int i = 1; i <= 7; i++) {
		int d = (first + i) % 7, on = (mask & (1u << d)) != 0;
		if (on && from < 0)
			from = d;
		if (!on && from >= 0) {
			int last = (d + 6) % 7;
			used += snprintf(out + used, outlen - (size_t)used, "%s%s%s%s", used ? "+" : "", day_names[from],
					 last != from ? "-" : "", last != from ? day_names[last] : "");
			from = -1;
		}
	}
}

int shifts_format(const struct shifts *s, char *out, size_t outlen)
{
	size_t used = 0;
	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (int i = 0; i < s->n; i++) {
		const struct shift_def *d = &s->def[i];
		if (put(out, outlen, &used, "%s =", d->name))
			return -1;
		for (int k = 0; k < d->nspans; k++) {
			char days[64];
			days_text(d->span[k].days, days, sizeof(days));
			/* "Mon-Wed+Fri" is not a form the parser reads: one span per run of days. */
			char *save = NULL;
			int first = 1;
			for (char *run = strtok_r(days, "+", &save); run; run = strtok_r(NULL, "+", &save)) {
				if (put(out, outlen, &used, "%s %s %02d:%02d-%02d:%02d", k || !first ? "," : "", run,
					d->span[k].start_min / 60, d->span[k].start_min % 60, d->span[k].end_min / 60,
					d->span[k].end_min % 60))
					return -1;
				first = 0;
			}
		}
		if (put(out, outlen, &used, "\n"))
			return -1;
	}
	for (int i = 0; i < s->ndated; i++) {
		const struct shift_dated *x = &s->dated[i];
		if (put(out, outlen, &used, "%04d-%02d-%02d =", x->date.year, x->date.month, x->date.day))
			return -1;
		if (x->n == 0 && put(out, outlen, &used, " closed"))
			return -1;
		for (int k = 0; k < x->n; k++)
			if (put(out, outlen, &used, "%s %s %02d:%02d-%02d:%02d", k ? "," : "",
				x->shift[k] >= 0 ? s->def[x->shift[k]].name : x->pending[k], x->start_min[k] / 60,
				x->start_min[k] % 60, x->end_min[k] / 60, x->end_min[k] % 60))
				return -1;
		if (put(out, outlen, &used, "\n"))
			return -1;
	}
	return 0;
}

struct collect {
	char *err;
	size_t errlen;
	int first;
};

static void collect_first(void *arg, int line, const char *message)
{
	struct collect *c = arg;
	if (c->first)
		snprintf(c->err, c->errlen, "line %d: %s", line, message);
	c->first = 0;
}

int shifts_parse_text(const char *text, struct shifts *s, char *err, size_t errlen)
{
	shifts_init(s);
	int lineno = 0;
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		lineno++;
		char line[512];
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "line %d: too long", lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = eol ? eol + 1 : p + len;
		char *c = line;
		while (*c == ' ' || *c == '\t')
			c++;
		if (!*c || *c == '#' || *c == ';')
			continue;
		char *eq = strchr(c, '=');
		if (!eq) {
			snprintf(err, errlen, "line %d: not NAME = DAYS HH:MM-HH:MM", lineno);
			return -1;
		}
		char *end = eq;
		while (end > c && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		char e[256];
		if (shifts_add_line(s, c, eq + 1, lineno, e, sizeof(e))) {
			snprintf(err, errlen, "line %d: %s", lineno, e);
			return -1;
		}
	}
	struct collect col = { err, errlen, 1 };
	return shifts_check(s, collect_first, &col) ? -1 : 0;
}
