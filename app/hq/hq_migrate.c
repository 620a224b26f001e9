/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_migrate: head office's schema, versioned the same way on both
 * engines (SQLite: PRAGMA user_version; PostgreSQL: the one row of
 * schema_version). Migrations only go forward, all of them in one
 * transaction with the version bump, under a lock every process on the
 * database respects (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
 * lock), so two replicas starting together do not both migrate. A
 * database newer than this build is refused, never touched.
 */
#include "hq_migrate.h"

#include "hq_db.h"

#include <stdio.h>
#include <string.h>

/*
 * Migration N takes a database from version N-1 to N. Append; never edit.
 * Versions 1 to PG_BASE are SQLite's history (its own DDL: BLOB, rowid,
 * WITHOUT ROWID); a PostgreSQL database starts at PG_BASE from pg_base
 * below, the same schema in its types. Every migration after PG_BASE runs
 * on both engines, so it is written in the DDL both accept (TEXT, BIGINT,
 * INTEGER, DOUBLE PRECISION; no BLOB, no AUTOINCREMENT, no engine
 * functions).
 */
static const char *migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE kiosks ("
	" id TEXT PRIMARY KEY,"
	" store TEXT NOT NULL,"
	" area TEXT NOT NULL,"
	" tz TEXT NOT NULL,"
	" token_hash BLOB NOT NULL UNIQUE,"
	" created_ms INTEGER NOT NULL,"
	" revoked_ms INTEGER NOT NULL DEFAULT 0,"
	" acked_through INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE admin_tokens ("
	" token_hash BLOB PRIMARY KEY,"
	" created_ms INTEGER NOT NULL,"
	" revoked_ms INTEGER NOT NULL DEFAULT 0);"
	/* rowid is the arrival order: the export cursor. */
	"CREATE TABLE ratings ("
	" kiosk_id TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" value INTEGER NOT NULL,"
	" scale INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" wall_ms INTEGER NOT NULL,"
	" boot_ms INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL,"
	" clock_synced INTEGER NOT NULL,"
	" corrected_ms INTEGER,"
	" flags INTEGER NOT NULL,"
	" best_ms INTEGER NOT NULL,"
	" time_known INTEGER NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" UNIQUE (kiosk_id, seq));"
	"CREATE INDEX ratings_best ON ratings(best_ms);",
	/*
	 * 2: a rating's identity is (kiosk, install, seq). A re-imaged kiosk
	 * keeps its id and token but brings a new store (a new install id)
	 * whose seq restarts at 1; keyed (kiosk, seq) its new ratings were
	 * taken for repeats and lost.
	 * installs: one row per kiosk store heard from, with its acked_through
	 *   (so gaps are named per store); ratings refer to it by its integer id
	 *   (a rating row stays as small as before). Rows from before install
	 *   ids belong to the kiosk's legacy install "" (see adopt_legacy).
	 * ratings is rebuilt because its UNIQUE key changes; rowids are kept,
	 *   they are the export cursor.
	 * conflicts: a batch refused because its identity was held with other
	 *   content (nothing of it stored): one row per (kiosk, install, seq).
	 * corrected_by / corrected_err_ms: a time corrected from head office's
	 *   own clock by the kiosk (1), and its error bound.
	 */
	"CREATE TABLE installs ("
	" id INTEGER PRIMARY KEY,"
	" kiosk_id TEXT NOT NULL,"
	" install_id TEXT NOT NULL,"
	" acked_through INTEGER NOT NULL DEFAULT 0,"
	" first_ms INTEGER NOT NULL,"
	" last_ms INTEGER NOT NULL,"
	" UNIQUE (kiosk_id, install_id));"
	"INSERT INTO installs (kiosk_id, install_id, acked_through, first_ms, last_ms)"
	" SELECT k.id, '', k.acked_through, k.created_ms, coalesce((SELECT max(received_ms) FROM ratings r"
	" WHERE r.kiosk_id = k.id), k.created_ms) FROM kiosks k"
	" WHERE EXISTS (SELECT 1 FROM ratings r WHERE r.kiosk_id = k.id);"
	"CREATE TABLE ratings2 ("
	" kiosk_id TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" value INTEGER NOT NULL,"
	" scale INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" wall_ms INTEGER NOT NULL,"
	" boot_ms INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL,"
	" clock_synced INTEGER NOT NULL,"
	" corrected_ms INTEGER,"
	" flags INTEGER NOT NULL,"
	" best_ms INTEGER NOT NULL,"
	" time_known INTEGER NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" install INTEGER NOT NULL,"
	" corrected_by INTEGER NOT NULL DEFAULT 0,"
	" corrected_err_ms INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (kiosk_id, install, seq));"
	"INSERT INTO ratings2 (rowid, kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced,"
	" corrected_ms, flags, best_ms, time_known, received_ms, install)"
	" SELECT r.rowid, r.kiosk_id, r.seq, r.value, r.scale, r.source, r.wall_ms, r.boot_ms, r.boot_id,"
	" r.clock_synced, r.corrected_ms, r.flags, r.best_ms, r.time_known, r.received_ms,"
	" (SELECT i.id FROM installs i WHERE i.kiosk_id = r.kiosk_id AND i.install_id = '')"
	" FROM ratings r ORDER BY r.rowid;"
	"DROP TABLE ratings;"
	"ALTER TABLE ratings2 RENAME TO ratings;"
	"CREATE INDEX ratings_best ON ratings(best_ms);"
	"CREATE TABLE conflicts ("
	" kiosk_id TEXT NOT NULL,"
	" install_id TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" fields TEXT NOT NULL,"
	" first_ms INTEGER NOT NULL,"
	" last_ms INTEGER NOT NULL,"
	" times INTEGER NOT NULL DEFAULT 1,"
	" PRIMARY KEY (kiosk_id, install_id, seq));",
	/*
	 * 3: token life cycle and fleet health. Tokens get a prefix (their
	 * first hex digits, to name them without the secret) and an optional
	 * expiry; kiosks get what their last batch said, kept in the ingest
	 * transaction, and counters for /metrics. Existing rows are filled
	 * from the ratings already held.
	 */
	"ALTER TABLE kiosks ADD COLUMN token_prefix TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE kiosks ADD COLUMN token_expires_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kiosks ADD COLUMN last_batch_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kiosks ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kiosks ADD COLUMN version TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE kiosks ADD COLUMN clock_state TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE kiosks ADD COLUMN batches INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kiosks ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kiosks ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;"
	"UPDATE kiosks SET"
	" last_seq = coalesce((SELECT max(seq) FROM ratings r WHERE r.kiosk_id = kiosks.id), 0),"
	" last_batch_ms = coalesce((SELECT max(received_ms) FROM ratings r WHERE r.kiosk_id = kiosks.id), 0),"
	" accepted = (SELECT count(*) FROM ratings r WHERE r.kiosk_id = kiosks.id);"
	"ALTER TABLE admin_tokens ADD COLUMN prefix TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE admin_tokens ADD COLUMN label TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE admin_tokens ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 4: counts per kiosk and quarter hour, kept by ingest in the batch's
	 * own transaction, so a summary reads one row per kiosk and quarter
	 * hour instead of every rating of the day: its cost no longer grows
	 * with the chain's ratings. A quarter hour because every zone's offset
	 * is a multiple of it: all ratings of one slot fall in one local hour.
	 * v0..v4 count the ratings by value; misuse and closed those the
	 * summary keeps apart (RATING_MISUSE first, as agg_add does).
	 */
	"CREATE TABLE rating_counts ("
	" slot INTEGER NOT NULL,"
	" kiosk_id TEXT NOT NULL,"
	" scale INTEGER NOT NULL,"
	" known INTEGER NOT NULL,"
	" v0 INTEGER NOT NULL DEFAULT 0, v1 INTEGER NOT NULL DEFAULT 0, v2 INTEGER NOT NULL DEFAULT 0,"
	" v3 INTEGER NOT NULL DEFAULT 0, v4 INTEGER NOT NULL DEFAULT 0,"
	" misuse INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (slot, kiosk_id, scale, known)) WITHOUT ROWID;"
	"INSERT INTO rating_counts"
	" SELECT best_ms / 900000, kiosk_id, scale, time_known,"
	"  sum(flags & 3 = 0 AND value = 0), sum(flags & 3 = 0 AND value = 1), sum(flags & 3 = 0 AND value = 2),"
	"  sum(flags & 3 = 0 AND value = 3), sum(flags & 3 = 0 AND value = 4),"
	"  sum(flags & 1 = 1), sum(flags & 3 = 2)"
	" FROM ratings WHERE scale BETWEEN 3 AND 5 AND value >= 0 AND value < scale GROUP BY 1, 2, 3, 4;",
	/*
	 * 5: shift schedules per kiosk with the moment each came into force
	 * (hq_shifts.c), so a changed schedule never rewrites history. IF NOT
	 * EXISTS: development databases made it at open before it was numbered.
	 */
	"CREATE TABLE IF NOT EXISTS kiosk_shifts ("
	" kiosk_id TEXT NOT NULL,"
	" valid_from_ms INTEGER NOT NULL,"
	" definition TEXT NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" PRIMARY KEY (kiosk_id, valid_from_ms));",
	/*
	 * 6: people and regions (hq_users.c, hq_scope.c, hq_session.c).
	 * stores: a store's region ('' none), one row per store name the
	 *   kiosks use. users: role chain|region|store and an Argon2id hash in
	 *   its encoded form (parameters and salt included). user_scopes: the
	 *   regions of a region user, the one store of a store user. sessions:
	 *   only the SHA-256 of the cookie's value is kept.
	 */
	"CREATE TABLE stores ("
	" name TEXT PRIMARY KEY,"
	" region TEXT NOT NULL DEFAULT '');"
	"INSERT INTO stores (name) SELECT DISTINCT store FROM kiosks;"
	"CREATE TABLE users ("
	" name TEXT PRIMARY KEY,"
	" role TEXT NOT NULL CHECK (role IN ('chain', 'region', 'store')),"
	" pw_hash TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL);"
	"CREATE TABLE user_scopes ("
	" username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
	" scope TEXT NOT NULL,"
	" PRIMARY KEY (username, scope));"
	"CREATE TABLE sessions ("
	" id_hash BLOB PRIMARY KEY,"
	" username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
	" csrf TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" seen_ms INTEGER NOT NULL);"
	"CREATE INDEX sessions_user ON sessions(username);",
	/*
	 * 7: the dashboard's figures (hq_dash_days.c). rating_days: the
	 *   quarter-hour counts summed per kiosk and local day of its zone (day
	 *   = days since 1970-01-01), kept by ingest beside rating_counts, so a
	 *   month of the chain is one row per kiosk and day. dash_state
	 *   'rating_days' 0: rating_counts held rows before this table existed;
	 *   the first dashboard request fills it from them (zones need C).
	 *   rating_days_kiosk and rating_counts_kiosk: one kiosk's days and
	 *   quarter hours, with every column the dashboard reads, so a request
	 *   walks one index and never the table (a store's heat map reads 48
	 *   quarter hours per kiosk and day).
	 */
	"CREATE TABLE rating_days ("
	" kiosk_id TEXT NOT NULL,"
	" day BIGINT NOT NULL,"
	" scale INTEGER NOT NULL,"
	" known INTEGER NOT NULL,"
	" v0 BIGINT NOT NULL DEFAULT 0, v1 BIGINT NOT NULL DEFAULT 0, v2 BIGINT NOT NULL DEFAULT 0,"
	" v3 BIGINT NOT NULL DEFAULT 0, v4 BIGINT NOT NULL DEFAULT 0,"
	" misuse BIGINT NOT NULL DEFAULT 0, closed BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (kiosk_id, day, scale, known));"
	"CREATE TABLE dash_state ("
	" name TEXT PRIMARY KEY,"
	" value BIGINT NOT NULL);"
	"INSERT INTO dash_state (name, value)"
	" SELECT 'rating_days', CASE WHEN EXISTS (SELECT 1 FROM rating_counts) THEN 0 ELSE 1 END;"
	"CREATE INDEX rating_days_kiosk ON rating_days(kiosk_id, day, scale, known, v0, v1, v2, v3, v4, misuse, closed);"
	"CREATE INDEX rating_counts_kiosk ON rating_counts(kiosk_id, slot, known, scale, v0, v1, v2, v3, v4);",
	/*
	 * 8: alerts and reports (hq_alert_store.c). alert_rules: one rule per
	 *   row, of a store or a region; kind negative|index|silent (alerts) or
	 *   daily|weekly (reports). alert_episodes: one row per time a rule's
	 *   condition held for one subject (a store, or a kiosk for silent),
	 *   cleared_ms 0 while it lasts: kept here so a restart neither repeats
	 *   nor forgets one. alert_outbox: every message to send, written in the
	 *   transaction that opened or cleared its episode, so none is lost or
	 *   sent twice by a crash between the two. kiosk_hours: opening hours
	 *   (hours.h's text per weekday) set with `kiosk hours`; a kiosk without
	 *   a row is open all day, as a kiosk without [hours] is.
	 */
	"CREATE TABLE alert_rules ("
	" id BIGINT PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" scope_kind TEXT NOT NULL,"
	" scope TEXT NOT NULL,"
	" threshold DOUBLE PRECISION NOT NULL,"
	" window_min INTEGER NOT NULL,"
	" min_ratings INTEGER NOT NULL,"
	" send_at TEXT NOT NULL DEFAULT '',"
	" webhook TEXT NOT NULL DEFAULT '',"
	" secret TEXT NOT NULL DEFAULT '',"
	" mail_to TEXT NOT NULL DEFAULT '',"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" updated_ms BIGINT NOT NULL);"
	"CREATE TABLE alert_episodes ("
	" id BIGINT PRIMARY KEY,"
	" rule_id BIGINT NOT NULL,"
	" subject TEXT NOT NULL,"
	" store TEXT NOT NULL,"
	" opened_ms BIGINT NOT NULL,"
	" cleared_ms BIGINT NOT NULL DEFAULT 0,"
	" value DOUBLE PRECISION NOT NULL,"
	" ratings INTEGER NOT NULL,"
	" detail TEXT NOT NULL);"
	"CREATE INDEX alert_episodes_open ON alert_episodes(rule_id, subject, cleared_ms);"
	"CREATE TABLE alert_outbox ("
	" id BIGINT PRIMARY KEY,"
	" rule_id BIGINT NOT NULL,"
	" channel TEXT NOT NULL,"
	" target TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" created_ms BIGINT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_ms BIGINT NOT NULL,"
	" sent_ms BIGINT NOT NULL DEFAULT 0,"
	" gave_up_ms BIGINT NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX alert_outbox_due ON alert_outbox(sent_ms, gave_up_ms, next_ms);"
	"CREATE TABLE report_runs ("
	" rule_id BIGINT NOT NULL,"
	" period TEXT NOT NULL,"
	" sent_ms BIGINT NOT NULL,"
	" PRIMARY KEY (rule_id, period));"
	"CREATE TABLE kiosk_hours ("
	" kiosk_id TEXT PRIMARY KEY,"
	" week TEXT NOT NULL);",
	/*
	 * 9: follow-up answers (hq_reasons.c). ratings.reason: the answer's
	 * text, NULL when none. reason_counts: answers per kiosk, quarter hour
	 * (the slot of rating_counts) and kind (positive: after a positive
	 * rating), kept in the ingest transaction; misuse and closed ratings'
	 * answers are held with the rating but not counted.
	 */
	"ALTER TABLE ratings ADD COLUMN reason TEXT;"
	"CREATE TABLE reason_counts ("
	" slot BIGINT NOT NULL,"
	" kiosk_id TEXT NOT NULL,"
	" positive INTEGER NOT NULL,"
	" reason TEXT NOT NULL,"
	" n BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (slot, kiosk_id, positive, reason));",
	/*
	 * 10: the summary's hours (hq_hours.c). rating_hours: the quarter-hour
	 *   counts summed per kiosk, local day and local hour of its zone
	 *   (local_hour -1: ratings whose time is unknown, counted in the day
	 *   only), kept by ingest beside rating_counts, so the summary of one
	 *   day reads about 13 rows a kiosk, all of that day, instead of every
	 *   quarter hour of the 40 hours the chain's zones span. Keyed by day
	 *   first: a summary reads one day of every kiosk. dash_state
	 *   'rating_hours' 0: rating_counts held rows before this table
	 *   existed; they are summed into it once (zones need C) before the
	 *   first summary is served.
	 */
	"CREATE TABLE rating_hours ("
	" day BIGINT NOT NULL,"
	" kiosk_id TEXT NOT NULL,"
	" local_hour INTEGER NOT NULL,"
	" scale INTEGER NOT NULL,"
	" v0 BIGINT NOT NULL DEFAULT 0, v1 BIGINT NOT NULL DEFAULT 0, v2 BIGINT NOT NULL DEFAULT 0,"
	" v3 BIGINT NOT NULL DEFAULT 0, v4 BIGINT NOT NULL DEFAULT 0,"
	" misuse BIGINT NOT NULL DEFAULT 0, closed BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (day, kiosk_id, local_hour, scale));"
	"INSERT INTO dash_state (name, value)"
	" SELECT 'rating_hours', CASE WHEN EXISTS (SELECT 1 FROM rating_counts) THEN 0 ELSE 1 END;",
	/*
	 * 11: ratings found by time without an index on time (hq_slots.h).
	 *   ratings_best (best_ms) was the third b-tree every stored rating
	 *   went into, at a place set by its time: a group of kiosks catching
	 *   up dirtied pages all over it, a third of ingest's work. rating_slots
	 *   says, per kiosk store and quarter hour of best time, which seqs hold
	 *   its ratings (lowest and highest); a read by time joins it to the
	 *   unique (kiosk_id, install, seq) index and filters best_ms exactly.
	 *   Kept by ingest in the batch's transaction, one row a quarter hour
	 *   (not a rating); filled here from the ratings held.
	 */
	"CREATE TABLE rating_slots ("
	" kiosk_id TEXT NOT NULL,"
	" slot BIGINT NOT NULL,"
	" install BIGINT NOT NULL,"
	" seq_lo BIGINT NOT NULL,"
	" seq_hi BIGINT NOT NULL,"
	" PRIMARY KEY (kiosk_id, slot, install));"
	"INSERT INTO rating_slots (kiosk_id, slot, install, seq_lo, seq_hi)"
	" SELECT kiosk_id, best_ms / 900000, install, min(seq), max(seq) FROM ratings"
	" GROUP BY kiosk_id, best_ms / 900000, install;"
	"DROP INDEX ratings_best;",
	/*
	 * 12: the dashboard's long ranges (hq_dash_days.c). rating_blocks: the
	 *   day totals summed per kiosk and block of 16 local days (block =
	 *   floor(day / 16)), kept by ingest beside rating_days, so a year's
	 *   overview reads the whole blocks of its period and only the days at
	 *   its ends. dash_state 'rating_blocks' 0: rating_days may hold rows
	 *   from before this table; they are summed into it once before the
	 *   first dashboard request.
	 */
	"CREATE TABLE rating_blocks ("
	" kiosk_id TEXT NOT NULL,"
	" block BIGINT NOT NULL,"
	" scale INTEGER NOT NULL,"
	" known INTEGER NOT NULL,"
	" v0 BIGINT NOT NULL DEFAULT 0, v1 BIGINT NOT NULL DEFAULT 0, v2 BIGINT NOT NULL DEFAULT 0,"
	" v3 BIGINT NOT NULL DEFAULT 0, v4 BIGINT NOT NULL DEFAULT 0,"
	" misuse BIGINT NOT NULL DEFAULT 0, closed BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (kiosk_id, block, scale, known));"
	"INSERT INTO dash_state (name, value)"
	" SELECT 'rating_blocks', CASE WHEN EXISTS (SELECT 1 FROM rating_counts) THEN 0 ELSE 1 END;",
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* The version pg_base creates: migrations up to it are SQLite's own history. */
#define PG_BASE 6

