/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_hq_util: head office's fixture for the fuzz targets that drive it:
 * a real SQLite file in a scratch directory (on /dev/shm when there is
 * one: the store syncs every commit, and tmpfs makes that cheap) holding
 * three kiosks (one revoked), an admin token and a few ratings with a gap,
 * so that every route has something to answer with.
 *
 * Each input must meet the same database: when an input changed it (any
 * commit, as PRAGMA data_version tells), fuzz_hq_reset_if_changed puts
 * every table's rows back from a copy of the fixture (fixture.db, attached
 * to the harness's own connection), in one transaction, so a finding
 * replays from its input alone. Rows, not pages: SQLite's backup API did
 * this before, and a backup bumps the schema cookie, so the store's
 * connections then parsed the whole schema again and prepared every
 * statement anew; a stored rating cost head office's handler ten times a
 * refused one, and a corpus rich in stored batches ran at 86 inputs/s.
 */
#ifndef TALLY_FUZZ_HQ_UTIL_H
#define TALLY_FUZZ_HQ_UTIL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "hq_store.h"
#include "hq_token.h"

/* Tokens as a client sends them; the fuzz dictionaries hold them too. */
#define FUZZ_TOKEN_A "aaaa-token"    /* k-a, Berlin */
#define FUZZ_TOKEN_B "bbbb-token"    /* k-b, London */
#define FUZZ_TOKEN_C "cccc-token"    /* k-c, revoked */
#define FUZZ_ADMIN "admin-token"
#define FUZZ_DAY_MS 1764320400000LL  /* 2026-11-28 09:00 UTC */

struct fuzz_hq {
	char dir[256];
	char path[300];
	sqlite3 *reset_db;             /* the harness's own connection, for resets; fixture.db attached as fx */
	sqlite3_stmt **reset;          /* per table: its rows deleted, then copied back from fx; prepared once */
	int nreset;
	sqlite3_int64 version;         /* reset_db's PRAGMA data_version while unchanged */
};

static void fuzz_hq_kiosk(struct hq_store *db, const char *id, const char *store, const char *area, const char *tz,
			  const char *token)
{
	struct hq_kiosk k;
	char err[256];
	uint8_t hash[HQ_HASH_LEN];
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", id);
	snprintf(k.store, sizeof(k.store), "%s", store);
	snprintf(k.area, sizeof(k.area), "%s", area);
	snprintf(k.tz, sizeof(k.tz), "%s", tz);
	if (hq_token_hash(token, strlen(token), hash) || hq_store_kiosk_add(db, &k, hash, err, sizeof(err)))
		fuzz_die("cannot add a fixture kiosk");
}

/* k-a's seqs 1, 2 and 4 (3 is a gap), k-b's seq 1. */
static void fuzz_hq_ratings(struct hq_store *db, const char *kiosk, const int *seqs, int n)
{
	struct protocol_rating r[4];
	struct protocol_batch b = { .n = (size_t)n, .ratings = r };
	snprintf(b.kiosk_id, sizeof(b.kiosk_id), "%s", kiosk);
	for (int i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].r.seq = seqs[i];
		snprintf(r[i].r.kiosk_id, sizeof(r[i].r.kiosk_id), "%s", kiosk);
		r[i].r.value = i % 4;
		r[i].r.scale = 4;
		r[i].r.wall_ms = FUZZ_DAY_MS + i * 60000;
		r[i].r.boot_ms = 1000 + i;
		snprintf(r[i].r.boot_id, sizeof(r[i].r.boot_id), "3f2a1c9e-5b7d-4e0f-9a8b-1c2d3e4f5a6b");
		r[i].r.clock_synced = i != 1;
		r[i].r.flags = i == 2 ? RATING_MISUSE : 0;
	}
	struct hq_kiosk k;
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", kiosk);
	struct protocol_ack ack;
	char err[256];
	if (hq_store_ingest(db, &k, &b, FUZZ_DAY_MS, &ack, err, sizeof(err)))
		fuzz_die(err);
}

static const char *fuzz_hq_dir;

/* Changes whenever another connection commits to the file. */
static sqlite3_int64 fuzz_hq_data_version(struct fuzz_hq *h)
{
	sqlite3_stmt *st;
	sqlite3_int64 v = -1;
	if (sqlite3_prepare_v2(h->reset_db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (v < 0)
		fuzz_die("cannot read PRAGMA data_version");
	return v;
}

/* The scratch directory goes when the fuzzer ends its run (a crash leaves it for a look). */
static void fuzz_hq_cleanup(void)
{
	static const char *files[] = { "hq.db", "hq.db-wal", "hq.db-shm", "fixture.db" };
	char p[400];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fuzz_hq_dir, files[i]);
		unlink(p);
	}
	rmdir(fuzz_hq_dir);
}

