/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_store: head office's SQLite database.
 *
 * Durability and correctness decisions, and the failure each prevents:
 * - WAL + synchronous=FULL: an ack is only sent after COMMIT returned, and
 *   the commit fsyncs the WAL, so a kiosk never deletes a rating that a
 *   power cut at head office then loses.
 * - ratings has UNIQUE (kiosk_id, install, seq) and rows go in with ON
 *   CONFLICT DO NOTHING: a batch resent after a lost ack is counted as
 *   duplicates and stored once, whatever interleaving of retries happens.
 *   A held row is compared with the one sent: other content under the
 *   same identity is a conflict (a store restored from a backup, a cloned
 *   card), and the whole batch is rolled back to its savepoint and refused
 *   (409) rather than half of it silently dropped; the conflict is recorded.
 * - One transaction per batch (BEGIN IMMEDIATE): a failure part-way leaves
 *   nothing behind, and the kiosk resends the whole batch.
 * - kiosks.acked_through is advanced in that same transaction, so the ack
 *   can never claim more than is committed.
 * - The best time of a rating is decided once, at ingest (best_ms,
 *   time_known): wall_ms if the kiosk's clock was synced, else the
 *   corrected time if the kiosk could correct it, else wall_ms flagged
 *   unknown (counted in the day, left out of the hourly figures).
 * - The schema version is PRAGMA user_version; migrations only go forward,
 *   each in one transaction with its version bump.
 */
#include "hq_store.h"
#include "hq_db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hq_shifts.h"
#include "log.h"
#include "score.h"
#include "hq_reasons.h"
#include "hq_registry.h"
#include "utf8.h"

/* A zone this connection has loaded: zone files are read once per connection, not per request. */
struct zone_cache {
	char name[HQ_TZ_MAX];
	struct tzif *z;
};

struct hq_store {
	sqlite3 *db;
	struct hq_db *sql;       /* the same connection through hq_db.h, for modules that speak it */
	int in_group;            /* inside hq_store_group_begin: batches use SAVEPOINTs */
	sqlite3_stmt *count_up;
	void (*on_wal)(void *arg, int frames);
	void *on_wal_arg;
	sqlite3_stmt *insert;
	sqlite3_stmt *by_token;
	sqlite3_stmt *walk;
	struct zone_cache *zones;      /* sorted by name */
	size_t nzones;
	sqlite3_stmt *held;     /* the content held for one (kiosk, install, seq) */
	sqlite3_stmt *progress_get, *progress_set, *kiosk_progress; /* acked_through per install, per kiosk */
};

/* Serialises write transactions of all connections in this process. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* Migration N takes a file from version N-1 to N. Append; never edit. */
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
	 * 7: follow-up answers (hq_reasons.c). ratings.reason: the answer's
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
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

