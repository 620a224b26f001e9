/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_store: head office's own database (SQLite, or PostgreSQL for a
 * chain with replicas: the database setting picks, see hq_db.h): the kiosk registry, admin
 * tokens, and every rating of every kiosk exactly once, keyed (kiosk,
 * install, seq): the install is the kiosk store's own id, so a re-imaged
 * kiosk (same id, new store, seq from 1 again) loses nothing.
 *
 * Time zones: each connection loads the zone files it needs once (tzif.c,
 * no $TZ, no limit on their number); a tzdata upgrade takes effect when
 * tally-hq restarts.
 *
 * One struct hq_store is one connection; the HTTP server gives each worker
 * thread its own. Write transactions are serialised inside this module by
 * one process-wide lock, so threads queue on a mutex instead of spinning in
 * SQLite's busy handler; other processes (the kiosk CLI) meet the busy
 * timeout instead.
 */
#ifndef HQ_STORE_H
#define HQ_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "protocol.h"
#include "tzday.h"

#define HQ_HASH_LEN 32   /* SHA-256 */
#define HQ_NAME_MAX 128  /* store, area */
#define HQ_TZ_MAX 64
#define HQ_TOKEN_PREFIX_LEN 8 /* hex digits of a token kept to refer to it; 32 of its 256 bits */

struct hq_store;

struct hq_kiosk {
	char id[RATING_ID_MAX];
	char store[HQ_NAME_MAX];
	char area[HQ_NAME_MAX];
	char tz[HQ_TZ_MAX];
	int64_t created_ms;
	int64_t revoked_ms;      /* 0: active */
	int64_t acked_through;   /* highest contiguous seq held from 1 */
	int64_t ratings;         /* rows held (filled by hq_store_kiosk_list only) */
	char region[HQ_NAME_MAX]; /* its store's region, "" none (filled by hq_store_kiosk_list only) */
	char token_prefix[HQ_TOKEN_PREFIX_LEN + 1]; /* the token's first hex digits, to name it ("" before) */
	int64_t token_expires_ms; /* 0: never */
};

/*
 * SQL selecting the names of the stores user P (a bound parameter, e.g.
 * "?5") may see: chain every store, region the stores of its regions,
 * store its one store. The one definition of "what a user sees", used by
 * the export here and by hq_scope.c; an unknown user sees nothing.
 */
#define HQ_STORE_VISIBLE_SQL(P) \
	"SELECT vs.name FROM stores vs JOIN users vu ON vu.name = " P \
	" WHERE vu.role = 'chain'" \
	" OR (vu.role = 'region' AND vs.region IN (SELECT scope FROM user_scopes WHERE username = vu.name))" \
	" OR (vu.role = 'store' AND vs.name IN (SELECT scope FROM user_scopes WHERE username = vu.name))"

/* Once, before any other hq_store call of a threaded server: SQLite's process-wide settings. */
void hq_store_init_process(void);

/* The schema version this build writes. */
int hq_store_schema_latest(void);

/* Files created from now on are 0640 and owned by group gid ((gid_t)-1: 0600, the default). */
void hq_store_set_file_group(gid_t gid);

/*
 * Opens and migrates the database the setting path names: a file path
 * (created if absent, private whatever the umask) or a postgresql:// URI.
 * 0, or -1 with err filled (never a password in it).
 */
int hq_store_open(struct hq_store **out, const char *path, char *err, size_t errlen);
void hq_store_close(struct hq_store *s);
/* Whether the database answers now (a lost connection is tried again first). 0, or -1 with err. */
int hq_store_ping(struct hq_store *s, char *err, size_t errlen);
/* The engine under s (hq_db.h's HQ_DB_SQLITE or HQ_DB_PG). */
int hq_store_engine(const struct hq_store *s);
/* SQLite: how long a write waits for a lock another process holds (default 5 s). */
void hq_store_busy_timeout(struct hq_store *s, int ms);
/* SQLite: after each commit on s, fn(arg, frames in the WAL); s no longer checkpoints by itself. */
void hq_store_on_wal(struct hq_store *s, void (*fn)(void *arg, int frames), void *arg);
/* SQLite: copies what it can of the WAL into the database (PASSIVE: waits for no one). 0 or -1 with err. */
int hq_store_checkpoint(struct hq_store *s, char *err, size_t errlen);

/* Registers k with its token's hash. 0; 1 when the id is taken; -1 with err. */
int hq_store_kiosk_add(struct hq_store *s, const struct hq_kiosk *k, const uint8_t hash[HQ_HASH_LEN],
		       char *err, size_t errlen);
/* Revokes a kiosk's token for good. 0; 1 unknown id; -1 with err. */
int hq_store_kiosk_revoke(struct hq_store *s, const char *id, char *err, size_t errlen);
/* Every kiosk, by id; *out is malloc'd (free it). 0 or -1 with err. */
int hq_store_kiosk_list(struct hq_store *s, struct hq_kiosk **out, size_t *n, char *err, size_t errlen);
/* The active kiosk whose token hashes to hash: 1 found, 0 none (or revoked, or expired), -1 error. */
int hq_store_kiosk_by_token(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], struct hq_kiosk *out);

