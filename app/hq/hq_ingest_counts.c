/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_ingest_counts: a batch's new ratings counted per quarter hour, then
 * written to rating_counts, rating_slots (hq_slots.h), the dashboard's
 * day totals (hq_dash_days.h) and the summary's hours (hq_hours.h), in
 * the batch's own transaction (see hq_ingest_impl.h for the ingest files).
 */
#include "hq_ingest_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hq_dash_days.h"
#include "hq_hours.h"
#include "hq_slots.h"

/* Counts one new rating; -1 out of memory. Ratings come in time order: the slot is nearly always the last one. */
int hq_ingest_counts_add(struct hq_ingest_counts *sc, int64_t best, int known, const struct rating *r)
{
	int64_t slot = hq_slot_of(best);
	struct hq_ingest_count *c = NULL;
	for (size_t i = sc->n, seen = 0; i-- > 0 && seen < 8 && !c; seen++)
		if (sc->c[i].slot == slot && sc->c[i].scale == r->scale && sc->c[i].known == known)
			c = &sc->c[i];
	if (!c) {
		if (sc->n == sc->cap) {
			size_t cap = sc->cap ? sc->cap * 2 : 32;
			struct hq_ingest_count *more = realloc(sc->c, cap * sizeof(*more));
			if (!more)
				return -1;
			sc->c = more;
			sc->cap = cap;
		}
		c = &sc->c[sc->n++];
		memset(c, 0, sizeof(*c));
		c->slot = slot;
		c->scale = r->scale;
		c->known = known;
		c->seq_lo = c->seq_hi = r->seq;
	}
	if (r->seq < c->seq_lo)
		c->seq_lo = r->seq;
	if (r->seq > c->seq_hi)
		c->seq_hi = r->seq;
	if (r->flags & RATING_MISUSE)
		c->misuse++;
	else if (r->flags & RATING_CLOSED)
		c->closed++;
	else if (r->value >= 0 && r->value < 5)
		c->v[r->value]++;
	return 0;
}

/* Adds the batch's counts to rating_counts and its seqs to rating_slots (same transaction as its rows). 0 or -1. */
int hq_ingest_counts_flush(struct hq_store *s, const struct hq_kiosk *k, int64_t install_ref,
			   const struct hq_ingest_counts *sc)
{
	const char *kiosk_id = k->id;
	struct hq_db_stmt *st = hq_ingest_cached(s, "INSERT INTO rating_counts (slot, kiosk_id, scale, known,"
						    " v0, v1, v2, v3, v4,"
						    " misuse, closed) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
						    " ON CONFLICT (slot, kiosk_id, scale, known) DO UPDATE SET"
						    " v0 = rating_counts.v0 + excluded.v0, v1 = rating_counts.v1 + excluded.v1,"
						    " v2 = rating_counts.v2 + excluded.v2, v3 = rating_counts.v3 + excluded.v3,"
						    " v4 = rating_counts.v4 + excluded.v4, misuse = rating_counts.misuse + excluded.misuse,"
						    " closed = rating_counts.closed + excluded.closed");
	if (!st)
		return -1;
	int rc = HQ_DB_DONE;
	struct hq_hours_acc hours;
	hours.n = 0;
	struct hq_dash_days_acc days;
	days.n = 0;
	for (size_t i = 0; i < sc->n && rc == HQ_DB_DONE; i++) {
		const struct hq_ingest_count *c = &sc->c[i];
		hq_db_bind_int64(st, 1, c->slot);
		hq_db_bind_text(st, 2, kiosk_id);
		hq_db_bind_int64(st, 3, c->scale);
		hq_db_bind_int64(st, 4, c->known);
		for (int v = 0; v < 5; v++)
			hq_db_bind_int64(st, 5 + v, c->v[v]);
		hq_db_bind_int64(st, 10, c->misuse);
		hq_db_bind_int64(st, 11, c->closed);
		rc = hq_db_step(st);
		hq_db_reset(st);
		/* Where the quarter hour's ratings are, for reads by time (hq_slots.h). */
		if (rc == HQ_DB_DONE && hq_slots_add(s, kiosk_id, install_ref, c->slot, c->seq_lo, c->seq_hi))
			rc = HQ_DB_ERROR;
		/* The dashboard's day totals, in the same transaction (hq_dash_days.h). */
		if (rc == HQ_DB_DONE && hq_dash_days_add(s, &days, k->id, k->tz, c->slot, c->scale, c->known, c->v,
							 c->misuse, c->closed))
			rc = HQ_DB_ERROR;
		/* The summary's hour totals, likewise (hq_hours.h). */
		if (rc == HQ_DB_DONE && hq_hours_add(s, &hours, k->id, k->tz, c->slot, c->scale, c->known, c->v,
						     c->misuse, c->closed))
			rc = HQ_DB_ERROR;
	}
	if (rc == HQ_DB_DONE && (hq_dash_days_flush(s, &days) || hq_hours_flush(s, &hours)))
		rc = HQ_DB_ERROR;
	return rc == HQ_DB_DONE ? 0 : -1;
}
