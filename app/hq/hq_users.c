/* SPDX-License-Identifier: Apache-2.0 */
/* hq_users: accounts and their Argon2id password hashes (see hq_users.h). */
#include "hq_users.h"

#include "hq_db.h"

#include <argon2.h>
#include <ctype.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static const char *const role_names[] = { "chain", "region", "store" };

const char *hq_role_name(enum hq_role r)
{
	return (unsigned)r < 3 ? role_names[r] : "?";
}

int hq_role_parse(const char *s, enum hq_role *out)
{
	for (int i = 0; i < 3; i++)
		if (s && !strcmp(s, role_names[i])) {
			*out = (enum hq_role)i;
			return 0;
		}
	return -1;
}

int hq_users_name_ok(const char *name)
{
	if (!name || !*name || strlen(name) >= HQ_USERS_NAME_MAX)
		return 0;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("-_.@", *c))
			return 0;
	return 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(struct hq_store *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, hq_db_errmsg(hq_store_sql(db)));
	return -1;
}

int hq_users_hash(const char *pw, size_t len, char *out, size_t outlen, char *err, size_t errlen)
{
	uint8_t salt[HQ_USERS_SALT_LEN];
	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt)) {
		snprintf(err, errlen, "cannot read random bytes for a salt");
		return -1;
	}
	int rc = argon2id_hash_encoded(HQ_USERS_T_COST, HQ_USERS_M_COST_KIB, HQ_USERS_LANES, pw, len, salt,
				       sizeof(salt), HQ_USERS_HASH_LEN, out, outlen);
	if (rc != ARGON2_OK) {
		snprintf(err, errlen, "argon2id: %s", argon2_error_message(rc));
		return -1;
	}
	return 0;
}

static int check_pw(const char *pw, char *err, size_t errlen)
{
	size_t n = strlen(pw);
	if (n < HQ_USERS_PW_MIN || n > HQ_USERS_PW_MAX) {
		snprintf(err, errlen, "a password has %d to %d bytes", HQ_USERS_PW_MIN, HQ_USERS_PW_MAX);
		return -1;
	}
	return 0;
}

int hq_users_add(struct hq_store *db, const struct hq_user *u, const char *pw, char *err, size_t errlen)
{
	if (!hq_users_name_ok(u->name)) {
		snprintf(err, errlen, "a user name has 1 to %d letters, digits, '-', '_', '.' or '@'", HQ_USERS_NAME_MAX - 1);
		return -1;
	}
	if ((u->role == HQ_ROLE_CHAIN && u->nscopes) || (u->role == HQ_ROLE_REGION && !u->nscopes) ||
	    (u->role == HQ_ROLE_STORE && u->nscopes != 1) || u->nscopes > HQ_USERS_SCOPES_MAX) {
		snprintf(err, errlen, "role chain takes no --region/--store, region one or more --region, store exactly one --store");
		return -1;
	}
	for (size_t i = 0; i < u->nscopes; i++)
		if (!u->scopes[i][0]) {
			snprintf(err, errlen, "a region or store name cannot be empty");
			return -1;
		}
	if (check_pw(pw, err, errlen))
		return -1;
	char hash[256];
	if (hq_users_hash(pw, strlen(pw), hash, sizeof(hash), err, errlen))
		return -1;
	struct hq_db *s = hq_store_sql(db);
	hq_store_write_lock(1);
	int rc = -1;
	if (hq_db_begin(s, 1, NULL, 0) != HQ_DB_DONE) {
		fail(db, "cannot add user", err, errlen);
		hq_store_write_lock(0);
		return -1;
	}
	struct hq_db_stmt *st = NULL;
	if (hq_db_prepare(s, "INSERT INTO users (name, role, pw_hash, created_ms) VALUES (?,?,?,?)"
			       " ON CONFLICT (name) DO NOTHING", &st, NULL, 0) != HQ_DB_DONE)
		goto out;
	hq_db_bind_text(st, 1, u->name);
	hq_db_bind_text(st, 2, hq_role_name(u->role));
	hq_db_bind_text(st, 3, hash);
	hq_db_bind_int64(st, 4, now_ms());
	if (hq_db_step(st) != HQ_DB_DONE)
		goto out;
	if (hq_db_changes(st) != 1) {
		rc = 1;
		goto out;
	}
	hq_db_finalize(st);
	if (hq_db_prepare(s, "INSERT INTO user_scopes (username, scope) VALUES (?,?) ON CONFLICT DO NOTHING", &st, NULL, 0) != HQ_DB_DONE)
		goto out;
	for (size_t i = 0; i < u->nscopes; i++) {
		hq_db_bind_text(st, 1, u->name);
		hq_db_bind_text(st, 2, u->scopes[i]);
		if (hq_db_step(st) != HQ_DB_DONE)
			goto out;
		hq_db_reset(st);
	}
	rc = 0;
out:
	if (rc < 0)
		fail(db, "cannot add user", err, errlen);
	hq_db_finalize(st);
	if (rc == 0 && hq_db_commit(s, NULL, 0) != HQ_DB_DONE)
		rc = fail(db, "cannot add user", err, errlen);
	if (rc != 0)
		hq_db_rollback(s);
	hq_store_write_lock(0);
	return rc;
}

