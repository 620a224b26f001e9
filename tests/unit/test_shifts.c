/* Shifts: the [shifts] lines, overlaps and gaps, and which shift an instant is in (midnight, DST, changes). */
#include "testutil.h"

#include <time.h>

#include "shift_history.h"

#define BERLIN "Europe/Berlin"

static char err[512];

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi };
	return (int64_t)timegm(&tm) * 1000;
}

static struct tzdate date(int y, int m, int d)
{
	struct tzdate t = { y, m, d };
	return t;
}

struct reports {
	int n;
	int line[8];
	char msg[8][256];
};

static void collect(void *arg, int line, const char *message)
{
	struct reports *r = arg;
	if (r->n < 8) {
		r->line[r->n] = line;
		snprintf(r->msg[r->n], sizeof(r->msg[r->n]), "%s", message);
	}
	r->n++;
}

static void add(struct shifts *s, const char *key, const char *value, int line)
{
	if (shifts_add_line(s, key, value, line, err, sizeof(err)))
		fail_msg("%s = %s: %s", key, value, err);
}

/* The two-shift store of the issue, plus a weekend shift. */
static void two_shifts(struct shifts *s)
{
	shifts_init(s);
	add(s, "Early", "Mon-Fri 06:00-14:00", 2);
	add(s, "Late", "Mon-Fri 14:00-22:00", 3);
	add(s, "Weekend", "Sat-Sun 09:00-18:00", 4);
}

static void test_lines_parse_into_days_and_minutes(void **state)
{
	(void)state;
	struct shifts s;
	two_shifts(&s);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.def[0].name, "Early");
	assert_int_equal(s.def[0].span[0].days, 0x3e); /* Mon..Fri */
	assert_int_equal(s.def[0].span[0].start_min, 360);
	assert_int_equal(s.def[0].span[0].end_min, 840);
	assert_int_equal(s.def[2].span[0].days, 0x41); /* Sat, Sun */
	add(&s, "Night", "Fri-Mon 22:00-02:00, Wed 23:00-23:30", 5);
	assert_int_equal(s.def[3].nspans, 2);
	assert_int_equal(s.def[3].span[0].days, 0x63); /* Fri, Sat, Sun, Mon */
	struct reports r = { 0 };
	assert_int_equal(shifts_check(&s, collect, &r), 0);
}

