/* SPDX-License-Identifier: Apache-2.0 */
/* hq_users: accounts and their Argon2id password hashes (see hq_users.h). */
#include "hq_users.h"

#include <argon2.h>
#include <ctype.h>
#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
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
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(hq_store_db(db)));
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

/* Runs st (prepared by the caller) under head office's write lock; finalizes it. SQLITE_DONE or the error. */
static int step_write(sqlite3_stmt *st)
{
	hq_store_write_lock(1);
	int rc = sqlite3_step(st);
	hq_store_write_lock(0);
	sqlite3_finalize(st);
	return rc;
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
	sqlite3 *s = hq_store_db(db);
	hq_store_write_lock(1);
	int rc = -1;
	if (sqlite3_exec(s, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, "cannot add user", err, errlen);
		hq_store_write_lock(0);
		return -1;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s, "INSERT INTO users (name, role, pw_hash, created_ms) VALUES (?,?,?,?)"
			       " ON CONFLICT (name) DO NOTHING", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hq_role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	if (sqlite3_changes(s) != 1) {
		rc = 1;
		goto out;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s, "INSERT OR IGNORE INTO user_scopes (username, scope) VALUES (?,?)", -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (size_t i = 0; i < u->nscopes; i++) {
		sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, u->scopes[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
	}
	rc = 0;
out:
	if (rc < 0)
		fail(db, "cannot add user", err, errlen);
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_exec(s, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(db, "cannot add user", err, errlen);
	if (rc != 0)
		sqlite3_exec(s, "ROLLBACK", NULL, NULL, NULL);
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
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *up = NULL, *del = NULL;
	hq_store_write_lock(1);
	int rc = -1, found = 0;
	if (sqlite3_exec(s, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(s, "UPDATE users SET pw_hash = ? WHERE name = ?", -1, &up, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(s, "DELETE FROM sessions WHERE username = ?", -1, &del, NULL) == SQLITE_OK) {
		sqlite3_bind_text(up, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(del, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(up) == SQLITE_DONE && (found = sqlite3_changes(s) == 1, 1) &&
		    sqlite3_step(del) == SQLITE_DONE && sqlite3_exec(s, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
			rc = found ? 0 : 1;
	}
	if (rc < 0) {
		fail(db, "cannot change password", err, errlen);
		sqlite3_exec(s, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_finalize(up);
	sqlite3_finalize(del);
	hq_store_write_lock(0);
	return rc;
}

int hq_users_del(struct hq_store *db, const char *name, char *err, size_t errlen)
{
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	/* foreign_keys=ON: its scopes and sessions go with it (ON DELETE CASCADE). */
	if (sqlite3_prepare_v2(s, "DELETE FROM users WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "cannot delete user", err, errlen);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (step_write(st) != SQLITE_DONE)
		return fail(db, "cannot delete user", err, errlen);
	return sqlite3_changes(s) == 1 ? 0 : 1;
}

/* Fills u's scopes. 0 or -1. */
static int load_scopes(sqlite3 *s, struct hq_user *u)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "SELECT scope FROM user_scopes WHERE username = ? ORDER BY scope", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	int rc;
	u->nscopes = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && u->nscopes < HQ_USERS_SCOPES_MAX) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(u->scopes[u->nscopes++], HQ_NAME_MAX, "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static void row_user(sqlite3_stmt *st, struct hq_user *u)
{
	memset(u, 0, sizeof(*u));
	const unsigned char *t = sqlite3_column_text(st, 0);
	snprintf(u->name, sizeof(u->name), "%s", t ? (const char *)t : "");
	if (hq_role_parse((const char *)sqlite3_column_text(st, 1), &u->role))
		u->role = HQ_ROLE_STORE; /* the schema's CHECK allows no other; the narrowest if it ever did */
}

int hq_users_list(struct hq_store *db, struct hq_user **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "SELECT name, role FROM users ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "cannot list users", err, errlen);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct hq_user *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			*out = more;
		}
		row_user(st, &(*out)[*n]);
		(*n)++;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; rc == SQLITE_DONE && i < *n; i++)
		if (load_scopes(s, &(*out)[i]))
			rc = SQLITE_ERROR;
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return fail(db, "cannot list users", err, errlen);
	}
	return 0;
}

int hq_users_get(struct hq_store *db, const char *name, struct hq_user *out, char *err, size_t errlen)
{
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "SELECT name, role FROM users WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "cannot read user", err, errlen);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_user(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || load_scopes(s, out))
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
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "SELECT pw_hash FROM users WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "cannot read user", err, errlen);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	char hash[256] = "";
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(hash, sizeof(hash), "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(db, "cannot read user", err, errlen);
	if (len > HQ_USERS_PW_MAX)
		return 0;
	if (rc == SQLITE_DONE) {
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
