/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db_pg: the PostgreSQL engine behind hq_db.h (a postgresql:// or
 * postgres:// URI as the database setting), through libpq. This file is
 * its connection: opening it, losing it, errors and transactions, and the
 * table of operations; statements and COPY are in hq_db_pg_stmt.c,
 * advisory locks and the horizon in hq_db_pg_lock.c (what they share:
 * hq_db_pg_impl.h).
 *
 * - SQLSTATE decides the code: class 23 is a constraint, 40001/40P01/55P03
 *   busy (retry the transaction), a lost connection gone.
 * - A lost connection is opened again by the next call, but never inside a
 *   transaction: until the caller rolls back, every call answers gone, so
 *   the rest of a batch can never land in autocommit, half-stored.
 * - Errors are one line naming the database and server, never a password
 *   (libpq's messages do not carry one; the URI is never printed whole).
 */
#include "hq_db_pg_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies msg into out on one line (libpq's messages end in newlines and may hold several). */
static void one_line(char *out, size_t len, const char *msg)
{
	size_t j = 0;
	int space = 0;
	for (const char *c = msg ? msg : ""; *c && j + 1 < len; c++) {
		if (*c == '\n' || *c == '\r' || *c == '\t') {
			space = j > 0;
			continue;
		}
		if (space && j + 2 < len)
			out[j++] = ' ';
		space = 0;
		out[j++] = *c;
	}
	while (j > 0 && out[j - 1] == ' ')
		j--;
	if (len)
		out[j] = '\0';
}

void hq_db_pg_describe(const char *uri, char *out, size_t len)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(uri, &why);
	if (!opts) {
		PQfreemem(why);
		snprintf(out, len, "PostgreSQL (a setting libpq cannot parse)");
		return;
	}
	const char *db = NULL, *host = NULL, *port = NULL, *user = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "dbname"))
			db = o->val;
		else if (!strcmp(o->keyword, "host") || (!host && !strcmp(o->keyword, "hostaddr")))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
		else if (!strcmp(o->keyword, "user"))
			user = o->val;
	}
	snprintf(out, len, "PostgreSQL database %s on %s%s%s%s%s", db ? db : user ? user : "(default)",
		 host ? host : "the default socket", port ? " port " : "", port ? port : "", user ? " as " : "",
		 user ? user : "");
	PQconninfoFree(opts);
}

/* Notices ("table exists, skipping") are not errors and do not belong on stderr. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int connect_now(struct hq_db_pg *d, char *err, size_t errlen)
{
	if (d->conn)
		PQfinish(d->conn);
	/*
	 * connect_timeout: an unreachable server (a dropped packet, not a
	 * refusal) fails within seconds instead of hanging a request. The URI
	 * comes last, so its own connect_timeout wins.
	 */
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { "5", "tally-hq", d->uri, NULL };
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		char why[400];
		one_line(why, sizeof(why), d->conn ? PQerrorMessage(d->conn) : "out of memory");
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: cannot connect: %s", d->what, why);
		if (errlen)
			snprintf(err, errlen, "%s", d->errmsg);
		return -1;
	}
	PQsetNoticeProcessor(d->conn, quiet, NULL);
	d->generation++;
	d->in_tx = d->lost_in_tx = 0;
	return 0;
}

int hq_db_pg_open(struct hq_db **out, const char *uri, char *err, size_t errlen)
{
	*out = NULL;
	struct hq_db_pg *d = calloc(1, sizeof(*d));
	if (!d || !(d->uri = strdup(uri))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->base.ops = &hq_db_pg_ops;
	hq_db_pg_describe(uri, d->what, sizeof(d->what));
	if (connect_now(d, err, errlen)) {
		PQfinish(d->conn);
		free(d->uri);
		free(d);
		return -1;
	}
	*out = &d->base;
	return 0;
}

/*
 * Before each call: a connection that died outside a transaction is opened
 * again; inside one, the call fails until the caller rolls back.
 */
int hq_db_pg_usable(struct hq_db_pg *d)
{
	if (PQstatus(d->conn) == CONNECTION_OK)
		return 0;
	if (d->in_tx) {
		d->lost_in_tx = 1;
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: the connection was lost inside a transaction", d->what);
		return HQ_DB_GONE;
	}
	return connect_now(d, NULL, 0) ? HQ_DB_GONE : 0;
}

/* hq_db's code for a failed result (or none), with errmsg filled. */
int hq_db_pg_failed(struct hq_db_pg *d, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char why[400];
	one_line(why, sizeof(why), msg ? msg : PQerrorMessage(d->conn));
	snprintf(d->errmsg, sizeof(d->errmsg), "%s%s%s", what ? what : "", what ? ": " : "", why);
	if (PQstatus(d->conn) != CONNECTION_OK || (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4)))) {
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: connection lost: %s", d->what, why);
		if (d->in_tx)
			d->lost_in_tx = 1;
		return HQ_DB_GONE;
	}
	if (state && !strncmp(state, "23", 2))
		return HQ_DB_CONSTRAINT;
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
		return HQ_DB_BUSY;
	if (state && !strcmp(state, "25006"))
		snprintf(d->errmsg, sizeof(d->errmsg), "%s is read-only (a standby, or default_transaction_read_only):"
			 " %s", d->what, why);
	return HQ_DB_ERROR;
}