static void test_bad_lines_are_refused_with_what_is_wrong(void **state)
{
	(void)state;
	struct shifts s;
	shifts_init(&s);
	assert_int_equal(shifts_add_line(&s, "Early", "Mon-Fri 6:00-14:00", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DAYS HH:MM-HH:MM"));
	assert_int_equal(shifts_add_line(&s, "Early", "Mo-Fr 06:00-14:00", 1, err, sizeof(err)), -1);
	assert_int_equal(shifts_add_line(&s, "Early", "Mon-Fri 06:00-06:00", 1, err, sizeof(err)), -1);
	assert_int_equal(shifts_add_line(&s, "Early", "", 1, err, sizeof(err)), -1);
	assert_int_equal(shifts_add_line(&s, "Early", "Mon-Fri 06:00-14:00 extra", 1, err, sizeof(err)), -1);
	assert_int_equal(shifts_add_line(&s, "Ea=rly", "Mon 06:00-14:00", 1, err, sizeof(err)), -1);
	assert_int_equal(shifts_add_line(&s, "2026-02-30", "closed", 1, err, sizeof(err)), -1);
	add(&s, "Early", "Mon-Fri 06:00-14:00", 1);
	assert_int_equal(shifts_add_line(&s, "Early", "Sat 06:00-14:00", 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "defined twice"));
	assert_int_equal(shifts_add_line(&s, "2026-12-24", "Early 08:00", 3, err, sizeof(err)), -1);
	assert_int_equal(s.ndated, 0);
}

static void test_overlap_is_refused_on_the_line_that_makes_it(void **state)
{
	(void)state;
	struct shifts s;
	shifts_init(&s);
	add(&s, "Early", "Mon-Fri 06:00-14:00", 2);
	add(&s, "Late", "Mon-Fri 13:30-22:00", 3);
	struct reports r = { 0 };
	assert_int_equal(shifts_check(&s, collect, &r), 1);
	assert_int_equal(r.line[0], 3);
	assert_non_null(strstr(r.msg[0], "\"Late\" overlaps \"Early\" on Mon"));
}

static void test_night_shift_overlapping_next_morning_is_refused(void **state)
{
	(void)state;
	struct shifts s;
	shifts_init(&s);
	add(&s, "Early", "Mon-Fri 06:00-14:00", 2);
	add(&s, "Night", "Sun-Thu 22:00-07:00", 3); /* runs into Mon..Fri 06:00-07:00 */
	struct reports r = { 0 };
	assert_int_equal(shifts_check(&s, collect, &r), 1);
	assert_int_equal(r.line[0], 3);
	/* Saturday night into Sunday morning wraps the week */
	shifts_init(&s);
	add(&s, "Sunday", "Sun 05:00-12:00", 2);
	add(&s, "Saturday night", "Sat 22:00-06:00", 3);
	r.n = 0;
	assert_int_equal(shifts_check(&s, collect, &r), 1);
}

static void test_dated_line_names_defined_shifts_and_may_not_overlap(void **state)
{
	(void)state;
	struct shifts s;
	two_shifts(&s);
	add(&s, "2026-12-24", "Early 08:00-12:00, Late 12:00-16:00", 5);
	add(&s, "2026-12-25", "closed", 6);
	add(&s, "2026-12-31", "Evening 12:00-16:00", 7);
	add(&s, "2027-01-02", "Early 08:00-12:00, Late 11:00-16:00", 8);
	struct reports r = { 0 };
	assert_int_equal(shifts_check(&s, collect, &r), 2);
	assert_int_equal(r.line[0], 7);
	assert_non_null(strstr(r.msg[0], "\"Evening\""));
	assert_int_equal(r.line[1], 8);
	assert_non_null(strstr(r.msg[1], "overlaps"));
}

static void test_gaps_are_noted_not_refused(void **state)
{
	(void)state;
	struct shifts s;
	shifts_init(&s);
	add(&s, "Early", "Mon-Fri 06:00-14:00", 2);
	add(&s, "Late", "Mon-Fri 14:30-22:00", 3);
	struct reports r = { 0 };
	assert_int_equal(shifts_check(&s, collect, &r), 0);
	assert_int_equal(shifts_gaps(&s, NULL, collect, &r), 5); /* Mon..Fri */
	assert_int_equal(r.line[0], 2);
	assert_non_null(strstr(r.msg[0], "from 14:00 to 14:30"));
	/* The night between two days is no gap; an open hour with no shift is. */
	two_shifts(&s);
	struct day_hours week[7];
	hours_always_open(week);
	for (int d = 0; d < 7; d++)
		hours_parse("07:00-22:00", &week[d]);
	hours_parse("08:00-20:00", &week[6]);
	hours_parse("08:00-20:00", &week[0]);
	r.n = 0;
	assert_int_equal(shifts_gaps(&s, week, collect, &r), 2); /* Sat and Sun 08:00-09:00, 18:00-20:00 */
	assert_non_null(strstr(r.msg[0], "on Sun the store is open from 08:00 to 20:00"));
}

static void test_day_shifts_in_local_time_earliest_first(void **state)
{
	(void)state;
	struct shifts s;
	two_shifts(&s);
	struct shift_occ occ[SHIFTS_PER_DAY];
	/* Tuesday 2026-06-16, Berlin in summer time (UTC+2) */
	assert_int_equal(shifts_on_date(&s, BERLIN, date(2026, 6, 16), occ, SHIFTS_PER_DAY, err, sizeof(err)), 2);
	assert_string_equal(occ[0].name, "Early");
	assert_true(occ[0].start_ms == utc(2026, 6, 16, 4, 0));
	assert_true(occ[0].end_ms == utc(2026, 6, 16, 12, 0));
	assert_string_equal(occ[1].name, "Late");
	assert_true(occ[1].end_ms == utc(2026, 6, 16, 20, 0));
	/* Saturday: the weekend shift only */
	assert_int_equal(shifts_on_date(&s, BERLIN, date(2026, 6, 20), occ, SHIFTS_PER_DAY, err, sizeof(err)), 1);
	assert_string_equal(occ[0].name, "Weekend");
}

static void test_shift_across_midnight_belongs_to_the_day_it_starts(void **state)
{
	(void)state;
	struct shifts s;
	shifts_init(&s);
	add(&s, "Night", "Fri 22:00-06:00", 2);
	struct shifts_history h = { 0 };
	shifts_history_add(&h, &s, 0);
	struct shift_occ o;
	/* Saturday 03:00 local (winter, UTC+1) is Friday's night shift */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 1, 17, 2, 0), &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Night");
	assert_int_equal(o.date.day, 16);
	assert_int_equal(tzday_weekday(o.date), 5);
	assert_true(o.end_ms - o.start_ms == 8 * 3600 * 1000LL);
	/* Saturday 06:00 local: over */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 1, 17, 5, 0), &o, err, sizeof(err)), 0);
	/* Friday 21:59 local: not yet */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 1, 16, 20, 59), &o, err, sizeof(err)), 0);
}

