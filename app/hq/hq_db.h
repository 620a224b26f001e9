/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db: the seam between head office's storage and its database engine.
 * Storage code (hq_store.c, hq_users.c, ...) writes each query once, and
 * one of the two implementations beside this header runs it:
 *
 *   hq_db_sqlite.c   the database setting is a path (the default)
 *   hq_db_pg.c       it is a postgresql:// or postgres:// URI (libpq)
 *
 * The SQL both engines accept, and the only SQL storage code writes:
 *  - parameters as SQLite writes them: "?" or "?N" (numbered from 1);
 *  - INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE SET x = excluded.x,
 *    and RETURNING; never INSERT OR IGNORE / OR REPLACE;
 *  - times are integer milliseconds since the epoch, computed in C; no
 *    engine functions (strftime, randomblob, now(), ...);
 *  - truth values are integers 0/1 (PostgreSQL's booleans read as 't');
 *  - PostgreSQL types a parameter from its first use: one only tested
 *    with IS NULL ("?1 IS NULL OR store = ?1" is fine) is taken as text;
 *  - integers in tables are BIGINT on PostgreSQL (hq_migrate.c), so
 *    milliseconds fit; a blob is BYTEA there.
 * What differs (DDL types, PRAGMAs, transaction modes, locking) stays in
 * the implementations, behind the functions below.
 *
 * One struct hq_db is one connection, used by one thread at a time.
 */
#ifndef HQ_DB_H
#define HQ_DB_H

#include <stddef.h>
#include <stdint.h>

enum hq_db_engine { HQ_DB_SQLITE = 1, HQ_DB_PG = 2 };

/* What hq_db_step (and the calls that run SQL) return. */
enum {
	HQ_DB_ROW = 1,          /* a row is ready for the column getters */
	HQ_DB_DONE = 0,         /* the statement ran to its end */
	HQ_DB_ERROR = -1,       /* anything else: hq_db_errmsg says what */
	HQ_DB_BUSY = -2,        /* lock wait ran out, or a serialisation failure: retry the transaction */
	HQ_DB_CONSTRAINT = -3,  /* a UNIQUE, NOT NULL, CHECK or foreign key constraint refused it */
	HQ_DB_GONE = -4,        /* the connection to the server is lost */
};

struct hq_db;
struct hq_db_stmt;

/* The engine a database setting names: a postgresql:// or postgres:// URI is PostgreSQL, else a path. */
enum hq_db_engine hq_db_engine_of(const char *target);

/*
 * Opens a connection to target (a path: the file is created if absent;
 * a URI: libpq keywords, PGPASSFILE and sslmode honoured). Does not
 * migrate and does not set file modes: hq_store does. 0, or -1 with err.
 */
int hq_db_open(struct hq_db **out, const char *target, char *err, size_t errlen);
void hq_db_close(struct hq_db *db);
enum hq_db_engine hq_db_engine(const struct hq_db *db);

/* The last error on db, one line (never NULL). */
const char *hq_db_errmsg(struct hq_db *db);

/* Runs one or more statements without parameters or rows. HQ_DB_DONE or an error code with err filled. */
int hq_db_exec(struct hq_db *db, const char *sql, char *err, size_t errlen);

/*
 * Transactions. begin(write=1) takes the write lock at once where the
 * engine has one (SQLite: BEGIN IMMEDIATE). HQ_DB_DONE or an error code
 * with err filled; savepoints are plain SQL through hq_db_exec.
 */
int hq_db_begin(struct hq_db *db, int write, char *err, size_t errlen);
int hq_db_commit(struct hq_db *db, char *err, size_t errlen);
int hq_db_rollback(struct hq_db *db);

/* A statement the caller finalises. HQ_DB_DONE, or an error code with err filled. */
int hq_db_prepare(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen);
/*
 * A statement db keeps for its lifetime, prepared once per distinct sql:
 * for the hot paths. Returned reset with no bindings; the caller calls
 * hq_db_reset when done with it and never finalises it.
 */
int hq_db_cached(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen);

/* Bindings, numbered from 1; text and blobs are copied (or kept until reset). */
void hq_db_bind_int64(struct hq_db_stmt *st, int i, int64_t v);
void hq_db_bind_double(struct hq_db_stmt *st, int i, double v);
void hq_db_bind_text(struct hq_db_stmt *st, int i, const char *s); /* NULL binds NULL */
void hq_db_bind_blob(struct hq_db_stmt *st, int i, const void *p, size_t n);
void hq_db_bind_null(struct hq_db_stmt *st, int i);
/*
 * Text the caller keeps unchanged until the statement's next reset: not
 * copied where the engine allows (ingest binds three strings a rating, and
 * SQLite's copies were a tenth of its instructions).
 */
void hq_db_bind_text_static(struct hq_db_stmt *st, int i, const char *s);

/* Runs or advances st: HQ_DB_ROW, HQ_DB_DONE, or an error code (hq_db_errmsg). */
int hq_db_step(struct hq_db_stmt *st);

/* Columns of the current row, numbered from 0. NULL reads as 0 / NULL. */
int hq_db_column_null(struct hq_db_stmt *st, int i);
int64_t hq_db_column_int64(struct hq_db_stmt *st, int i);
double hq_db_column_double(struct hq_db_stmt *st, int i);
const char *hq_db_column_text(struct hq_db_stmt *st, int i); /* valid until the next step or reset */
const void *hq_db_column_blob(struct hq_db_stmt *st, int i, size_t *n);

/* Rows changed by st's last run (INSERT, UPDATE, DELETE). */
int64_t hq_db_changes(struct hq_db_stmt *st);

/* Ready to run again: clears bindings and releases what the last run held. */
void hq_db_reset(struct hq_db_stmt *st);
void hq_db_finalize(struct hq_db_stmt *st);

/* Once per process, before any thread: engine-wide settings. */
void hq_db_init_process(void);

/*
 * Takes a lock named by key, held until the current transaction ends, in
 * every process on this database (PostgreSQL: pg_advisory_xact_lock, so two
 * replicas serialise on one kiosk). SQLite: nothing to do, its write
 * transaction already excludes every other writer. HQ_DB_DONE or an error.
 */
int hq_db_lock_key(struct hq_db *db, int64_t key, char *err, size_t errlen);
/*
 * Takes the locks of keys[0..*n) as hq_db_lock_key does, always in
 * ascending order of key (keys is sorted in place, repeats dropped, and *n
 * set to what is left): two transactions that each take their locks this
 * way before anything else can never wait on each other in a circle.
 * PostgreSQL: one round trip.
 */
int hq_db_lock_keys(struct hq_db *db, int64_t *keys, size_t *n, char *err, size_t errlen);

/*
 * Arrival order that a reader can page through without skipping a row.
 * A table's identity column is handed out when a row is inserted, but rows
 * become visible when their transaction commits: on PostgreSQL with
 * several writers, row 101 may be visible while row 100 (a transaction
 * still running) is not, and a reader that went on "after 101" would never
 * see 100. So a write transaction that will insert into table calls
 * hq_db_hold_horizon first, and a reader asks hq_db_horizon for *safe: no
 * row with column <= *safe can still appear (every transaction that could
 * commit one has ended); *last is the highest value handed out so far
 * (above *safe: rows may still appear below it). SQLite has one writer at
 * a time and hands out rowids above every committed one: both INT64_MAX,
 * and holding does nothing. HQ_DB_DONE or an error code with err.
 * PostgreSQL: column is an identity (or serial) column; one table per
 * database uses this (the marks are negative advisory lock keys).
 */
int hq_db_hold_horizon(struct hq_db *db, const char *table, const char *column, char *err, size_t errlen);
int hq_db_horizon(struct hq_db *db, const char *table, const char *column, int64_t *safe, int64_t *last, char *err,
		  size_t errlen);

/*
 * PostgreSQL only: runs sql, a COPY ... FROM STDIN, fed data (len bytes in
 * COPY's text format) as its input, in the current transaction. COPY
 * writes rows a page at a time (one WAL record per page, not per row), the
 * cheapest way into a table. *rows: the rows it stored. SQLite has no COPY:
 * HQ_DB_ERROR, and callers ask hq_db_engine first. HQ_DB_DONE or the code.
 */
int hq_db_copy_in(struct hq_db *db, const char *sql, const char *data, size_t len, int64_t *rows, char *err,
		  size_t errlen);

/* Whether the database answers (reconnecting a lost connection first). HQ_DB_DONE, or an error with err. */
int hq_db_ping(struct hq_db *db, char *err, size_t errlen);

/*
 * The setting without its secrets, for logs and errors: a path as is, a
 * URI as "postgresql database D on H" (never a password).
 */
void hq_db_describe(const char *target, char *out, size_t len);

/*
 * SQLite's own knobs; on PostgreSQL the server does these itself and the
 * calls do nothing. busy_timeout: how long a write waits for another
 * process's lock. on_wal: after each commit, fn(arg, frames in the WAL),
 * and no automatic checkpoint. checkpoint: a PASSIVE one (waits for no one).
 */
void hq_db_busy_timeout(struct hq_db *db, int ms);
void hq_db_on_wal(struct hq_db *db, void (*fn)(void *arg, int frames), void *arg);
int hq_db_checkpoint(struct hq_db *db, char *err, size_t errlen);

#endif