void hq_store_init_process(void)
{
	/*
	 * SQLite's memory statistics take one process-wide mutex on every
	 * allocation: the writer and every reader thread would queue on it.
	 * Nothing here reads those statistics.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int hq_store_schema_latest(void)
{
	return N_MIGRATIONS;
}

static int db_fail(struct hq_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static int migrate(struct hq_store *s, const char *path, char *err, size_t errlen)
{
	/*
	 * Up to date: nothing to write, so no write lock either. Every thread of
	 * the server opens its own connection, and none of them may wait for a
	 * lock that a long write (or another process) holds just to find that out.
	 */
	if (user_version(s->db) == N_MIGRATIONS)
		return 0;
	/* IMMEDIATE: two processes opening a new file must not both migrate it. */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, path, err, errlen);
	int v = user_version(s->db);
	if (v > N_MIGRATIONS) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(err, errlen, "%s: schema version %d is newer than this tally-hq understands (%d); refusing to touch it",
			 path, v, N_MIGRATIONS);
		return -1;
	}
	for (; v >= 0 && v < N_MIGRATIONS; v++) {
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, bump, NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: cannot migrate schema to version %d: %s", path, v + 1, sqlite3_errmsg(s->db));
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	if (v < 0 || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(s, path, err, errlen);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Group that may read the database files; -1: none (files 0600). */
static gid_t file_group = (gid_t)-1;

void hq_store_set_file_group(gid_t gid)
{
	file_group = gid;
}

/*
 * The database holds every token's hash and every rating: it is created
 * 0600 (0640 with file_group) whatever the umask, before SQLite opens it,
 * because SQLite creates the WAL and SHM files with the mode of the main
 * file. A file left open to others by an older version loses those bits.
 */
static int make_private(const char *path, char *err, size_t errlen)
{
	if (!strcmp(path, ":memory:") || !*path)
		return 0;
	mode_t mode = file_group == (gid_t)-1 ? 0600 : 0640;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		int bad = (file_group != (gid_t)-1 && fchown(fd, (uid_t)-1, file_group)) || fchmod(fd, mode);
		if (bad)
			snprintf(err, errlen, "%s: cannot set its owner group and mode: %s", path, strerror(errno));
		close(fd);
		if (bad)
			unlink(path);
		return bad ? -1 : 0;
	}
	if (errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(path, &st) == 0 && (st.st_mode & 0007) && st.st_uid == geteuid())
		(void)chmod(path, st.st_mode & 0770 & ~(mode_t)0007);
	return 0;
}

int hq_store_open(struct hq_store **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	if (make_private(path, err, errlen))
		return -1;
	struct hq_store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* NOMUTEX: a connection is only ever used by one thread. */
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(s, path, err, errlen);
		goto fail;
	}
	if (migrate(s, path, err, errlen))
		goto fail;
	if (hq_db_wrap_sqlite(&s->sql, s->db, err, errlen))
		goto fail;
	if (sqlite3_prepare_v3(s->db,
			       "INSERT INTO ratings (kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id,"
			       " clock_synced, corrected_ms, flags, best_ms, time_known, received_ms,"
			       " install, corrected_by, corrected_err_ms)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->insert, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db,
			       "SELECT id, store, area, tz, created_ms, revoked_ms, acked_through, token_hash,"
			       " token_expires_ms, token_prefix FROM kiosks WHERE token_hash = ?",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->by_token, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, "SELECT seq FROM ratings WHERE kiosk_id = ? AND install = ? AND seq > ?"
			       " ORDER BY seq", -1, SQLITE_PREPARE_PERSISTENT, &s->walk, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, "SELECT value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags"
			       " FROM ratings WHERE kiosk_id = ? AND install = ? AND seq = ?",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->held, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, "SELECT id, acked_through FROM installs WHERE kiosk_id = ? AND install_id = ?",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->progress_get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, "UPDATE installs SET acked_through = ?, last_ms = ? WHERE id = ?",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->progress_set, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, "UPDATE kiosks SET acked_through = ? WHERE id = ?",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->kiosk_progress, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, "INSERT INTO rating_counts (slot, kiosk_id, scale, known, v0, v1, v2, v3, v4,"
			       " misuse, closed) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET"
			       " v0 = v0 + excluded.v0, v1 = v1 + excluded.v1, v2 = v2 + excluded.v2, v3 = v3 + excluded.v3,"
			       " v4 = v4 + excluded.v4, misuse = misuse + excluded.misuse, closed = closed + excluded.closed",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->count_up, NULL) != SQLITE_OK) {
		db_fail(s, path, err, errlen);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	hq_store_close(s);
	return -1;
}

void hq_store_busy_timeout(struct hq_store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

static int wal_frames(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	struct hq_store *s = arg;
	if (s->on_wal)
		s->on_wal(s->on_wal_arg, frames);
	return SQLITE_OK;
}

void hq_store_on_wal(struct hq_store *s, void (*fn)(void *arg, int frames), void *arg)
{
	s->on_wal = fn;
	s->on_wal_arg = arg;
	/* Replaces SQLite's automatic checkpoint: the caller checkpoints elsewhere. */
	sqlite3_wal_hook(s->db, wal_frames, s);
}

int hq_store_checkpoint(struct hq_store *s, char *err, size_t errlen)
{
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return db_fail(s, "cannot checkpoint", err, errlen);
	return 0;
}

void hq_store_close(struct hq_store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->by_token);
	sqlite3_finalize(s->walk);
	for (size_t i = 0; i < s->nzones; i++)
		tzif_free(s->zones[i].z);
	free(s->zones);
	sqlite3_finalize(s->held);
	sqlite3_finalize(s->progress_get);
	sqlite3_finalize(s->progress_set);
	sqlite3_finalize(s->kiosk_progress);
	sqlite3_finalize(s->count_up);
	hq_db_close(s->sql);
	sqlite3_close(s->db);
	free(s);
}

/* --- kiosks and tokens ------------------------------------------------------ */

static void text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

static void row_kiosk(sqlite3_stmt *st, struct hq_kiosk *k)
{
	memset(k, 0, sizeof(*k));
	text(st, 0, k->id, sizeof(k->id));
	text(st, 1, k->store, sizeof(k->store));
	text(st, 2, k->area, sizeof(k->area));
	text(st, 3, k->tz, sizeof(k->tz));
	k->created_ms = sqlite3_column_int64(st, 4);
	k->revoked_ms = sqlite3_column_int64(st, 5);
	k->acked_through = sqlite3_column_int64(st, 6);
}

/* Runs one write statement under the process write lock. Returns sqlite3_step's code. */
static int write_one(sqlite3_stmt *st)
{
	pthread_mutex_lock(&write_lock);
	int rc = sqlite3_step(st);
	pthread_mutex_unlock(&write_lock);
	return rc;
}

int hq_store_kiosk_add(struct hq_store *s, const struct hq_kiosk *k, const uint8_t hash[HQ_HASH_LEN],
		       char *err, size_t errlen)
{
	/* A name that is not UTF-8 could never be exported as JSON: refuse it at the door. */
	const char *bad = !utf8_name_ok(k->id) ? "id" : !utf8_name_ok(k->store) ? "store"
			: !utf8_name_ok(k->area) ? "area" : !utf8_name_ok(k->tz) ? "time zone" : NULL;
	if (bad) {
		snprintf(err, errlen, "kiosk %s must be UTF-8 text without control characters", bad);
		return -1;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO kiosks (id, store, area, tz, token_hash, created_ms, token_prefix,"
			       " token_expires_ms) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot add kiosk", err, errlen);
	sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->store, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->area, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->tz, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, hash, HQ_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now_ms());
	sqlite3_bind_text(st, 7, k->token_prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, k->token_expires_ms);
	int rc = write_one(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, "cannot add kiosk", err, errlen);
	if (sqlite3_changes(s->db) != 1)
		return 1;
	/* Every store has its row in stores (region '' until one is set): hq_scope.c reads regions there. */
	if (sqlite3_prepare_v2(s->db, "INSERT INTO stores (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot add kiosk's store", err, errlen);
	sqlite3_bind_text(st, 1, k->store, -1, SQLITE_STATIC);
	rc = write_one(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, "cannot add kiosk's store", err, errlen);
}

int hq_store_kiosk_revoke(struct hq_store *s, const char *id, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "UPDATE kiosks SET revoked_ms = ? WHERE id = ? AND revoked_ms = 0",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot revoke kiosk", err, errlen);
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	int rc = write_one(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, "cannot revoke kiosk", err, errlen);
	if (sqlite3_changes(s->db) == 1)
		return 0;
	/* Revoking twice is not an error; an unknown id is. */
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM kiosks WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot revoke kiosk", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : 1;
}

int hq_store_kiosk_list(struct hq_store *s, struct hq_kiosk **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, store, area, tz, created_ms, revoked_ms, acked_through,"
			       " (SELECT count(*) FROM ratings r WHERE r.kiosk_id = k.id),"
			       " coalesce((SELECT region FROM stores s WHERE s.name = k.store), '')"
			       " FROM kiosks k ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot list kiosks", err, errlen);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct hq_kiosk *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			*out = more;
		}
		row_kiosk(st, &(*out)[*n]);
		(*out)[*n].ratings = sqlite3_column_int64(st, 7);
		text(st, 8, (*out)[*n].region, sizeof((*out)[*n].region));
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot list kiosks: %s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* Compares without an early exit, so timing does not tell how much matched. */
static int same_hash(const void *a, const void *b, int blen)
{
	if (blen != HQ_HASH_LEN)
		return 0;
	const unsigned char *x = a, *y = b;
	unsigned char d = 0;
	for (int i = 0; i < HQ_HASH_LEN; i++)
		d |= (unsigned char)(x[i] ^ y[i]);
	return d == 0;
}

/*
 * The lookup is by the SHA-256 of the presented token. The index compare on
 * the hash cannot leak the token through timing: an attacker would need
 * preimages to steer the hash byte by byte. The stored hash is compared
 * again in constant time before it is believed.
 */
int hq_store_kiosk_by_token(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], struct hq_kiosk *out)
{
	sqlite3_stmt *st = s->by_token;
	sqlite3_bind_blob(st, 1, hash, HQ_HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st), found = 0;
	if (rc == SQLITE_ROW) {
		row_kiosk(st, out);
		out->token_expires_ms = sqlite3_column_int64(st, 8);
		text(st, 9, out->token_prefix, sizeof(out->token_prefix));
		/* An expired token is refused like a revoked one; hq_registry_expired tells the two apart. */
		found = same_hash(sqlite3_column_blob(st, 7), hash, sqlite3_column_bytes(st, 7)) && out->revoked_ms == 0 &&
			(out->token_expires_ms == 0 || out->token_expires_ms > now_ms());
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return found;
}

int hq_store_admin_add(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO admin_tokens (token_hash, created_ms) VALUES (?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot add admin token", err, errlen);
	sqlite3_bind_blob(st, 1, hash, HQ_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms());
	int rc = write_one(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, "cannot add admin token", err, errlen);
}

int hq_store_admin_check(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN])
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT token_hash FROM admin_tokens WHERE token_hash = ? AND revoked_ms = 0"
			       " AND (expires_ms = 0 OR expires_ms > ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, hash, HQ_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms());
	int rc = sqlite3_step(st), ok = 0;
	if (rc == SQLITE_ROW)
		ok = same_hash(sqlite3_column_blob(st, 0), hash, sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? ok : -1;
}

/* --- ingest ----------------------------------------------------------------- */

static void best_time(const struct protocol_rating *p, int64_t *ms, int *known)
{
	if (p->r.clock_synced) {
		*ms = p->r.wall_ms;
		*known = 1;
	} else if (p->has_corrected) {
		*ms = p->corrected_ms;
		*known = 1;
	} else {
		*ms = p->r.wall_ms;
		*known = 0;
	}
}

/*
 * Advances acked_through over rows now contiguous, then lists the gaps
 * above it. Only rows above acked_through are walked: in steady state
 * there are none, so this is one index probe per batch.
 */
static int progress(struct hq_store *s, const char *kiosk_id, int64_t install, int64_t from,
		    struct protocol_ack *ack)
{
	sqlite3_stmt *st = s->walk;
	sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, install);
	sqlite3_bind_int64(st, 3, from);
	int64_t through = from, prev = from;
	int contiguous = 1, rc;
	ack->ngaps = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		if (contiguous && seq == through + 1) {
			through = seq;
		} else {
			contiguous = 0;
			if (seq > prev + 1) {
				if (ack->ngaps == PROTOCOL_MAX_GAPS)
					break;
				ack->gaps[ack->ngaps].from = prev + 1;
				ack->gaps[ack->ngaps].to = seq - 1;
				ack->ngaps++;
			}
		}
		prev = seq;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	ack->acked_through = through;
	return 0;
}

