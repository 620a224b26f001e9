/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_ingest_pg: a batch's new ratings into PostgreSQL in one statement
 * (hq_ingest.c calls it when every rating of the batch is new, under the
 * kiosk's lock, inside the batch's transaction).
 */
#ifndef HQ_INGEST_PG_H
#define HQ_INGEST_PG_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

struct hq_store;

/*
 * Inserts ratings [0, n) of p for kiosk_id and install_ref, received at
 * now, best times as best_time decides (hq_ingest.c passes them in best
 * and known). 0, or -1 (the database's error on s's connection).
 */
int hq_ingest_pg_insert(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
			const struct protocol_rating *p, const int64_t *best, const unsigned char *known, size_t n);

#endif