static void test_night_shift_over_dst_changes_has_its_real_length(void **state)
{
	(void)state;
	struct shifts s;
	shifts_init(&s);
	add(&s, "Night", "Sat 22:00-06:00", 2);
	struct shift_occ occ[SHIFTS_PER_DAY];
	/* 2026-03-28/29: clocks go forward at 02:00 -> 7 hours */
	assert_int_equal(shifts_on_date(&s, BERLIN, date(2026, 3, 28), occ, SHIFTS_PER_DAY, err, sizeof(err)), 1);
	assert_true(occ[0].start_ms == utc(2026, 3, 28, 21, 0));
	assert_true(occ[0].end_ms == utc(2026, 3, 29, 4, 0));
	assert_true(occ[0].end_ms - occ[0].start_ms == 7 * 3600 * 1000LL);
	/* 2026-10-24/25: clocks go back at 03:00 -> 9 hours */
	assert_int_equal(shifts_on_date(&s, BERLIN, date(2026, 10, 24), occ, SHIFTS_PER_DAY, err, sizeof(err)), 1);
	assert_true(occ[0].start_ms == utc(2026, 10, 24, 20, 0));
	assert_true(occ[0].end_ms == utc(2026, 10, 25, 5, 0));
	/* both 02:30s of the fall-back night are in it */
	struct shifts_history h = { 0 };
	shifts_history_add(&h, &s, 0);
	struct shift_occ o;
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 10, 25, 0, 30), &o, err, sizeof(err)), 1);
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 10, 25, 1, 30), &o, err, sizeof(err)), 1);
	assert_int_equal(o.date.day, 24);
}

static void test_dated_line_replaces_the_weekday(void **state)
{
	(void)state;
	struct shifts s;
	two_shifts(&s);
	add(&s, "2026-12-24", "Early 08:00-12:00, Late 12:00-16:00", 5);
	add(&s, "2026-12-25", "closed", 6);
	struct reports r = { 0 };
	assert_int_equal(shifts_check(&s, collect, &r), 0);
	struct shift_occ occ[SHIFTS_PER_DAY];
	assert_int_equal(shifts_on_date(&s, BERLIN, date(2026, 12, 24), occ, SHIFTS_PER_DAY, err, sizeof(err)), 2);
	assert_int_equal(occ[1].start_min, 12 * 60);
	assert_int_equal(occ[1].end_min, 16 * 60);
	assert_true(occ[1].end_ms == utc(2026, 12, 24, 15, 0));
	assert_int_equal(shifts_on_date(&s, BERLIN, date(2026, 12, 25), occ, SHIFTS_PER_DAY, err, sizeof(err)), 0);
	assert_int_equal(shifts_on_date(&s, BERLIN, date(2026, 12, 23), occ, SHIFTS_PER_DAY, err, sizeof(err)), 2);
}

