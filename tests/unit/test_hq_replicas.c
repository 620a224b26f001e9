/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Head office with several writers on one PostgreSQL database (replicas),
 * each a real connection of its own (a forked process): the export's
 * cursor never passes a rowid that a running transaction may still
 * commit, and a group holds every kiosk lock it needs before it stores
 * anything, so two groups that name the same kiosks in opposite orders
 * take turns instead of deadlocking. Both need concurrent writers, which SQLite does not have
 * (one writer at a time, in this process behind one mutex): on SQLite the
 * tests are skipped, and tests/run.sh's PostgreSQL pass runs them.
 */
#include "hqtest.h"

#include <sys/wait.h>
#include <unistd.h>

#include "hq_store.h"

static char dir[512], target[600], err[512];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(target, sizeof(target), dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

static struct hq_store *open_store(void)
{
	struct hq_store *s;
	if (hq_store_open(&s, target, err, sizeof(err)))
		fail_msg("open: %s", err);
	return s;
}

static void add_kiosk(struct hq_store *s, struct hq_kiosk *k, const char *id, uint8_t tag)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->id, sizeof(k->id), "%s", id);
	snprintf(k->store, sizeof(k->store), "S");
	snprintf(k->area, sizeof(k->area), "A");
	snprintf(k->tz, sizeof(k->tz), "UTC");
	uint8_t hash[HQ_HASH_LEN] = { tag, 7 };
	if (hq_store_kiosk_add(s, k, hash, err, sizeof(err)))
		fail_msg("kiosk add: %s", err);
}

/* Ratings from..to (seq) of kiosk id, on 2024-03-31 UTC. */
static void make_batch(struct protocol_batch *b, const char *id, int64_t from, int64_t to)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->kiosk_id, sizeof(b->kiosk_id), "%s", id);
	b->n = (size_t)(to - from + 1);
	b->ratings = calloc(b->n, sizeof(*b->ratings));
	assert_non_null(b->ratings);
	for (size_t j = 0; j < b->n; j++) {
		struct rating *r = &b->ratings[j].r;
		r->seq = from + (int64_t)j;
		r->value = (int)(r->seq % 4);
		r->scale = 4;
		r->source = SOURCE_BUTTON;
		r->wall_ms = 1711875600000 + r->seq * 1000;
		r->boot_ms = r->seq * 1000;
		r->clock_synced = 1;
		snprintf(r->boot_id, sizeof(r->boot_id), "boot");
		snprintf(r->kiosk_id, sizeof(r->kiosk_id), "%s", id);
	}
}

static void ingest(struct hq_store *s, const struct hq_kiosk *k, const char *id, int64_t from, int64_t to)
{
	struct protocol_batch b;
	struct protocol_ack ack;
	make_batch(&b, id, from, to);
	if (hq_store_ingest(s, k, &b, 1711875600000, &ack, err, sizeof(err)))
		fail_msg("ingest %s: %s", id, err);
	assert_int_equal(ack.accepted, to - from + 1);
	protocol_batch_free(&b);
}

struct page {
	int64_t rowids[64];
	int n;
};

static int take(const struct hq_export_row *row, void *arg)
{
	struct page *p = arg;
	if (p->n < 64)
		p->rowids[p->n++] = row->cursor;
	return 0;
}

/* One page after `after`; its next cursor returned. */
static int64_t export_page(struct hq_store *s, int64_t after, struct page *p)
{
	struct hq_export_query q = { .from = { 2024, 3, 31 }, .to = { 2024, 3, 31 }, .after = after, .limit = 64 };
	int64_t next;
	p->n = 0;
	if (hq_store_export(s, &q, take, p, &next, err, sizeof(err)))
		fail_msg("export: %s", err);
	return next;
}

/*
 * Another replica: a process of its own (this process's writes share one
 * mutex, so two stores here could never run at once), with its own
 * connection. It opens a group, locks the kiosks named, stores a batch of
 * seq from..to for each and commits; at the point `at` names (0: once
 * locked, 1: once stored) it tells the parent (a byte on `told`) and waits
 * for the parent's byte on `go`. Exits 0 if all went.
 */
static int handshake(int told, int go)
{
	char c = 1;
	return write(told, &c, 1) == 1 && read(go, &c, 1) == 1;
}

static pid_t replica(const char *const *ids, size_t n, int64_t from, int64_t to, const int tell[2], const int hear[2],
		     int at)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	/* Only the parent writes to hear: a parent that ends (a failed assertion) ends the wait with EOF. */
	close(tell[0]);
	close(hear[1]);
	int told = tell[1], go = hear[0];
	struct hq_store *s;
	char why[512] = "";
	int ok = hq_store_open(&s, target, why, sizeof(why)) == 0;
	ok = ok && hq_store_group_begin(s, why, sizeof(why)) == 0 && hq_store_group_lock(s, ids, n, why, sizeof(why)) == 0;
	ok = ok && (at != 0 || handshake(told, go));
	for (size_t i = 0; ok && i < n; i++) {
		struct hq_kiosk k = { 0 };
		snprintf(k.id, sizeof(k.id), "%s", ids[i]);
		snprintf(k.tz, sizeof(k.tz), "UTC");
		struct protocol_batch b;
		struct protocol_ack ack;
		make_batch(&b, ids[i], from, to);
		ok = hq_store_ingest(s, &k, &b, 1711875600000, &ack, why, sizeof(why)) == 0 && ack.accepted == to - from + 1;
		protocol_batch_free(&b);
	}
	ok = ok && (at != 1 || handshake(told, go));
	ok = ok && hq_store_group_commit(s, why, sizeof(why)) == 0;
	if (!ok)
		fprintf(stderr, "replica: %s\n", why);
	_exit(ok ? 0 : 1); /* not exit: cmocka's and the sanitizers' work at exit is the parent's */
}

