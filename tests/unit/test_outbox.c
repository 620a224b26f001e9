/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Outbox: unsent ratings leave in seq order, only an ack marks them, only
 * acked rows are ever pruned, and times are corrected in the store.
 */
#include "testutil.h"

#include "outbox.h"
#include "store.h"

static char dir[512];
static char path[600];
static char err[1024];
static struct store *s;

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/kiosk.db", dir);
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(s);
	tu_rmdir(dir);
	return 0;
}

#define T0 1700000000000LL

static int64_t add_at(const char *boot, int64_t wall_ms, int64_t boot_ms, int synced)
{
	struct rating r = { .value = 2, .scale = 4, .source = SOURCE_BUTTON, .wall_ms = wall_ms,
			    .boot_ms = boot_ms, .clock_synced = synced };
	snprintf(r.kiosk_id, sizeof(r.kiosk_id), "k1");
	snprintf(r.boot_id, sizeof(r.boot_id), "%s", boot);
	assert_int_equal(store_add(s, &r, err, sizeof(err)), 0);
	return r.seq;
}

static void add_n(int n)
{
	for (int i = 0; i < n; i++)
		add_at("b0", T0 + i * 1000, 1000 + i * 1000, 1);
}

static void test_batches_come_in_seq_order_up_to_the_limit(void **state)
{
	(void)state;
	add_n(7);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 5, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 5);
	for (size_t i = 0; i < b.n; i++)
		assert_int_equal(b.rows[i].r.seq, (int64_t)i + 1);
	/* Not acked yet: the same rows come again. */
	assert_int_equal(outbox_next(s, 5, &b, err, sizeof(err)), 0);
	assert_int_equal(b.rows[0].r.seq, 1);
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), 0);
	assert_int_equal(outbox_next(s, 5, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.rows[0].r.seq, 6);
	assert_int_equal(b.rows[1].r.seq, 7);
	assert_int_equal(b.rows[1].r.boot_ms, 7000);
	assert_int_equal(b.rows[1].has_corrected, 0);
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), 0);
	assert_int_equal(outbox_next(s, 5, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(outbox_pending(s), 0);
	outbox_batch_free(&b);
}

static void test_ack_marks_exactly_the_batch(void **state)
{
	(void)state;
	add_n(3);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 3);
	/* A press lands while the batch is on the wire. */
	add_n(1);
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), 0);
	struct outbox_counts c;
	assert_int_equal(outbox_counts(s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.unsent, 1);
	assert_int_equal(c.acked, 3);
	assert_int_equal(c.first_unsent_seq, 4);
	assert_int_equal(c.last_seq, 4);
	assert_int_equal(outbox_pending(s), 1);
	outbox_batch_free(&b);
}

static void test_failed_ack_marks_nothing(void **state)
{
	(void)state;
	add_n(4);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 10, &b, err, sizeof(err)), 0);
	/* Another connection holds the write lock past our busy timeout. */
	sqlite3 *other;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(store_db(s), 50);
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ratings sent"));
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	struct outbox_counts c;
	assert_int_equal(outbox_counts(s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.unsent, 4);
	assert_int_equal(c.acked, 0);
	outbox_batch_free(&b);
}

static void test_prune_never_touches_unacked_rows(void **state)
{
	(void)state;
	/* 10 old rows, 5 of them acked; 3 recent acked rows. */
	for (int i = 0; i < 10; i++)
		add_at("b0", T0 + i, 1 + i, 1);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 5, &b, err, sizeof(err)), 0);
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_exec(store_db(s), "UPDATE ratings SET acked = 0 WHERE seq > 5", NULL, NULL, NULL),
			 SQLITE_OK);
	for (int i = 0; i < 3; i++)
		add_at("b0", T0 + 100 * 86400000LL + i, 100 + i, 1);
	assert_int_equal(sqlite3_exec(store_db(s), "UPDATE ratings SET acked = 1 WHERE seq > 10", NULL, NULL, NULL),
			 SQLITE_OK);
	/* Everything before day 50 is past retention. */
	assert_int_equal(outbox_prune(s, T0 + 50 * 86400000LL, err, sizeof(err)), 5);
	struct outbox_counts c;
	assert_int_equal(outbox_counts(s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.unsent, 5);
	assert_int_equal(c.acked, 3);
	assert_int_equal(c.first_unsent_seq, 6);
	assert_int_equal(c.oldest_unsent_ms, T0 + 5);
	assert_int_equal(outbox_prune(s, T0 + 50 * 86400000LL, err, sizeof(err)), 0);
	outbox_batch_free(&b);
}

