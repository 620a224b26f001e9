/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading ratings by time through rating_slots (hq_slots.h), on SQLite and
 * (tests/run.sh's second pass) PostgreSQL, against a plain scan of the
 * ratings: a store of two kiosks and one of another store, fed through the
 * real ingest with what makes seqs and times disagree: ratings whose
 * corrected time lies hours before earlier seqs, kiosks whose clock never
 * synced (times years off), a re-imaged kiosk (a second install whose
 * seqs restart at 1), batches sent twice and out of order. Every range
 * asked (a minute to ten days, on and beside quarter-hour edges) must give
 * exactly the ratings the scan finds: not one missing, none twice.
 */
#include "hqtest.h"

#include "../support/hq_feed.h"
#include "hq_slots.h"
#include "hq_store.h"
#include "rating.h"

#define NOW 1731196800000LL              /* 2024-11-10 00:00 UTC */
#define FIRST ((int64_t)1730419200000LL) /* 2024-11-01 00:00 UTC */
#define PER_INSTALL 500

static char dir[512], path[600], err[512];
static struct hq_store *db;
static struct hq_kiosk kiosks[3];
static const char *const ids[3] = { "a-1", "a-2", "b-1" }, *const stores[3] = { "A", "A", "B" };

static uint32_t rnd_state = 4242;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* One batch of ratings [from, to) of r to kiosk k's install; 0 ack'd. */
static void send(int k, const char *install, struct protocol_rating *r, int from, int to)
{
	struct protocol_batch b = { .n = (size_t)(to - from), .ratings = &r[from] };
	snprintf(b.kiosk_id, sizeof(b.kiosk_id), "%s", ids[k]);
	snprintf(b.install_id, sizeof(b.install_id), "%s", install);
	struct protocol_ack ack;
	assert_int_equal(hq_store_ingest(db, &kiosks[k], &b, NOW, &ack, err, sizeof(err)), 0);
}

/* PER_INSTALL ratings of kiosk k's install, their times rising from start with the disorder above. */
static void feed(int k, const char *install, int64_t start)
{
	static struct protocol_rating r[PER_INSTALL];
	int64_t t = start;
	for (int j = 0; j < PER_INSTALL; j++) {
		struct protocol_rating *p = &r[j];
		memset(p, 0, sizeof(*p));
		t += (int64_t)(rnd() % 1800) * 1000;
		p->r.seq = j + 1;
		p->r.scale = 4;
		p->r.value = (int)(rnd() % 4);
		p->r.source = SOURCE_BUTTON;
		p->r.wall_ms = t;
		p->r.boot_ms = (int64_t)j * 1000;
		p->r.clock_synced = 1;
		snprintf(p->r.boot_id, sizeof(p->r.boot_id), "boot");
		uint32_t kind = rnd() % 100;
		if (kind < 5) {
			/* Never synced: the time is the kiosk's wrong clock, years off. */
			p->r.clock_synced = 0;
			p->r.wall_ms = 1262304000000LL + (int64_t)(rnd() % 1000) * 60000;
		} else if (kind < 12) {
			/* Corrected later to hours before ratings sent earlier. */
			p->r.clock_synced = 0;
			p->r.wall_ms = 0;
			p->has_corrected = 1;
			p->corrected_ms = t - (int64_t)(1 + rnd() % 6) * 3600000;
		} else if (kind < 15) {
			p->r.flags = RATING_MISUSE;
		}
	}
	/* In batches of 1 to 80; now and then a batch twice, or the next batch before this one. */
	for (int j = 0; j < PER_INSTALL;) {
		int n = 1 + (int)(rnd() % 80), end = j + n < PER_INSTALL ? j + n : PER_INSTALL;
		int m = 1 + (int)(rnd() % 40), end2 = end + m < PER_INSTALL ? end + m : PER_INSTALL;
		uint32_t how = rnd() % 10;
		if (how == 0 && end2 > end) {
			send(k, install, r, end, end2);
			send(k, install, r, j, end);
			j = end2;
			continue;
		}
		send(k, install, r, j, end);
		if (how == 1)
			send(k, install, r, j, end);
		j = end;
	}
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(path, sizeof(path), dir);
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		hq_feed_add_kiosk(db, &kiosks[i], i + 1, ids[i], stores[i], "Counter", "Europe/Berlin");
	feed(0, "first-card", FIRST);
	feed(0, "second-card", FIRST + 3 * 86400000LL); /* re-imaged: seqs from 1 again, overlapping times */
	feed(1, "x", FIRST + 3600000);
	feed(2, "y", FIRST);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_store_close(db);
	tu_rmdir(dir);
	return 0;
}

/* count, sum of values and sum of seqs of the ratings of `where` (?1) with best time in [from, to). */
static void tally(const char *sql, const char *who, int64_t from, int64_t to, int64_t out[3])
{
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), sql, &st, err, sizeof(err)), HQ_DB_DONE);
	hq_db_bind_text(st, 1, who);
	hq_db_bind_int64(st, 2, from);
	hq_db_bind_int64(st, 3, to);
	hq_db_bind_int64(st, 4, hq_slot_of(from));
	hq_db_bind_int64(st, 5, hq_slot_of(to - 1));
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	for (int i = 0; i < 3; i++)
		out[i] = hq_db_column_int64(st, i);
	assert_int_equal(hq_db_step(st), HQ_DB_DONE);
	hq_db_finalize(st);
}