static void test_schedule_change_mid_week_leaves_earlier_days_alone(void **state)
{
	(void)state;
	struct shifts before, after;
	shifts_init(&before);
	add(&before, "Early", "Mon-Fri 06:00-14:00", 2);
	add(&before, "Late", "Mon-Fri 14:00-22:00", 3);
	shifts_init(&after);
	add(&after, "Early", "Mon-Fri 07:00-15:00", 2);
	add(&after, "Late", "Mon-Fri 15:00-23:00", 3);
	struct shifts_history h = { 0 };
	assert_int_equal(shifts_history_add(&h, &before, utc(2026, 6, 1, 0, 0)), 1);
	assert_int_equal(shifts_history_add(&h, &before, utc(2026, 6, 10, 0, 0)), 0); /* the same again: nothing */
	/* changed on Wednesday 2026-06-17 at 10:00 local */
	assert_int_equal(shifts_history_add(&h, &after, utc(2026, 6, 17, 8, 0)), 1);
	struct shift_occ o;
	/* Monday 14:30 local: Late, as it was scheduled then */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 6, 15, 12, 30), &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Late");
	assert_int_equal(o.start_min, 14 * 60);
	/* Wednesday 10:00: that Early had started at 06:00, under the old schedule, and keeps it */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 6, 17, 8, 0), &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Early");
	assert_int_equal(o.end_min, 14 * 60);
	/* Wednesday 14:30: the old Early is over, the new Late starts at 15:00 */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 6, 17, 12, 30), &o, err, sizeof(err)), 0);
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 6, 17, 13, 30), &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Late");
	assert_int_equal(o.start_min, 15 * 60);
	/* Thursday 14:30: the new Early */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 6, 18, 12, 30), &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Early");
	assert_int_equal(o.end_min, 15 * 60);
	/* before anything was recorded the first schedule applies */
	assert_int_equal(shifts_history_at(&h, BERLIN, utc(2026, 5, 4, 12, 30), &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Late");
}

static void test_change_that_makes_two_shifts_overlap_gives_the_later_start(void **state)
{
	(void)state;
	struct shifts before, after;
	shifts_init(&before);
	add(&before, "Late", "Mon-Fri 14:00-22:00", 2);
	shifts_init(&after);
	add(&after, "Evening", "Mon-Fri 18:00-23:00", 2);
	struct shifts_history h = { 0 };
	shifts_history_add(&h, &before, 0);
	shifts_history_add(&h, &after, utc(2026, 6, 17, 13, 0)); /* Wed 15:00 local, during Late */
	struct shift_occ occ[SHIFTS_PER_DAY];
	assert_int_equal(shifts_history_on_date(&h, BERLIN, date(2026, 6, 17), occ, SHIFTS_PER_DAY, err, sizeof(err)), 2);
	assert_string_equal(occ[0].name, "Late");
	assert_true(occ[0].end_ms == occ[1].start_ms);
}

static void test_format_and_parse_round_trip(void **state)
{
	(void)state;
	struct shifts s, back;
	two_shifts(&s);
	add(&s, "Night", "Fri-Mon 22:00-02:00, Wed 23:00-23:30", 5);
	add(&s, "2026-12-24", "Early 08:00-12:00, Late 12:00-16:00", 6);
	add(&s, "2026-12-25", "closed", 7);
	struct reports r = { 0 };
	shifts_check(&s, collect, &r);
	char text[SHIFTS_TEXT_MAX], again[SHIFTS_TEXT_MAX];
	assert_int_equal(shifts_format(&s, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "Early = Mon-Fri 06:00-14:00\n"));
	assert_non_null(strstr(text, "Weekend = Sat-Sun 09:00-18:00\n"));
	assert_non_null(strstr(text, "Night = Fri-Mon 22:00-02:00, Wed 23:00-23:30\n"));
	assert_non_null(strstr(text, "2026-12-25 = closed\n"));
	if (shifts_parse_text(text, &back, err, sizeof(err)))
		fail_msg("%s\n%s", err, text);
	assert_int_equal(shifts_format(&back, again, sizeof(again)), 0);
	assert_string_equal(text, again);
	/* days not in one run are written as separate spans that parse back */
	shifts_init(&s);
	add(&s, "Split", "Mon-Tue 06:00-14:00, Thu 06:00-14:00", 2);
	assert_int_equal(shifts_format(&s, text, sizeof(text)), 0);
	assert_int_equal(shifts_parse_text(text, &back, err, sizeof(err)), 0);
	assert_int_equal(shifts_format(&back, again, sizeof(again)), 0);
	assert_string_equal(text, again);
	assert_int_equal(shifts_parse_text("Early = Mon 06:00-14:00\nLate = Mon 13:00-20:00\n", &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_parse_into_days_and_minutes),
		cmocka_unit_test(test_bad_lines_are_refused_with_what_is_wrong),
		cmocka_unit_test(test_overlap_is_refused_on_the_line_that_makes_it),
		cmocka_unit_test(test_night_shift_overlapping_next_morning_is_refused),
		cmocka_unit_test(test_dated_line_names_defined_shifts_and_may_not_overlap),
		cmocka_unit_test(test_gaps_are_noted_not_refused),
		cmocka_unit_test(test_day_shifts_in_local_time_earliest_first),
		cmocka_unit_test(test_shift_across_midnight_belongs_to_the_day_it_starts),
		cmocka_unit_test(test_night_shift_over_dst_changes_has_its_real_length),
		cmocka_unit_test(test_dated_line_replaces_the_weekday),
		cmocka_unit_test(test_schedule_change_mid_week_leaves_earlier_days_alone),
		cmocka_unit_test(test_change_that_makes_two_shifts_overlap_gives_the_later_start),
		cmocka_unit_test(test_format_and_parse_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