int hq_users_passwd(struct hq_store *db, const char *name, const char *pw, char *err, size_t errlen)
{
	if (check_pw(pw, err, errlen))
		return -1;
	char hash[256];
	if (hq_users_hash(pw, strlen(pw), hash, sizeof(hash), err, errlen))
		return -1;
	/* One transaction: the new hash and the end of the old sessions together. */
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *up = NULL, *del = NULL;
	hq_store_write_lock(1);
	int rc = -1, found = 0;
	if (hq_db_begin(s, 1, NULL, 0) == HQ_DB_DONE &&
	    hq_db_prepare(s, "UPDATE users SET pw_hash = ? WHERE name = ?", &up, NULL, 0) == HQ_DB_DONE &&
	    hq_db_prepare(s, "DELETE FROM sessions WHERE username = ?", &del, NULL, 0) == HQ_DB_DONE) {
		hq_db_bind_text(up, 1, hash);
		hq_db_bind_text(up, 2, name);
		hq_db_bind_text(del, 1, name);
		if (hq_db_step(up) == HQ_DB_DONE && (found = hq_db_changes(up) == 1, 1) &&
		    hq_db_step(del) == HQ_DB_DONE && hq_db_commit(s, NULL, 0) == HQ_DB_DONE)
			rc = found ? 0 : 1;
	}
	if (rc < 0) {
		fail(db, "cannot change password", err, errlen);
		hq_db_rollback(s);
	}
	hq_db_finalize(up);
	hq_db_finalize(del);
	hq_store_write_lock(0);
	return rc;
}

int hq_users_del(struct hq_store *db, const char *name, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	/* foreign_keys=ON: its scopes and sessions go with it (ON DELETE CASCADE). */
	if (hq_db_prepare(s, "DELETE FROM users WHERE name = ?", &st, NULL, 0) != HQ_DB_DONE)
		return fail(db, "cannot delete user", err, errlen);
	hq_db_bind_text(st, 1, name);
	hq_store_write_lock(1);
	int rc = hq_db_step(st);
	hq_store_write_lock(0);
	int64_t changed = hq_db_changes(st);
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return fail(db, "cannot delete user", err, errlen);
	return changed == 1 ? 0 : 1;
}

/* Fills u's scopes. 0 or -1. */
static int load_scopes(struct hq_db *s, struct hq_user *u)
{
	struct hq_db_stmt *st;
	if (hq_db_prepare(s, "SELECT scope FROM user_scopes WHERE username = ? ORDER BY scope", &st, NULL, 0) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, u->name);
	int rc;
	u->nscopes = 0;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW && u->nscopes < HQ_USERS_SCOPES_MAX) {
		const char *t = hq_db_column_text(st, 0);
		snprintf(u->scopes[u->nscopes++], HQ_NAME_MAX, "%s", t ? (const char *)t : "");
	}
	hq_db_finalize(st);
	return rc == HQ_DB_DONE || rc == HQ_DB_ROW ? 0 : -1;
}

