/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_users: head office's people. A user has a name, a role and a
 * password kept only as an Argon2id hash (libargon2, encoded form with its
 * parameters and salt, so stronger parameters later still verify old
 * hashes):
 *
 *   chain   sees every store
 *   region  sees the stores of its regions (one or more)
 *   store   sees its one store
 *
 * Parameters: HQ_USERS_T_COST passes over HQ_USERS_M_COST_KIB of memory,
 * HQ_USERS_LANES lanes, a 16-byte salt from getrandom(2), a 32-byte hash
 * (RFC 9106's second recommended set, with one lane). At most
 * HQ_USERS_CONCURRENT logins hash at once, so a burst costs bounded memory.
 */
#ifndef HQ_USERS_H
#define HQ_USERS_H

#include <stddef.h>

#include "hq_store.h"

#define HQ_USERS_T_COST 3
#define HQ_USERS_M_COST_KIB 65536
#define HQ_USERS_LANES 1
#define HQ_USERS_CONCURRENT 4   /* logins hashing at once (64 MiB each); more wait */
#define HQ_USERS_SALT_LEN 16
#define HQ_USERS_HASH_LEN 32
#define HQ_USERS_PW_MIN 8
#define HQ_USERS_PW_MAX 1024
#define HQ_USERS_NAME_MAX 64
#define HQ_USERS_SCOPES_MAX 32

enum hq_role { HQ_ROLE_CHAIN, HQ_ROLE_REGION, HQ_ROLE_STORE };

struct hq_user {
	char name[HQ_USERS_NAME_MAX];
	enum hq_role role;
	size_t nscopes;                                 /* regions (region), the store (store), none (chain) */
	char scopes[HQ_USERS_SCOPES_MAX][HQ_NAME_MAX];
};

/* "chain", "region", "store". */
const char *hq_role_name(enum hq_role r);
/* 0 with *out set, or -1 for an unknown name. */
int hq_role_parse(const char *s, enum hq_role *out);

/* The rule for user names: 1..63 of letters, digits, '-', '_', '.', '@'. 1 ok, 0 not. */
int hq_users_name_ok(const char *name);

/* Argon2id of pw in encoded form into out (at least 128 bytes). 0, or -1 with err. */
int hq_users_hash(const char *pw, size_t len, char *out, size_t outlen, char *err, size_t errlen);

/* Adds u with password pw. 0; 1 name taken; -1 with err (also for a bad role/scope combination). */
int hq_users_add(struct hq_store *db, const struct hq_user *u, const char *pw, char *err, size_t errlen);
/* New password for name; ends all its sessions. 0; 1 no such user; -1 with err. */
int hq_users_passwd(struct hq_store *db, const char *name, const char *pw, char *err, size_t errlen);
/* Deletes name and its sessions. 0; 1 no such user; -1 with err. */
int hq_users_del(struct hq_store *db, const char *name, char *err, size_t errlen);
/* Every user by name; *out malloc'd. 0 or -1 with err. */
int hq_users_list(struct hq_store *db, struct hq_user **out, size_t *n, char *err, size_t errlen);
/* The user called name: 1 found, 0 none, -1 error (err). */
int hq_users_get(struct hq_store *db, const char *name, struct hq_user *out, char *err, size_t errlen);

/*
 * Checks a password: 1 right, 0 wrong or no such user, -1 error. An
 * unknown name costs one Argon2id all the same, so the time taken does
 * not tell which names exist.
 */
int hq_users_verify(struct hq_store *db, const char *name, const char *pw, size_t len, char *err, size_t errlen);

#endif
