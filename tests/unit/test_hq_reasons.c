/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Head office's follow-up answers (hq_reasons.c) through the real ingest,
 * on SQLite and (tests/run.sh's second pass) PostgreSQL: an answer with
 * its rating or after it is stored and counted once, a repeat counts
 * nothing, another answer is a conflict that stores nothing of the batch,
 * misuse and closed ratings keep theirs uncounted, an answer for a rating
 * not held is dropped, and the day's top reasons read back per kiosk,
 * store and chain.
 */
#include "hqtest.h"

#include "hq_reasons.h"
#include "hq_store.h"

#define T0 1711875600000LL /* 2024-03-31 09:00 UTC */

static char dir[512], path[600], err[512];
static struct hq_store *db;
static struct hq_kiosk ka, kb;

static void kiosk(struct hq_kiosk *k, const char *id, const char *store, uint8_t h)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->id, sizeof(k->id), "%s", id);
	snprintf(k->store, sizeof(k->store), "%s", store);
	snprintf(k->area, sizeof(k->area), "A");
	snprintf(k->tz, sizeof(k->tz), "UTC");
	uint8_t hash[HQ_HASH_LEN] = { h, 7 };
	assert_int_equal(hq_store_kiosk_add(db, k, hash, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(path, sizeof(path), dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	kiosk(&ka, "k-a", "Berlin", 1);
	kiosk(&kb, "k-b", "Hamburg", 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

/* A batch of ratings seq from..to of k (value per seq: value_of), with reasons. */
static int ingest(const struct hq_kiosk *k, int64_t from, int64_t to, int flags_at, const struct protocol_reason *why,
		  size_t nwhy, struct protocol_ack *ack)
{
	static struct protocol_rating r[16];
	struct protocol_batch b = { .n = 0, .ratings = r, .nreasons = nwhy, .reasons = (struct protocol_reason *)why };
	snprintf(b.kiosk_id, sizeof(b.kiosk_id), "%s", k->id);
	snprintf(b.install_id, sizeof(b.install_id), "i1");
	for (int64_t s = from; s <= to && from > 0; s++) {
		struct protocol_rating *p = &r[b.n++];
		memset(p, 0, sizeof(*p));
		p->r.seq = s;
		p->r.value = s % 2 ? 0 : 3; /* odd: negative, even: positive */
		p->r.scale = 4;
		p->r.source = SOURCE_BUTTON;
		p->r.wall_ms = T0 + s * 1000;
		p->r.boot_ms = s * 1000;
		p->r.clock_synced = 1;
		p->r.flags = s == flags_at ? RATING_MISUSE : s == flags_at + 100 ? RATING_CLOSED : 0;
		snprintf(p->r.boot_id, sizeof(p->r.boot_id), "boot");
	}
	return hq_store_ingest(db, k, &b, T0 + 60000, ack, err, sizeof(err));
}

static const char *held(const char *kiosk_id, int64_t seq)
{
	static char out[80];
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), "SELECT coalesce(reason, '-') FROM ratings"
				       " WHERE kiosk_id = ? AND seq = ?", &st, err, sizeof(err)), HQ_DB_DONE);
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_int64(st, 2, seq);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	snprintf(out, sizeof(out), "%s", hq_db_column_text(st, 0));
	hq_db_finalize(st);
	return out;
}

/* The top reasons as "text/kind=n text/kind=n". */
static const char *top(const char *kiosk_id, const char *store)
{
	static char out[512];
	struct hq_reason_count c[10];
	int n = hq_reasons_top(db, kiosk_id, store, T0 - 3600000, T0 + 86400000, c, 10, err, sizeof(err));
	assert_true(n >= 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s/%s=%lld", i ? " " : "", c[i].reason,
			 c[i].positive ? "pos" : "neg", (long long)c[i].n);
	return out;
}

static void test_an_answer_is_stored_and_counted_once(void **state)
{
	(void)state;
	struct protocol_ack ack;
	/* With its rating; and a praise with "Staff" apart from the complaint "Staff". */
	struct protocol_reason w1[] = { { 1, "Waiting time" }, { 2, "Staff" }, { 3, "Staff" } };
	assert_int_equal(ingest(&ka, 1, 4, 0, w1, 3, &ack), 0);
	assert_int_equal(ack.accepted, 4);
	assert_string_equal(held("k-a", 1), "Waiting time");
	assert_string_equal(held("k-a", 4), "-");
	/* After its rating, alone in a batch with no ratings. */
	struct protocol_reason w2[] = { { 4, "Friendly" } };
	assert_int_equal(ingest(&ka, 0, 0, 0, w2, 1, &ack), 0);
	assert_string_equal(held("k-a", 4), "Friendly");
	/* Everything again (an ack lost): nothing changes, nothing counts twice. */
	struct protocol_reason all[] = { { 1, "Waiting time" }, { 2, "Staff" }, { 3, "Staff" }, { 4, "Friendly" } };
	assert_int_equal(ingest(&ka, 1, 4, 0, all, 4, &ack), 0);
	assert_int_equal(ack.duplicates, 4);
	assert_string_equal(top("k-a", NULL), "Friendly/pos=1 Staff/neg=1 Staff/pos=1 Waiting time/neg=1");
	/* An answer for a rating head office does not hold: dropped, the batch still stored. */
	struct protocol_reason ghost[] = { { 99, "Price" } };
	assert_int_equal(ingest(&ka, 5, 5, 0, ghost, 1, &ack), 0);
	assert_int_equal(ack.accepted, 1);
	assert_string_equal(top("k-a", NULL), "Friendly/pos=1 Staff/neg=1 Staff/pos=1 Waiting time/neg=1");
}

static void test_another_answer_is_a_conflict_and_stores_nothing(void **state)
{
	(void)state;
	struct protocol_ack ack;
	struct protocol_reason w1[] = { { 1, "Waiting time" } };
	assert_int_equal(ingest(&ka, 1, 2, 0, w1, 1, &ack), 0);
	/* The same batch's new rating 3 must not be stored when its other answer conflicts. */
	struct protocol_reason w2[] = { { 1, "Price" }, { 3, "Staff" } };
	assert_int_equal(ingest(&ka, 3, 3, 0, w2, 2, &ack), 1);
	assert_int_equal(ack.conflict.count, 1);
	assert_int_equal(ack.conflict.items[0].seq, 1);
	assert_string_equal(ack.conflict.items[0].fields, "reason");
	assert_string_equal(held("k-a", 1), "Waiting time");
	assert_string_equal(top("k-a", NULL), "Waiting time/neg=1");
	int64_t conflicts = -1;
	assert_int_equal(hq_store_conflict_count(db, "k-a", &conflicts), 0);
	assert_int_equal(conflicts, 1);
}

static void test_misuse_and_closed_answers_are_kept_not_counted(void **state)
{
	(void)state;
	struct protocol_ack ack;
	/* seq 1 misuse, seq 101 would be closed: use a second batch for it. */
	struct protocol_reason w[] = { { 1, "Price" }, { 3, "Price" } };
	assert_int_equal(ingest(&ka, 1, 3, 1, w, 2, &ack), 0);
	assert_string_equal(held("k-a", 1), "Price");
	assert_string_equal(top("k-a", NULL), "Price/neg=1");
	struct protocol_reason c[] = { { 5, "Price" } };
	assert_int_equal(ingest(&ka, 4, 5, -95, c, 1, &ack), 0); /* flags_at + 100 = 5: closed */
	assert_string_equal(held("k-a", 5), "Price");
	assert_string_equal(top("k-a", NULL), "Price/neg=1");
}

static void test_top_reasons_per_kiosk_store_and_chain(void **state)
{
	(void)state;
	struct protocol_ack ack;
	struct protocol_reason a[] = { { 1, "Waiting time" }, { 3, "Waiting time" }, { 5, "Price" } };
	struct protocol_reason b[] = { { 1, "Price" }, { 3, "Price" } };
	assert_int_equal(ingest(&ka, 1, 5, 0, a, 3, &ack), 0);
	assert_int_equal(ingest(&kb, 1, 3, 0, b, 2, &ack), 0);
	assert_string_equal(top("k-a", NULL), "Waiting time/neg=2 Price/neg=1");
	assert_string_equal(top(NULL, "Hamburg"), "Price/neg=2");
	assert_string_equal(top(NULL, NULL), "Price/neg=3 Waiting time/neg=2");
	/* Another day: none. */
	struct hq_reason_count c[4];
	assert_int_equal(hq_reasons_top(db, NULL, NULL, T0 + 86400000, T0 + 2 * 86400000, c, 4, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_an_answer_is_stored_and_counted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_another_answer_is_a_conflict_and_stores_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse_and_closed_answers_are_kept_not_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_reasons_per_kiosk_store_and_chain, setup, teardown),
	};
	return cmocka_run_group_tests_name("hq_reasons", tests, NULL, NULL);
}