static void row_user(struct hq_db_stmt *st, struct hq_user *u)
{
	memset(u, 0, sizeof(*u));
	const char *t = hq_db_column_text(st, 0);
	snprintf(u->name, sizeof(u->name), "%s", t ? (const char *)t : "");
	if (hq_role_parse(hq_db_column_text(st, 1), &u->role))
		u->role = HQ_ROLE_STORE; /* the schema's CHECK allows no other; the narrowest if it ever did */
}

int hq_users_list(struct hq_store *db, struct hq_user **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_db_prepare(s, "SELECT name, role FROM users ORDER BY name", &st, NULL, 0) != HQ_DB_DONE)
		return fail(db, "cannot list users", err, errlen);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct hq_user *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		row_user(st, &(*out)[*n]);
		(*n)++;
	}
	hq_db_finalize(st);
	for (size_t i = 0; rc == HQ_DB_DONE && i < *n; i++)
		if (load_scopes(s, &(*out)[i]))
			rc = HQ_DB_ERROR;
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return fail(db, "cannot list users", err, errlen);
	}
	return 0;
}

int hq_users_get(struct hq_store *db, const char *name, struct hq_user *out, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_db_prepare(s, "SELECT name, role FROM users WHERE name = ?", &st, NULL, 0) != HQ_DB_DONE)
		return fail(db, "cannot read user", err, errlen);
	hq_db_bind_text(st, 1, name);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW)
		row_user(st, out);
	hq_db_finalize(st);
	if (rc == HQ_DB_DONE)
		return 0;
	if (rc != HQ_DB_ROW || load_scopes(s, out))
		return fail(db, "cannot read user", err, errlen);
	return 1;
}

/*
 * At most HQ_USERS_CONCURRENT Argon2id runs at once in this process: each
 * takes HQ_USERS_M_COST_KIB of memory, and a burst of logins on every
 * worker thread must not take the server's memory with it (the others wait).
 */
static sem_t slots;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void make_slots(void)
{
	sem_init(&slots, 0, HQ_USERS_CONCURRENT);
}

static int verify_limited(const char *encoded, const char *pw, size_t len)
{
	pthread_once(&slots_once, make_slots);
	while (sem_wait(&slots) != 0)
		; /* EINTR */
	int rc = argon2id_verify(encoded, pw, len);
	sem_post(&slots);
	return rc;
}

/* A hash of a random password nobody knows: what an unknown name is checked against. */
static char decoy[256];
static int decoy_ok;
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void make_decoy(void)
{
	uint8_t pw[32];
	char err[128];
	decoy_ok = getrandom(pw, sizeof(pw), 0) == (ssize_t)sizeof(pw) &&
		   hq_users_hash((const char *)pw, sizeof(pw), decoy, sizeof(decoy), err, sizeof(err)) == 0;
}

int hq_users_verify(struct hq_store *db, const char *name, const char *pw, size_t len, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_db_prepare(s, "SELECT pw_hash FROM users WHERE name = ?", &st, NULL, 0) != HQ_DB_DONE)
		return fail(db, "cannot read user", err, errlen);
	hq_db_bind_text(st, 1, name);
	char hash[256] = "";
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW) {
		const char *t = hq_db_column_text(st, 0);
		snprintf(hash, sizeof(hash), "%s", t ? (const char *)t : "");
	}
	hq_db_finalize(st);
	if (rc != HQ_DB_ROW && rc != HQ_DB_DONE)
		return fail(db, "cannot read user", err, errlen);
	if (len > HQ_USERS_PW_MAX)
		return 0;
	if (rc == HQ_DB_DONE) {
		pthread_once(&decoy_once, make_decoy);
		if (decoy_ok)
			(void)verify_limited(decoy, pw, len);
		return 0;
	}
	int v = verify_limited(hash, pw, len);
	if (v == ARGON2_OK)
		return 1;
	if (v == ARGON2_VERIFY_MISMATCH)
		return 0;
	snprintf(err, errlen, "user %s: stored hash unusable: %s", name, argon2_error_message(v));
	return -1;
}
