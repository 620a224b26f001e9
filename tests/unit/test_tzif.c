/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzif: every zone on this machine against glibc's own conversion (the
 * reference: it reads the same files), DST day lengths, gaps and repeated
 * hours, dates past 2037 (the footer rule), and no $TZ touched.
 * glibc is driven through $TZ here only because this test is one thread.
 */
#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "tzday.h"
#include "tzif.h"

static char err[512];

/* Every loadable zone name under /usr/share/zoneinfo (no posix/, right/), up to max. */
static size_t zone_names(char names[][64], size_t max, const char *dir, const char *prefix)
{
	size_t n = 0;
	char path[512];
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", dir);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "posix") || !strcmp(e->d_name, "right") ||
		    !strcmp(e->d_name, "localtime") || !strcmp(e->d_name, "posixrules"))
			continue;
		char name[320], full[700];
		snprintf(name, sizeof(name), "%s%s", prefix, e->d_name);
		if (strlen(name) >= 63)
			continue;
		snprintf(full, sizeof(full), "/usr/share/zoneinfo/%s", name);
		struct stat st;
		if (stat(full, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			char sub[330];
			snprintf(sub, sizeof(sub), "%s/", name);
			n += zone_names(names + n, max - n, name, sub);
			continue;
		}
		struct tzif *z;
		if (tzif_load(&z, name, NULL, 0) == 0) {
			tzif_free(z);
			memcpy(names[n++], name, strlen(name) + 1); /* under 63 bytes, checked above */
		}
	}
	closedir(d);
	return n;
}

static long glibc_offset(const char *tz, int64_t t)
{
	setenv("TZ", tz, 1);
	tzset();
	time_t tt = (time_t)t;
	struct tm tm;
	assert_non_null(localtime_r(&tt, &tm));
	return tm.tm_gmtoff;
}

static void test_every_zone_agrees_with_glibc(void **state)
{
	(void)state;
	static char names[1000][64];
	size_t n = zone_names(names, 1000, "", "");
	if (n < 400)
		skip(); /* no full tzdata here */
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	size_t checked = 0;
	for (size_t i = 0; i < n; i++) {
		struct tzif *z;
		assert_int_equal(tzif_load(&z, names[i], err, sizeof(err)), 0);
		/* Every 23 days and 7 hours from 1965 to 2060: each DST season, past 2037 too. */
		for (int64_t t = -157766400; t < 2840140800LL; t += 23 * 86400 + 7 * 3600) {
			long want = glibc_offset(names[i], t), got = tzif_offset(z, t);
			if (want != got)
				fail_msg("%s at %lld: glibc %ld, tzif %ld", names[i], (long long)t, want, got);
			checked++;
		}
		tzif_free(z);
	}
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
	print_message("%zu zones, %zu instants agree with glibc\n", n, checked);
}

static int64_t day_hours(const char *tz, int y, int m, int d, int *ok)
{
	struct tzday day;
	struct tzdate date = { y, m, d };
	*ok = tzday_make(&day, tz, date, err, sizeof(err)) == 0;
	return (day.end_ms - day.start_ms) / 60000;
}

static void test_dst_days_have_their_true_length(void **state)
{
	(void)state;
	int ok;
	assert_int_equal(day_hours("Europe/Berlin", 2024, 10, 27, &ok), 25 * 60);
	assert_true(ok);
	assert_int_equal(day_hours("Europe/Berlin", 2024, 3, 31, &ok), 23 * 60);
	assert_int_equal(day_hours("America/New_York", 2024, 3, 10, &ok), 23 * 60);
	assert_int_equal(day_hours("America/New_York", 2024, 11, 3, &ok), 25 * 60);
	assert_int_equal(day_hours("Australia/Lord_Howe", 2024, 4, 7, &ok), 24 * 60 + 30); /* half-hour DST */
	assert_int_equal(day_hours("Australia/Sydney", 2024, 10, 6, &ok), 23 * 60);       /* southern spring */
	/* Past 2037 only the footer rule knows: Berlin's last Sunday of October 2050. */
	assert_int_equal(day_hours("Europe/Berlin", 2050, 10, 30, &ok), 25 * 60);
	assert_int_equal(day_hours("Europe/Berlin", 2050, 3, 27, &ok), 23 * 60);
	assert_int_equal(day_hours("America/New_York", 2045, 3, 12, &ok), 23 * 60);
	assert_true(ok);
}

static void test_both_fall_back_hours_are_hour_two(void **state)
{
	(void)state;
	struct tzday d;
	struct tzdate date = { 2024, 10, 27 };
	assert_int_equal(tzday_make(&d, "Europe/Berlin", date, err, sizeof(err)), 0);
	assert_int_equal(d.start_ms, 1729980000000LL); /* 2024-10-26 22:00 UTC */
	int64_t h = 3600000;
	assert_int_equal(tzday_hour(&d, d.start_ms + 2 * h), 2);
	assert_int_equal(tzday_hour(&d, d.start_ms + 3 * h), 2); /* the repeated hour */
	assert_int_equal(tzday_hour(&d, d.start_ms + 4 * h), 3);
	assert_int_equal(tzday_hour(&d, d.end_ms - 1), 23);
	assert_int_equal(tzday_hour(&d, d.end_ms), -1);
}