/* One statement that returns one integer (or none: dflt). */
static int64_t one_int(struct hq_store *s, const char *sql, const char *a, const char *b, int64_t dflt, int *ok)
{
	sqlite3_stmt *st;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		*ok = 0;
		return dflt;
	}
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		*ok = 0;
	sqlite3_finalize(st);
	return v;
}

/* Runs sql with text arguments a, b and integer c (when not INT64_MIN). SQLITE_DONE on success. */
static int run(struct hq_store *s, const char *sql, const char *a, const char *b, int64_t c)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (c != INT64_MIN)
		sqlite3_bind_int64(st, 3, c);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Which fields of p differ from what is held for (kiosk, install, p's seq):
 * 0 with names filled ("" when the same), -1 on error. corrected_ms is not
 * compared: a rating sent uncorrected whose ack was lost may be sent again
 * corrected, and that is the same rating.
 */
static int held_differs(struct hq_store *s, const char *kiosk_id, int64_t install,
			const struct protocol_rating *p, char *names, size_t len)
{
	sqlite3_stmt *st = s->held;
	names[0] = '\0';
	sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, install);
	sqlite3_bind_int64(st, 3, p->r.seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(st, 2);
		const char *boot = (const char *)sqlite3_column_text(st, 5);
		struct { int differs; const char *name; } f[] = {
			{ sqlite3_column_int(st, 0) != p->r.value, "value" },
			{ sqlite3_column_int(st, 1) != p->r.scale, "scale" },
			{ !src || strcmp(src, rating_source_name(p->r.source)) != 0, "source" },
			{ sqlite3_column_int64(st, 3) != p->r.wall_ms, "wall_ms" },
			{ sqlite3_column_int64(st, 4) != p->r.boot_ms, "boot_ms" },
			{ !boot || strcmp(boot, p->r.boot_id) != 0, "boot_id" },
			{ sqlite3_column_int(st, 6) != p->r.clock_synced, "synced" },
			{ sqlite3_column_int(st, 7) != p->r.flags, "flags" },
		};
		size_t at = 0;
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (f[i].differs && at + strlen(f[i].name) + 2 < len)
				at += (size_t)snprintf(names + at, len - at, "%s%s", at ? "," : "", f[i].name);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	/* No row: the insert said "held" but nothing is (cannot happen inside the transaction). */
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Ratings from before install ids are held under the kiosk's install "".
 * The first batch of a new install that continues them (its first seq
 * follows the legacy ones, or repeats one exactly) is that same store,
 * upgraded: the legacy install becomes its, so its acked_through and gaps
 * are whole. Any other new install (a re-imaged kiosk, seq from 1 again
 * with other ratings) leaves them where they are. 0, or -1.
 */
static int adopt_legacy(struct hq_store *s, const char *kiosk_id, const struct protocol_batch *b)
{
	if (!b->install_id[0] || b->n == 0)
		return 0;
	int ok = 1;
	int64_t legacy = one_int(s, "SELECT id FROM installs WHERE kiosk_id = ? AND install_id = ''", kiosk_id, NULL,
				 0, &ok);
	if (!ok || legacy == 0)
		return ok ? 0 : -1;
	sqlite3_stmt *st;
	int64_t legacy_max = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT max(seq) FROM ratings WHERE kiosk_id = ? AND install = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, legacy);
	if (sqlite3_step(st) == SQLITE_ROW)
		legacy_max = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	const struct protocol_rating *first = &b->ratings[0];
	for (size_t i = 1; i < b->n; i++)
		if (b->ratings[i].r.seq < first->r.seq)
			first = &b->ratings[i];
	int continues = first->r.seq == legacy_max + 1;
	if (!continues && first->r.seq <= legacy_max) {
		char names[160];
		int rc = held_differs(s, kiosk_id, legacy, first, names, sizeof(names));
		continues = rc == 0 && names[0] == '\0';
	}
	if (!continues)
		return 0;
	/* The ratings refer to the install by its integer id: renaming it moves them all. */
	if (run(s, "UPDATE installs SET install_id = ?2 WHERE kiosk_id = ?1 AND install_id = ''",
		kiosk_id, b->install_id, INT64_MIN) != SQLITE_DONE)
		return -1;
	log_msg(LOG_NOTICE, "kiosk %s: install %s continues the ratings held from before install ids (through seq %lld)",
		kiosk_id, b->install_id, (long long)legacy_max);
	return 0;
}

/* Records the conflicts listed in c (the batch itself is rolled back). SQLITE_DONE on success. */
static int record_conflicts(struct hq_store *s, const struct protocol_conflict *c, int64_t now)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO conflicts (kiosk_id, install_id, seq, fields, first_ms, last_ms)"
			       " VALUES (?1,?2,?3,?4,?5,?5) ON CONFLICT (kiosk_id, install_id, seq)"
			       " DO UPDATE SET fields = ?4, last_ms = ?5, times = times + 1", -1, &st, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	int rc = SQLITE_DONE;
	for (size_t i = 0; i < c->n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_text(st, 1, c->kiosk_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->install_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, c->items[i].seq);
		sqlite3_bind_text(st, 4, c->items[i].fields, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, now);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static void conflict_line(const struct protocol_conflict *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "kiosk %s install %s: %lld rating(s) of this batch already held with other content"
		 " (seq %lld differs in %s); nothing of the batch was stored",
		 c->kiosk_id, c->install_id[0] ? c->install_id : "(none)", (long long)c->count,
		 (long long)c->items[0].seq, c->items[0].fields);
}

/*
 * The transaction lines of one batch, in one place: the write lock,
 * BEGIN IMMEDIATE, and the batch in its own savepoint "batch", so that a
 * conflict rolls back the batch alone and keeps the record of the
 * conflict. Inside a group (hq_store_group_begin, the writer thread) the
 * transaction and the lock are the group's, and a batch is its savepoint
 * only.
 *
 * Group commit: the writer thread puts several batches into one
 * transaction, so one fsync of the WAL covers them all (the fsync, not the
 * inserts, is what limits a durable ingest). A batch that fails or
 * conflicts is rolled back alone and the others still commit. No ack
 * leaves before the group's COMMIT returned, so durability per ack is what
 * it was with one transaction per batch.
 */
int hq_store_group_begin(struct hq_store *s, char *err, size_t errlen)
{
	pthread_mutex_lock(&write_lock);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(s, "cannot begin", err, errlen);
		pthread_mutex_unlock(&write_lock);
		return -1;
	}
	s->in_group = 1;
	return 0;
}