static void test_prune_goes_in_chunks_to_the_end(void **state)
{
	(void)state;
	assert_int_equal(sqlite3_exec(store_db(s), "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 4500; i++)
		add_at("b0", T0 + i, 1 + i, 1);
	assert_int_equal(sqlite3_exec(store_db(s), "COMMIT; UPDATE ratings SET acked = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(outbox_prune(s, T0 + 1000000, err, sizeof(err)), 4500);
	assert_int_equal(store_count(s), 0);
}

static void test_sequences_continue_after_prune(void **state)
{
	(void)state;
	add_n(3);
	assert_int_equal(sqlite3_exec(store_db(s), "UPDATE ratings SET acked = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(outbox_prune(s, T0 + 1000000, err, sizeof(err)), 3);
	/* Head office deduplicates on (kiosk, seq): a reused seq would be lost. */
	assert_int_equal(add_at("b0", T0, 1, 1), 4);
}

static void test_times_of_this_boot_are_corrected_when_clock_syncs(void **state)
{
	(void)state;
	add_at("old", 1000, 1000, 0);     /* another boot, never synced */
	add_at("now", 5000, 5000, 0);     /* this boot, before NTP */
	add_at("now", 9000, 9000, 0);
	struct timefix_ref now = { .wall_ms = T0 + 20000, .boot_ms = 20000 };
	snprintf(now.boot_id, sizeof(now.boot_id), "now");
	assert_int_equal(outbox_fix_times(s, &now, err, sizeof(err)), 2);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.rows[0].has_corrected, 0);
	assert_int_equal(b.rows[0].r.clock_synced, 0);
	assert_int_equal(b.rows[1].has_corrected, 1);
	assert_int_equal(b.rows[1].corrected_ms, T0 + 5000);
	assert_int_equal(b.rows[2].corrected_ms, T0 + 9000);
	/* Raw wall time is kept next to the correction. */
	assert_int_equal(b.rows[1].r.wall_ms, 5000);
	/* Nothing left to do; a second pass writes nothing. */
	assert_int_equal(outbox_fix_times(s, &now, err, sizeof(err)), 0);
	outbox_batch_free(&b);
}

static void test_earlier_boot_is_corrected_from_its_own_synced_rows(void **state)
{
	(void)state;
	add_at("b1", 1000, 1000, 0);
	add_at("b1", T0 + 9000, 10000, 1);
	add_at("b2", 700, 700, 0);
	/* The clock is not synced now: only b1 can be corrected. */
	assert_int_equal(outbox_fix_times(s, NULL, err, sizeof(err)), 1);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.rows[0].has_corrected, 1);
	assert_int_equal(b.rows[0].corrected_ms, T0);
	assert_int_equal(b.rows[1].has_corrected, 0);
	assert_int_equal(b.rows[2].has_corrected, 0);
	outbox_batch_free(&b);
}

static void test_acked_rows_are_not_rewritten_by_time_fixes(void **state)
{
	(void)state;
	add_at("now", 5000, 5000, 0);
	assert_int_equal(sqlite3_exec(store_db(s), "UPDATE ratings SET acked = 1", NULL, NULL, NULL), SQLITE_OK);
	struct timefix_ref now = { .wall_ms = T0 + 20000, .boot_ms = 20000 };
	snprintf(now.boot_id, sizeof(now.boot_id), "now");
	assert_int_equal(outbox_fix_times(s, &now, err, sizeof(err)), 0);
}


static void test_head_office_reference_corrects_and_flags(void **state)
{
	(void)state;
	add_at("now", 5000, 5000, 0);      /* the clock 1970-ish, never synced */
	struct timefix_ref hq = { .wall_ms = T0 + 20000, .boot_ms = 20000, .by_hq = 1, .error_ms = 15 };
	snprintf(hq.boot_id, sizeof(hq.boot_id), "now");
	add_at("now", 21000, 21000, 0);    /* pressed just after the reading */
	assert_int_equal(outbox_fix_times(s, &hq, err, sizeof(err)), 2);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.rows[0].corrected_ms, T0 + 5000);
	assert_int_equal(b.rows[0].corrected_by, PROTOCOL_CORRECTED_HQ);
	assert_int_equal(b.rows[0].corrected_err_ms, 15 + 2); /* + 100 ppm of the 15 s between */
	assert_int_equal(b.rows[1].corrected_ms, T0 + 21000);
	assert_int_equal(b.rows[1].corrected_by, PROTOCOL_CORRECTED_HQ);
	outbox_batch_free(&b);
}

static void test_own_clock_corrections_are_not_flagged_head_office(void **state)
{
	(void)state;
	add_at("now", 5000, 5000, 0);
	struct timefix_ref now = { .wall_ms = T0 + 20000, .boot_ms = 20000 };
	snprintf(now.boot_id, sizeof(now.boot_id), "now");
	assert_int_equal(outbox_fix_times(s, &now, err, sizeof(err)), 1);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.rows[0].corrected_by, PROTOCOL_CORRECTED_KIOSK);
	assert_int_equal(b.rows[0].corrected_err_ms, 0);
	outbox_batch_free(&b);
}

static void test_an_answer_travels_with_its_rating_or_after_it_once(void **state)
{
	(void)state;
	add_n(3);
	/* Answered before the first sync: it goes with its batch. */
	assert_int_equal(store_set_reason(s, 2, "Waiting time", err, sizeof(err)), 0);
	/* A rating takes one answer, never a second. */
	assert_int_equal(store_set_reason(s, 2, "Price", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "rating 2 has an answer already"));
	assert_int_equal(store_set_reason(s, 99, "Price", err, sizeof(err)), 1);
	struct outbox_batch b = { 0 };
	assert_int_equal(outbox_next(s, 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.nreasons, 1);
	assert_int_equal(b.reasons[0].seq, 2);
	assert_string_equal(b.reasons[0].text, "Waiting time");
	/* Answered while its rating is unsent but beyond this batch: not yet (head office has no such rating). */
	assert_int_equal(store_set_reason(s, 3, "Price", err, sizeof(err)), 0);
	assert_int_equal(outbox_next(s, 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nreasons, 1);
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), 0);
	/* Rating 1 sent without an answer; the answer comes after: it travels alone, with no rating. */
	assert_int_equal(outbox_next(s, 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.rows[0].r.seq, 3);
	assert_int_equal(b.nreasons, 1);
	assert_int_equal(b.reasons[0].seq, 3);
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), 0);
	assert_int_equal(outbox_pending(s), 0);
	assert_int_equal(store_set_reason(s, 1, "Staff", err, sizeof(err)), 0);
	assert_int_equal(outbox_pending(s), 1);
	assert_int_equal(outbox_next(s, 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.nreasons, 1);
	assert_int_equal(b.reasons[0].seq, 1);
	assert_string_equal(b.reasons[0].text, "Staff");
	assert_int_equal(outbox_mark_acked(s, &b, err, sizeof(err)), 0);
	/* Acknowledged: never sent again. */
	assert_int_equal(outbox_pending(s), 0);
	assert_int_equal(outbox_next(s, 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n + b.nreasons, 0);
	outbox_batch_free(&b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_batches_come_in_seq_order_up_to_the_limit),
		T(test_ack_marks_exactly_the_batch),
		T(test_failed_ack_marks_nothing),
		T(test_prune_never_touches_unacked_rows),
		T(test_prune_goes_in_chunks_to_the_end),
		T(test_sequences_continue_after_prune),
		T(test_times_of_this_boot_are_corrected_when_clock_syncs),
		T(test_earlier_boot_is_corrected_from_its_own_synced_rows),
		T(test_acked_rows_are_not_rewritten_by_time_fixes),
		T(test_head_office_reference_corrects_and_flags),
		T(test_own_clock_corrections_are_not_flagged_head_office),
		T(test_an_answer_travels_with_its_rating_or_after_it_once),
	};
	return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
