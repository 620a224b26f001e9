/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_store: head office's database, opened and migrated, and its kiosk
 * registry and tokens. The ratings' way in is hq_ingest.c, the ways out
 * hq_summary.c and hq_export.c; the schema is hq_migrate.c. All of it
 * speaks hq_db.h, so it runs on SQLite and on PostgreSQL alike.
 *
 * Durability decisions on SQLite, and the failure each prevents (the
 * PostgreSQL server keeps its own: synchronous_commit is its default, on):
 * - WAL + synchronous=FULL: an ack is only sent after COMMIT returned, and
 *   the commit fsyncs the WAL, so a kiosk never deletes a rating that a
 *   power cut at head office then loses.
 * - The files are private (0600, 0640 with a file group) whatever the umask.
 */
#include "hq_store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hq_migrate.h"
#include "utf8.h"

void hq_store_init_process(void)
{
	hq_db_init_process();
}

int hq_store_schema_latest(void)
{
	return hq_migrate_latest();
}

int hq_store_fail(struct hq_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, hq_db_errmsg(s->sql));
	return -1;
}

int64_t hq_store_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hq_store_text(struct hq_db_stmt *st, int col, char *out, size_t len)
{
	const char *t = hq_db_column_text(st, col);
	snprintf(out, len, "%s", t ? t : "");
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
	enum hq_db_engine engine = hq_db_engine_of(path);
	if (engine == HQ_DB_SQLITE && make_private(path, err, errlen))
		return -1;
	struct hq_store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->engine = engine;
	char what[512];
	hq_db_describe(path, what, sizeof(what));
	if (hq_db_open(&s->sql, path, err, errlen))
		goto fail;
	if (engine == HQ_DB_SQLITE &&
	    hq_db_exec(s->sql, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
		       err, errlen) != HQ_DB_DONE) {
		char why[512];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", what, why);
		goto fail;
	}
	if (hq_migrate(s->sql, what, err, errlen))
		goto fail;
	*out = s;
	return 0;
fail:
	hq_store_close(s);
	return -1;
}

void hq_store_busy_timeout(struct hq_store *s, int ms)
{
	hq_db_busy_timeout(s->sql, ms);
}

void hq_store_on_wal(struct hq_store *s, void (*fn)(void *arg, int frames), void *arg)
{
	hq_db_on_wal(s->sql, fn, arg);
}

int hq_store_checkpoint(struct hq_store *s, char *err, size_t errlen)
{
	return hq_db_checkpoint(s->sql, err, errlen) == HQ_DB_DONE ? 0 : -1;
}

int hq_store_ping(struct hq_store *s, char *err, size_t errlen)
{
	return hq_db_ping(s->sql, err, errlen) == HQ_DB_DONE ? 0 : -1;
}

int hq_store_engine(const struct hq_store *s)
{
	return (int)s->engine;
}

void hq_store_close(struct hq_store *s)
{
	if (!s)
		return;
	hq_zones_cache_free(s);
	hq_db_close(s->sql);
	free(s);
}

/* --- kiosks and tokens ------------------------------------------------------ */

static void row_kiosk(struct hq_db_stmt *st, struct hq_kiosk *k)
{
	memset(k, 0, sizeof(*k));
	hq_store_text(st, 0, k->id, sizeof(k->id));
	hq_store_text(st, 1, k->store, sizeof(k->store));
	hq_store_text(st, 2, k->area, sizeof(k->area));
	hq_store_text(st, 3, k->tz, sizeof(k->tz));
	k->created_ms = hq_db_column_int64(st, 4);
	k->revoked_ms = hq_db_column_int64(st, 5);
	k->acked_through = hq_db_column_int64(st, 6);
}

/* Runs one write statement under the process write lock. Returns hq_db_step's code. */
static int write_one(struct hq_db_stmt *st)
{
	hq_store_write_lock(1);
	int rc = hq_db_step(st);
	hq_store_write_lock(0);
	return rc;
}

