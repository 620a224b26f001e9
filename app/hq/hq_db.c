/* SPDX-License-Identifier: Apache-2.0 */
/* hq_db: picks the engine for a database setting and hands each call to it (see hq_db.h). */
#include "hq_db_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum hq_db_engine hq_db_engine_of(const char *target)
{
	if (target && (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0))
		return HQ_DB_PG;
	return HQ_DB_SQLITE;
}

int hq_db_open(struct hq_db **out, const char *target, char *err, size_t errlen)
{
	*out = NULL;
	if (hq_db_engine_of(target) == HQ_DB_PG)
		return hq_db_pg_open(out, target, err, errlen);
	return hq_db_sqlite_open(out, target, err, errlen);
}

void hq_db_close(struct hq_db *db)
{
	if (db)
		db->ops->close(db);
}

enum hq_db_engine hq_db_engine(const struct hq_db *db) { return db->ops->engine; }
const char *hq_db_errmsg(struct hq_db *db) { return db->ops->errmsg(db); }

int hq_db_exec(struct hq_db *db, const char *sql, char *err, size_t errlen)
{
	return db->ops->exec(db, sql, err, errlen);
}

int hq_db_begin(struct hq_db *db, int write, char *err, size_t errlen)
{
	return db->ops->begin(db, write, err, errlen);
}

int hq_db_commit(struct hq_db *db, char *err, size_t errlen) { return db->ops->commit(db, err, errlen); }
int hq_db_rollback(struct hq_db *db) { return db->ops->rollback(db); }

int hq_db_prepare(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen)
{
	*out = NULL;
	return db->ops->prepare(db, sql, out, err, errlen);
}

int hq_db_cached(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen)
{
	*out = NULL;
	/* The callers pass string literals: their pointer finds the statement without a compare. */
	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].key == sql) {
			*out = db->cache[i].st;
			return HQ_DB_DONE;
		}
	for (size_t i = 0; i < db->ncache; i++)
		if (strcmp(db->cache[i].sql, sql) == 0) {
			*out = db->cache[i].st;
			return HQ_DB_DONE;
		}
	if (db->ncache == db->capcache) {
		size_t cap = db->capcache ? db->capcache * 2 : 16;
		struct hq_db_cache_entry *more = realloc(db->cache, cap * sizeof(*more));
		if (!more) {
			if (errlen)
				strncpy(err, "out of memory", errlen - 1)[errlen - 1] = '\0';
			return HQ_DB_ERROR;
		}
		db->cache = more;
		db->capcache = cap;
	}
	char *copy = strdup(sql);
	if (!copy) {
		if (errlen)
			strncpy(err, "out of memory", errlen - 1)[errlen - 1] = '\0';
		return HQ_DB_ERROR;
	}
	struct hq_db_stmt *st;
	int rc = db->ops->prepare(db, sql, &st, err, errlen);
	if (rc != HQ_DB_DONE) {
		free(copy);
		return rc;
	}
	st->kept = 1;
	db->cache[db->ncache++] = (struct hq_db_cache_entry){ .key = sql, .sql = copy, .st = st };
	*out = st;
	return HQ_DB_DONE;
}

void hq_db_cache_clear(struct hq_db *db)
{
	for (size_t i = 0; i < db->ncache; i++) {
		db->ops->finalize(db->cache[i].st);
		free(db->cache[i].sql);
	}
	free(db->cache);
	db->cache = NULL;
	db->ncache = db->capcache = 0;
}

void hq_db_bind_int64(struct hq_db_stmt *st, int i, int64_t v) { st->ops->bind_int64(st, i, v); }
void hq_db_bind_double(struct hq_db_stmt *st, int i, double v) { st->ops->bind_double(st, i, v); }
void hq_db_bind_text(struct hq_db_stmt *st, int i, const char *s) { st->ops->bind_text(st, i, s); }
void hq_db_bind_blob(struct hq_db_stmt *st, int i, const void *p, size_t n) { st->ops->bind_blob(st, i, p, n); }
void hq_db_bind_null(struct hq_db_stmt *st, int i) { st->ops->bind_null(st, i); }

