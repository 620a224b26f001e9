/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store: the kiosk's durable rating store, one SQLite file.
 *
 * A rating is on disk when store_add returns 0: WAL journal with
 * synchronous=FULL, one transaction per rating. The kiosk shows "thank
 * you" only after that. A file that is corrupt, read-only, or from a newer
 * version of Tally is refused with a message and left exactly as it was.
 */
#ifndef TALLY_STORE_H
#define TALLY_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "rating.h"

struct store;

#define STORE_INSTALL_ID_MAX 65


/* The schema version this build writes; store_open migrates older files up to it. */
int store_schema_latest(void);

/* Opens (creating if absent) and migrates path. 0 or -1 with err filled. */
int store_open(struct store **out, const char *path, char *err, size_t errlen);
void store_close(struct store *s);

/* Stores r durably and sets r->seq. 0, or -1 with err filled. */
int store_add(struct store *s, struct rating *r, char *err, size_t errlen);

/*
 * Stores the follow-up answer of the rating seq (already stored: the
 * rating is committed at the press, the answer after), durably, in its own
 * transaction. A rating takes one answer, never a second. 0; 1 when seq
 * is not held or has an answer already (err says so); -1 on error.
 */
int store_set_reason(struct store *s, int64_t seq, const char *reason, char *err, size_t errlen);

/* The newest rating of kiosk_id: 1 found, 0 none, -1 error. */
int store_last(struct store *s, const char *kiosk_id, struct rating *out);

/* Number of ratings held, or -1. */
int64_t store_count(struct store *s);

/*
 * This store's install id: random, made with the database, never changed;
 * head office tells kiosk stores apart by it (a re-imaged kiosk has the same
 * kiosk id but a new store). 32 lowercase hex digits.
 */
const char *store_install_id(const struct store *s);

/* Writes the WAL back into the main file (clean shutdown). */
void store_checkpoint(struct store *s);

/*
 * For the core modules that query ratings (export, outbox, stats): the
 * connection, and the column list and row decoder every such query shares.
 */
sqlite3 *store_db(struct store *s);
#define STORE_RATING_COLUMNS \
	"seq, kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags"
/* Decodes columns [first, first+10) of a row selected with STORE_RATING_COLUMNS. */
void store_row_rating(sqlite3_stmt *st, int first, struct rating *out);

#endif