#define SUMS "SELECT count(*), coalesce(sum(r.value), 0), coalesce(sum(r.seq * 7 + r.install), 0) FROM "
/* Every query uses ?1 to ?5 (the slots' bounds only typed where the scan has no use for them). */
#define IN_RANGE " WHERE r.best_ms >= ?2 AND r.best_ms < ?3 AND CAST(?4 AS BIGINT) <= CAST(?5 AS BIGINT)"

static void check_range(int64_t from, int64_t to)
{
	int64_t a[3], b[3];
	tally(SUMS HQ_SLOTS_RATINGS_SQL("s.kiosk_id IN (SELECT id FROM kiosks WHERE store = ?1)", "?4", "?5") IN_RANGE,
	      "A", from, to, a);
	tally(SUMS "ratings r JOIN kiosks k ON k.id = r.kiosk_id" IN_RANGE " AND k.store = ?1", "A", from, to, b);
	for (int i = 0; i < 3; i++)
		assert_int_equal(a[i], b[i]);
	tally(SUMS HQ_SLOTS_RATINGS_SQL("s.kiosk_id = ?1", "?4", "?5") IN_RANGE, "a-1", from, to, a);
	tally(SUMS "ratings r" IN_RANGE " AND r.kiosk_id = ?1", "a-1", from, to, b);
	for (int i = 0; i < 3; i++)
		assert_int_equal(a[i], b[i]);
}

static void reads_by_time_find_exactly_what_a_scan_finds(void **state)
{
	(void)state;
	int64_t held[3];
	tally(SUMS "ratings r" IN_RANGE " AND ?1 = ''", "", INT64_MIN, INT64_MAX, held);
	assert_int_equal(held[0], 4 * PER_INSTALL);
	int nonempty = 0;
	for (int i = 0; i < 300; i++) {
		static const int64_t lengths[] = { 60000, 900000, 3600000, 86400000, 10 * 86400000LL };
		int64_t len = lengths[rnd() % 5];
		int64_t from = FIRST - 86400000LL + (int64_t)(rnd() % (14 * 86400)) * 1000;
		if (i % 3 == 0)
			from = from / 900000 * 900000 + (int64_t)(rnd() % 3) - 1; /* on, before, after an edge */
		int64_t to = from + len + (i % 4 == 0 ? (int64_t)(rnd() % 3) - 1 : 0);
		check_range(from, to);
		int64_t n[3];
		tally(SUMS "ratings r" IN_RANGE " AND ?1 = ''", "", from, to, n);
		nonempty += n[0] > 0;
	}
	/* The clocks that never synced: their year (2010) is read the same way. */
	check_range(1262304000000LL, 1262304000000LL + 86400000LL);
	assert_true(nonempty > 150);
}

/* The time index is gone: reads by time go through the unique (kiosk_id, install, seq) index. */
static void a_read_by_time_uses_the_seq_index(void **state)
{
	(void)state;
	if (hqtest_pg())
		skip();
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(hq_store_sql(db), "EXPLAIN QUERY PLAN SELECT count(*) FROM "
				       HQ_SLOTS_RATINGS_SQL("s.kiosk_id IN (SELECT id FROM kiosks WHERE store = ?1)",
							    "?4", "?5") IN_RANGE,
				       &st, err, sizeof(err)), HQ_DB_DONE);
	int seq_index = 0;
	while (hq_db_step(st) == HQ_DB_ROW) {
		const char *d = hq_db_column_text(st, 3);
		if (strstr(d, "SCAN r"))
			fail_msg("a read by time scans the ratings: %s", d);
		if (strstr(d, "SEARCH r USING INDEX sqlite_autoindex_ratings_1 (kiosk_id=? AND install=? AND seq>? AND seq<?)"))
			seq_index = 1;
	}
	hq_db_finalize(st);
	assert_true(seq_index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_by_time_find_exactly_what_a_scan_finds),
		cmocka_unit_test(a_read_by_time_uses_the_seq_index),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