int hq_store_group_commit(struct hq_store *s, char *err, size_t errlen)
{
	int rc = 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(s, "cannot commit", err, errlen);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	s->in_group = 0;
	pthread_mutex_unlock(&write_lock);
	return rc;
}

static int batch_begin(struct hq_store *s)
{
	if (!s->in_group) {
		pthread_mutex_lock(&write_lock);
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	}
	return sqlite3_exec(s->db, "SAVEPOINT batch", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Keeps what the batch's savepoint holds. 0, or -1 (then call batch_rollback). */
static int batch_commit(struct hq_store *s)
{
	if (sqlite3_exec(s->db, "RELEASE batch", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (s->in_group)
		return 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	pthread_mutex_unlock(&write_lock);
	return 0;
}

/* Drops the whole batch (a failure); inside a group, only the batch. */
static void batch_rollback(struct hq_store *s)
{
	if (s->in_group) {
		sqlite3_exec(s->db, "ROLLBACK TO batch; RELEASE batch", NULL, NULL, NULL);
		return;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&write_lock);
}

/* The quarter hours of one batch's new ratings, before they go into rating_counts. */
#define SLOT_MS 900000
struct slot_count {
	int64_t slot;
	int scale, known;
	int64_t v[5], misuse, closed;
};

struct slot_counts {
	struct slot_count *c;
	size_t n, cap;
};

/* Counts one new rating; -1 out of memory. Ratings come in time order: the slot is nearly always the last one. */
static int slot_add(struct slot_counts *sc, int64_t best, int known, const struct rating *r)
{
	int64_t slot = best / SLOT_MS;
	struct slot_count *c = NULL;
	for (size_t i = sc->n, seen = 0; i-- > 0 && seen < 8 && !c; seen++)
		if (sc->c[i].slot == slot && sc->c[i].scale == r->scale && sc->c[i].known == known)
			c = &sc->c[i];
	if (!c) {
		if (sc->n == sc->cap) {
			size_t cap = sc->cap ? sc->cap * 2 : 32;
			struct slot_count *more = realloc(sc->c, cap * sizeof(*more));
			if (!more)
				return -1;
			sc->c = more;
			sc->cap = cap;
		}
		c = &sc->c[sc->n++];
		memset(c, 0, sizeof(*c));
		c->slot = slot;
		c->scale = r->scale;
		c->known = known;
	}
	if (r->flags & RATING_MISUSE)
		c->misuse++;
	else if (r->flags & RATING_CLOSED)
		c->closed++;
	else if (r->value >= 0 && r->value < 5)
		c->v[r->value]++;
	return 0;
}

/* Adds the batch's counts to rating_counts (same transaction as its rows). 0 or -1. */
static int slot_flush(struct hq_store *s, const char *kiosk_id, const struct slot_counts *sc)
{
	sqlite3_stmt *st = s->count_up;
	int rc = SQLITE_DONE;
	for (size_t i = 0; i < sc->n && rc == SQLITE_DONE; i++) {
		const struct slot_count *c = &sc->c[i];
		sqlite3_bind_int64(st, 1, c->slot);
		sqlite3_bind_text(st, 2, kiosk_id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, c->scale);
		sqlite3_bind_int(st, 4, c->known);
		for (int v = 0; v < 5; v++)
			sqlite3_bind_int64(st, 5 + v, c->v[v]);
		sqlite3_bind_int64(st, 10, c->misuse);
		sqlite3_bind_int64(st, 11, c->closed);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int hq_store_ingest(struct hq_store *s, const struct hq_kiosk *k, const struct protocol_batch *b,
		    int64_t now, struct protocol_ack *ack, char *err, size_t errlen)
{
	memset(ack, 0, sizeof(*ack));
	snprintf(ack->kiosk_id, sizeof(ack->kiosk_id), "%s", k->id);
	snprintf(ack->install_id, sizeof(ack->install_id), "%s", b->install_id);
	const char *install = b->install_id;
	struct protocol_conflict *c = &ack->conflict;
	struct slot_counts counts = { 0 };
	if (batch_begin(s)) {
		db_fail(s, "cannot begin", err, errlen);
		goto rollback;
	}
	/* Re-read inside the transaction: another process may have moved it. */
	int64_t install_ref = 0, from = 0;
	for (int pass = 0; pass < 2 && !install_ref; pass++) {
		sqlite3_stmt *get = s->progress_get;
		sqlite3_bind_text(get, 1, k->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(get, 2, install, -1, SQLITE_STATIC);
		int rc = sqlite3_step(get);
		if (rc == SQLITE_ROW) {
			install_ref = sqlite3_column_int64(get, 0);
			from = sqlite3_column_int64(get, 1);
		}
		sqlite3_reset(get);
		sqlite3_clear_bindings(get);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			db_fail(s, "cannot read progress", err, errlen);
			goto rollback;
		}
		/* First contact of this install: it may be the legacy store, upgraded. */
		if (!install_ref && pass == 0 && adopt_legacy(s, k->id, b)) {
			db_fail(s, "cannot adopt legacy ratings", err, errlen);
			goto rollback;
		}
	}
	sqlite3_stmt *st;
	if (!install_ref && b->n == 0) {
		/* An empty batch of an unknown store registers nothing (nor takes
		 * the legacy ratings over: its first real batch decides that). */
		if (batch_commit(s)) {
			db_fail(s, "cannot commit", err, errlen);
			goto rollback;
		}
		return 0;
	}
	if (!install_ref) {
		/* A kiosk store heard from for the first time. */
		if (sqlite3_prepare_v2(s->db, "INSERT INTO installs (kiosk_id, install_id, first_ms, last_ms)"
				       " VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
			db_fail(s, "cannot register install", err, errlen);
			goto rollback;
		}
		sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, install, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int64(st, 4, now);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			db_fail(s, "cannot register install", err, errlen);
			goto rollback;
		}
		install_ref = sqlite3_last_insert_rowid(s->db);
	}
	st = s->insert;
	for (size_t i = 0; i < b->n; i++) {
		const struct protocol_rating *p = &b->ratings[i];
		int64_t best;
		int known;
		best_time(p, &best, &known);
		sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, p->r.seq);
		sqlite3_bind_int(st, 3, p->r.value);
		sqlite3_bind_int(st, 4, p->r.scale);
		sqlite3_bind_text(st, 5, rating_source_name(p->r.source), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, p->r.wall_ms);
		sqlite3_bind_int64(st, 7, p->r.boot_ms);
		sqlite3_bind_text(st, 8, p->r.boot_id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 9, p->r.clock_synced);
		if (p->has_corrected)
			sqlite3_bind_int64(st, 10, p->corrected_ms);
		else
			sqlite3_bind_null(st, 10);
		sqlite3_bind_int(st, 11, p->r.flags);
		sqlite3_bind_int64(st, 12, best);
		sqlite3_bind_int(st, 13, known);
		sqlite3_bind_int64(st, 14, now);
		sqlite3_bind_int64(st, 15, install_ref);
		sqlite3_bind_int(st, 16, p->has_corrected ? p->corrected_by : 0);
		sqlite3_bind_int64(st, 17, p->has_corrected ? p->corrected_err_ms : 0);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_fail(s, "cannot store rating", err, errlen);
			goto rollback;
		}
		if (sqlite3_changes(s->db) == 1) {
			ack->accepted++;
			if (slot_add(&counts, best, known, &p->r)) {
				snprintf(err, errlen, "out of memory");
				goto rollback;
			}
			continue;
		}
		/* Held already: an exact repeat is a duplicate; other content is a conflict. */
		char names[sizeof(c->items[0].fields)];
		if (held_differs(s, k->id, install_ref, p, names, sizeof(names))) {
			db_fail(s, "cannot compare with the held rating", err, errlen);
			goto rollback;
		}
		if (!names[0]) {
			ack->duplicates++;
			continue;
		}
		if (c->n < PROTOCOL_MAX_CONFLICTS) {
			c->items[c->n].seq = p->r.seq;
			snprintf(c->items[c->n].fields, sizeof(c->items[c->n].fields), "%s", names);
			c->n++;
		}
		c->count++;
	}
	sqlite3_clear_bindings(st);
	if (hq_reasons_ingest(s, k->id, install_ref, b, c)) {
		db_fail(s, "cannot store follow-up answers", err, errlen);
		goto rollback;
	}
	if (c->count > 0) {
		snprintf(c->kiosk_id, sizeof(c->kiosk_id), "%s", k->id);
		snprintf(c->install_id, sizeof(c->install_id), "%s", install);
		if (sqlite3_exec(s->db, "ROLLBACK TO batch", NULL, NULL, NULL) != SQLITE_OK ||
		    record_conflicts(s, c, now) != SQLITE_DONE || batch_commit(s)) {
			db_fail(s, "cannot record a conflict", err, errlen);
			goto rollback;
		}
		struct protocol_conflict keep = *c;
		memset(ack, 0, sizeof(*ack));
		ack->conflict = keep;
		conflict_line(c, err, errlen);
		free(counts.c);
		return 1;
	}
	if (slot_flush(s, k->id, &counts)) {
		db_fail(s, "cannot count ratings", err, errlen);
		goto rollback;
	}
	if (progress(s, k->id, install_ref, from, ack)) {
		db_fail(s, "cannot compute progress", err, errlen);
		goto rollback;
	}
	/* Written only when it moved: a batch of repeats costs no write. */
	if (ack->acked_through != from) {
		st = s->progress_set;
		sqlite3_bind_int64(st, 1, ack->acked_through);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, install_ref);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		/* kiosks.acked_through follows the store the kiosk runs now (its latest install). */
		st = s->kiosk_progress;
		sqlite3_bind_int64(st, 1, ack->acked_through);
		sqlite3_bind_text(st, 2, k->id, -1, SQLITE_STATIC);
		int rc2 = rc == SQLITE_DONE ? sqlite3_step(st) : rc;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc2 != SQLITE_DONE) {
			db_fail(s, "cannot update progress", err, errlen);
			goto rollback;
		}
	}
	if (hq_registry_note_batch(s, k, b, now, ack)) {
		db_fail(s, "cannot update the kiosk's health", err, errlen);
		goto rollback;
	}
	if (batch_commit(s)) {
		db_fail(s, "cannot commit", err, errlen);
		goto rollback;
	}
	free(counts.c);
	return 0;
rollback:
	free(counts.c);
	sqlite3_clear_bindings(s->insert);
	batch_rollback(s);
	memset(ack, 0, sizeof(*ack));
	return -1;
}

int hq_store_conflict_count(struct hq_store *s, const char *kiosk_id, int64_t *out)
{
	int ok = 1;
	*out = one_int(s, "SELECT count(*) FROM conflicts WHERE kiosk_id = ?", kiosk_id, NULL, 0, &ok);
	return ok ? 0 : -1;
}

int hq_store_install_list(struct hq_store *s, const char *kiosk_id, struct hq_install **out, size_t *n,
			  char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT i.kiosk_id, i.install_id, i.acked_through, i.first_ms, i.last_ms,"
			       " (SELECT count(*) FROM ratings r WHERE r.kiosk_id = i.kiosk_id AND r.install = i.id),"
			       " (SELECT max(seq) FROM ratings r WHERE r.kiosk_id = i.kiosk_id AND r.install = i.id),"
			       " (SELECT count(*) FROM conflicts c WHERE c.kiosk_id = i.kiosk_id AND c.install_id = i.install_id)"
			       " FROM installs i WHERE ?1 IS NULL OR i.kiosk_id = ?1 ORDER BY i.kiosk_id, i.first_ms",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot list installs", err, errlen);
	if (kiosk_id)
		sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct hq_install *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			*out = more;
		}
		struct hq_install *in = &(*out)[(*n)++];
		memset(in, 0, sizeof(*in));
		text(st, 0, in->kiosk_id, sizeof(in->kiosk_id));
		text(st, 1, in->install_id, sizeof(in->install_id));
		in->acked_through = sqlite3_column_int64(st, 2);
		in->first_ms = sqlite3_column_int64(st, 3);
		in->last_ms = sqlite3_column_int64(st, 4);
		in->ratings = sqlite3_column_int64(st, 5);
		in->last_seq = sqlite3_column_int64(st, 6);
		in->conflicts = sqlite3_column_int64(st, 7);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot list installs: %s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* --- time zones ------------------------------------------------------------- */

/*
 * Zones are values (tzif.c), not the process's $TZ, so any number of them
 * serve any number of threads; each connection keeps the zones it loaded.
 */
static int zone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zone_cache *)a)->name, ((const struct zone_cache *)b)->name);
}

