/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db, the seam under head office's storage: the SQL both engines take
 * (numbered parameters, ON CONFLICT, RETURNING), result codes, cached
 * statements and transactions, on a real SQLite file; and on the
 * PostgreSQL server named by $TALLY_HQ_DB_PG when it is set.
 */
#include "testutil.h"

#include "hq_db.h"

static char dir[512], target[1024], err[512];

static int setup(void **state)
{
	(void)state;
	const char *pg = getenv("TALLY_HQ_DB_PG");
	tu_mkdtemp(dir, sizeof(dir));
	if (pg && *pg)
		snprintf(target, sizeof(target), "%s", pg);
	else
		snprintf(target, sizeof(target), "%s/db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

static struct hq_db *fresh(void)
{
	struct hq_db *db;
	assert_int_equal(hq_db_open(&db, target, err, sizeof(err)), 0);
	assert_int_equal(hq_db_exec(db, "DROP TABLE IF EXISTS t; CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL,"
				    " x DOUBLE PRECISION, b TEXT)", err, sizeof(err)), HQ_DB_DONE);
	return db;
}

static void engine_follows_the_setting(void **state)
{
	(void)state;
	assert_int_equal(hq_db_engine_of("/var/lib/tally/hq.db"), HQ_DB_SQLITE);
	assert_int_equal(hq_db_engine_of("hq.db"), HQ_DB_SQLITE);
	assert_int_equal(hq_db_engine_of("postgresql://tally@db/hq"), HQ_DB_PG);
	assert_int_equal(hq_db_engine_of("postgres:///hq?host=/run/postgresql"), HQ_DB_PG);
	assert_int_equal(hq_db_engine_of("./postgresql:/x"), HQ_DB_SQLITE);
}

static void upsert_returning_and_changes(void **state)
{
	(void)state;
	struct hq_db *db = fresh();
	struct hq_db_stmt *st;
	const char *up = "INSERT INTO t (k, n) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET n = t.n + excluded.n"
			 " RETURNING n";
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(hq_db_cached(db, up, &st, err, sizeof(err)), HQ_DB_DONE);
		hq_db_bind_text(st, 1, "a");
		hq_db_bind_int64(st, 2, 10);
		assert_int_equal(hq_db_step(st), HQ_DB_ROW);
		assert_int_equal(hq_db_column_int64(st, 0), 10 * i);
		assert_int_equal(hq_db_step(st), HQ_DB_DONE);
		hq_db_reset(st);
	}
	assert_int_equal(hq_db_prepare(db, "INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT DO NOTHING", &st,
				       err, sizeof(err)), HQ_DB_DONE);
	hq_db_bind_text(st, 1, "a");
	hq_db_bind_int64(st, 2, 1);
	assert_int_equal(hq_db_step(st), HQ_DB_DONE);
	assert_int_equal(hq_db_changes(st), 0);
	hq_db_reset(st);
	hq_db_bind_text(st, 1, "b");
	hq_db_bind_int64(st, 2, -9000000000LL);
	assert_int_equal(hq_db_step(st), HQ_DB_DONE);
	assert_int_equal(hq_db_changes(st), 1);
	hq_db_finalize(st);

	assert_int_equal(hq_db_prepare(db, "SELECT k, n, x, b FROM t ORDER BY k", &st, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	assert_string_equal(hq_db_column_text(st, 0), "a");
	assert_int_equal(hq_db_column_int64(st, 1), 30);
	assert_true(hq_db_column_null(st, 2));
	assert_null(hq_db_column_text(st, 3));
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	assert_int_equal(hq_db_column_int64(st, 1), -9000000000LL);
	assert_int_equal(hq_db_step(st), HQ_DB_DONE);
	hq_db_finalize(st);
	hq_db_close(db);
}

static void constraint_and_errors_are_named(void **state)
{
	(void)state;
	struct hq_db *db = fresh();
	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(db, "INSERT INTO t (k, n) VALUES (?, ?)", &st, err, sizeof(err)), HQ_DB_DONE);
	hq_db_bind_text(st, 1, "a");
	hq_db_bind_int64(st, 2, 1);
	assert_int_equal(hq_db_step(st), HQ_DB_DONE);
	hq_db_reset(st);
	hq_db_bind_text(st, 1, "a");
	hq_db_bind_int64(st, 2, 2);
	assert_int_equal(hq_db_step(st), HQ_DB_CONSTRAINT);
	hq_db_reset(st);
	hq_db_bind_text(st, 1, "c");
	hq_db_bind_null(st, 2);
	assert_int_equal(hq_db_step(st), HQ_DB_CONSTRAINT);
	hq_db_finalize(st);
	assert_int_not_equal(hq_db_prepare(db, "SELECT nope FROM t", &st, err, sizeof(err)), HQ_DB_DONE);
	assert_null(st);
	assert_non_null(strstr(err, "nope"));
	hq_db_close(db);
}

static void rollback_undoes_and_savepoints_nest(void **state)
{
	(void)state;
	struct hq_db *db = fresh();
	assert_int_equal(hq_db_begin(db, 1, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_exec(db, "INSERT INTO t (k, n) VALUES ('kept', 1)", err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_exec(db, "SAVEPOINT b", err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_exec(db, "INSERT INTO t (k, n) VALUES ('undone', 1)", err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_exec(db, "ROLLBACK TO b; RELEASE b", err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_commit(db, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_begin(db, 1, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_exec(db, "INSERT INTO t (k, n) VALUES ('gone', 1)", err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_rollback(db), HQ_DB_DONE);

	struct hq_db_stmt *st;
	assert_int_equal(hq_db_prepare(db, "SELECT count(*), min(k) FROM t", &st, err, sizeof(err)), HQ_DB_DONE);
	assert_int_equal(hq_db_step(st), HQ_DB_ROW);
	assert_int_equal(hq_db_column_int64(st, 0), 1);
	assert_string_equal(hq_db_column_text(st, 1), "kept");
	hq_db_finalize(st);
	hq_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(engine_follows_the_setting),
		cmocka_unit_test_setup_teardown(upsert_returning_and_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(constraint_and_errors_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(rollback_undoes_and_savepoints_nest, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
