/* SPDX-License-Identifier: Apache-2.0 */
/* hq_db_sqlite: the SQLite engine behind hq_db.h (a path as the database setting). */
#include "hq_db_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq_db {
	struct hq_db base;
	sqlite3 *conn;
	void (*on_wal)(void *arg, int frames);
	void *on_wal_arg;
};

struct sq_stmt {
	struct hq_db_stmt base;
	sqlite3_stmt *st;
	int64_t changes;
};

static const struct hq_db_ops sq_ops;

static sqlite3 *conn_of(struct hq_db *db) { return ((struct sq_db *)db)->conn; }
static struct sq_stmt *sq(struct hq_db_stmt *st) { return (struct sq_stmt *)st; }

/* SQLite's result code as hq_db's. */
static int code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_ROW: return HQ_DB_ROW;
	case SQLITE_DONE:
	case SQLITE_OK: return HQ_DB_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return HQ_DB_BUSY;
	case SQLITE_CONSTRAINT: return HQ_DB_CONSTRAINT;
	default: return HQ_DB_ERROR;
	}
}

static int fail(struct hq_db *db, int rc, const char *what, char *err, size_t errlen)
{
	if (errlen)
		snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(conn_of(db)));
	return code(rc) == HQ_DB_DONE ? HQ_DB_ERROR : code(rc);
}

static struct hq_db *wrap(sqlite3 *conn, char *err, size_t errlen)
{
	struct sq_db *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->base.ops = &sq_ops;
	d->conn = conn;
	return &d->base;
}

int hq_db_sqlite_open(struct hq_db **out, const char *path, char *err, size_t errlen)
{
	sqlite3 *conn = NULL;
	int rc = sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
		sqlite3_close(conn);
		return -1;
	}
	sqlite3_extended_result_codes(conn, 1);
	sqlite3_busy_timeout(conn, 5000);
	*out = wrap(conn, err, errlen);
	if (!*out) {
		sqlite3_close(conn);
		return -1;
	}
	return 0;
}