/* The loaded zone tz, from this connection's cache or read now. NULL with err. */
static const struct tzif *zone_get(struct hq_store *s, const char *tz, char *err, size_t errlen)
{
	struct zone_cache key = { .z = NULL };
	snprintf(key.name, sizeof(key.name), "%s", tz);
	struct zone_cache *hit = s->nzones ? bsearch(&key, s->zones, s->nzones, sizeof(key), zone_cmp) : NULL;
	if (hit)
		return hit->z;
	struct zone_cache *more = realloc(s->zones, (s->nzones + 1) * sizeof(*more));
	if (!more) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->zones = more;
	if (tzif_load(&key.z, tz, err, errlen))
		return NULL;
	s->zones[s->nzones++] = key;
	qsort(s->zones, s->nzones, sizeof(key), zone_cmp);
	return key.z;
}

int hq_store_tzday(struct tzday *d, const char *tz, struct tzdate date, char *err, size_t errlen)
{
	return tzday_make(d, tz, date, err, errlen);
}

int hq_store_tz_valid(const char *tz, char *err, size_t errlen)
{
	return tzday_valid(tz, err, errlen);
}

/*
 * The local days of every zone head office has kiosks in, as many as the
 * registry holds; tz sorted (SQLite's BINARY order is strcmp's) for
 * zones_find's binary search.
 */
