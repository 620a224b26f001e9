/* SPDX-License-Identifier: Apache-2.0 */
/* HQ writer: batches queued together commit as one group, each in its own SAVEPOINT; SQLite and PostgreSQL. */
#include "hqtest.h"

#include <pthread.h>
#include <time.h>

#include "hq_store.h"
#include "hq_writer.h"

static char dir[512], path[600], err[512];
static struct hq_writer *writer;

#define N_KIOSKS 8

struct poster {
	struct hq_kiosk k;
	struct protocol_batch b;
	struct protocol_ack ack;
	char err[256];
	int rc;
	pthread_t thread;
};
static struct poster posters[N_KIOSKS];

static void *post(void *arg)
{
	struct poster *p = arg;
	p->rc = hq_writer_ingest(writer, &p->k, &p->b, 1711875600000, &p->ack, p->err, sizeof(p->err));
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	hqtest_target(path, sizeof(path), dir);
	struct hq_store *db;
	assert_int_equal(hq_store_open(&db, path, err, sizeof(err)), 0);
	for (int i = 0; i < N_KIOSKS; i++) {
		struct poster *p = &posters[i];
		memset(p, 0, sizeof(*p));
		char id[16];
		snprintf(id, sizeof(id), "k-%d", i);
		snprintf(p->k.id, sizeof(p->k.id), "%s", id);
		snprintf(p->k.store, sizeof(p->k.store), "S");
		snprintf(p->k.area, sizeof(p->k.area), "A");
		snprintf(p->k.tz, sizeof(p->k.tz), "UTC");
		uint8_t hash[HQ_HASH_LEN] = { (uint8_t)i, 42 };
		assert_int_equal(hq_store_kiosk_add(db, &p->k, hash, err, sizeof(err)), 0);
		snprintf(p->b.kiosk_id, sizeof(p->b.kiosk_id), "%s", id);
		p->b.n = 100;
		p->b.ratings = calloc(p->b.n, sizeof(*p->b.ratings));
		assert_non_null(p->b.ratings);
		for (size_t j = 0; j < p->b.n; j++) {
			struct rating *r = &p->b.ratings[j].r;
			r->seq = (int64_t)j + 1;
			r->value = (int)(j % 4);
			r->scale = 4;
			r->source = SOURCE_BUTTON;
			r->wall_ms = 1711875600000 + (int64_t)j * 1000;
			r->boot_ms = (int64_t)j * 1000;
			r->clock_synced = 1;
			snprintf(r->boot_id, sizeof(r->boot_id), "boot");
			snprintf(r->kiosk_id, sizeof(r->kiosk_id), "%s", id);
		}
	}
	hq_store_close(db);
	assert_int_equal(hq_writer_start(&writer, path, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hq_writer_stop(writer);
	for (int i = 0; i < N_KIOSKS; i++)
		protocol_batch_free(&posters[i].b);
	tu_rmdir(dir);
	return 0;
}

static void sql(struct hq_db *db, const char *q)
{
	char msg[512];
	if (hq_db_exec(db, q, msg, sizeof(msg)) != HQ_DB_DONE)
		fail_msg("%s: %s", q, msg);
}

static int64_t count(struct hq_db *db, const char *q)
{
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(db, q, &st, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	int64_t n = hq_db_column_int64(st, 0);
	hq_db_finalize(st);
	return n;
}

/* Polls the writer's state (not a timing) until want batches wait and writing are being written. */
static void wait_queued(int64_t want, int64_t writing)
{
	struct hq_writer_stats st;
	for (int i = 0; i < 60000; i++) {
		hq_writer_stats(writer, &st);
		if (st.queued == want && st.writing == writing)
			return;
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	fail_msg("writer queue never reached %lld (is %lld)", (long long)want, (long long)st.queued);
}

static void test_batches_queued_together_commit_as_one_group_each_in_its_savepoint(void **state)
{
	(void)state;
	struct hq_db *db;
	assert_int_equal(hq_db_open(&db, path, err, sizeof(err)), 0);
	hq_db_busy_timeout(db, 30000);
	/*
	 * A batch that fails inside the database: its savepoint goes, the
	 * others of its group stay (both engines commit groups: hq_ingest.c).
	 */
	if (hqtest_pg())
		sql(db, "CREATE FUNCTION refuse_k3() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
			" IF NEW.kiosk_id = 'k-3' THEN RAISE EXCEPTION 'k-3 refused by the test'; END IF; RETURN NEW; END $$;"
			"CREATE TRIGGER refuse_k3 BEFORE INSERT ON ratings FOR EACH ROW EXECUTE FUNCTION refuse_k3()");
	else
		sql(db, "CREATE TRIGGER refuse_k3 BEFORE INSERT ON ratings WHEN NEW.kiosk_id = 'k-3'"
			" BEGIN SELECT RAISE(ABORT, 'k-3 refused by the test'); END");
	/* Hold the write lock: the first batch waits in the writer, the other seven queue behind it. */
	sql(db, hqtest_pg() ? "BEGIN; LOCK TABLE ratings IN EXCLUSIVE MODE" : "BEGIN IMMEDIATE");
	pthread_create(&posters[0].thread, NULL, post, &posters[0]);
	wait_queued(0, 1); /* taken by the writer, now waiting for the lock */
	for (int i = 1; i < N_KIOSKS; i++)
		pthread_create(&posters[i].thread, NULL, post, &posters[i]);
	wait_queued(N_KIOSKS - 1, 1);
	sql(db, "COMMIT");
	for (int i = 0; i < N_KIOSKS; i++)
		pthread_join(posters[i].thread, NULL);

	for (int i = 0; i < N_KIOSKS; i++) {
		if (i == 3) {
			assert_int_equal(posters[i].rc, -1);
			assert_non_null(strstr(posters[i].err, "k-3 refused by the test"));
			continue;
		}
		assert_int_equal(posters[i].rc, 0);
		assert_int_equal(posters[i].ack.accepted, 100);
		assert_int_equal(posters[i].ack.acked_through, 100);
	}
	struct hq_writer_stats st;
	hq_writer_stats(writer, &st);
	assert_int_equal(st.groups, 2);   /* the one that waited, then the seven queued meanwhile */
	assert_int_equal(st.batches, 7);  /* stored; k-3's was rolled back alone */
	assert_int_equal(st.ratings, 700);
	assert_int_equal(count(db, "SELECT count(*) FROM ratings"), 700);
	assert_int_equal(count(db, "SELECT count(*) FROM ratings WHERE kiosk_id = 'k-3'"), 0);
	assert_int_equal(count(db, "SELECT acked_through FROM kiosks WHERE id = 'k-3'"), 0);
	assert_int_equal(count(db, "SELECT sum(acked_through) FROM kiosks"), 700);

	/* k-3 sends again once the database takes it: stored, and the others' resends are duplicates. */
	sql(db, hqtest_pg() ? "DROP TRIGGER refuse_k3 ON ratings" : "DROP TRIGGER refuse_k3");
	for (int i = 0; i < N_KIOSKS; i++)
		pthread_create(&posters[i].thread, NULL, post, &posters[i]);
	for (int i = 0; i < N_KIOSKS; i++) {
		pthread_join(posters[i].thread, NULL);
		assert_int_equal(posters[i].rc, 0);
		assert_int_equal(posters[i].ack.accepted, i == 3 ? 100 : 0);
		assert_int_equal(posters[i].ack.duplicates, i == 3 ? 0 : 100);
	}
	assert_int_equal(count(db, "SELECT count(*) FROM ratings"), 800);
	hq_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batches_queued_together_commit_as_one_group_each_in_its_savepoint,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
