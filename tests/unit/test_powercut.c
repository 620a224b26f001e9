/*
 * Power cuts at the storage layer (tests/support/faultvfs): the kiosk store
 * and the head-office store, each through hundreds of cuts at random
 * points (while opening and migrating, committing, checkpointing). After
 * each cut: the database opens, PRAGMA integrity_check is ok, every rating
 * acknowledged before the cut is there, and nothing else is except what
 * the interrupted commit held, whole or not at all. Each chain of cuts
 * runs on one database, so recoveries stack; every few trials a fresh one.
 *
 * POWERCUT_TRIALS (default 300 per store) and POWERCUT_SEED choose the run.
 */
#include "testutil.h"

#include <sqlite3.h>

#include "../support/faultvfs.h"
#include "hq_store.h"
#include "store.h"

#define MAX_SEQ 100000
#define CHAIN 20          /* trials on one database before a fresh one */

static char dir[512];
static char path[600];
static char err[1024];
static unsigned char acked[MAX_SEQ];   /* 1 + value: acknowledged (or found stored) */
static uint32_t seed;

static uint32_t next(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static int trials(void)
{
	const char *t = getenv("POWERCUT_TRIALS");
	return t && atoi(t) > 0 ? atoi(t) : 300;
}

static int setup(void **state)
{
	(void)state;
	const char *s = getenv("POWERCUT_SEED");
	seed = s ? (uint32_t)strtoul(s, NULL, 10) : 20261128u;
	tu_mkdtemp(dir, sizeof(dir));
	assert_int_equal(faultvfs_install(), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	faultvfs_uninstall();
	tu_rmdir(dir);
	return 0;
}

static void fresh_db(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char p[700];
	for (const char *suffix = ""; suffix; suffix = !*suffix ? "-wal" : !strcmp(suffix, "-wal") ? "-shm" : NULL) {
		snprintf(p, sizeof(p), "%s%s", path, suffix);
		unlink(p);
	}
	memset(acked, 0, sizeof(acked));
}

/* integrity_check on a connection of our own, after the power came back. */
static void check_integrity(void)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		fail_msg("integrity_check after a cut: %s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * Compares the rows of `sql` (seq, value) with what was acknowledged: every
 * acknowledged seq with its value; besides those, only seqs in
 * [inflight_lo, inflight_hi] (the interrupted commit), all of them or none.
 * The in-flight ones found are acknowledged from now on.
 */
static void check_rows(const char *sql, int64_t inflight_lo, int64_t inflight_hi, const char *what)
{
	static unsigned char seen[MAX_SEQ];
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	memset(seen, 0, sizeof(seen));
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int64_t inflight = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		int value = sqlite3_column_int(st, 1);
		assert_true(seq > 0 && seq < MAX_SEQ);
		if (seen[seq])
			fail_msg("%s: seq %lld stored twice", what, (long long)seq);
		seen[seq] = (unsigned char)(1 + value);
		if (!acked[seq]) {
			if (seq < inflight_lo || seq > inflight_hi)
				fail_msg("%s: seq %lld stored but never acknowledged, nor in the interrupted commit", what,
					 (long long)seq);
			inflight++;
		} else if (acked[seq] != 1 + value) {
			fail_msg("%s: seq %lld has value %d, acknowledged %d", what, (long long)seq, value, acked[seq] - 1);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	for (int64_t s = 1; s < MAX_SEQ; s++)
		if (acked[s] && !seen[s])
			fail_msg("%s: acknowledged seq %lld lost in a power cut", what, (long long)s);
	if (inflight && inflight != inflight_hi - inflight_lo + 1)
		fail_msg("%s: the interrupted commit is there in part (%lld of %lld rows)", what, (long long)inflight,
			 (long long)(inflight_hi - inflight_lo + 1));
	for (int64_t s = inflight_lo; inflight && s <= inflight_hi; s++)
		acked[s] = seen[s];
}

static void report(const char *what, int n, int64_t ratings)
{
	struct faultvfs_stats fs;
	faultvfs_get_stats(&fs);
	print_message("%s: %d cuts, %lld ratings acknowledged; so far %llu I/O ops, %llu syncs, at the cuts %llu "
		      "unsynced ops dropped, %llu kept (%llu torn)\n", what, n, (long long)ratings,
		      (unsigned long long)fs.ops, (unsigned long long)fs.syncs, (unsigned long long)fs.dropped,
		      (unsigned long long)fs.kept, (unsigned long long)fs.torn);
}

/* --- the kiosk store -------------------------------------------------------- */

static void test_kiosk_store_power_cuts(void **state)
{
	(void)state;
	int n = trials(), cuts = 0;
	int64_t total = 0;
	for (int t = 0; t < n; t++) {
		if (t % CHAIN == 0)
			fresh_db("kiosk.db");
		faultvfs_arm(1 + next() % 300, next());
		struct store *s = NULL;
		int64_t inflight = 0;
		if (store_open(&s, path, err, sizeof(err)) == 0) {
			for (int i = 0; i < 150 && !faultvfs_cut(); i++) {
				struct rating r = { .value = (int)(next() % 4), .scale = 4, .source = SOURCE_BUTTON,
						    .wall_ms = 1700000000000 + i, .boot_ms = 1000 + i, .clock_synced = 1 };
				snprintf(r.kiosk_id, sizeof(r.kiosk_id), "k1");
				snprintf(r.boot_id, sizeof(r.boot_id), "b0");
				int64_t expect = store_count(s) + 1;
				if (store_add(s, &r, err, sizeof(err)) == 0) {
					assert_true(r.seq > 0 && r.seq < MAX_SEQ);
					acked[r.seq] = (unsigned char)(1 + r.value);
					total++;
				} else {
					inflight = expect; /* AUTOINCREMENT, nothing deleted: the next seq */
					break;
				}
				if (i % 40 == 39)
					store_checkpoint(s); /* the checkpoint too, at random points */
			}
		}
		cuts += faultvfs_cut();
		faultvfs_arm(0, 0);
		store_close(s);
		faultvfs_power_on();
		/* Power back: the store opens (recovery, migrations) and holds what it acknowledged. */
		assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
		store_close(s);
		check_rows("SELECT seq, value FROM ratings", inflight ? inflight : -1, inflight ? inflight : -1,
			   "kiosk store");
		check_integrity();
	}
	report("kiosk store", cuts, total);
	assert_true(cuts > n / 2);
}

/* --- the head-office store -------------------------------------------------- */

static void test_hq_store_power_cuts(void **state)
{
	(void)state;
	int n = trials(), cuts = 0;
	int64_t total = 0, next_seq = 1;
	uint8_t hash[HQ_HASH_LEN] = { 1, 2, 3 };
	struct hq_kiosk k = { .id = "k1", .store = "Store", .area = "Counter", .tz = "Europe/Berlin" };
	for (int t = 0; t < n; t++) {
		if (t % CHAIN == 0) {
			fresh_db("hq.db");
			next_seq = 1;
			struct hq_store *s;
			assert_int_equal(hq_store_open(&s, path, err, sizeof(err)), 0);
			assert_int_equal(hq_store_kiosk_add(s, &k, hash, err, sizeof(err)), 0);
			hq_store_close(s);
		}
		faultvfs_arm(1 + next() % 300, next());
		struct hq_store *s = NULL;
		int64_t lo = -1, hi = -1;
		struct hq_kiosk who;
		if (hq_store_open(&s, path, err, sizeof(err)) == 0 && hq_store_kiosk_by_token(s, hash, &who) == 1) {
			for (int i = 0; i < 60 && !faultvfs_cut(); i++) {
				struct protocol_batch b = { .kiosk_id = "k1", .n = 1 + next() % 20 };
				b.ratings = calloc(b.n, sizeof(*b.ratings));
				assert_non_null(b.ratings);
				for (size_t j = 0; j < b.n; j++) {
					struct rating *r = &b.ratings[j].r;
					*r = (struct rating){ .seq = next_seq + (int64_t)j, .value = (int)(next() % 4), .scale = 4,
							      .source = SOURCE_BUTTON, .wall_ms = 1700000000000 + next_seq + (int64_t)j,
							      .boot_ms = 1000, .clock_synced = 1 };
					snprintf(r->kiosk_id, sizeof(r->kiosk_id), "k1");
					snprintf(r->boot_id, sizeof(r->boot_id), "b0");
				}
				struct protocol_ack ack;
				memset(&ack, 0, sizeof(ack));
				int rc = hq_store_ingest(s, &who, &b, 1700000000000, &ack, err, sizeof(err));
				if (rc == 0) {
					for (size_t j = 0; j < b.n; j++)
						acked[next_seq + (int64_t)j] = (unsigned char)(1 + b.ratings[j].r.value);
					total += (int64_t)b.n;
					assert_int_equal(ack.acked_through, next_seq + (int64_t)b.n - 1);
				} else {
					lo = next_seq;
					hi = next_seq + (int64_t)b.n - 1;
				}
				int64_t sent = (int64_t)b.n;
				protocol_batch_free(&b);
				if (rc != 0)
					break;
				next_seq += sent;
			}
		}
		cuts += faultvfs_cut();
		faultvfs_arm(0, 0);
		hq_store_close(s);
		faultvfs_power_on();
		assert_int_equal(hq_store_open(&s, path, err, sizeof(err)), 0);
		hq_store_close(s);
		check_rows("SELECT seq, value FROM ratings WHERE kiosk_id = 'k1'", lo, hi, "head-office store");
		check_integrity();
		/* The interrupted batch, if it did not survive, is sent again by the kiosk: the same seqs. */
		if (lo > 0 && acked[lo])
			next_seq = hi + 1;
	}
	report("head-office store", cuts, total);
	assert_true(cuts > n / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kiosk_store_power_cuts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hq_store_power_cuts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
