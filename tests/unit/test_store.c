/* SPDX-License-Identifier: Apache-2.0 */
/* Store: durable commits, sequences, migrations, and refusing bad files. */
#include "testutil.h"

#include <sys/stat.h>

#include "store.h"

static char dir[512];
static char path[600];
static char err[1024];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/kiosk.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

static struct rating make(int value, int64_t t)
{
	struct rating r = { .value = value, .scale = 4, .source = SOURCE_TOUCH,
			    .wall_ms = 1700000000000 + t, .boot_ms = 5000 + t, .clock_synced = 1 };
	snprintf(r.kiosk_id, sizeof(r.kiosk_id), "k1");
	snprintf(r.boot_id, sizeof(r.boot_id), "b0");
	return r;
}

static void add(struct store *s, int value, int64_t t)
{
	struct rating r = make(value, t);
	assert_int_equal(store_add(s, &r, err, sizeof(err)), 0);
}

/* Reads a whole file, for checking that a refused file was not touched. */
static size_t slurp(const char *p, char *buf, size_t len)
{
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, len, f);
	fclose(f);
	return n;
}

static void test_commit_survives_reopen(void **state)
{
	(void)state;
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	struct rating r = make(3, 0);
	r.flags = RATING_MISUSE;
	r.source = SOURCE_BUTTON;
	assert_int_equal(store_add(s, &r, err, sizeof(err)), 0);
	assert_int_equal(r.seq, 1);
	/* No close, no checkpoint: the rating must already be in the WAL on disk. */
	struct store *other;
	assert_int_equal(store_open(&other, path, err, sizeof(err)), 0);
	struct rating back;
	assert_int_equal(store_last(other, "k1", &back), 1);
	assert_int_equal(back.seq, 1);
	assert_int_equal(back.value, 3);
	assert_int_equal(back.scale, 4);
	assert_int_equal(back.source, SOURCE_BUTTON);
	assert_int_equal(back.wall_ms, r.wall_ms);
	assert_int_equal(back.boot_ms, r.boot_ms);
	assert_string_equal(back.boot_id, "b0");
	assert_int_equal(back.clock_synced, 1);
	assert_int_equal(back.flags, RATING_MISUSE);
	assert_int_equal(store_last(other, "nobody", &back), 0);
	store_close(other);
	store_close(s);
}

static void test_wal_and_full_sync_are_on(void **state)
{
	(void)state;
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA synchronous", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2); /* FULL */
	sqlite3_finalize(st);
	store_close(s);
}

