/*
 * Time correction on recorded sequences of boots: unsynced ratings are
 * corrected from the nearest later synced reading of their own boot, and
 * only from that; what no such reading covers stays uncorrected.
 */
#include "testutil.h"

#include "timefix.h"

static struct rating at(const char *boot, int64_t wall_ms, int64_t boot_ms, int synced)
{
	struct rating r = { .value = 1, .scale = 4, .wall_ms = wall_ms, .boot_ms = boot_ms, .clock_synced = synced };
	snprintf(r.boot_id, sizeof(r.boot_id), "%s", boot);
	return r;
}

static struct timefix_ref ref(const char *boot, int64_t wall_ms, int64_t boot_ms)
{
	struct timefix_ref f = { .wall_ms = wall_ms, .boot_ms = boot_ms };
	snprintf(f.boot_id, sizeof(f.boot_id), "%s", boot);
	return f;
}

#define T0 1700000000000LL /* the true time of boot "b1"'s first press */

static void test_unsynced_rating_is_moved_by_the_clock_step(void **state)
{
	(void)state;
	/* The clock came up at 1970 + 20 s; NTP later stepped it to the truth. */
	struct rating r = at("b1", 20000, 20000, 0);
	struct timefix_ref sync = ref("b1", T0 + 600000, 620000);
	int64_t t;
	assert_int_equal(timefix_correct(&r, &sync, &t), 0);
	assert_int_equal(t, T0);
}

static void test_clock_that_went_backwards_is_corrected_too(void **state)
{
	(void)state;
	/* After a power cut the clock restarted from an older saved time. */
	struct rating r = at("b1", T0 - 86400000LL * 3, 5000, 0);
	struct timefix_ref sync = ref("b1", T0 + 10000, 15000);
	int64_t t;
	assert_int_equal(timefix_correct(&r, &sync, &t), 0);
	assert_int_equal(t, T0);
}

static void test_reading_from_another_boot_never_corrects(void **state)
{
	(void)state;
	struct rating r = at("b1", 20000, 20000, 0);
	struct timefix_ref sync = ref("b2", T0, 30000);
	int64_t t = -7;
	assert_int_equal(timefix_correct(&r, &sync, &t), -1);
	assert_int_equal(t, -7);
}

static void test_earlier_reading_does_not_correct(void **state)
{
	(void)state;
	struct rating r = at("b1", 20000, 20000, 0);
	struct timefix_ref sync = ref("b1", T0, 10000);
	int64_t t;
	assert_int_equal(timefix_correct(&r, &sync, &t), -1);
}

static void test_synced_rating_is_left_alone(void **state)
{
	(void)state;
	struct rating r = at("b1", T0, 20000, 1);
	struct timefix_ref sync = ref("b1", T0 + 1000, 21000);
	int64_t t;
	assert_int_equal(timefix_correct(&r, &sync, &t), -1);
}

static void test_unknown_boot_id_is_never_trusted(void **state)
{
	(void)state;
	struct rating r = at("unknown", 20000, 20000, 0);
	struct timefix_ref sync = ref("unknown", T0, 30000);
	int64_t t;
	assert_int_equal(timefix_correct(&r, &sync, &t), -1);
}

/*
 * A recorded store: boot b1 starts unsynced and syncs halfway; boot b2
 * loses power before NTP ever answered; boot b3 is the one running now,
 * unsynced so far, and its clock syncs "now". Fed newest first.
 */
static void test_recorded_sequence_of_boots(void **state)
{
	(void)state;
	struct rating rows[] = {
		/* b1: clock reads 1970 until NTP at boot_ms 60000 stepped it to T0+55000 */
		at("b1", 1000, 1000, 0),
		at("b1", 31000, 31000, 0),
		at("b1", T0 + 60000, 61000, 1),
		at("b1", T0 + 120000, 121000, 1),
		/* b2: a day later, never synced: stays flagged */
		at("b2", 500, 500, 0),
		at("b2", 9500, 9500, 0),
		/* b3: unsynced so far; "now" is a synced reading at boot_ms 50000 */
		at("b3", 2000, 2000, 0),
		at("b3", 40000, 40000, 0),
	};
	const int n = (int)(sizeof(rows) / sizeof(rows[0]));
	/* true times: b1 rows 0,1 at T0+0 and T0+30000; b3 clock truth: now = T0+2d at boot 50000 */
	int64_t now_wall = T0 + 2 * 86400000LL;
	struct timefix_ref now = ref("b3", now_wall, 50000);
	int64_t expect[] = { T0, T0 + 30000, -1, -1, -1, -1, now_wall - 48000, now_wall - 10000 };

	struct timefix_scan scan;
	timefix_scan_init(&scan, &now);
	for (int i = n - 1; i >= 0; i--) {
		int64_t t = -1;
		int fixed = timefix_scan_feed(&scan, &rows[i], &t);
		if (expect[i] < 0) {
			assert_int_equal(fixed, 0);
		} else {
			assert_int_equal(fixed, 1);
			assert_int_equal(t, expect[i]);
		}
	}
}

