/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store: SQLite in WAL mode with synchronous=FULL.
 *
 * Durability decisions, and the failure each prevents:
 * - WAL + synchronous=FULL: a commit fsyncs the WAL, so a rating survives a
 *   power cut the instant store_add returns (NORMAL would lose the last
 *   commits on power loss in WAL mode).
 * - seq is INTEGER PRIMARY KEY AUTOINCREMENT: SQLite never hands out a
 *   sequence twice, even after the newest rows are deleted, so head office
 *   can deduplicate on (kiosk id, seq) forever.
 * - quick_check at open, before anything writes: a damaged file is reported
 *   and left untouched for recovery, never "repaired" by recreating it.
 * - busy_timeout: tally-sync reads and marks rows from another process.
 * - The schema version is PRAGMA user_version; migrations only go forward,
 *   each in the same transaction as the version bump.
 */
#include "store.h"
#include "datadir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *last;
	sqlite3_stmt *reason;
	char path[1024];
	char install_id[STORE_INSTALL_ID_MAX];
};

/* Migration N takes a file from version N-1 to N. Append; never edit. */
static const char *migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE ratings ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kiosk_id TEXT NOT NULL,"
	" value INTEGER NOT NULL,"
	" scale INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" wall_ms INTEGER NOT NULL,"
	" boot_ms INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL,"
	" clock_synced INTEGER NOT NULL);",
	/* 2: misuse and closed-hours flags from the press filter */
	"ALTER TABLE ratings ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 3: store-and-forward and time correction.
	 * corrected_ms: wall time recomputed from a later synced reading in the
	 *   same boot (NULL: not corrected; trust wall_ms only if clock_synced).
	 * acked: head office acknowledged this row; only acked rows may be pruned.
	 * summary: head office's figures for the staff screens, with "as of".
	 */
	"ALTER TABLE ratings ADD COLUMN corrected_ms INTEGER;"
	"ALTER TABLE ratings ADD COLUMN acked INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX ratings_unacked ON ratings(acked, seq);"
	"CREATE INDEX ratings_wall ON ratings(wall_ms);"
	"CREATE TABLE summary (day TEXT PRIMARY KEY, json TEXT NOT NULL,"
	" as_of_ms INTEGER NOT NULL, fetched_ms INTEGER NOT NULL);",
	/*
	 * 4: corrected times indexed, so a day's figures find a rating whose
	 * clock was wrong by any amount (a weekend's power cut) by its real time.
	 */
	"CREATE INDEX ratings_corrected ON ratings(corrected_ms) WHERE corrected_ms IS NOT NULL;",
	/*
	 * 5: the store's own identity, and where a corrected time came from.
	 * install_id: 128 random bits made with the database (and given to an
	 *   older store by this migration), so head office keys a rating
	 *   (kiosk, install, seq): a re-imaged kiosk keeps its id and token but
	 *   gets a new store whose seq restarts at 1, and without this its new
	 *   ratings would look like repeats of the old ones and be lost.
	 *   randomblob() comes from SQLite's PRNG, seeded from the kernel's
	 *   random source (/dev/urandom) by the unix VFS.
	 * corrected_by: 0 the kiosk's own synced clock, 1 head office's clock;
	 * corrected_err_ms: the error bound of a head-office correction.
	 */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('install_id', lower(hex(randomblob(16))));"
	"ALTER TABLE ratings ADD COLUMN corrected_by INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE ratings ADD COLUMN corrected_err_ms INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 6: the follow-up question's answer (followup.h).
	 * reason: the answer's text as configured when it was chosen; NULL: no
	 *   answer (none asked, or none given in time). Written once, after the
	 *   rating itself was committed at the press (store_set_reason).
	 * reason_acked: head office acknowledged this reason. Kept apart from
	 *   acked because an answer may come after its rating was sent: it then
	 *   travels alone in a later batch, and only an ack of that batch marks it.
	 */
	"ALTER TABLE ratings ADD COLUMN reason TEXT;"
	"ALTER TABLE ratings ADD COLUMN reason_acked INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX ratings_reason_unsent ON ratings(seq) WHERE reason IS NOT NULL AND reason_acked = 0;",
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_schema_latest(void)
{
	return N_MIGRATIONS;
}

