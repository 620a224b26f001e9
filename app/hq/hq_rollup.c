/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_rollup: a roll-up filled once after an upgrade (see hq_rollup.h).
 */
#include "hq_rollup.h"

#include <stdio.h>
#include <string.h>

#include "hq_db.h"
#include "log.h"

/* 1 filled, 0 not yet, -1 the mark cannot be read. */
static int filled(struct hq_db *db, const char *name)
{
	struct hq_db_stmt *st;
	char err[256];
	if (hq_db_cached(db, "SELECT value FROM dash_state WHERE name = ?", &st, err, sizeof(err)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, name);
	int rc = hq_db_step(st);
	int v = rc == HQ_DB_ROW ? (int)hq_db_column_int64(st, 0) : rc == HQ_DB_DONE ? 0 : -1;
	hq_db_reset(st);
	return v;
}

static int mark(struct hq_db *db, const char *name, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	const char *sql[] = { "DELETE FROM dash_state WHERE name = ?",
			      "INSERT INTO dash_state (name, value) VALUES (?, 1)" };
	for (int i = 0; i < 2; i++) {
		if (hq_db_cached(db, sql[i], &st, err, errlen) != HQ_DB_DONE)
			return -1;
		hq_db_bind_text(st, 1, name);
		int rc = hq_db_step(st);
		hq_db_reset(st);
		if (rc != HQ_DB_DONE) {
			snprintf(err, errlen, "%s", hq_db_errmsg(db));
			return -1;
		}
	}
	return 0;
}

int hq_rollup_ready(struct hq_store *s, const struct hq_rollup *r, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	int f = filled(db, r->name);
	if (f == 1)
		return 0;
	if (f < 0) {
		snprintf(err, errlen, "%s state: %s", r->reader, hq_db_errmsg(db));
		return -1;
	}
	err[0] = '\0';
	hq_store_write_lock(1);
	int rc = -1;
	if (hq_db_begin(db, 1, err, errlen) == HQ_DB_DONE) {
		/* Another thread may have filled it while this one waited for the lock. */
		f = filled(db, r->name);
		if (f == 1) {
			rc = 0;
		} else if (f == 0) {
			if (r->filling)
				log_msg(LOG_NOTICE, "%s", r->filling);
			if (r->rebuild(s, err, errlen) == 0 && mark(db, r->name, err, errlen) == 0)
				rc = 0;
		}
		if (rc == 0 && hq_db_commit(db, err, errlen) != HQ_DB_DONE)
			rc = -1;
		if (rc)
			hq_db_rollback(db);
	}
	hq_store_write_lock(0);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "cannot fill %s", r->name);
	} else if (f == 0) {
		log_msg(LOG_INFO, "%s", r->filled);
	}
	return rc;
}