struct zones {
	size_t n;
	char (*tz)[HQ_TZ_MAX];
	struct tzday *from;  /* the day (summary) or the first day (export) */
	int64_t *end_ms;     /* end of the last day */
};

static void zones_free(struct zones *z)
{
	free(z->tz);
	free(z->from);
	free(z->end_ms);
	memset(z, 0, sizeof(*z));
}

static int zones_grow(struct zones *z, size_t cap)
{
	char(*tz)[HQ_TZ_MAX] = realloc(z->tz, cap * sizeof(*tz));
	if (tz)
		z->tz = tz;
	struct tzday *from = realloc(z->from, cap * sizeof(*from));
	if (from)
		z->from = from;
	int64_t *end = realloc(z->end_ms, cap * sizeof(*end));
	if (end)
		z->end_ms = end;
	return tz && from && end ? 0 : -1;
}

static int zones_load(struct hq_store *s, const char *store, struct tzdate from, struct tzdate to,
		      struct zones *z, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	z->n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT tz FROM kiosks WHERE ?1 IS NULL OR store = ?1 ORDER BY tz",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot list zones", err, errlen);
	if (store)
		sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (z->n == cap && zones_grow(z, cap = cap ? cap * 2 : 16)) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		text(st, 0, z->tz[z->n], sizeof(z->tz[z->n]));
		struct tzday last;
		const struct tzif *zone = zone_get(s, z->tz[z->n], err, errlen);
		if (!zone || tzday_make_in(&z->from[z->n], zone, from, err, errlen) ||
		    tzday_make_in(&last, zone, to, err, errlen)) {
			sqlite3_finalize(st);
			return -1;
		}
		z->end_ms[z->n] = last.end_ms;
		z->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, "cannot list zones", err, errlen);
	return 0;
}

static int tz_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int zones_find(const struct zones *z, const char *tz)
{
	if (!tz || !z->n)
		return -1;
	char key[HQ_TZ_MAX];
	snprintf(key, sizeof(key), "%s", tz);
	const char(*hit)[HQ_TZ_MAX] = bsearch(key, z->tz, z->n, sizeof(*z->tz), tz_cmp);
	return hit ? (int)(hit - z->tz) : -1;
}

static void zones_span(const struct zones *z, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MAX;
	*hi = INT64_MIN;
	for (size_t i = 0; i < z->n; i++) {
		if (z->from[i].start_ms < *lo)
			*lo = z->from[i].start_ms;
		if (z->end_ms[i] > *hi)
			*hi = z->end_ms[i];
	}
}

/* --- summary ---------------------------------------------------------------- */

/* Running totals for one kiosk, area, store or the chain. */
struct agg {
	int64_t counts[6][5]; /* [scale][value] */
	int64_t misuse, closed;
	int64_t hourly[24];
};

static void agg_add(struct agg *a, int value, int scale, int flags, int hour, int64_t n)
{
	if (flags & RATING_MISUSE) {
		a->misuse += n;
		return;
	}
	if (flags & RATING_CLOSED) {
		a->closed += n;
		return;
	}
	a->counts[scale][value] += n;
	if (hour >= 0 && hour < 24)
		a->hourly[hour] += n;
}

/*
 * Mixed scales (a chain with 4- and 5-face kiosks): counts[] are those of
 * the dominant scale (most ratings; default_scale when there are none),
 * total counts every scale, and the Happy Index and % positive are taken
 * over every rating, each on its own scale, so they stay comparable.
 */
