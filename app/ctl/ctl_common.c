/*
 * ctl_common: what tallyctl's subcommands share: messages, the read-only
 * store connection, and times in the store's zone.
 *
 * Why read-only (SQLITE_OPEN_READONLY, PRAGMA query_only) rather than
 * store_open: an admin's status, export or stats must never create a store
 * at a mistyped path, never migrate the kiosk's file behind its back, and
 * work for a user who may only read the file. In WAL mode a reader never
 * blocks the kiosk's commits; the 5 s busy timeout covers the moments the
 * kiosk holds a lock a reader must wait for (WAL recovery, a checkpoint
 * truncating the log), so a press is never refused because of tallyctl.
 */
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store.h"

void ctl_error(const struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ctl_usage_error(const struct ctl *c, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s %s: ", c->prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(%s --help lists the commands and options)\n", c->prog);
	return CTL_USAGE;
}

static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int ctl_db_open(const struct ctl *c, sqlite3 **out, char *err, size_t errlen)
{
	const char *path = c->cfg.database;
	*out = NULL;
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "%s: no database here (nothing stored yet, or [kiosk] database is wrong)", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	int64_t version = 0, has_ratings = 0;
	if (query_int(db, "PRAGMA user_version", &version) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ratings'",
		      &has_ratings)) {
		snprintf(err, errlen, "%s: not a database, or corrupt: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	if (!has_ratings) {
		snprintf(err, errlen, "%s: not a Tally store (no ratings table)", path);
		sqlite3_close(db);
		return -1;
	}
	if (version < 3) {
		snprintf(err, errlen, "%s: schema version %lld is older than 3; tally-kiosk updates it when it starts",
			 path, (long long)version);
		sqlite3_close(db);
		return -1;
	}
	if (version > store_schema_latest()) {
		snprintf(err, errlen, "%s: schema version %lld is newer than this tallyctl understands (%d)", path,
			 (long long)version, store_schema_latest());
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

int64_t ctl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
 * The zone's offset at ms. Asking tzday reads the zone file, too slow for a
 * year's export row by row, so the answer is kept per quarter hour of UTC:
 * every zone in use changes offset only on quarter hours.
 */
static int offset_at(const char *tz, int64_t ms, long *off)
{
	static char cached_tz[CONFIG_NAME_MAX];
	static int64_t cached_slot = INT64_MIN;
	static long cached_off;
	static int cached_ok;
	int64_t slot = floor_div(ms, TZDAY_SLOT_MS);
	if (slot != cached_slot || strcmp(tz, cached_tz) != 0) {
		cached_ok = tzday_offset_at(tz, slot * TZDAY_SLOT_MS, &cached_off, NULL, 0) == 0;
		cached_slot = slot;
		snprintf(cached_tz, sizeof(cached_tz), "%s", tz);
	}
	*off = cached_ok ? cached_off : 0;
	return cached_ok ? 0 : -1;
}

char *ctl_format_time(const struct ctl *c, int64_t ms, char *out, size_t outlen)
{
	long off = 0;
	int zoned = offset_at(c->cfg.timezone, ms, &off) == 0;
	int64_t local = ms + (int64_t)off * 1000;
	time_t secs = (time_t)floor_div(local, 1000);
	int millis = (int)(local - (int64_t)secs * 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, outlen, "%lld", (long long)ms);
		return out;
	}
	char zone[48] = "Z";
	if (zoned) {
		long a = off < 0 ? -off : off;
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
	}
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, millis, zone);
	return out;
}

char *ctl_format_age(int64_t ms, char *out, size_t outlen)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;
	if (s < 60)
		snprintf(out, outlen, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(out, outlen, "%lld min", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, outlen, "%lld h %lld min", (long long)(s / 3600), (long long)(s / 60 % 60));
	else
		snprintf(out, outlen, "%lld d %lld h", (long long)(s / 86400), (long long)(s / 3600 % 24));
	return out;
}

/* Reads exactly n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		char ch = (*p)[i];
		if (ch < '0' || ch > '9')
			return -1;
		*v = *v * 10 + (ch - '0');
	}
	*p += n;
	return 0;
}

int ctl_parse_time(const struct ctl *c, const char *s, int end_of_day, int64_t *out_ms, char *err,
		   size_t errlen)
{
	char datepart[11];
	struct tzdate date;
	snprintf(datepart, sizeof(datepart), "%s", s);
	if (strlen(s) < 10 || tzday_parse_date(datepart, &date))
		goto bad;
	const char *p = s + 10;
	if (*p == '\0') {
		if (end_of_day)
			date = tzday_add_days(date, 1);
		return tzday_local_to_ms(c->cfg.timezone, date, 0, 0, 0, out_ms, err, errlen);
	}
	int h, m, sec = 0, millis = 0;
	if ((*p != 'T' && *p != ' ') || (p++, digits(&p, 2, &h)) || *p++ != ':' || digits(&p, 2, &m))
		goto bad;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec))
			goto bad;
		if (*p == '.') {
			p++;
			int n = 0;
			while (p[n] >= '0' && p[n] <= '9')
				n++;
			if (n < 1 || n > 9)
				goto bad;
			int frac;
			const char *q = p;
			if (digits(&q, n < 3 ? n : 3, &frac))
				goto bad;
			millis = n == 1 ? frac * 100 : n == 2 ? frac * 10 : frac;
			p += n;
		}
	}
	if (h > 23 || m > 59 || sec > 59)
		goto bad;
	if (*p == '\0') {
		int64_t base;
		if (tzday_local_to_ms(c->cfg.timezone, date, h, m, sec, &base, err, errlen))
			return -1;
		*out_ms = base + millis;
		return 0;
	}
	long off = 0;
	if (*p == 'Z' && p[1] == '\0') {
		off = 0;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (digits(&p, 2, &oh))
			goto bad;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) || *p != '\0' || oh > 23 || om > 59)
			goto bad;
		off = sign * (oh * 3600L + om * 60L);
	} else {
		goto bad;
	}
	struct tm tm = { .tm_year = date.year - 1900, .tm_mon = date.month - 1, .tm_mday = date.day,
			 .tm_hour = h, .tm_min = m, .tm_sec = sec };
	*out_ms = ((int64_t)timegm(&tm) - off) * 1000 + millis;
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", s);
	return -1;
}

int ctl_today(const struct ctl *c, struct tzdate *out, char *err, size_t errlen)
{
	return tzday_date_of(c->cfg.timezone, ctl_now_ms(), out, NULL, err, errlen);
}
