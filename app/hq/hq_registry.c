/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_registry: token life cycle and the fleet view, as SQL on hq_store's
 * connection. These run from the tally-hq CLI (another process than the
 * server: SQLite's busy timeout orders them) and, for the fleet view, from
 * the admin API. Every change is one statement or one IMMEDIATE
 * transaction, so a token is never half rotated.
 */
#include "hq_registry.h"

#include "hq_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tzday.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int db_fail(struct hq_db *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, hq_db_errmsg(db));
	return -1;
}

static void text(struct hq_db_stmt *st, int col, char *out, size_t len)
{
	const char *t = hq_db_column_text(st, col);
	snprintf(out, len, "%s", t ? t : "");
}

/* Runs st to its first row or end and finalizes it; *changed (when not NULL) gets the rows it changed. */
static int run(struct hq_db_stmt *st, int64_t *changed)
{
	int rc = hq_db_step(st);
	if (changed)
		*changed = hq_db_changes(st);
	hq_db_finalize(st);
	return rc;
}

int hq_registry_admin_create(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], const char *prefix,
			     const char *label, int64_t expires_ms, int64_t *id, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, "INSERT INTO admin_tokens (token_hash, created_ms, prefix, label, expires_ms)"
			       " VALUES (?,?,?,?,?) RETURNING rowid", &st, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot add admin token", err, errlen);
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	hq_db_bind_int64(st, 2, now_ms());
	hq_db_bind_text(st, 3, prefix);
	hq_db_bind_text(st, 4, label ? label : "");
	hq_db_bind_int64(st, 5, expires_ms);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW) {
		*id = hq_db_column_int64(st, 0);
		rc = hq_db_step(st);
	}
	if (rc != HQ_DB_DONE)
		db_fail(db, "cannot add admin token", err, errlen);
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_registry_admin_list(struct hq_store *s, struct hq_admin_token **out, size_t *n, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	*out = NULL;
	*n = 0;
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, "SELECT rowid, prefix, label, created_ms, expires_ms, revoked_ms FROM admin_tokens"
			       " ORDER BY rowid", &st, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot list admin tokens", err, errlen);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct hq_admin_token *more = realloc(*out, cap * sizeof(*more));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		struct hq_admin_token *t = &(*out)[(*n)++];
		memset(t, 0, sizeof(*t));
		t->id = hq_db_column_int64(st, 0);
		text(st, 1, t->prefix, sizeof(t->prefix));
		text(st, 2, t->label, sizeof(t->label));
		t->created_ms = hq_db_column_int64(st, 3);
		t->expires_ms = hq_db_column_int64(st, 4);
		t->revoked_ms = hq_db_column_int64(st, 5);
	}
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot list admin tokens: %s", hq_db_errmsg(db));
		return -1;
	}
	return 0;
}

static int all_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