/* Prepares sql for a one-off statement; -1 with err naming what. */
static int prep(struct hq_store *s, const char *sql, struct hq_db_stmt **st, const char *what, char *err,
		size_t errlen)
{
	char why[512];
	if (hq_db_prepare(s->sql, sql, st, why, sizeof(why)) == HQ_DB_DONE)
		return 0;
	snprintf(err, errlen, "%s: %s", what, why);
	return -1;
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
	struct hq_db_stmt *st;
	if (prep(s, "INSERT INTO kiosks (id, store, area, tz, token_hash, created_ms, token_prefix,"
		 " token_expires_ms) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING", &st, "cannot add kiosk",
		 err, errlen))
		return -1;
	hq_db_bind_text(st, 1, k->id);
	hq_db_bind_text(st, 2, k->store);
	hq_db_bind_text(st, 3, k->area);
	hq_db_bind_text(st, 4, k->tz);
	hq_db_bind_blob(st, 5, hash, HQ_HASH_LEN);
	hq_db_bind_int64(st, 6, hq_store_now_ms());
	hq_db_bind_text(st, 7, k->token_prefix);
	hq_db_bind_int64(st, 8, k->token_expires_ms);
	int rc = write_one(st);
	int64_t changed = hq_db_changes(st);
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return hq_store_fail(s, "cannot add kiosk", err, errlen);
	if (changed != 1)
		return 1;
	/* Every store has its row in stores (region '' until one is set): hq_scope.c reads regions there. */
	if (prep(s, "INSERT INTO stores (name) VALUES (?) ON CONFLICT (name) DO NOTHING", &st,
		 "cannot add kiosk's store", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, k->store);
	rc = write_one(st);
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : hq_store_fail(s, "cannot add kiosk's store", err, errlen);
}

int hq_store_kiosk_revoke(struct hq_store *s, const char *id, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	if (prep(s, "UPDATE kiosks SET revoked_ms = ? WHERE id = ? AND revoked_ms = 0", &st, "cannot revoke kiosk",
		 err, errlen))
		return -1;
	hq_db_bind_int64(st, 1, hq_store_now_ms());
	hq_db_bind_text(st, 2, id);
	int rc = write_one(st);
	int64_t changed = hq_db_changes(st);
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return hq_store_fail(s, "cannot revoke kiosk", err, errlen);
	if (changed == 1)
		return 0;
	/* Revoking twice is not an error; an unknown id is. */
	if (prep(s, "SELECT 1 FROM kiosks WHERE id = ?", &st, "cannot revoke kiosk", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, id);
	rc = hq_db_step(st);
	hq_db_finalize(st);
	if (rc != HQ_DB_ROW && rc != HQ_DB_DONE)
		return hq_store_fail(s, "cannot revoke kiosk", err, errlen);
	return rc == HQ_DB_ROW ? 0 : 1;
}

int hq_store_kiosk_list(struct hq_store *s, struct hq_kiosk **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db_stmt *st;
	if (prep(s, "SELECT id, store, area, tz, created_ms, revoked_ms, acked_through,"
		 " (SELECT count(*) FROM ratings r WHERE r.kiosk_id = k.id),"
		 " coalesce((SELECT region FROM stores s WHERE s.name = k.store), '')"
		 " FROM kiosks k ORDER BY id", &st, "cannot list kiosks", err, errlen))
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct hq_kiosk *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		row_kiosk(st, &(*out)[*n]);
		(*out)[*n].ratings = hq_db_column_int64(st, 7);
		hq_store_text(st, 8, (*out)[*n].region, sizeof((*out)[*n].region));
		(*n)++;
	}
	if (rc != HQ_DB_DONE)
		hq_store_fail(s, "cannot list kiosks", err, errlen);
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* Compares without an early exit, so timing does not tell how much matched. */
static int same_hash(const void *a, const void *b, size_t blen)
{
	if (!a || blen != HQ_HASH_LEN)
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
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(s->sql, "SELECT id, store, area, tz, created_ms, revoked_ms, acked_through, token_hash,"
			 " token_expires_ms, token_prefix FROM kiosks WHERE token_hash = ?", &st, why, sizeof(why))
	    != HQ_DB_DONE)
		return -1;
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	int rc = hq_db_step(st), found = 0;
	if (rc == HQ_DB_ROW) {
		row_kiosk(st, out);
		out->token_expires_ms = hq_db_column_int64(st, 8);
		hq_store_text(st, 9, out->token_prefix, sizeof(out->token_prefix));
		size_t n = 0;
		const void *held = hq_db_column_blob(st, 7, &n);
		/* An expired token is refused like a revoked one; hq_registry_expired tells the two apart. */
		found = same_hash(held, hash, n) && out->revoked_ms == 0 &&
			(out->token_expires_ms == 0 || out->token_expires_ms > hq_store_now_ms());
	}
	hq_db_reset(st);
	if (rc != HQ_DB_ROW && rc != HQ_DB_DONE)
		return -1;
	return found;
}

int hq_store_admin_add(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	if (prep(s, "INSERT INTO admin_tokens (token_hash, created_ms) VALUES (?,?)", &st, "cannot add admin token",
		 err, errlen))
		return -1;
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	hq_db_bind_int64(st, 2, hq_store_now_ms());
	int rc = write_one(st);
	if (rc != HQ_DB_DONE)
		hq_store_fail(s, "cannot add admin token", err, errlen);
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_store_admin_check(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN])
{
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(s->sql, "SELECT token_hash FROM admin_tokens WHERE token_hash = ? AND revoked_ms = 0"
			 " AND (expires_ms = 0 OR expires_ms > ?)", &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	hq_db_bind_int64(st, 2, hq_store_now_ms());
	int rc = hq_db_step(st), ok = 0;
	if (rc == HQ_DB_ROW) {
		size_t n = 0;
		const void *held = hq_db_column_blob(st, 0, &n);
		ok = same_hash(held, hash, n);
	}
	hq_db_reset(st);
	return rc == HQ_DB_ROW || rc == HQ_DB_DONE ? ok : -1;
}

/* --- installs and conflicts --------------------------------------------------- */

int hq_store_conflict_count(struct hq_store *s, const char *kiosk_id, int64_t *out)
{
	struct hq_db_stmt *st;
	char why[256];
	*out = 0;
	if (hq_db_prepare(s->sql, "SELECT count(*) FROM conflicts WHERE kiosk_id = ?", &st, why, sizeof(why))
	    != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW)
		*out = hq_db_column_int64(st, 0);
	hq_db_finalize(st);
	return rc == HQ_DB_ROW ? 0 : -1;
}

int hq_store_install_list(struct hq_store *s, const char *kiosk_id, struct hq_install **out, size_t *n,
			  char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db_stmt *st;
	if (prep(s, "SELECT i.kiosk_id, i.install_id, i.acked_through, i.first_ms, i.last_ms,"
		 " (SELECT count(*) FROM ratings r WHERE r.kiosk_id = i.kiosk_id AND r.install = i.id),"
		 " (SELECT max(seq) FROM ratings r WHERE r.kiosk_id = i.kiosk_id AND r.install = i.id),"
		 " (SELECT count(*) FROM conflicts c WHERE c.kiosk_id = i.kiosk_id AND c.install_id = i.install_id)"
		 " FROM installs i WHERE ?1 IS NULL OR i.kiosk_id = ?1 ORDER BY i.kiosk_id, i.first_ms, i.id",
		 &st, "cannot list installs", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct hq_install *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		struct hq_install *in = &(*out)[(*n)++];
		memset(in, 0, sizeof(*in));
		hq_store_text(st, 0, in->kiosk_id, sizeof(in->kiosk_id));
		hq_store_text(st, 1, in->install_id, sizeof(in->install_id));
		in->acked_through = hq_db_column_int64(st, 2);
		in->first_ms = hq_db_column_int64(st, 3);
		in->last_ms = hq_db_column_int64(st, 4);
		in->ratings = hq_db_column_int64(st, 5);
		in->last_seq = hq_db_column_int64(st, 6);
		in->conflicts = hq_db_column_int64(st, 7);
	}
	if (rc != HQ_DB_DONE)
		hq_store_fail(s, "cannot list installs", err, errlen);
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* --- for modules with their own tables ----------------------------------------- */

struct hq_db *hq_store_sql(struct hq_store *s)
{
	return s->sql;
}

void hq_store_write_lock(int on)
{
	hq_store_lock_process(on);
}
