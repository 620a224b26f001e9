/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hqtest: where a head-office unit test keeps its database. A file in the
 * test's directory; or, when tests/run.sh's PostgreSQL pass is on
 * ($TALLY_HQ_PG_SOCKET: the throwaway cluster of tests/e2e/pg_lib.inc), a
 * fresh database copied from the migrated template, so every test starts
 * empty on both engines.
 */
#ifndef HQTEST_H
#define HQTEST_H

#include "testutil.h"

#include "hq_db.h"

/* 1 when this run's head office is on PostgreSQL. */
static inline int hqtest_pg(void)
{
	const char *s = getenv("TALLY_HQ_PG_SOCKET");
	return s && *s;
}

static inline void hqtest_target(char *out, size_t len, const char *dir)
{
	if (!hqtest_pg()) {
		snprintf(out, len, "%s/hq.db", dir);
		return;
	}
	static unsigned n;
	const char *sock = getenv("TALLY_HQ_PG_SOCKET"), *tmpl = getenv("TALLY_HQ_PG_TEMPLATE");
	char admin[512], sql[256], err[512], name[64];
	snprintf(name, sizeof(name), "u%ld_%u", (long)getpid(), ++n);
	snprintf(admin, sizeof(admin), "postgresql:///postgres?host=%s&user=tally", sock);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", name, tmpl && *tmpl ? tmpl : "template1");
	struct hq_db *db;
	if (hq_db_open(&db, admin, err, sizeof(err)) || hq_db_exec(db, sql, err, sizeof(err)) != HQ_DB_DONE) {
		fprintf(stderr, "the test cluster: %s\n", err);
		fail();
	}
	hq_db_close(db);
	snprintf(out, len, "postgresql:///%s?host=%s&user=tally", name, sock);
}

#endif