static void test_local_times_in_gaps_and_repeats(void **state)
{
	(void)state;
	struct tzdate spring = { 2024, 3, 31 }, autumn = { 2024, 10, 27 };
	int64_t ms;
	/* 02:30 does not exist in Berlin that night: moved on by the gap to 03:30 CEST = 01:30 UTC. */
	assert_int_equal(tzday_local_to_ms("Europe/Berlin", spring, 2, 30, 0, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, 1711848600000LL);
	/* 02:30 exists twice in October: the first (CEST) = 00:30 UTC. */
	assert_int_equal(tzday_local_to_ms("Europe/Berlin", autumn, 2, 30, 0, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, 1729989000000LL);
	struct tzdate got;
	int hour;
	assert_int_equal(tzday_date_of("Asia/Kolkata", 1729989000000LL, &got, &hour, err, sizeof(err)), 0);
	assert_int_equal(got.day, 27);
	assert_int_equal(hour, 6); /* 00:30 UTC + 5:30 */
	long off;
	assert_int_equal(tzday_offset_at("America/St_Johns", 1729989000000LL, &off, err, sizeof(err)), 0);
	assert_int_equal(off, -(2 * 3600 + 30 * 60));
}

static void test_no_tz_environment_is_touched(void **state)
{
	(void)state;
	setenv("TZ", "Pacific/Kiritimati", 1);
	struct tzday d;
	struct tzdate date = { 2024, 10, 27 };
	assert_int_equal(tzday_make(&d, "Europe/Berlin", date, err, sizeof(err)), 0);
	assert_string_equal(getenv("TZ"), "Pacific/Kiritimati");
	unsetenv("TZ");
	assert_int_equal(tzday_make(&d, "Europe/Berlin", date, err, sizeof(err)), 0);
	assert_null(getenv("TZ"));
}

static void test_bad_zones_are_refused(void **state)
{
	(void)state;
	struct tzif *z;
	assert_int_equal(tzif_load(&z, "Mars/Olympus", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown time zone"));
	assert_int_equal(tzif_load(&z, "../etc/passwd", err, sizeof(err)), -1);
	assert_int_equal(tzif_load(&z, "/etc/passwd", err, sizeof(err)), -1);
	assert_int_equal(tzif_load(&z, "zone.tab", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a TZif file"));
	assert_int_equal(tzday_valid("Mars/Olympus", err, sizeof(err)), -1);
	assert_int_equal(tzday_valid("Europe/Berlin", err, sizeof(err)), 0);
	assert_int_equal(tzif_load(&z, "UTC", err, sizeof(err)), 0);
	assert_int_equal(tzif_offset(z, 1729989000), 0);
	tzif_free(z);
}


/* Every truncation of a real zone file, and bytes flipped in it, under $TZDIR: refused or read, never a crash. */
static void test_damaged_zone_files_are_refused_safely(void **state)
{
	(void)state;
	FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
	if (!f)
		skip();
	static unsigned char data[8192];
	size_t len = fread(data, 1, sizeof(data), f);
	fclose(f);
	char dir[512], path[600];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/Test", dir);
	setenv("TZDIR", dir, 1);
	int refused = 0, read = 0;
	for (size_t cut = 0; cut <= len; cut += (cut < 100 ? 1 : 7)) {
		FILE *w = fopen(path, "wb");
		assert_non_null(w);
		fwrite(data, 1, cut, w);
		fclose(w);
		struct tzif *z;
		if (tzif_load(&z, "Test", err, sizeof(err)) == 0) {
			(void)tzif_offset(z, 1729989000);
			tzif_free(z);
			read++;
		} else {
			refused++;
		}
	}
	for (size_t i = 4; i < len; i += 13) {
		unsigned char keep = data[i];
		data[i] ^= 0xa5;
		FILE *w = fopen(path, "wb");
		assert_non_null(w);
		fwrite(data, 1, len, w);
		fclose(w);
		data[i] = keep;
		struct tzif *z;
		if (tzif_load(&z, "Test", err, sizeof(err)) == 0) {
			int64_t t, gap;
			(void)tzif_offset(z, 1729989000);
			(void)tzif_to_utc(z, 1729989000, &t, &gap);
			tzif_free(z);
		}
	}
	/* The whole file read from $TZDIR is Berlin. */
	FILE *w = fopen(path, "wb");
	assert_non_null(w);
	fwrite(data, 1, len, w);
	fclose(w);
	struct tzif *z;
	assert_int_equal(tzif_load(&z, "Test", err, sizeof(err)), 0);
	assert_int_equal(tzif_offset(z, 1729989000), 7200);
	tzif_free(z);
	unsetenv("TZDIR");
	tu_rmdir(dir);
	assert_true(refused > 50);
	assert_true(read >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_zone_agrees_with_glibc),
		cmocka_unit_test(test_dst_days_have_their_true_length),
		cmocka_unit_test(test_both_fall_back_hours_are_hour_two),
		cmocka_unit_test(test_local_times_in_gaps_and_repeats),
		cmocka_unit_test(test_no_tz_environment_is_touched),
		cmocka_unit_test(test_bad_zones_are_refused),
		cmocka_unit_test(test_damaged_zone_files_are_refused_safely),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