/* Creates the fixture in a fresh scratch directory. */
static void fuzz_hq_setup(struct fuzz_hq *h)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(h->dir, sizeof(h->dir), "%s/tally-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(h->dir))
		fuzz_die("mkdtemp failed");
	snprintf(h->path, sizeof(h->path), "%s/hq.db", h->dir);
	struct hq_store *db;
	char err[512];
	if (hq_store_open(&db, h->path, err, sizeof(err)))
		fuzz_die(err);
	fuzz_hq_kiosk(db, "k-a", "Berlin", "Counter", "Europe/Berlin", FUZZ_TOKEN_A);
	fuzz_hq_kiosk(db, "k-b", "London", "Counter", "Europe/London", FUZZ_TOKEN_B);
	fuzz_hq_kiosk(db, "k-c", "Berlin", "Warehouse", "Europe/Berlin", FUZZ_TOKEN_C);
	if (hq_store_kiosk_revoke(db, "k-c", err, sizeof(err)))
		fuzz_die(err);
	uint8_t hash[HQ_HASH_LEN];
	if (hq_token_hash(FUZZ_ADMIN, strlen(FUZZ_ADMIN), hash) || hq_store_admin_add(db, hash, err, sizeof(err)))
		fuzz_die("cannot add the admin token");
	static const int a[] = { 1, 2, 4 }, b[] = { 1 };
	fuzz_hq_ratings(db, "k-a", a, 3);
	fuzz_hq_ratings(db, "k-b", b, 1);
	hq_store_close(db);
	if (sqlite3_open(h->path, &h->reset_db) != SQLITE_OK)
		fuzz_die("cannot open the fixture for resets");
	sqlite3_busy_timeout(h->reset_db, 10000);
	/* The copy is only read; a reset need not reach the disk (tmpfs, and a crash ends the run anyway). */
	char *sql = sqlite3_mprintf("PRAGMA synchronous=OFF; VACUUM INTO '%q/fixture.db'; ATTACH '%q/fixture.db' AS fx;",
				    h->dir, h->dir);
	if (!sql || sqlite3_exec(h->reset_db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fuzz_die(sqlite3_errmsg(h->reset_db));
	sqlite3_free(sql);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h->reset_db, "SELECT name FROM main.sqlite_schema WHERE type = 'table' "
			       "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		fuzz_die(sqlite3_errmsg(h->reset_db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		h->reset = realloc(h->reset, (size_t)(h->nreset + 2) * sizeof(*h->reset));
		char *del = sqlite3_mprintf("DELETE FROM main.\"%w\"", t);
		char *ins = sqlite3_mprintf("INSERT INTO main.\"%w\" SELECT * FROM fx.\"%w\"", t, t);
		if (!h->reset || !del || !ins ||
		    sqlite3_prepare_v2(h->reset_db, del, -1, &h->reset[h->nreset++], NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(h->reset_db, ins, -1, &h->reset[h->nreset++], NULL) != SQLITE_OK)
			fuzz_die(sqlite3_errmsg(h->reset_db));
		sqlite3_free(del);
		sqlite3_free(ins);
	}
	sqlite3_finalize(st);
	h->version = fuzz_hq_data_version(h);
	fuzz_hq_dir = h->dir;
	atexit(fuzz_hq_cleanup);
}

/* Back to the fixture if an input changed the store (another connection committed). */
static void fuzz_hq_reset_if_changed(struct fuzz_hq *h)
{
	if (fuzz_hq_data_version(h) == h->version)
		return;
	if (sqlite3_exec(h->reset_db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		fuzz_die(sqlite3_errmsg(h->reset_db));
	for (int i = 0; i < h->nreset; i++)
		if (sqlite3_step(h->reset[i]) != SQLITE_DONE || sqlite3_reset(h->reset[i]) != SQLITE_OK)
			fuzz_die(sqlite3_errmsg(h->reset_db));
	if (sqlite3_exec(h->reset_db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		fuzz_die(sqlite3_errmsg(h->reset_db));
	h->version = fuzz_hq_data_version(h);
}

#endif