void hq_db_bind_text_static(struct hq_db_stmt *st, int i, const char *s)
{
	if (st->ops->bind_text_static)
		st->ops->bind_text_static(st, i, s);
	else
		st->ops->bind_text(st, i, s);
}
int hq_db_step(struct hq_db_stmt *st) { return st->ops->step(st); }
int hq_db_column_null(struct hq_db_stmt *st, int i) { return st->ops->column_null(st, i); }
int64_t hq_db_column_int64(struct hq_db_stmt *st, int i) { return st->ops->column_int64(st, i); }
double hq_db_column_double(struct hq_db_stmt *st, int i) { return st->ops->column_double(st, i); }
const char *hq_db_column_text(struct hq_db_stmt *st, int i) { return st->ops->column_text(st, i); }
const void *hq_db_column_blob(struct hq_db_stmt *st, int i, size_t *n) { return st->ops->column_blob(st, i, n); }
int64_t hq_db_changes(struct hq_db_stmt *st) { return st->ops->changes(st); }
void hq_db_reset(struct hq_db_stmt *st) { st->ops->reset(st); }

void hq_db_finalize(struct hq_db_stmt *st)
{
	if (st)
		st->ops->finalize(st);
}

void hq_db_init_process(void)
{
	hq_db_sqlite_init_process();
}

int hq_db_lock_key(struct hq_db *db, int64_t key, char *err, size_t errlen)
{
	return db->ops->lock_key ? db->ops->lock_key(db, key, err, errlen) : HQ_DB_DONE;
}

static int key_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int hq_db_lock_keys(struct hq_db *db, int64_t *keys, size_t *n, char *err, size_t errlen)
{
	if (*n == 0)
		return HQ_DB_DONE;
	qsort(keys, *n, sizeof(*keys), key_cmp);
	size_t m = 1;
	for (size_t i = 1; i < *n; i++)
		if (keys[i] != keys[m - 1])
			keys[m++] = keys[i];
	*n = m;
	if (db->ops->lock_keys)
		return db->ops->lock_keys(db, keys, m, err, errlen);
	int rc = HQ_DB_DONE;
	for (size_t i = 0; i < m && rc == HQ_DB_DONE; i++)
		rc = hq_db_lock_key(db, keys[i], err, errlen);
	return rc;
}

int hq_db_copy_in(struct hq_db *db, const char *sql, const char *data, size_t len, int64_t *rows, char *err,
		  size_t errlen)
{
	*rows = 0;
	if (!db->ops->copy_in) {
		snprintf(err, errlen, "COPY is PostgreSQL's");
		return HQ_DB_ERROR;
	}
	return db->ops->copy_in(db, sql, data, len, rows, err, errlen);
}

int hq_db_hold_horizon(struct hq_db *db, const char *table, const char *column, char *err, size_t errlen)
{
	return db->ops->hold_horizon ? db->ops->hold_horizon(db, table, column, err, errlen) : HQ_DB_DONE;
}

int hq_db_horizon(struct hq_db *db, const char *table, const char *column, int64_t *safe, int64_t *last, char *err,
		  size_t errlen)
{
	*safe = *last = INT64_MAX;
	return db->ops->horizon ? db->ops->horizon(db, table, column, safe, last, err, errlen) : HQ_DB_DONE;
}

int hq_db_ping(struct hq_db *db, char *err, size_t errlen)
{
	return db->ops->ping(db, err, errlen);
}

void hq_db_describe(const char *target, char *out, size_t len)
{
	if (hq_db_engine_of(target) == HQ_DB_PG)
		hq_db_pg_describe(target, out, len);
	else
		snprintf(out, len, "%s", target ? target : "");
}

void hq_db_busy_timeout(struct hq_db *db, int ms)
{
	if (db->ops->busy_timeout)
		db->ops->busy_timeout(db, ms);
}

void hq_db_on_wal(struct hq_db *db, void (*fn)(void *arg, int frames), void *arg)
{
	if (db->ops->on_wal)
		db->ops->on_wal(db, fn, arg);
}

int hq_db_checkpoint(struct hq_db *db, char *err, size_t errlen)
{
	return db->ops->checkpoint ? db->ops->checkpoint(db, err, errlen) : HQ_DB_DONE;
}
