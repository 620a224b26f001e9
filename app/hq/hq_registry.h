/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_registry: what an operator does with head office's registry, beyond
 * adding kiosks: the life cycle of tokens (list, revoke, rotate, expiry)
 * and the fleet's health (which kiosk was last heard when, with what
 * version, clock and conflicts).
 *
 * Tokens are referred to by an id (admin tokens: a number) or by their
 * prefix (the first HQ_TOKEN_PREFIX_LEN hex digits, kept when the token is
 * made), never by the secret: a list can be shown on screen or pasted into
 * a ticket. A rotation makes the new token and revokes the old one in one
 * transaction, so there is never a moment with neither or both.
 */
#ifndef HQ_REGISTRY_H
#define HQ_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"

#define HQ_LABEL_MAX 64

struct hq_admin_token {
	int64_t id;
	char prefix[HQ_TOKEN_PREFIX_LEN + 1]; /* "" for tokens made before prefixes were kept */
	char label[HQ_LABEL_MAX];
	int64_t created_ms, expires_ms, revoked_ms; /* 0: never / not */
};

/* One kiosk as the fleet view shows it. */
struct hq_fleet_kiosk {
	struct hq_kiosk k;          /* with ratings, token_prefix, token_expires_ms */
	int64_t last_batch_ms;      /* 0: never posted */
	int64_t last_seq;           /* highest seq of its last batch */
	char version[32];           /* tally-sync's, from its last batch that said ("" unknown) */
	char clock[16];             /* "synced", "corrected", "unsynced" (newest rating), "" unknown */
	int64_t conflicts;          /* ratings refused as conflicting with stored ones (409), as ingest logged them */
	int64_t batches, accepted, duplicates;
};

/* Adds an admin token. 0 with *id filled, or -1 with err. */
int hq_registry_admin_create(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], const char *prefix,
			     const char *label, int64_t expires_ms, int64_t *id, char *err, size_t errlen);
/* Every admin token, oldest first; *out malloc'd. 0 or -1 with err. */
int hq_registry_admin_list(struct hq_store *s, struct hq_admin_token **out, size_t *n, char *err, size_t errlen);
/* The admin token ref names (its id, or a prefix of 4+ hex digits). 0; 1 none; 2 ambiguous; -1 err. */
int hq_registry_admin_find(struct hq_store *s, const char *ref, int64_t *id, char *err, size_t errlen);
/* Revokes admin token id. 0; 1 unknown; -1 err. Revoking twice is fine. */
int hq_registry_admin_revoke(struct hq_store *s, int64_t id, char *err, size_t errlen);
/* New token (hash, prefix, expiry; label kept) in place of id, which is revoked. 0 (*new_id); 1 unknown or revoked; -1. */
int hq_registry_admin_rotate(struct hq_store *s, int64_t id, const uint8_t hash[HQ_HASH_LEN], const char *prefix,
			     int64_t expires_ms, int64_t *new_id, char *err, size_t errlen);

/* Gives kiosk id a new token; the old one is refused from then on. 0; 1 unknown; 2 revoked; -1 err. */
int hq_registry_kiosk_rotate(struct hq_store *s, const char *id, const uint8_t hash[HQ_HASH_LEN], const char *prefix,
			     int64_t expires_ms, char *err, size_t errlen);

/*
 * Whether hash is a token that was good but has expired (not revoked): 1
 * with who ("kiosk ID" or "admin token N") and *expired_ms filled; 0 no;
 * -1 error. For the 401 message only: the checks themselves are in hq_store.
 */
int hq_registry_expired(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], char *who, size_t wholen,
			int64_t *expired_ms);

/*
 * Notes what stored batch b says about kiosk k (last batch time, highest
 * seq, version, clock; batch, rating and duplicate counters). Called by
 * hq_store_ingest inside the batch's transaction. 0 or -1 (SQLite error).
 */
int hq_registry_note_batch(struct hq_store *s, const struct hq_kiosk *k, const struct protocol_batch *b,
			   int64_t now, const struct protocol_ack *ack);

/*
 * The fleet, silent ones first: active kiosks that never posted, then by
 * oldest last batch; revoked kiosks last. *out malloc'd. 0 or -1 with err.
 */
int hq_registry_fleet(struct hq_store *s, struct hq_fleet_kiosk **out, size_t *n, char *err, size_t errlen);

/*
 * "30" (days from now_ms) or "2027-01-31" (valid through that day, UTC)
 * into an expiry instant. 0, or -1 with err filled.
 */
int hq_registry_parse_expiry(const char *s, int64_t now_ms, int64_t *expires_ms, char *err, size_t errlen);

#endif