/*
 * A PostgreSQL database's schema as of version PG_BASE, in its types:
 * BIGINT for every integer (milliseconds need 64 bits; SQLite's INTEGER
 * has them), BYTEA for the hashes, and an identity column named rowid
 * where SQLite's rowid is used (the export cursor, admin token ids), so
 * storage code reads "rowid" on both engines.
 */
static const char pg_base[] =
	"CREATE TABLE schema_version (version BIGINT NOT NULL);"
	"INSERT INTO schema_version VALUES (0);"
	"CREATE TABLE kiosks ("
	" id TEXT PRIMARY KEY, store TEXT NOT NULL, area TEXT NOT NULL, tz TEXT NOT NULL,"
	" token_hash BYTEA NOT NULL UNIQUE, created_ms BIGINT NOT NULL,"
	" revoked_ms BIGINT NOT NULL DEFAULT 0, acked_through BIGINT NOT NULL DEFAULT 0,"
	" token_prefix TEXT NOT NULL DEFAULT '', token_expires_ms BIGINT NOT NULL DEFAULT 0,"
	" last_batch_ms BIGINT NOT NULL DEFAULT 0, last_seq BIGINT NOT NULL DEFAULT 0,"
	" version TEXT NOT NULL DEFAULT '', clock_state TEXT NOT NULL DEFAULT '',"
	" batches BIGINT NOT NULL DEFAULT 0, accepted BIGINT NOT NULL DEFAULT 0,"
	" duplicates BIGINT NOT NULL DEFAULT 0);"
	"CREATE TABLE admin_tokens ("
	" rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,"
	" token_hash BYTEA PRIMARY KEY, created_ms BIGINT NOT NULL, revoked_ms BIGINT NOT NULL DEFAULT 0,"
	" prefix TEXT NOT NULL DEFAULT '', label TEXT NOT NULL DEFAULT '', expires_ms BIGINT NOT NULL DEFAULT 0);"
	"CREATE TABLE installs ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" kiosk_id TEXT NOT NULL, install_id TEXT NOT NULL, acked_through BIGINT NOT NULL DEFAULT 0,"
	" first_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL, UNIQUE (kiosk_id, install_id));"
	"CREATE TABLE ratings ("
	" rowid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" kiosk_id TEXT NOT NULL, seq BIGINT NOT NULL, value BIGINT NOT NULL, scale BIGINT NOT NULL,"
	" source TEXT NOT NULL, wall_ms BIGINT NOT NULL, boot_ms BIGINT NOT NULL, boot_id TEXT NOT NULL,"
	" clock_synced BIGINT NOT NULL, corrected_ms BIGINT, flags BIGINT NOT NULL, best_ms BIGINT NOT NULL,"
	" time_known BIGINT NOT NULL, received_ms BIGINT NOT NULL, install BIGINT NOT NULL,"
	" corrected_by BIGINT NOT NULL DEFAULT 0, corrected_err_ms BIGINT NOT NULL DEFAULT 0,"
	" UNIQUE (kiosk_id, install, seq));"
	"CREATE INDEX ratings_best ON ratings(best_ms);"
	"CREATE TABLE conflicts ("
	" kiosk_id TEXT NOT NULL, install_id TEXT NOT NULL, seq BIGINT NOT NULL, fields TEXT NOT NULL,"
	" first_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL, times BIGINT NOT NULL DEFAULT 1,"
	" PRIMARY KEY (kiosk_id, install_id, seq));"
	"CREATE TABLE rating_counts ("
	" slot BIGINT NOT NULL, kiosk_id TEXT NOT NULL, scale BIGINT NOT NULL, known BIGINT NOT NULL,"
	" v0 BIGINT NOT NULL DEFAULT 0, v1 BIGINT NOT NULL DEFAULT 0, v2 BIGINT NOT NULL DEFAULT 0,"
	" v3 BIGINT NOT NULL DEFAULT 0, v4 BIGINT NOT NULL DEFAULT 0,"
	" misuse BIGINT NOT NULL DEFAULT 0, closed BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (slot, kiosk_id, scale, known));"
	"CREATE TABLE kiosk_shifts ("
	" kiosk_id TEXT NOT NULL, valid_from_ms BIGINT NOT NULL, definition TEXT NOT NULL,"
	" received_ms BIGINT NOT NULL, PRIMARY KEY (kiosk_id, valid_from_ms));"
	"CREATE TABLE stores (name TEXT PRIMARY KEY, region TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE users ("
	" name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('chain', 'region', 'store')),"
	" pw_hash TEXT NOT NULL, created_ms BIGINT NOT NULL);"
	"CREATE TABLE user_scopes ("
	" username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE, scope TEXT NOT NULL,"
	" PRIMARY KEY (username, scope));"
	"CREATE TABLE sessions ("
	" id_hash BYTEA PRIMARY KEY, username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
	" csrf TEXT NOT NULL, created_ms BIGINT NOT NULL, seen_ms BIGINT NOT NULL);"
	"CREATE INDEX sessions_user ON sessions(username);";