int hq_registry_admin_find(struct hq_store *s, const char *ref, int64_t *id, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	/* A number is an id; 4 or more hex digits are a prefix (an id like "1234" is tried as an id first). */
	char *end;
	long long n = strtoll(ref, &end, 10);
	if (*ref && !*end && n > 0) {
		if (hq_db_prepare(db, "SELECT rowid FROM admin_tokens WHERE rowid = ?", &st, NULL, 0) != HQ_DB_DONE)
			return db_fail(db, "cannot find admin token", err, errlen);
		hq_db_bind_int64(st, 1, n);
		int rc = hq_db_step(st);
		hq_db_finalize(st);
		if (rc == HQ_DB_ROW) {
			*id = n;
			return 0;
		}
	}
	if (strlen(ref) < 4 || strlen(ref) > HQ_TOKEN_PREFIX_LEN || !all_hex(ref))
		return 1;
	if (hq_db_prepare(db, "SELECT rowid FROM admin_tokens WHERE prefix <> '' AND substr(prefix, 1, ?1) = ?2"
			       " LIMIT 2", &st, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot find admin token", err, errlen);
	hq_db_bind_int64(st, 1, (int)strlen(ref));
	hq_db_bind_text(st, 2, ref);
	int found = 0, rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		*id = hq_db_column_int64(st, 0);
		found++;
	}
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return db_fail(db, "cannot find admin token", err, errlen);
	return found == 0 ? 1 : found == 1 ? 0 : 2;
}

int hq_registry_admin_revoke(struct hq_store *s, int64_t id, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, "UPDATE admin_tokens SET revoked_ms = CASE WHEN revoked_ms = 0 THEN ?1 ELSE revoked_ms END"
			       " WHERE rowid = ?2", &st, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot revoke admin token", err, errlen);
	hq_db_bind_int64(st, 1, now_ms());
	hq_db_bind_int64(st, 2, id);
	int64_t changed = 0;
	if (run(st, &changed) != HQ_DB_DONE)
		return db_fail(db, "cannot revoke admin token", err, errlen);
	return changed == 1 ? 0 : 1;
}

int hq_registry_admin_rotate(struct hq_store *s, int64_t id, const uint8_t hash[HQ_HASH_LEN], const char *prefix,
			     int64_t expires_ms, int64_t *new_id, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	if (errlen)
		err[0] = '\0';
	if (hq_db_begin(db, 1, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot rotate admin token", err, errlen);
	struct hq_db_stmt *st;
	char label[HQ_LABEL_MAX] = "";
	int step = HQ_DB_ERROR;
	if (hq_db_prepare(db, "SELECT label FROM admin_tokens WHERE rowid = ? AND revoked_ms = 0", &st, NULL, 0) ==
	    HQ_DB_DONE) {
		hq_db_bind_int64(st, 1, id);
		step = hq_db_step(st);
		if (step == HQ_DB_ROW)
			text(st, 0, label, sizeof(label));
		hq_db_finalize(st);
	}
	int rc = step == HQ_DB_DONE ? 1 : -1;
	if (step == HQ_DB_ROW) {
		/* The old token is revoked in the transaction that adds the new one. */
		if (hq_registry_admin_create(s, hash, prefix, label, expires_ms, new_id, err, errlen) == 0 &&
		    hq_registry_admin_revoke(s, id, err, errlen) == 0 &&
		    hq_db_commit(db, NULL, 0) == HQ_DB_DONE)
			return 0;
	}
	if (rc < 0 && !*err)
		db_fail(db, "cannot rotate admin token", err, errlen);
	hq_db_rollback(db);
	return rc;
}

int hq_registry_kiosk_rotate(struct hq_store *s, const char *id, const uint8_t hash[HQ_HASH_LEN], const char *prefix,
			     int64_t expires_ms, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	/* One statement: the new hash replaces the old, so the old token stops working at this commit. */
	if (hq_db_prepare(db, "UPDATE kiosks SET token_hash = ?1, token_prefix = ?2, token_expires_ms = ?3"
			       " WHERE id = ?4 AND revoked_ms = 0", &st, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot rotate kiosk token", err, errlen);
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	hq_db_bind_text(st, 2, prefix);
	hq_db_bind_int64(st, 3, expires_ms);
	hq_db_bind_text(st, 4, id);
	int64_t changed = 0;
	if (run(st, &changed) != HQ_DB_DONE)
		return db_fail(db, "cannot rotate kiosk token", err, errlen);
	if (changed == 1)
		return 0;
	if (hq_db_prepare(db, "SELECT 1 FROM kiosks WHERE id = ?", &st, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot rotate kiosk token", err, errlen);
	hq_db_bind_text(st, 1, id);
	int rc = run(st, NULL);
	return rc == HQ_DB_ROW ? 2 : 1;
}

int hq_registry_expired(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], char *who, size_t wholen,
			int64_t *expired_ms)
{
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	if (hq_db_prepare(db,
			       "SELECT 'kiosk ' || id, token_expires_ms FROM kiosks WHERE token_hash = ?1 AND revoked_ms = 0"
			       " AND token_expires_ms <> 0 AND token_expires_ms <= ?2"
			       " UNION ALL SELECT 'admin token ' || rowid, expires_ms FROM admin_tokens WHERE token_hash = ?1"
			       " AND revoked_ms = 0 AND expires_ms <> 0 AND expires_ms <= ?2", &st, NULL, 0) != HQ_DB_DONE)
		return -1;
	hq_db_bind_blob(st, 1, hash, HQ_HASH_LEN);
	hq_db_bind_int64(st, 2, now_ms());
	int rc = hq_db_step(st), found = 0;
	if (rc == HQ_DB_ROW) {
		text(st, 0, who, wholen);
		*expired_ms = hq_db_column_int64(st, 1);
		found = 1;
	}
	hq_db_finalize(st);
	return rc == HQ_DB_ROW || rc == HQ_DB_DONE ? found : -1;
}

/*
 * Fleet health: what this batch says about its kiosk (time, its highest
 * seq, version, the clock of its newest rating) and the counters /metrics
 * reports. The last batch's highest seq, not the highest ever: a re-imaged
 * kiosk starts again at 1, and that is what the admin should see. In the ingest transaction, so it is exactly as true as the
 * rows it describes.
 */
int hq_registry_note_batch(struct hq_store *s, const struct hq_kiosk *k, const struct protocol_batch *b,
			   int64_t now, const struct protocol_ack *ack)
{
	const struct protocol_rating *newest = NULL;
	for (size_t i = 0; i < b->n; i++)
		if (!newest || b->ratings[i].r.seq > newest->r.seq)
			newest = &b->ratings[i];
	const char *clock = !newest ? NULL : newest->r.clock_synced ? "synced" : newest->has_corrected ? "corrected"
											   : "unsynced";
	struct hq_db_stmt *st;
	/* Cached: every batch runs it. */
	if (hq_db_cached(hq_store_sql(s),
			       "UPDATE kiosks SET last_batch_ms = ?1, last_seq = CASE WHEN ?2 > 0 THEN ?2 ELSE last_seq END,"
			       " version = CASE WHEN ?3 = '' THEN version ELSE ?3 END, clock_state = coalesce(?4, clock_state),"
			       " batches = batches + 1, accepted = accepted + ?5, duplicates = duplicates + ?6 WHERE id = ?7", &st, NULL, 0) != HQ_DB_DONE)
		return -1;
	hq_db_bind_int64(st, 1, now);
	hq_db_bind_int64(st, 2, newest ? newest->r.seq : 0);
	hq_db_bind_text(st, 3, b->version);
	if (clock)
		hq_db_bind_text(st, 4, clock);
	hq_db_bind_int64(st, 5, ack->accepted);
	hq_db_bind_int64(st, 6, ack->duplicates);
	hq_db_bind_text(st, 7, k->id);
	int rc = hq_db_step(st);
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_registry_fleet(struct hq_store *s, struct hq_fleet_kiosk **out, size_t *n, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	*out = NULL;
	*n = 0;
	struct hq_db_stmt *st;
	/* Conflicts: the ratings refused as conflicting, from ingest's log of them (hq_store). */
	const char *sql = "SELECT id, store, area, tz, created_ms, revoked_ms, acked_through, token_prefix,"
			  " token_expires_ms, last_batch_ms, last_seq, version, clock_state,"
			  " (SELECT count(*) FROM conflicts c WHERE c.kiosk_id = k.id), batches, accepted, duplicates,"
			  " (SELECT count(*) FROM ratings r WHERE r.kiosk_id = k.id)"
			  " FROM kiosks k ORDER BY revoked_ms <> 0, last_batch_ms, id";
	if (hq_db_prepare(db, sql, &st, NULL, 0) != HQ_DB_DONE)
		return db_fail(db, "cannot list kiosks", err, errlen);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct hq_fleet_kiosk *more = realloc(*out, cap * sizeof(*more));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		struct hq_fleet_kiosk *f = &(*out)[(*n)++];
		memset(f, 0, sizeof(*f));
		text(st, 0, f->k.id, sizeof(f->k.id));
		text(st, 1, f->k.store, sizeof(f->k.store));
		text(st, 2, f->k.area, sizeof(f->k.area));
		text(st, 3, f->k.tz, sizeof(f->k.tz));
		f->k.created_ms = hq_db_column_int64(st, 4);
		f->k.revoked_ms = hq_db_column_int64(st, 5);
		f->k.acked_through = hq_db_column_int64(st, 6);
		text(st, 7, f->k.token_prefix, sizeof(f->k.token_prefix));
		f->k.token_expires_ms = hq_db_column_int64(st, 8);
		f->last_batch_ms = hq_db_column_int64(st, 9);
		f->last_seq = hq_db_column_int64(st, 10);
		text(st, 11, f->version, sizeof(f->version));
		text(st, 12, f->clock, sizeof(f->clock));
		f->conflicts = hq_db_column_int64(st, 13);
		f->batches = hq_db_column_int64(st, 14);
		f->accepted = hq_db_column_int64(st, 15);
		f->duplicates = hq_db_column_int64(st, 16);
		f->k.ratings = hq_db_column_int64(st, 17);
	}
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot list kiosks: %s", hq_db_errmsg(db));
		return -1;
	}
	return 0;
}

int hq_registry_parse_expiry(const char *s, int64_t now, int64_t *expires_ms, char *err, size_t errlen)
{
	struct tzdate d;
	char *end;
	long long days = strtoll(s, &end, 10);
	if (*s >= '0' && *s <= '9' && !*end) {
		if (days < 1 || days > 36500) {
			snprintf(err, errlen, "--expires %s: days must be 1 to 36500", s);
			return -1;
		}
		*expires_ms = now + days * 86400000LL;
		return 0;
	}
	if (tzday_parse_date(s, &d)) {
		snprintf(err, errlen, "--expires %s: give a number of days or a date YYYY-MM-DD", s);
		return -1;
	}
	/* Valid through the whole day named, in UTC: it expires at the next midnight. */
	*expires_ms = (tzif_days_from_civil(d.year, d.month, d.day) + 1) * 86400000LL;
	if (*expires_ms <= now) {
		snprintf(err, errlen, "--expires %s: that day is over", s);
		return -1;
	}
	return 0;
}