static void agg_figures(const struct agg *a, int default_scale, struct protocol_figures *f)
{
	memset(f, 0, sizeof(*f));
	int64_t n[6] = { 0 };
	int dominant = 0;
	for (int sc = 5; sc >= 3; sc--) {
		n[sc] = score_total(a->counts[sc], sc);
		f->total += n[sc];
		if (n[sc] > 0 && (dominant == 0 || n[sc] > n[dominant]))
			dominant = sc;
	}
	f->scale = dominant ? dominant : default_scale;
	memcpy(f->counts, a->counts[f->scale], sizeof(f->counts));
	f->misuse = a->misuse;
	f->closed = a->closed;
	memcpy(f->hourly, a->hourly, sizeof(f->hourly));
	f->happy_index = f->positive_pct = -1;
	if (f->total == 0)
		return;
	double hi = 0, pos = 0;
	for (int sc = 3; sc <= 5; sc++)
		if (n[sc]) {
			hi += score_happy_index(a->counts[sc], sc) * (double)n[sc];
			pos += score_positive_pct(a->counts[sc], sc) * (double)n[sc];
		}
	/* One decimal, as the screens show it; the wire carries no false precision. */
	f->happy_index = (double)(int64_t)(hi / (double)f->total * 10 + 0.5) / 10;
	f->positive_pct = (double)(int64_t)(pos / (double)f->total * 10 + 0.5) / 10;
}

struct area_agg {
	char name[HQ_NAME_MAX];
	struct agg a;
};

/* Where one kiosk's ratings count in a summary. */
struct place {
	char id[RATING_ID_MAX];
	int zi;                  /* its zone in struct zones, -1: none */
	int in_store, mine;
	int area;                /* index into the areas, -1: another store's */
};

/* Every kiosk's place, found by id through an open-addressing table. */
struct places {
	struct place *p;
	size_t n;
	int *slots;              /* index into p, -1: empty */
	size_t size;             /* a power of two, at least twice n */
};

static uint32_t id_hash(const char *id, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)id[i]) * 16777619u;
	return h;
}

static const struct place *place_find(const struct places *pl, const char *id, size_t len)
{
	if (!id || !pl->size)
		return NULL;
	for (size_t i = id_hash(id, len) & (pl->size - 1);; i = (i + 1) & (pl->size - 1)) {
		if (pl->slots[i] < 0)
			return NULL;
		const struct place *p = &pl->p[pl->slots[i]];
		if (!strncmp(p->id, id, len) && p->id[len] == '\0')
			return p;
	}
}

/* Reads every kiosk and decides its place for requester k. 0 or -1 with err. */
static int kiosk_places(struct hq_store *s, const struct hq_kiosk *k, const struct zones *z, struct area_agg *areas,
			size_t *nareas, struct places *pl, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT id, store, area, tz FROM kiosks", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "cannot list kiosks", err, errlen);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (pl->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct place *more = realloc(pl->p, cap * sizeof(*more));
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			pl->p = more;
		}
		struct place *p = &pl->p[pl->n++];
		text(st, 0, p->id, sizeof(p->id));
		p->zi = zones_find(z, (const char *)sqlite3_column_text(st, 3));
		p->in_store = !strcmp((const char *)sqlite3_column_text(st, 1), k->store);
		p->mine = p->in_store && !strcmp(p->id, k->id);
		p->area = -1;
		if (p->in_store) {
			const char *area = (const char *)sqlite3_column_text(st, 2);
			size_t i;
			for (i = 0; i < *nareas && strcmp(areas[i].name, area); i++)
				;
			if (i == *nareas && *nareas < PROTOCOL_MAX_AREAS)
				snprintf(areas[(*nareas)++].name, sizeof(areas[i].name), "%s", area);
			if (i < *nareas)
				p->area = (int)i;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot list kiosks: %s", sqlite3_errstr(rc));
		return -1;
	}
	pl->size = 16;
	while (pl->size < pl->n * 2)
		pl->size *= 2;
	if (!(pl->slots = malloc(pl->size * sizeof(*pl->slots)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < pl->size; i++)
		pl->slots[i] = -1;
	for (size_t j = 0; j < pl->n; j++) {
		size_t i = id_hash(pl->p[j].id, strlen(pl->p[j].id)) & (pl->size - 1);
		while (pl->slots[i] >= 0)
			i = (i + 1) & (pl->size - 1);
		pl->slots[i] = (int)j;
	}
	return 0;
}

int hq_store_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date,
		     struct protocol_summary *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct zones *z = calloc(1, sizeof(*z));
	struct area_agg *areas = calloc(PROTOCOL_MAX_AREAS, sizeof(*areas));
	struct agg *mine = calloc(3, sizeof(*mine)), *store = NULL, *chain = NULL;
	struct places places = { 0 };
	size_t nareas = 0;
	int rc = -1;
	sqlite3_stmt *st = NULL;
	if (!z || !areas || !mine) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	store = mine + 1; /* not before the check: arithmetic on a NULL pointer is undefined */
	chain = mine + 2;
	if (zones_load(s, NULL, date, date, z, err, errlen))
		goto done;
	int64_t lo, hi;
	zones_span(z, &lo, &hi);
	/* The requester's own scale, for figures that have no ratings yet. */
	int default_scale = 4;
	if (sqlite3_prepare_v2(s->db, "SELECT scale FROM ratings WHERE kiosk_id = ? ORDER BY seq DESC LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			default_scale = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	/*
	 * Each kiosk's place in the figures (its zone, the requester's store,
	 * the requester itself, its area) is decided once here, not per row:
	 * the rows below are per kiosk and quarter hour, and a summary is asked
	 * by every kiosk every few minutes.
	 */
	if (kiosk_places(s, k, z, areas, &nareas, &places, err, errlen))
		goto done;
	/* Quarter-hour counts (see migration 3), not the ratings themselves: one row per kiosk and slot. */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT kiosk_id, scale, slot, known, v0, v1, v2, v3, v4, misuse, closed"
			       " FROM rating_counts WHERE slot >= ? AND slot < ?", -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, "cannot read ratings", err, errlen);
		goto done;
	}
	sqlite3_bind_int64(st, 1, lo / SLOT_MS);
	sqlite3_bind_int64(st, 2, (hi + SLOT_MS - 1) / SLOT_MS);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const struct place *pl = place_find(&places, (const char *)sqlite3_column_text(st, 0),
						    (size_t)sqlite3_column_bytes(st, 0));
		int64_t ms = sqlite3_column_int64(st, 2) * SLOT_MS;
		if (!pl || pl->zi < 0 || ms < z->from[pl->zi].start_ms || ms >= z->from[pl->zi].end_ms)
			continue;
		int scale = sqlite3_column_int(st, 1);
		int hour = sqlite3_column_int(st, 3) ? tzday_hour(&z->from[pl->zi], ms) : -1;
		if (scale < 3 || scale > 5)
			continue; /* the decoder refuses these; never index out of bounds on a hand-edited row */
		struct agg *to[4] = { chain, pl->in_store ? store : NULL, pl->mine ? mine : NULL,
				      pl->area >= 0 ? &areas[pl->area].a : NULL };
		for (int t = 0; t < 4; t++) {
			if (!to[t])
				continue;
			for (int v = 0; v < scale; v++)
				agg_add(to[t], v, scale, 0, hour, sqlite3_column_int64(st, 4 + v));
			agg_add(to[t], 0, scale, RATING_MISUSE, hour, sqlite3_column_int64(st, 9));
			agg_add(to[t], 0, scale, RATING_CLOSED, hour, sqlite3_column_int64(st, 10));
		}
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		db_fail(s, "cannot read ratings", err, errlen);
		goto done;
	}
	/* Every area of the store is listed, those without ratings today too. */
	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT area FROM kiosks WHERE store = ? ORDER BY area",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, "cannot list areas", err, errlen);
		goto done;
	}
	sqlite3_bind_text(st, 1, k->store, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && out->nareas < PROTOCOL_MAX_AREAS) {
		struct protocol_area *pa = &out->areas[out->nareas++];
		text(st, 0, pa->area, sizeof(pa->area));
		struct agg empty = { 0 };
		const struct agg *a = &empty;
		for (size_t i = 0; i < nareas; i++)
			if (!strcmp(areas[i].name, pa->area))
				a = &areas[i].a;
		agg_figures(a, default_scale, &pa->figures);
	}
	sqlite3_finalize(st);
	snprintf(out->day, sizeof(out->day), "%04d-%02d-%02d", date.year, date.month, date.day);
	out->as_of_ms = now_ms();
	snprintf(out->store_name, sizeof(out->store_name), "%s", k->store);
	agg_figures(mine, default_scale, &out->kiosk);
	agg_figures(store, default_scale, &out->store_total);
	agg_figures(chain, default_scale, &out->chain);
	rc = 0;