static void replica_ended_well(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void export_never_passes_a_rowid_still_in_flight(void **state)
{
	(void)state;
	if (!hqtest_pg())
		skip();
	struct hq_store *b = open_store(), *reader = open_store();
	struct hq_kiosk k1, k2;
	add_kiosk(b, &k1, "k-1", 1);
	add_kiosk(b, &k2, "k-2", 2);
	ingest(b, &k2, "k-2", 1, 5); /* rowids 1..5, committed */

	/* Replica a: k-1's batch inside its group, not committed yet (rowids 6..15). */
	int told[2], go[2];
	assert_int_equal(pipe(told), 0);
	assert_int_equal(pipe(go), 0);
	const char *ids[] = { "k-1" };
	pid_t a = replica(ids, 1, 1, 10, told, go, 1);
	char c;
	assert_int_equal(read(told[0], &c, 1), 1);
	/* Replica b meanwhile: k-2's next batch commits, with higher rowids (16..25). */
	ingest(b, &k2, "k-2", 6, 15);

	/* The reader sees 1..5 and 16..25; it must stop at 5 and say there is more. */
	struct page p;
	int64_t next = export_page(reader, 0, &p);
	assert_int_equal(p.n, 5);
	assert_int_equal(p.rowids[4], 5);
	assert_int_equal(next, 5);

	/* Replica a commits: following the cursor now finds every rating, each once. */
	assert_int_equal(write(go[1], &c, 1), 1);
	replica_ended_well(a);
	next = export_page(reader, next, &p);
	assert_int_equal(next, 0);
	assert_int_equal(p.n, 20);
	for (int i = 0; i < p.n; i++)
		assert_int_equal(p.rowids[i], 6 + i);
	for (int i = 0; i < 2; i++) {
		close(told[i]);
		close(go[i]);
	}
	hq_store_close(b);
	hq_store_close(reader);
}

static void a_group_locks_all_its_kiosks_first_and_groups_take_turns(void **state)
{
	(void)state;
	if (!hqtest_pg())
		skip();
	struct hq_store *b = open_store();
	struct hq_kiosk k1, k2;
	add_kiosk(b, &k1, "k-1", 1);
	add_kiosk(b, &k2, "k-2", 2);
	/*
	 * Replica a names k-1 then k-2. Before it stores anything it holds the
	 * locks of both: taken batch by batch instead, it could hold k-1 while
	 * this replica holds k-2, each then waiting for the other (PostgreSQL
	 * would end one of them with a deadlock error).
	 */
	int told[2], go[2];
	assert_int_equal(pipe(told), 0);
	assert_int_equal(pipe(go), 0);
	const char *ids_a[] = { "k-1", "k-2" };
	pid_t a = replica(ids_a, 2, 1, 3, told, go, 0);
	char c;
	assert_int_equal(read(told[0], &c, 1), 1);
	struct hq_db *db;
	assert_int_equal(hq_db_open(&db, target, err, sizeof(err)), 0);
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
				       " AND objsubid = 1 AND classid < 2147483648 AND pid <> pg_backend_pid()"
				       /* this test's database only: other tests share the cluster */
				       " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
				       &st, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	assert_int_equal(hq_db_column_int64(st, 0), 2);
	hq_db_finalize(st);
	hq_db_close(db);
	assert_int_equal(write(go[1], &c, 1), 1);

	/* This replica names them the other way round and stores k-2 first: it waits for a's commit, then goes on. */
	const char *ids_b[] = { "k-2", "k-1" };
	assert_int_equal(hq_store_group_begin(b, err, sizeof(err)), 0);
	assert_int_equal(hq_store_group_lock(b, ids_b, 2, err, sizeof(err)), 0);
	const struct hq_kiosk *ks[] = { &k2, &k1 };
	for (int i = 0; i < 2; i++) {
		struct protocol_batch batch;
		struct protocol_ack ack;
		make_batch(&batch, ids_b[i], 4, 6);
		if (hq_store_ingest(b, ks[i], &batch, 1711875600000, &ack, err, sizeof(err)))
			fail_msg("ingest %s: %s", ids_b[i], err);
		assert_int_equal(ack.acked_through, 6); /* a's 1..3 committed first */
		protocol_batch_free(&batch);
	}
	assert_int_equal(hq_store_group_commit(b, err, sizeof(err)), 0);
	replica_ended_well(a);
	for (int i = 0; i < 2; i++) {
		close(told[i]);
		close(go[i]);
	}
	hq_store_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(export_never_passes_a_rowid_still_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(a_group_locks_all_its_kiosks_first_and_groups_take_turns, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