/* Every process that migrates this database takes this lock first (PostgreSQL's advisory lock space). */
#define MIGRATE_LOCK_KEY 0x7461006c6c79LL /* "tally" */

int hq_migrate_latest(void)
{
	return N_MIGRATIONS;
}

int hq_migrate_version(struct hq_db *db, char *err, size_t errlen)
{
	int pg = hq_db_engine(db) == HQ_DB_PG;
	struct hq_db_stmt *st;
	if (pg) {
		/* A database nobody has migrated yet has no schema_version: version 0. */
		/* pg_tables, not information_schema: that one hides tables the user may not read. */
		if (hq_db_prepare(db, "SELECT count(*) FROM pg_catalog.pg_tables"
				  " WHERE tablename = 'schema_version' AND schemaname = current_schema()",
				  &st, err, errlen) != HQ_DB_DONE)
			return -1;
		int rc = hq_db_step(st);
		int64_t n = rc == HQ_DB_ROW ? hq_db_column_int64(st, 0) : -1;
		if (rc != HQ_DB_ROW)
			snprintf(err, errlen, "cannot read the schema version: %s", hq_db_errmsg(db));
		hq_db_finalize(st);
		if (n <= 0)
			return (int)n;
	}
	if (hq_db_prepare(db, pg ? "SELECT max(version) FROM schema_version" : "PRAGMA user_version", &st, err,
			  errlen) != HQ_DB_DONE)
		return -1;
	int rc = hq_db_step(st);
	int v = rc == HQ_DB_ROW ? (int)hq_db_column_int64(st, 0) : -1;
	if (rc != HQ_DB_ROW)
		snprintf(err, errlen, "cannot read the schema version: %s", hq_db_errmsg(db));
	hq_db_finalize(st);
	return v;
}