void hq_db_sqlite_init_process(void)
{
	/*
	 * SQLite's memory statistics take one process-wide mutex on every
	 * allocation: the writer and every reader thread would queue on it.
	 * Nothing here reads those statistics.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void sq_close(struct hq_db *db)
{
	struct sq_db *d = (struct sq_db *)db;
	hq_db_cache_clear(db);
	sqlite3_close(d->conn);
	free(d);
}

static const char *sq_errmsg(struct hq_db *db) { return sqlite3_errmsg(conn_of(db)); }

static int sq_exec(struct hq_db *db, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_exec(conn_of(db), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? HQ_DB_DONE : fail(db, rc, "SQL failed", err, errlen);
}

static int sq_begin(struct hq_db *db, int write, char *err, size_t errlen)
{
	int rc = sqlite3_exec(conn_of(db), write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
	return rc == SQLITE_OK ? HQ_DB_DONE : fail(db, rc, "cannot begin a transaction", err, errlen);
}

static int sq_commit(struct hq_db *db, char *err, size_t errlen)
{
	int rc = sqlite3_exec(conn_of(db), "COMMIT", NULL, NULL, NULL);
	return rc == SQLITE_OK ? HQ_DB_DONE : fail(db, rc, "cannot commit", err, errlen);
}

static int sq_rollback(struct hq_db *db)
{
	if (sqlite3_get_autocommit(conn_of(db)))
		return HQ_DB_DONE;
	return code(sqlite3_exec(conn_of(db), "ROLLBACK", NULL, NULL, NULL));
}

static int sq_prepare(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen)
{
	struct sq_stmt *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return HQ_DB_ERROR;
	}
	int rc = sqlite3_prepare_v3(conn_of(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	if (rc != SQLITE_OK) {
		free(s);
		return fail(db, rc, "cannot prepare a query", err, errlen);
	}
	s->base.ops = &sq_ops;
	s->base.db = db;
	*out = &s->base;
	return HQ_DB_DONE;
}

static void sq_bind_int64(struct hq_db_stmt *st, int i, int64_t v) { sqlite3_bind_int64(sq(st)->st, i, v); }
static void sq_bind_double(struct hq_db_stmt *st, int i, double v) { sqlite3_bind_double(sq(st)->st, i, v); }

static void sq_bind_text(struct hq_db_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(sq(st)->st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(sq(st)->st, i);
}

static void sq_bind_text_static(struct hq_db_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(sq(st)->st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(sq(st)->st, i);
}

static void sq_bind_blob(struct hq_db_stmt *st, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64(sq(st)->st, i, p, n, SQLITE_TRANSIENT);
}

static void sq_bind_null(struct hq_db_stmt *st, int i) { sqlite3_bind_null(sq(st)->st, i); }

static int sq_step(struct hq_db_stmt *st)
{
	struct sq_stmt *s = sq(st);
	sqlite3 *conn = sqlite3_db_handle(s->st);
	int rc = sqlite3_step(s->st);
	if (rc == SQLITE_DONE && !sqlite3_stmt_readonly(s->st))
		s->changes = sqlite3_changes64(conn);
	return code(rc);
}

static int sq_column_null(struct hq_db_stmt *st, int i) { return sqlite3_column_type(sq(st)->st, i) == SQLITE_NULL; }
static int64_t sq_column_int64(struct hq_db_stmt *st, int i) { return sqlite3_column_int64(sq(st)->st, i); }
static double sq_column_double(struct hq_db_stmt *st, int i) { return sqlite3_column_double(sq(st)->st, i); }

static const char *sq_column_text(struct hq_db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(sq(st)->st, i);
}

static const void *sq_column_blob(struct hq_db_stmt *st, int i, size_t *n)
{
	const void *p = sqlite3_column_blob(sq(st)->st, i);
	*n = (size_t)sqlite3_column_bytes(sq(st)->st, i);
	return p;
}

static int64_t sq_changes(struct hq_db_stmt *st) { return sq(st)->changes; }

static void sq_reset(struct hq_db_stmt *st)
{
	sqlite3_reset(sq(st)->st);
	sqlite3_clear_bindings(sq(st)->st);
	sq(st)->changes = 0;
}

static void sq_finalize(struct hq_db_stmt *st)
{
	sqlite3_finalize(sq(st)->st);
	free(st);
}

/* A file is always there to answer; a failing disk shows in the statements themselves. */
static int sq_ping(struct hq_db *db, char *err, size_t errlen)
{
	(void)db;
	(void)err;
	(void)errlen;
	return HQ_DB_DONE;
}

static void sq_busy_timeout(struct hq_db *db, int ms) { sqlite3_busy_timeout(conn_of(db), ms); }

static int wal_frames(void *arg, sqlite3 *conn, const char *name, int frames)
{
	(void)conn;
	(void)name;
	struct sq_db *d = arg;
	if (d->on_wal)
		d->on_wal(d->on_wal_arg, frames);
	return SQLITE_OK;
}

static void sq_on_wal(struct hq_db *db, void (*fn)(void *arg, int frames), void *arg)
{
	struct sq_db *d = (struct sq_db *)db;
	d->on_wal = fn;
	d->on_wal_arg = arg;
	/* Replaces SQLite's automatic checkpoint: the caller checkpoints elsewhere. */
	sqlite3_wal_hook(d->conn, wal_frames, d);
}

static int sq_checkpoint(struct hq_db *db, char *err, size_t errlen)
{
	int rc = sqlite3_wal_checkpoint_v2(conn_of(db), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return fail(db, rc, "cannot checkpoint", err, errlen);
	return HQ_DB_DONE;
}

static const struct hq_db_ops sq_ops = {
	.engine = HQ_DB_SQLITE,
	.close = sq_close,
	.errmsg = sq_errmsg,
	.exec = sq_exec,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.prepare = sq_prepare,
	.bind_int64 = sq_bind_int64,
	.bind_double = sq_bind_double,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.bind_text_static = sq_bind_text_static,
	.step = sq_step,
	.column_null = sq_column_null,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.changes = sq_changes,
	.reset = sq_reset,
	.finalize = sq_finalize,
	.ping = sq_ping,
	.busy_timeout = sq_busy_timeout,
	.on_wal = sq_on_wal,
	.checkpoint = sq_checkpoint,
};
