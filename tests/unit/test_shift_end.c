/* The end-of-shift screen: due once per shift, within the grace period, by the schedule in force. */
#include "testutil.h"

#include <time.h>

#include "shift_end.h"

#define BERLIN "Europe/Berlin"

static char err[256];

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi };
	return (int64_t)timegm(&tm) * 1000;
}

static void schedule(struct shifts_history *h)
{
	static struct shifts s;
	shifts_init(&s);
	assert_int_equal(shifts_add_line(&s, "Early", "Mon-Fri 06:00-14:00", 1, err, sizeof(err)), 0);
	assert_int_equal(shifts_add_line(&s, "Late", "Mon-Fri 14:00-22:00", 2, err, sizeof(err)), 0);
	assert_int_equal(shifts_add_line(&s, "Night", "Fri 22:00-06:00", 3, err, sizeof(err)), 0);
	memset(h, 0, sizeof(*h));
	shifts_history_add(h, &s, 0);
}

static void test_due_once_after_the_end(void **state)
{
	(void)state;
	static struct shifts_history h;
	schedule(&h);
	struct shift_end e;
	shift_end_init(&e);
	struct shift_occ o;
	const int64_t grace = 15 * 60000;
	/* Tuesday 2026-06-16, Berlin UTC+2: Early ends at 12:00 UTC */
	assert_int_equal(shift_end_due(&e, &h, BERLIN, utc(2026, 6, 16, 11, 59), grace, &o, err, sizeof(err)), 0);
	assert_int_equal(shift_end_due(&e, &h, BERLIN, utc(2026, 6, 16, 12, 0), grace, &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Early");
	shift_end_done(&e, o.end_ms);
	assert_int_equal(shift_end_due(&e, &h, BERLIN, utc(2026, 6, 16, 12, 1), grace, &o, err, sizeof(err)), 0);
	/* and Late at 20:00 UTC */
	assert_int_equal(shift_end_due(&e, &h, BERLIN, utc(2026, 6, 16, 20, 2), grace, &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Late");
}

static void test_grace_period_after_a_restart_or_a_busy_kiosk(void **state)
{
	(void)state;
	static struct shifts_history h;
	schedule(&h);
	struct shift_end e;
	shift_end_init(&e); /* a kiosk just started: nothing shown yet */
	struct shift_occ o;
	const int64_t grace = 15 * 60000;
	assert_int_equal(shift_end_due(&e, &h, BERLIN, utc(2026, 6, 16, 12, 14), grace, &o, err, sizeof(err)), 1);
	assert_int_equal(shift_end_due(&e, &h, BERLIN, utc(2026, 6, 16, 12, 16), grace, &o, err, sizeof(err)), 0);
}

static void test_night_shift_ends_the_next_morning(void **state)
{
	(void)state;
	static struct shifts_history h;
	schedule(&h);
	struct shift_end e;
	shift_end_init(&e);
	struct shift_occ o;
	/* Friday 2026-06-19's Night ends Saturday 06:00 local = 04:00 UTC */
	assert_int_equal(shift_end_due(&e, &h, BERLIN, utc(2026, 6, 20, 4, 0), 60000, &o, err, sizeof(err)), 1);
	assert_string_equal(o.name, "Night");
	assert_int_equal(o.date.day, 19);
	/* the next end after Friday 21:00 local is Late's at 22:00, then Night's at 06:00 */
	assert_true(shift_end_next(&h, BERLIN, utc(2026, 6, 19, 19, 0)) == 3600000);
	assert_true(shift_end_next(&h, BERLIN, utc(2026, 6, 19, 20, 0)) == 8 * 3600000);
	/* nothing ends on Saturday or Sunday: next is Monday's Early at 14:00 */
	assert_true(shift_end_next(&h, BERLIN, utc(2026, 6, 20, 4, 0)) == 56LL * 3600000);
	/* no shifts at all: never */
	static struct shifts_history none;
	memset(&none, 0, sizeof(none));
	assert_true(shift_end_next(&none, BERLIN, utc(2026, 6, 20, 4, 0)) == -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_once_after_the_end),
		cmocka_unit_test(test_grace_period_after_a_restart_or_a_busy_kiosk),
		cmocka_unit_test(test_night_shift_ends_the_next_morning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