static int set_version(struct hq_db *db, int v, char *err, size_t errlen)
{
	char sql[96];
	if (hq_db_engine(db) == HQ_DB_PG)
		snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", v);
	else
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	return hq_db_exec(db, sql, err, errlen);
}

int hq_migrate(struct hq_db *db, const char *what, char *err, size_t errlen)
{
	char why[512];
	/*
	 * Up to date: nothing to write, so no write lock either. Every thread of
	 * the server opens its own connection, and none of them may wait for a
	 * lock that a long write (or another process) holds just to find that out.
	 */
	int v = hq_migrate_version(db, why, sizeof(why));
	if (v == N_MIGRATIONS)
		return 0;
	if (v < 0) {
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	/* The lock, then the version again: another process may have migrated meanwhile. */
	if (hq_db_begin(db, 1, why, sizeof(why)) != HQ_DB_DONE ||
	    hq_db_lock_key(db, MIGRATE_LOCK_KEY, why, sizeof(why)) != HQ_DB_DONE ||
	    (v = hq_migrate_version(db, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "%s: %s", what, why);
		hq_db_rollback(db);
		return -1;
	}
	if (v > N_MIGRATIONS) {
		hq_db_rollback(db);
		snprintf(err, errlen, "%s: schema version %d is newer than this tally-hq understands (%d); refusing to touch it",
			 what, v, N_MIGRATIONS);
		return -1;
	}
	int from = v;
	if (hq_db_engine(db) == HQ_DB_PG && v == 0) {
		if (hq_db_exec(db, pg_base, why, sizeof(why)) != HQ_DB_DONE)
			goto fail;
		v = PG_BASE;
	}
	for (; v < N_MIGRATIONS; v++)
		if (hq_db_exec(db, migrations[v], why, sizeof(why)) != HQ_DB_DONE)
			goto fail;
	if (v != from && set_version(db, v, why, sizeof(why)) != HQ_DB_DONE)
		goto fail;
	if (hq_db_commit(db, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "%s: %s", what, why);
		hq_db_rollback(db);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot migrate schema to version %d: %s", what, v + 1, why);
	hq_db_rollback(db);
	return -1;
}