static void test_nearest_later_reading_wins(void **state)
{
	(void)state;
	/* Two synced readings disagree by 2 s (a later NTP slew): the nearer one
	 * is used, so the least drift is carried into the correction. */
	struct rating rows[] = {
		at("b1", 1000, 1000, 0),
		at("b1", T0 + 10000, 10000, 1),
		at("b1", T0 + 1000000 + 2000, 1000000, 1),
	};
	struct timefix_scan scan;
	timefix_scan_init(&scan, NULL);
	int64_t t;
	assert_int_equal(timefix_scan_feed(&scan, &rows[2], &t), 0);
	assert_int_equal(timefix_scan_feed(&scan, &rows[1], &t), 0);
	assert_int_equal(timefix_scan_feed(&scan, &rows[0], &t), 1);
	assert_int_equal(t, T0 + 1000);
}

static void test_without_any_synced_reading_nothing_is_corrected(void **state)
{
	(void)state;
	struct timefix_scan scan;
	timefix_scan_init(&scan, NULL);
	struct rating r = at("b9", 1000, 1000, 0);
	int64_t t;
	assert_int_equal(timefix_scan_feed(&scan, &r, &t), 0);
}

static void test_many_boots_interleaved(void **state)
{
	(void)state;
	/* More boots than the scan remembers, each with a synced tail: every
	 * unsynced head is still corrected because boots are contiguous. */
	struct timefix_scan scan;
	timefix_scan_init(&scan, NULL);
	for (int b = 40; b >= 0; b--) {
		char id[16];
		snprintf(id, sizeof(id), "boot%d", b);
		int64_t base = T0 + b * 86400000LL;
		struct rating synced = at(id, base + 5000, 5000, 1);
		struct rating unsynced = at(id, 1000, 1000, 0);
		int64_t t;
		assert_int_equal(timefix_scan_feed(&scan, &synced, &t), 0);
		assert_int_equal(timefix_scan_feed(&scan, &unsynced, &t), 1);
		assert_int_equal(t, base + 1000);
	}
}


static void test_head_office_reading_corrects_a_little_after_it_too(void **state)
{
	(void)state;
	struct timefix_ref hq = ref("b1", T0 + 60000, 60000);
	hq.by_hq = 1;
	hq.error_ms = 20;
	int64_t t;
	/* before the reading, as an NTP sync would */
	struct rating before = at("b1", 5, 30000, 0);
	assert_int_equal(timefix_correct(&before, &hq, &t), 0);
	assert_int_equal(t, T0 + 30000);
	assert_int_equal(timefix_error_ms(&before, &hq), 20 + 3);
	/* after it: boot time still maps to real time, so it corrects too (an NTP reference would not) */
	struct rating after = at("b1", 5, 70000, 0);
	assert_int_equal(timefix_correct(&after, &hq, &t), 0);
	assert_int_equal(t, T0 + 70000);
	struct timefix_ref ntp = ref("b1", T0 + 60000, 60000);
	assert_int_equal(timefix_correct(&after, &ntp, &t), -1);
	/* but not long after: that is for the next reading */
	struct rating much_later = at("b1", 5, 60000 + TIMEFIX_HQ_AHEAD_MS + 1, 0);
	assert_int_equal(timefix_correct(&much_later, &hq, &t), -1);
	/* and never another boot */
	struct rating other = at("b2", 5, 30000, 0);
	assert_int_equal(timefix_correct(&other, &hq, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsynced_rating_is_moved_by_the_clock_step),
		cmocka_unit_test(test_clock_that_went_backwards_is_corrected_too),
		cmocka_unit_test(test_reading_from_another_boot_never_corrects),
		cmocka_unit_test(test_earlier_reading_does_not_correct),
		cmocka_unit_test(test_synced_rating_is_left_alone),
		cmocka_unit_test(test_unknown_boot_id_is_never_trusted),
		cmocka_unit_test(test_recorded_sequence_of_boots),
		cmocka_unit_test(test_nearest_later_reading_wins),
		cmocka_unit_test(test_without_any_synced_reading_nothing_is_corrected),
		cmocka_unit_test(test_many_boots_interleaved),
		cmocka_unit_test(test_head_office_reading_corrects_a_little_after_it_too),
	};
	return cmocka_run_group_tests_name("timefix", tests, NULL, NULL);
}