static int fail(char *err, size_t errlen, const char *path, const char *what, const char *why)
{
	snprintf(err, errlen, "%s: %s%s%s", path, what, why ? ": " : "", why ? why : "");
	return -1;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(out, outlen, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int migrate(struct store *s, char *err, size_t errlen)
{
	char buf[64];
	if (exec(s->db, "BEGIN IMMEDIATE") != SQLITE_OK)
		return fail(err, errlen, s->path, "cannot start migration", sqlite3_errmsg(s->db));
	if (pragma_text(s->db, "PRAGMA user_version", buf, sizeof(buf)) != SQLITE_OK)
		goto bad;
	int version = atoi(buf);
	if (version > N_MIGRATIONS) {
		exec(s->db, "ROLLBACK");
		snprintf(err, errlen, "%s: schema version %d is newer than this Tally understands (%d); refusing to touch it",
			 s->path, version, N_MIGRATIONS);
		return -1;
	}
	for (int v = version; v < N_MIGRATIONS; v++) {
		if (exec(s->db, migrations[v]) != SQLITE_OK)
			goto bad;
		snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", v + 1);
		if (exec(s->db, buf) != SQLITE_OK)
			goto bad;
	}
	if (exec(s->db, "COMMIT") != SQLITE_OK)
		goto bad;
	return 0;
bad:
	fail(err, errlen, s->path, "cannot migrate schema", sqlite3_errmsg(s->db));
	exec(s->db, "ROLLBACK");
	return -1;
}

/*
 * A file nobody may write is refused up front: SQLite would open it
 * read-only and fail only at the first rating, after a customer pressed.
 * Checking the mode bits as well as access() keeps this true for root,
 * whom access() always allows.
 */
static int check_writable(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : fail(err, errlen, path, "cannot open", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, path, "not a regular file", NULL);
	if (access(path, R_OK | W_OK) != 0 || (st.st_mode & 0222) == 0)
		return fail(err, errlen, path, "database is read-only; nothing can be stored", NULL);
	return 0;
}

int store_open(struct store **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	if (check_writable(path, err, errlen))
		return -1;
	/* SQLite would say only "unable to open database file"; name the cause. */
	if (datadir_check(path, geteuid(), getegid(), err, errlen))
		return -1;
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, errlen, path, "out of memory", NULL);
	snprintf(s->path, sizeof(s->path), "%s", path);
	char buf[256];
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		fail(err, errlen, path, "cannot open database", s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto bad;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	/* Read-only checks first: nothing may write to a file we have not verified. */
	int rc = pragma_text(s->db, "PRAGMA quick_check", buf, sizeof(buf));
	if (rc != SQLITE_OK) {
		fail(err, errlen, path, "database is corrupt or not a database, left untouched", sqlite3_errmsg(s->db));
		goto bad;
	}
	if (strcmp(buf, "ok") != 0) {
		fail(err, errlen, path, "database is corrupt, left untouched", buf);
		goto bad;
	}
	if (pragma_text(s->db, "PRAGMA journal_mode=WAL", buf, sizeof(buf)) != SQLITE_OK || strcmp(buf, "wal") != 0) {
		fail(err, errlen, path, "cannot switch to WAL journal", sqlite3_errmsg(s->db));
		goto bad;
	}
	if (exec(s->db, "PRAGMA synchronous=FULL") != SQLITE_OK) {
		fail(err, errlen, path, "cannot set synchronous=FULL", sqlite3_errmsg(s->db));
		goto bad;
	}
	if (migrate(s, err, errlen))
		goto bad;
	if (pragma_text(s->db, "SELECT value FROM meta WHERE key = 'install_id'", s->install_id,
			sizeof(s->install_id)) != SQLITE_OK || !s->install_id[0]) {
		fail(err, errlen, path, "store has no install id", sqlite3_errmsg(s->db));
		goto bad;
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags)"
			       " VALUES (?,?,?,?,?,?,?,?,?)",
			       -1, &s->insert, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "SELECT " STORE_RATING_COLUMNS " FROM ratings WHERE kiosk_id = ? ORDER BY seq DESC LIMIT 1",
			       -1, &s->last, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE ratings SET reason = ? WHERE seq = ? AND reason IS NULL", -1, &s->reason,
			       NULL) != SQLITE_OK) {
		fail(err, errlen, path, "cannot prepare statements", sqlite3_errmsg(s->db));
		goto bad;
	}
	*out = s;
	return 0;
bad:
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->last);
	sqlite3_finalize(s->reason);
	sqlite3_close(s->db);
	free(s);
}

int store_add(struct store *s, struct rating *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->insert;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, r->kiosk_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->value);
	sqlite3_bind_int(st, 3, r->scale);
	sqlite3_bind_text(st, 4, rating_source_name(r->source), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, r->wall_ms);
	sqlite3_bind_int64(st, 6, r->boot_ms);
	sqlite3_bind_text(st, 7, r->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, r->clock_synced);
	sqlite3_bind_int(st, 9, r->flags);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return fail(err, errlen, s->path, "cannot store rating", sqlite3_errmsg(s->db));
	r->seq = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_set_reason(struct store *s, int64_t seq, const char *reason, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->reason;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	int rc = sqlite3_step(st);
	int changed = sqlite3_changes(s->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return fail(err, errlen, s->path, "cannot store the answer", sqlite3_errmsg(s->db));
	if (changed != 1) {
		snprintf(err, errlen, "%s: rating %lld has an answer already or is not held; the answer was not stored",
			 s->path, (long long)seq);
		return 1;
	}
	return 0;
}

void store_row_rating(sqlite3_stmt *st, int c, struct rating *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(st, c);
	snprintf(r->kiosk_id, sizeof(r->kiosk_id), "%s", (const char *)sqlite3_column_text(st, c + 1));
	r->value = sqlite3_column_int(st, c + 2);
	r->scale = sqlite3_column_int(st, c + 3);
	const unsigned char *src = sqlite3_column_text(st, c + 4);
	if (!src || rating_source_parse((const char *)src, &r->source))
		r->source = SOURCE_KEY;
	r->wall_ms = sqlite3_column_int64(st, c + 5);
	r->boot_ms = sqlite3_column_int64(st, c + 6);
	snprintf(r->boot_id, sizeof(r->boot_id), "%s", (const char *)sqlite3_column_text(st, c + 7));
	r->clock_synced = sqlite3_column_int(st, c + 8);
	r->flags = sqlite3_column_int(st, c + 9);
}

int store_last(struct store *s, const char *kiosk_id, struct rating *out)
{
	sqlite3_stmt *st = s->last;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int found = 0;
	if (rc == SQLITE_ROW) {
		store_row_rating(st, 0, out);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return found;
}

int64_t store_count(struct store *s)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM ratings", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

void store_checkpoint(struct store *s)
{
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

const char *store_install_id(const struct store *s)
{
	return s->install_id;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}
