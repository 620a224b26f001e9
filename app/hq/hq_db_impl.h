/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db_impl: what an engine behind hq_db.h provides. Only hq_db.c and the
 * engines (hq_db_sqlite.c, hq_db_pg*.c) include this; storage code uses
 * hq_db.h alone.
 */
#ifndef HQ_DB_IMPL_H
#define HQ_DB_IMPL_H

#include "hq_db.h"

struct hq_db_ops {
	enum hq_db_engine engine;
	void (*close)(struct hq_db *db);
	const char *(*errmsg)(struct hq_db *db);
	int (*exec)(struct hq_db *db, const char *sql, char *err, size_t errlen);
	int (*begin)(struct hq_db *db, int write, char *err, size_t errlen);
	int (*commit)(struct hq_db *db, char *err, size_t errlen);
	int (*rollback)(struct hq_db *db);
	int (*prepare)(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen);
	void (*bind_int64)(struct hq_db_stmt *st, int i, int64_t v);
	void (*bind_double)(struct hq_db_stmt *st, int i, double v);
	void (*bind_text)(struct hq_db_stmt *st, int i, const char *s);
	void (*bind_blob)(struct hq_db_stmt *st, int i, const void *p, size_t n);
	void (*bind_null)(struct hq_db_stmt *st, int i);
	/* NULL: bind_text (the engine copies). */
	void (*bind_text_static)(struct hq_db_stmt *st, int i, const char *s);
	int (*step)(struct hq_db_stmt *st);
	int (*column_null)(struct hq_db_stmt *st, int i);
	int64_t (*column_int64)(struct hq_db_stmt *st, int i);
	double (*column_double)(struct hq_db_stmt *st, int i);
	const char *(*column_text)(struct hq_db_stmt *st, int i);
	const void *(*column_blob)(struct hq_db_stmt *st, int i, size_t *n);
	int64_t (*changes)(struct hq_db_stmt *st);
	void (*reset)(struct hq_db_stmt *st);
	void (*finalize)(struct hq_db_stmt *st);
	int (*lock_key)(struct hq_db *db, int64_t key, char *err, size_t errlen);
	/* keys sorted ascending, no repeats, n > 0 (NULL: lock_key one at a time). */
	int (*lock_keys)(struct hq_db *db, const int64_t *keys, size_t n, char *err, size_t errlen);
	int (*ping)(struct hq_db *db, char *err, size_t errlen);
	/* NULL where the engine has no COPY. */
	int (*copy_in)(struct hq_db *db, const char *sql, const char *data, size_t len, int64_t *rows, char *err,
		       size_t errlen);
	/* NULL: one writer at a time, nothing to hold (hq_db_horizon answers INT64_MAX). */
	int (*hold_horizon)(struct hq_db *db, const char *table, const char *column, char *err, size_t errlen);
	int (*horizon)(struct hq_db *db, const char *table, const char *column, int64_t *safe, int64_t *last, char *err,
		       size_t errlen);
	/* SQLite only (NULL elsewhere). */
	void (*busy_timeout)(struct hq_db *db, int ms);
	void (*on_wal)(struct hq_db *db, void (*fn)(void *arg, int frames), void *arg);
	int (*checkpoint)(struct hq_db *db, char *err, size_t errlen);
};

struct hq_db_cache_entry {
	const char *key;   /* the caller's pointer, compared first */
	char *sql;         /* a copy, compared when the pointer differs */
	struct hq_db_stmt *st;
};

/* The first member of every engine's connection. */
struct hq_db {
	const struct hq_db_ops *ops;
	struct hq_db_cache_entry *cache;
	size_t ncache, capcache;
};

/* The first member of every engine's statement. */
struct hq_db_stmt {
	const struct hq_db_ops *ops;
	struct hq_db *db;
	int kept;   /* hq_db_cached's: runs many times (PostgreSQL prepares it on the server once) */
};

/* Engines' constructors (hq_db.c picks one by the setting). */
int hq_db_sqlite_open(struct hq_db **out, const char *path, char *err, size_t errlen);
int hq_db_pg_open(struct hq_db **out, const char *uri, char *err, size_t errlen);
void hq_db_sqlite_init_process(void);
/* hq_db_describe for a URI (hq_db_pg.c: libpq parses it). */
void hq_db_pg_describe(const char *uri, char *out, size_t len);

/* Finalises every cached statement of db: each engine's close calls it first. */
void hq_db_cache_clear(struct hq_db *db);

#endif