/* Adds an admin token's hash. 0 or -1 with err. */
int hq_store_admin_add(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN], char *err, size_t errlen);
/* 1 if hash belongs to an admin token in force, 0 if not (or revoked, or expired), -1 error. */
int hq_store_admin_check(struct hq_store *s, const uint8_t hash[HQ_HASH_LEN]);

/*
 * Group commit (the writer thread): between begin and commit every
 * hq_store_ingest on s runs in its own SAVEPOINT inside one transaction,
 * so a failing or conflicting batch is undone alone, and nothing is
 * durable before hq_store_group_commit returned 0. Holds the process write
 * lock in between. 0 or -1 with err (commit: the whole group is rolled back).
 */
int hq_store_group_begin(struct hq_store *s, char *err, size_t errlen);
/*
 * Right after hq_store_group_begin: takes the locks of every kiosk whose
 * batch the group will store, all at once and in one fixed order, so that
 * two replicas' groups on one PostgreSQL database never deadlock (see
 * hq_ingest.c). 0 or -1 with err (then commit the group: nothing is in it).
 */
int hq_store_group_lock(struct hq_store *s, const char *const *kiosk_ids, size_t n, char *err, size_t errlen);
int hq_store_group_commit(struct hq_store *s, char *err, size_t errlen);

/*
 * Stores batch b of kiosk k in one transaction (all or nothing). A rating's
 * identity is (kiosk, b's install id, seq): one already held with the same
 * content is a duplicate (not stored again); one held with OTHER content is
 * a conflict. Returns 0 with ack filled (what head office now holds for
 * this kiosk store: acked_through and gaps are per install); 1 on a
 * conflict: nothing of the batch is stored, the conflict is recorded (table
 * conflicts), ack->conflict says which seqs and fields differ and err has
 * one line; -1 on failure with err filled. now_ms is the receive time.
 */
int hq_store_ingest(struct hq_store *s, const struct hq_kiosk *k, const struct protocol_batch *b,
		    int64_t now_ms, struct protocol_ack *ack, char *err, size_t errlen);

/* Conflicts recorded for a kiosk (distinct (install, seq) refused for other content). 0 or -1. */
int hq_store_conflict_count(struct hq_store *s, const char *kiosk_id, int64_t *out);

/* One kiosk store (install) head office has heard from. */
struct hq_install {
	char kiosk_id[RATING_ID_MAX];
	char install_id[PROTOCOL_INSTALL_MAX]; /* "": ratings from before install ids */
	int64_t acked_through;   /* every seq 1..acked_through of this install is held */
	int64_t last_seq;        /* highest seq held; above acked_through lie gaps */
	int64_t ratings;         /* rows held */
	int64_t conflicts;       /* recorded conflicts */
	int64_t first_ms;        /* its first batch */
	int64_t last_ms;         /* the last batch that moved acked_through */
};

/* The installs of kiosk_id (NULL: every kiosk), oldest first; *out is malloc'd. 0 or -1. */
int hq_store_install_list(struct hq_store *s, const char *kiosk_id, struct hq_install **out, size_t *n,
			  char *err, size_t errlen);

/*
 * Figures for local day `date` seen from kiosk k: k itself, its store
 * (total and per area) and the chain. Each kiosk's ratings count on its own
 * store's local day. 0 or -1 with err.
 */
int hq_store_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date,
		     struct protocol_summary *out, char *err, size_t errlen);

/* One exported rating with where it came from and its best time. */
struct hq_export_row {
	int64_t cursor;            /* pass as `after` to continue after this row */
	struct protocol_rating p;  /* with corrected_by and its error bound */
	char install_id[PROTOCOL_INSTALL_MAX];
	char store[HQ_NAME_MAX];
	char area[HQ_NAME_MAX];
	int64_t time_ms;           /* best time: see hq_store.c */
	int time_known;            /* 0: unsynced clock and no correction */
	int64_t received_ms;
	char reason[65];           /* the follow-up answer; "" none */
};

struct hq_export_query {
	const char *store;         /* NULL or "": every store */
	struct tzdate from, to;    /* local days, inclusive, each kiosk's own zone */
	int64_t after;             /* cursor; 0: from the start */
	int limit;                 /* rows at most */
	const char *user;          /* NULL: everything (admin token); else only the stores this user may see */
};

/*
 * Calls fn for each matching rating in arrival order, at most q->limit.
 * *next is the cursor for the next page, or 0 when this page is the last.
 * fn returns 0 to go on; anything else ends the export as a failure (-1),
 * never as a shorter page. 0 or -1 with err.
 */
int hq_store_export(struct hq_store *s, const struct hq_export_query *q,
		    int (*fn)(const struct hq_export_row *row, void *arg), void *arg,
		    int64_t *next, char *err, size_t errlen);

/* tzday_make (thread-safe; kept for callers of the earlier API). */
int hq_store_tzday(struct tzday *d, const char *tz, struct tzdate date, char *err, size_t errlen);
/* tzday_valid (thread-safe). */
int hq_store_tz_valid(const char *tz, char *err, size_t errlen);

/*
 * For modules that keep their own tables in head office's database
 * (hq_shifts.c, hq_registry.c, ...): this connection (hq_db.h), and the process-wide
 * write lock (hold it around every write). Zones need no lock: tzday is
 * thread-safe.
 */
struct hq_db;
struct hq_db *hq_store_sql(struct hq_store *s);
void hq_store_write_lock(int on);

#endif
