/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_rows: a batch's ratings into head office's ratings table, many rows
 * per INSERT statement, through hq_db.h (both engines).
 *
 * Ingest's common case is a batch of new ratings. One statement per rating
 * cost SQLite a statement's start, bindings and end per row (about a
 * fifth of ingest's instructions) and would cost PostgreSQL a round trip
 * per row; one INSERT of up to HQ_ROWS_CHUNK rows pays that once.
 */
#ifndef HQ_ROWS_H
#define HQ_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define HQ_ROWS_CHUNK 128 /* rows per statement: 17 parameters each, far below both engines' limits */

struct hq_db;

/* A rating's best time (see hq_store.c): wall_ms when synced, else the correction, else wall_ms unknown. */
void hq_rows_best_time(const struct protocol_rating *p, int64_t *ms, int *known);

/*
 * Inserts b's ratings for kiosk_id's install (installs.id) with
 * ON CONFLICT DO NOTHING, received at now_ms, inside the caller's
 * transaction. *inserted: rows actually added (fewer than b->n when some
 * were held already: the caller then rolls back and looks row by row).
 * HQ_DB_DONE, or an error code with err filled.
 */
int hq_rows_insert(struct hq_db *db, const char *kiosk_id, int64_t install, const struct protocol_batch *b,
		   int64_t now_ms, int64_t *inserted, char *err, size_t errlen);

#endif
