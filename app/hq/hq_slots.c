/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_slots: finding ratings by time (see hq_slots.h).
 */
#include "hq_slots.h"

#include "hq_db.h"
#include "hq_store_impl.h"

int64_t hq_slot_of(int64_t ms)
{
	return ms / HQ_SLOT_MS;
}

int hq_slots_add(struct hq_store *s, const char *kiosk_id, int64_t install, int64_t slot, int64_t seq_lo,
		 int64_t seq_hi)
{
	/* CASE rather than min()/max(): the same SQL on both engines (PostgreSQL spells them LEAST/GREATEST). */
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(s->sql,
			 "INSERT INTO rating_slots (kiosk_id, slot, install, seq_lo, seq_hi) VALUES (?,?,?,?,?)"
			 " ON CONFLICT (kiosk_id, slot, install) DO UPDATE SET"
			 " seq_lo = CASE WHEN excluded.seq_lo < rating_slots.seq_lo"
			 " THEN excluded.seq_lo ELSE rating_slots.seq_lo END,"
			 " seq_hi = CASE WHEN excluded.seq_hi > rating_slots.seq_hi"
			 " THEN excluded.seq_hi ELSE rating_slots.seq_hi END",
			 &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text_static(st, 1, kiosk_id);
	hq_db_bind_int64(st, 2, slot);
	hq_db_bind_int64(st, 3, install);
	hq_db_bind_int64(st, 4, seq_lo);
	hq_db_bind_int64(st, 5, seq_hi);
	int rc = hq_db_step(st);
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}
