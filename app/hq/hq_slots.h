/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_slots: finding ratings by time (table rating_slots).
 *
 * For each kiosk store (kiosk_id, install) and quarter hour of best time
 * (slot = best_ms / 900000, the slot of rating_counts), rating_slots holds
 * the lowest and highest seq of the ratings in it. A read by time takes,
 * per kiosk store, the seqs spanned by the quarter hours it asks for, reads
 * those through the unique (kiosk_id, install, seq) index and keeps the
 * ratings whose best_ms is in the range. Exact: every rating of a quarter
 * hour lies within its seqs; ratings of other times within the span are
 * filtered out.
 *
 * Why not an index on best_ms: it was a third b-tree every rating went
 * into at a place set by its time, so kiosks catching up after an outage
 * dirtied pages all over it: a third of ingest's work (docs/benchmarks.md).
 * rating_slots costs one upsert per quarter hour of a batch instead.
 *
 * Ingest keeps it in the batch's own transaction (hq_slots_add), so it
 * never misses a stored rating; migration 11 filled it from the ratings
 * held before it existed.
 */
#ifndef HQ_SLOTS_H
#define HQ_SLOTS_H

#include <stdint.h>

#include "hq_store.h"

/* The quarter hour of a time (the slot of rating_counts; truncating, as SQL's integer division). */
int64_t hq_slot_of(int64_t ms);

/*
 * "FROM <this>" gives the ratings (as r) of the kiosks for which the SQL
 * condition KIOSKS on s.kiosk_id holds, read through the seqs of the
 * quarter hours LO..HI (SQL parameters bound to hq_slot_of(from) and
 * hq_slot_of(to)). The caller filters r.best_ms to its exact range.
 */
#define HQ_SLOTS_RATINGS_SQL(KIOSKS, LO, HI)                                                             \
	"(SELECT s.kiosk_id AS kiosk_id, s.install AS install, min(s.seq_lo) AS lo, max(s.seq_hi) AS hi" \
	" FROM rating_slots s WHERE " KIOSKS " AND s.slot BETWEEN " LO " AND " HI                        \
	" GROUP BY s.kiosk_id, s.install) w"                                                               \
	" JOIN ratings r ON r.kiosk_id = w.kiosk_id AND r.install = w.install AND r.seq BETWEEN w.lo AND w.hi"

/*
 * Records that kiosk store (kiosk_id, install) holds seqs seq_lo..seq_hi
 * in quarter hour slot (widening what is there). Inside the caller's write
 * transaction (ingest's). 0, or -1 (database error: the batch fails).
 */
int hq_slots_add(struct hq_store *s, const char *kiosk_id, int64_t install, int64_t slot, int64_t seq_lo,
		 int64_t seq_hi);

#endif
