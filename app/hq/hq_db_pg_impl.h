/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db_pg_impl: what the files of the PostgreSQL engine share
 * (hq_db_pg.c the connection, its errors and transactions;
 * hq_db_pg_stmt.c statements and COPY; hq_db_pg_lock.c advisory locks and
 * the horizon). Nothing outside those files includes it: hq_db.c reaches
 * the engine through hq_db_impl.h's hq_db_pg_open.
 */
#ifndef HQ_DB_PG_IMPL_H
#define HQ_DB_PG_IMPL_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "hq_db_impl.h"

struct hq_db_pg {
	struct hq_db base;
	PGconn *conn;
	char *uri;
	char what[256];         /* the database, for messages */
	char errmsg[1024];      /* the last error, one line */
	unsigned generation;    /* bumped by each new connection: prepared statements are gone */
	unsigned next_name;
	int in_tx;
	int lost_in_tx;         /* the connection died inside a transaction: gone until rollback */
	char dealloc[32 * 24];  /* "DEALLOCATE hqN;" of finalised one-off statements, sent together */
	char seq_for[128];      /* "table.column" whose sequence seq names (hq_db_horizon) */
	char seq[192];
	int ndealloc;
};

struct hq_db_pg_param {
	char *text;             /* owned; NULL binds NULL */
	int len, binary;
};

struct hq_db_pg_stmt {
	struct hq_db_stmt base;
	char *sql;              /* with $N */
	int nparams;
	struct hq_db_pg_param *params;
	Oid *types;             /* 0: the server infers it; text where it cannot (see server_prepare) */
	char name[24];
	unsigned prepared_gen;  /* the connection it is prepared on (0: none) */
	PGresult *res;
	int row, nrows, ran;
	int64_t changes;
	unsigned char *blob;    /* the last bytea column decoded */
	size_t bloblen;
};

/* The engine's table of operations (hq_db_pg.c); every statement carries it too. */
extern const struct hq_db_ops hq_db_pg_ops;

static inline struct hq_db_pg *hq_db_pg_of(struct hq_db *db) { return (struct hq_db_pg *)db; }
static inline struct hq_db_pg_stmt *hq_db_pg_stmt_of(struct hq_db_stmt *st) { return (struct hq_db_pg_stmt *)st; }

/* hq_db_pg.c: the connection and its errors. */
/*
 * Before each call: a connection that died outside a transaction is opened
 * again; inside one, the call fails until the caller rolls back. 0, or HQ_DB_GONE.
 */
int hq_db_pg_usable(struct hq_db_pg *d);
/* hq_db's code for a failed result (or none), with errmsg filled ("what: why" when what is given). */
int hq_db_pg_failed(struct hq_db_pg *d, const PGresult *res, const char *what);
/* rc, with err filled from errmsg when rc is not HQ_DB_DONE. */
int hq_db_pg_fill(struct hq_db_pg *d, int rc, char *err, size_t errlen);
int hq_db_pg_exec(struct hq_db *db, const char *sql, char *err, size_t errlen);

/* hq_db_pg_stmt.c: hq_db_impl.h's statement operations, and COPY. */
int hq_db_pg_prepare(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen);
void hq_db_pg_bind_int64(struct hq_db_stmt *st, int i, int64_t v);
void hq_db_pg_bind_double(struct hq_db_stmt *st, int i, double v);
void hq_db_pg_bind_text(struct hq_db_stmt *st, int i, const char *v);
void hq_db_pg_bind_blob(struct hq_db_stmt *st, int i, const void *v, size_t n);
void hq_db_pg_bind_null(struct hq_db_stmt *st, int i);
int hq_db_pg_step(struct hq_db_stmt *st);
int hq_db_pg_column_null(struct hq_db_stmt *st, int i);
int64_t hq_db_pg_column_int64(struct hq_db_stmt *st, int i);
double hq_db_pg_column_double(struct hq_db_stmt *st, int i);
const char *hq_db_pg_column_text(struct hq_db_stmt *st, int i);
const void *hq_db_pg_column_blob(struct hq_db_stmt *st, int i, size_t *n);
int64_t hq_db_pg_changes(struct hq_db_stmt *st);
void hq_db_pg_reset(struct hq_db_stmt *st);
void hq_db_pg_finalize(struct hq_db_stmt *st);
int hq_db_pg_copy_in(struct hq_db *db, const char *sql, const char *data, size_t len, int64_t *rows, char *err,
		     size_t errlen);

/* hq_db_pg_lock.c: hq_db_impl.h's lock and horizon operations. */
int hq_db_pg_lock_key(struct hq_db *db, int64_t key, char *err, size_t errlen);
int hq_db_pg_lock_keys(struct hq_db *db, const int64_t *keys, size_t n, char *err, size_t errlen);
int hq_db_pg_hold_horizon(struct hq_db *db, const char *table, const char *column, char *err, size_t errlen);
int hq_db_pg_horizon(struct hq_db *db, const char *table, const char *column, int64_t *safe, int64_t *last,
		     char *err, size_t errlen);

#endif
