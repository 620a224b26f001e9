/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db_pg_lock: the PostgreSQL engine's advisory locks: a kiosk's lock
 * (hq_db_lock_key, held to the end of the transaction) and the horizon's
 * marks (hq_db_hold_horizon, hq_db_horizon: how far every reader may trust
 * a sequence). Apart from the connection (hq_db_pg.c) because this is
 * what replicas on one database coordinate through, with reasoning of its
 * own; SQLite has one writer and needs none of it.
 */
#include "hq_db_pg_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hq_db_pg_lock_key(struct hq_db *db, int64_t key, char *err, size_t errlen)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)", (long long)key);
	return hq_db_pg_exec(db, sql, err, errlen);
}

/*
 * Several locks in one round trip: a string of statements runs in its
 * order, so the locks are taken in the ascending order of keys (the
 * caller's promise that two groups never wait on each other in a circle).
 */
int hq_db_pg_lock_keys(struct hq_db *db, const int64_t *keys, size_t n, char *err, size_t errlen)
{
	static const char one[] = "SELECT pg_advisory_xact_lock(-9223372036854775808);";
	size_t len = n * sizeof(one) + 1;
	char *sql = malloc(len);
	if (!sql) {
		snprintf(hq_db_pg_of(db)->errmsg, sizeof(hq_db_pg_of(db)->errmsg), "out of memory");
		return hq_db_pg_fill(hq_db_pg_of(db), HQ_DB_ERROR, err, errlen);
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(sql + at, len - at, "SELECT pg_advisory_xact_lock(%lld);", (long long)keys[i]);
	int rc = hq_db_pg_exec(db, sql, err, errlen);
	free(sql);
	return rc;
}

/* The sequence behind table.column, as pg_get_serial_sequence names it (looked up once). 0, or -1. */
static int sequence_of(struct hq_db_pg *d, const char *table, const char *column)
{
	char key[sizeof(d->seq_for)];
	snprintf(key, sizeof(key), "%s.%s", table, column);
	if (!strcmp(key, d->seq_for))
		return 0;
	int rc = hq_db_pg_usable(d);
	if (rc)
		return -1;
	const char *vals[] = { table, column };
	PGresult *res = PQexecParams(d->conn, "SELECT pg_get_serial_sequence($1, $2)", 2, NULL, vals, NULL, NULL, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0) ||
	    strlen(PQgetvalue(res, 0, 0)) >= sizeof(d->seq)) {
		if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
			snprintf(d->errmsg, sizeof(d->errmsg), "%s: %s has no sequence", d->what, key);
		else
			hq_db_pg_failed(d, res, NULL);
		PQclear(res);
		return -1;
	}
	snprintf(d->seq, sizeof(d->seq), "%s", PQgetvalue(res, 0, 0));
	snprintf(d->seq_for, sizeof(d->seq_for), "%s", key);
	PQclear(res);
	return 0;
}

/*
 * The mark: a shared advisory lock, until the transaction ends, whose key
 * is -1 - (the last value the sequence handed out). Every value this
 * transaction takes from the sequence afterwards is above that, and
 * pg_locks shows the mark to every session. Shared: marks never wait.
 */
int hq_db_pg_hold_horizon(struct hq_db *db, const char *table, const char *column, char *err, size_t errlen)
{
	struct hq_db_pg *d = hq_db_pg_of(db);
	if (d->lost_in_tx)
		return hq_db_pg_fill(d, HQ_DB_GONE, err, errlen);
	if (sequence_of(d, table, column))
		return hq_db_pg_fill(d, PQstatus(d->conn) == CONNECTION_OK ? HQ_DB_ERROR : HQ_DB_GONE, err, errlen);
	char sql[400];
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock_shared(-1 - CASE WHEN is_called THEN last_value"
		 " ELSE last_value - 1 END) FROM %s", d->seq);
	return hq_db_pg_exec(db, sql, err, errlen);
}

/*
 * The sequence's last value first, then the marks: a transaction whose
 * mark is not there yet takes its values after that read, so above it.
 * safe: below every mark (a running transaction's values are above its
 * mark), or the last value when there is none.
 */
int hq_db_pg_horizon(struct hq_db *db, const char *table, const char *column, int64_t *safe, int64_t *last,
		     char *err, size_t errlen)
{
	struct hq_db_pg *d = hq_db_pg_of(db);
	if (sequence_of(d, table, column))
		return hq_db_pg_fill(d, PQstatus(d->conn) == CONNECTION_OK ? HQ_DB_ERROR : HQ_DB_GONE, err, errlen);
	char sql[400];
	snprintf(sql, sizeof(sql), "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s", d->seq);
	const char *marks = "SELECT min(-1 - ((classid::bigint << 32) | objid::bigint)) FROM pg_locks"
			    " WHERE locktype = 'advisory' AND objsubid = 1 AND classid >= 2147483648"
			    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
	int64_t v[2] = { 0, INT64_MAX };
	for (int i = 0; i < 2; i++) {
		int rc = hq_db_pg_usable(d);
		if (rc)
			return hq_db_pg_fill(d, rc, err, errlen);
		PGresult *res = PQexec(d->conn, i == 0 ? sql : marks);
		if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			rc = hq_db_pg_failed(d, res, NULL);
			PQclear(res);
			return hq_db_pg_fill(d, rc, err, errlen);
		}
		if (!PQgetisnull(res, 0, 0))
			v[i] = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	*last = v[0];
	*safe = v[1] < v[0] ? v[1] : v[0];
	return HQ_DB_DONE;
}