int hq_db_pg_fill(struct hq_db_pg *d, int rc, char *err, size_t errlen)
{
	if (rc != HQ_DB_DONE && errlen)
		snprintf(err, errlen, "%s", d->errmsg);
	return rc;
}

/* Runs sql without parameters; HQ_DB_DONE or the code. *tag gets the command's tag when asked. */
static int simple(struct hq_db_pg *d, const char *sql, char *tag, size_t taglen)
{
	int rc = hq_db_pg_usable(d);
	if (rc)
		return rc;
	PGresult *res = PQexec(d->conn, sql);
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY) {
		if (tag)
			snprintf(tag, taglen, "%s", PQcmdStatus(res));
		rc = HQ_DB_DONE;
	} else {
		rc = hq_db_pg_failed(d, res, NULL);
	}
	PQclear(res);
	return rc;
}

static void pg_close(struct hq_db *db)
{
	struct hq_db_pg *d = hq_db_pg_of(db);
	hq_db_cache_clear(db);
	PQfinish(d->conn);
	free(d->uri);
	free(d);
}

static const char *pg_errmsg(struct hq_db *db) { return hq_db_pg_of(db)->errmsg; }

int hq_db_pg_exec(struct hq_db *db, const char *sql, char *err, size_t errlen)
{
	return hq_db_pg_fill(hq_db_pg_of(db), simple(hq_db_pg_of(db), sql, NULL, 0), err, errlen);
}

static int pg_begin(struct hq_db *db, int write, char *err, size_t errlen)
{
	(void)write; /* row locks and the kiosk's advisory lock do what SQLite's IMMEDIATE does */
	struct hq_db_pg *d = hq_db_pg_of(db);
	int rc = simple(d, "BEGIN", NULL, 0);
	if (rc == HQ_DB_DONE)
		d->in_tx = 1;
	return hq_db_pg_fill(d, rc, err, errlen);
}

static int pg_commit(struct hq_db *db, char *err, size_t errlen)
{
	struct hq_db_pg *d = hq_db_pg_of(db);
	if (d->lost_in_tx)
		return hq_db_pg_fill(d, HQ_DB_GONE, err, errlen);
	char tag[32] = "";
	int rc = simple(d, "COMMIT", tag, sizeof(tag));
	/* COMMIT of a transaction a failed statement aborted answers ROLLBACK, not an error. */
	if (rc == HQ_DB_DONE && strcmp(tag, "COMMIT") != 0) {
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: the transaction was rolled back", d->what);
		rc = HQ_DB_ERROR;
	}
	if (rc != HQ_DB_GONE)
		d->in_tx = 0;
	return hq_db_pg_fill(d, rc, err, errlen);
}

static int pg_rollback(struct hq_db *db)
{
	struct hq_db_pg *d = hq_db_pg_of(db);
	int rc = HQ_DB_DONE;
	if (d->in_tx && !d->lost_in_tx && PQstatus(d->conn) == CONNECTION_OK) {
		PGresult *res = PQexec(d->conn, "ROLLBACK");
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = hq_db_pg_failed(d, res, NULL);
		PQclear(res);
	}
	/* Whatever happened, the server holds nothing of it: a lost connection took the transaction with it. */
	d->in_tx = d->lost_in_tx = 0;
	return rc;
}

static int pg_ping(struct hq_db *db, char *err, size_t errlen)
{
	return hq_db_pg_exec(db, "SELECT 1", err, errlen);
}

const struct hq_db_ops hq_db_pg_ops = {
	.engine = HQ_DB_PG,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.exec = hq_db_pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.prepare = hq_db_pg_prepare,
	.bind_int64 = hq_db_pg_bind_int64,
	.bind_double = hq_db_pg_bind_double,
	.bind_text = hq_db_pg_bind_text,
	.bind_blob = hq_db_pg_bind_blob,
	.bind_null = hq_db_pg_bind_null,
	.step = hq_db_pg_step,
	.column_null = hq_db_pg_column_null,
	.column_int64 = hq_db_pg_column_int64,
	.column_double = hq_db_pg_column_double,
	.column_text = hq_db_pg_column_text,
	.column_blob = hq_db_pg_column_blob,
	.changes = hq_db_pg_changes,
	.reset = hq_db_pg_reset,
	.finalize = hq_db_pg_finalize,
	.lock_key = hq_db_pg_lock_key,
	.lock_keys = hq_db_pg_lock_keys,
	.hold_horizon = hq_db_pg_hold_horizon,
	.copy_in = hq_db_pg_copy_in,
	.horizon = hq_db_pg_horizon,
	.ping = pg_ping,
};