done:
	if (z)
		zones_free(z);
	free(z);
	free(areas);
	free(mine);
	free(places.p);
	free(places.slots);
	return rc;
}

/* --- export ----------------------------------------------------------------- */

int hq_store_export(struct hq_store *s, const struct hq_export_query *q,
		    int (*fn)(const struct hq_export_row *row, void *arg), void *arg,
		    int64_t *next, char *err, size_t errlen)
{
	*next = 0;
	const char *store = q->store && *q->store ? q->store : NULL;
	struct zones *z = calloc(1, sizeof(*z));
	struct hq_export_row *row = calloc(1, sizeof(*row));
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (!z || !row) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (zones_load(s, store, q->from, q->to, z, err, errlen))
		goto done;
	if (z->n == 0) {
		rc = 0;
		goto done;
	}
	int64_t lo, hi;
	zones_span(z, &lo, &hi);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT r.rowid, r.kiosk_id, r.seq, r.value, r.scale, r.source, r.wall_ms, r.boot_ms,"
			       " r.boot_id, r.clock_synced, r.corrected_ms, r.flags, r.best_ms, r.time_known,"
			       " r.received_ms, k.store, k.area, k.tz, i.install_id, r.corrected_by, r.corrected_err_ms, r.reason"
			       " FROM ratings r JOIN kiosks k ON k.id = r.kiosk_id LEFT JOIN installs i ON i.id = r.install"
			       " WHERE r.rowid > ?1 AND r.best_ms >= ?2 AND r.best_ms < ?3 AND (?4 IS NULL OR k.store = ?4)"
			       " AND (?5 IS NULL OR k.store IN (" HQ_STORE_VISIBLE_SQL("?5") "))"
			       " ORDER BY r.rowid", -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, "cannot export", err, errlen);
		goto done;
	}
	sqlite3_bind_int64(st, 1, q->after);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	if (store)
		sqlite3_bind_text(st, 4, store, -1, SQLITE_STATIC);
	if (q->user)
		sqlite3_bind_text(st, 5, q->user, -1, SQLITE_STATIC);
	int n = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int zi = zones_find(z, (const char *)sqlite3_column_text(st, 17));
		int64_t ms = sqlite3_column_int64(st, 12);
		if (zi < 0 || ms < z->from[zi].start_ms || ms >= z->end_ms[zi])
			continue;
		if (n == q->limit) {
			/* There is at least one more row: the page ends at the previous one. */
			*next = row->cursor;
			break;
		}
		memset(row, 0, sizeof(*row));
		row->cursor = sqlite3_column_int64(st, 0);
		struct rating *r = &row->p.r;
		text(st, 1, r->kiosk_id, sizeof(r->kiosk_id));
		r->seq = sqlite3_column_int64(st, 2);
		r->value = sqlite3_column_int(st, 3);
		r->scale = sqlite3_column_int(st, 4);
		rating_source_parse((const char *)sqlite3_column_text(st, 5), &r->source);
		r->wall_ms = sqlite3_column_int64(st, 6);
		r->boot_ms = sqlite3_column_int64(st, 7);
		text(st, 8, r->boot_id, sizeof(r->boot_id));
		r->clock_synced = sqlite3_column_int(st, 9);
		row->p.has_corrected = sqlite3_column_type(st, 10) != SQLITE_NULL;
		row->p.corrected_ms = sqlite3_column_int64(st, 10);
		r->flags = sqlite3_column_int(st, 11);
		row->time_ms = ms;
		row->time_known = sqlite3_column_int(st, 13);
		row->received_ms = sqlite3_column_int64(st, 14);
		text(st, 15, row->store, sizeof(row->store));
		text(st, 16, row->area, sizeof(row->area));
		text(st, 18, row->install_id, sizeof(row->install_id));
		row->p.corrected_by = sqlite3_column_int(st, 19);
		row->p.corrected_err_ms = sqlite3_column_int64(st, 20);
		text(st, 21, row->reason, sizeof(row->reason));
		if (fn(row, arg)) {
			/* A page cut short here would look like the last one: fail instead. */
			snprintf(err, errlen, "export stopped at row %lld", (long long)row->cursor);
			goto done;
		}
		n++;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(s, "cannot export", err, errlen);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	if (z)
		zones_free(z);
	free(z);
	free(row);
	return rc;
}

/* --- for hq_shifts.c --------------------------------------------------------- */

sqlite3 *hq_store_db(struct hq_store *s)
{
	return s->db;
}

struct hq_db *hq_store_sql(struct hq_store *s)
{
	return s->sql;
}

void hq_store_write_lock(int on)
{
	if (on)
		pthread_mutex_lock(&write_lock);
	else
		pthread_mutex_unlock(&write_lock);
}