static void test_sequences_never_reused_after_deletes(void **state)
{
	(void)state;
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	add(s, 0, 0);
	add(s, 1, 10000);
	add(s, 2, 20000);
	assert_int_equal(sqlite3_exec(store_db(s), "DELETE FROM ratings", NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	struct rating r = make(1, 30000);
	assert_int_equal(store_add(s, &r, err, sizeof(err)), 0);
	assert_int_equal(r.seq, 4);
	assert_int_equal(store_count(s), 1);
	store_close(s);
}

static void test_migration_from_first_schema_keeps_rows(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE ratings (seq INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL,"
		" value INTEGER NOT NULL, scale INTEGER NOT NULL, source TEXT NOT NULL, wall_ms INTEGER NOT NULL,"
		" boot_ms INTEGER NOT NULL, boot_id TEXT NOT NULL, clock_synced INTEGER NOT NULL);"
		"INSERT INTO ratings VALUES (7, 'k1', 2, 4, 'key', 1, 2, 'b', 0);"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	struct rating r;
	assert_int_equal(store_last(s, "k1", &r), 1);
	assert_int_equal(r.seq, 7);
	assert_int_equal(r.value, 2);
	assert_int_equal(r.source, SOURCE_KEY);
	assert_int_equal(r.flags, 0);
	struct rating n = make(1, 0);
	assert_int_equal(store_add(s, &n, err, sizeof(err)), 0);
	assert_int_equal(n.seq, 8);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), store_schema_latest());
	sqlite3_finalize(st);
	store_close(s);
}

static void test_newer_schema_is_refused_untouched(void **state)
{
	(void)state;
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	add(s, 1, 0);
	assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
	assert_int_equal(store_open(&s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schema version 999 is newer"));
}

static void test_corrupt_file_is_refused_and_untouched(void **state)
{
	(void)state;
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	for (int i = 0; i < 50; i++)
		add(s, i % 4, i * 10000);
	store_checkpoint(s);
	store_close(s);
	/* Scribble over the middle of the file, as a failing SD card would. */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 100, SEEK_SET);
	for (int i = 0; i < 3000; i++)
		fputc(0xA5, f);
	fclose(f);
	static char before[1 << 16], after[1 << 16];
	size_t nb = slurp(path, before, sizeof(before));

	assert_int_equal(store_open(&s, path, err, sizeof(err)), -1);
	assert_null(s);
	assert_non_null(strstr(err, "corrupt"));
	assert_non_null(strstr(err, path));
	assert_null(strchr(err, '\n'));
	size_t na = slurp(path, after, sizeof(after));
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
}

static void test_not_a_database_is_refused_and_untouched(void **state)
{
	(void)state;
	tu_write(path, "these are a customer's notes, not a database\n");
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a database"));
	char buf[200];
	size_t n = slurp(path, buf, sizeof(buf));
	assert_int_equal(n, strlen("these are a customer's notes, not a database\n"));
}

static void test_read_only_file_is_refused_with_rows_kept(void **state)
{
	(void)state;
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	add(s, 1, 0);
	add(s, 2, 10000);
	store_checkpoint(s);
	store_close(s);
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(store_open(&s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "read-only"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	assert_int_equal(store_count(s), 2);
	store_close(s);
}

static void test_missing_directory_is_a_clear_error(void **state)
{
	(void)state;
	struct store *s;
	char p[700];
	snprintf(p, sizeof(p), "%s/no/such/dir/k.db", dir);
	assert_int_equal(store_open(&s, p, err, sizeof(err)), -1);
	/* The directory named, not SQLite's "unable to open database file". */
	assert_non_null(strstr(err, "the data directory "));
	assert_non_null(strstr(err, "/no/such/dir: No such file or directory"));
}

static void test_directory_the_user_may_not_write_names_owner_and_mode(void **state)
{
	(void)state;
	if (geteuid() == 0)
		skip(); /* root writes anywhere: e2e/datadir_not_writable runs the kiosk as nobody */
	struct store *s;
	char d[700], p[720];
	snprintf(d, sizeof(d), "%s/locked", dir);
	assert_int_equal(mkdir(d, 0555), 0);
	snprintf(p, sizeof(p), "%s/k.db", d);
	assert_int_equal(store_open(&s, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not writable by user"));
	assert_non_null(strstr(err, "mode 0555"));
	chmod(d, 0755);
}


static int is_hex32(const char *id)
{
	if (strlen(id) != 32)
		return 0;
	for (const char *c = id; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return 0;
	return 1;
}

static void test_each_new_store_has_its_own_install_id(void **state)
{
	(void)state;
	char other[700], first[64];
	struct store *a, *b;
	assert_int_equal(store_open(&a, path, err, sizeof(err)), 0);
	snprintf(first, sizeof(first), "%s", store_install_id(a));
	assert_true(is_hex32(first));
	store_close(a);
	/* Kept for the life of the file ... */
	assert_int_equal(store_open(&a, path, err, sizeof(err)), 0);
	assert_string_equal(store_install_id(a), first);
	/* ... and another file (a re-imaged kiosk) gets another. */
	snprintf(other, sizeof(other), "%s/other.db", dir);
	assert_int_equal(store_open(&b, other, err, sizeof(err)), 0);
	assert_true(is_hex32(store_install_id(b)));
	assert_string_not_equal(store_install_id(b), first);
	store_close(a);
	store_close(b);
}

static void test_migration_gives_an_older_store_an_install_id(void **state)
{
	(void)state;
	struct store *s;
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	add(s, 1, 0);
	store_close(s);
	/* Back to schema 4, as a store written before install ids. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP INDEX ratings_reason_unsent; ALTER TABLE ratings DROP COLUMN reason;"
					  " ALTER TABLE ratings DROP COLUMN reason_acked;"
					  " DROP TABLE meta; ALTER TABLE ratings DROP COLUMN corrected_by;"
					  " ALTER TABLE ratings DROP COLUMN corrected_err_ms; PRAGMA user_version = 4;",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	assert_true(is_hex32(store_install_id(s)));
	struct rating r;
	assert_int_equal(store_last(s, "k1", &r), 1);
	assert_int_equal(r.seq, 1);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_survives_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_and_full_sync_are_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequences_never_reused_after_deletes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_first_schema_keeps_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_new_store_has_its_own_install_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_gives_an_older_store_an_install_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_is_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_file_is_refused_and_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database_is_refused_and_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_file_is_refused_with_rows_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory_is_a_clear_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_the_user_may_not_write_names_owner_and_mode, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
