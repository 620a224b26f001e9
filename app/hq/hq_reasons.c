/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_reasons: follow-up answers applied and counted at ingest (hq_reasons.h).
 * Written against hq_db.h, so it runs on SQLite and PostgreSQL alike; the
 * statements are cached on the connection (ingest is the hot path).
 */
#include "hq_reasons.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_db.h"
#include "log.h"
#include "rating.h"
#include "score.h"
#include "tzday.h"

#define SLOT_MS 900000 /* rating_counts' quarter hour */

static void add_conflict(struct protocol_conflict *c, int64_t seq)
{
	if (c->n < PROTOCOL_MAX_CONFLICTS) {
		c->items[c->n].seq = seq;
		snprintf(c->items[c->n].fields, sizeof(c->items[c->n].fields), "reason");
		c->n++;
	}
	c->count++;
}

/* One reason: 0 applied, duplicate, conflict or dropped; -1 on error. */
static int apply_one(struct hq_db *db, const char *kiosk_id, int64_t install_ref, const struct protocol_reason *r,
		     struct protocol_conflict *c)
{
	struct hq_db_stmt *get, *set, *count;
	char why[256];
	if (hq_db_cached(db, "SELECT reason, flags, best_ms, value, scale FROM ratings"
			 " WHERE kiosk_id = ? AND install = ? AND seq = ?", &get, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(get, 1, kiosk_id);
	hq_db_bind_int64(get, 2, install_ref);
	hq_db_bind_int64(get, 3, r->seq);
	int rc = hq_db_step(get);
	if (rc != HQ_DB_ROW) {
		hq_db_reset(get);
		if (rc == HQ_DB_DONE)
			log_msg(LOG_WARNING, "kiosk %s: answer \"%s\" for seq %lld, a rating not held here: dropped",
				kiosk_id, r->text, (long long)r->seq);
		return rc == HQ_DB_DONE ? 0 : -1;
	}
	int had = !hq_db_column_null(get, 0);
	int same = had && !strcmp(hq_db_column_text(get, 0), r->text);
	int flags = (int)hq_db_column_int64(get, 1);
	int64_t best = hq_db_column_int64(get, 2);
	int positive = score_is_positive((int)hq_db_column_int64(get, 3), (int)hq_db_column_int64(get, 4));
	hq_db_reset(get);
	if (same)
		return 0; /* a repeat: held already, counted already */
	if (had) {
		add_conflict(c, r->seq);
		return 0;
	}
	if (hq_db_cached(db, "UPDATE ratings SET reason = ? WHERE kiosk_id = ? AND install = ? AND seq = ?"
			 " AND reason IS NULL", &set, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(set, 1, r->text);
	hq_db_bind_text(set, 2, kiosk_id);
	hq_db_bind_int64(set, 3, install_ref);
	hq_db_bind_int64(set, 4, r->seq);
	rc = hq_db_step(set);
	hq_db_reset(set);
	if (rc != HQ_DB_DONE)
		return -1;
	if (flags & (RATING_MISUSE | RATING_CLOSED))
		return 0; /* kept with its rating, left out of the counts as the rating is */
	if (hq_db_cached(db, "INSERT INTO reason_counts (slot, kiosk_id, positive, reason, n) VALUES (?, ?, ?, ?, 1)"
			 " ON CONFLICT (slot, kiosk_id, positive, reason) DO UPDATE SET n = reason_counts.n + 1",
			 &count, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_int64(count, 1, best / SLOT_MS);
	hq_db_bind_text(count, 2, kiosk_id);
	hq_db_bind_int64(count, 3, positive);
	hq_db_bind_text(count, 4, r->text);
	rc = hq_db_step(count);
	hq_db_reset(count);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_reasons_ingest(struct hq_store *s, const char *kiosk_id, int64_t install_ref,
		      const struct protocol_batch *b, struct protocol_conflict *c)
{
	struct hq_db *db = hq_store_sql(s);
	for (size_t i = 0; i < b->nreasons; i++)
		if (apply_one(db, kiosk_id, install_ref, &b->reasons[i], c))
			return -1;
	return 0;
}

int hq_reasons_top(struct hq_store *s, const char *kiosk_id, const char *store, int64_t from_ms, int64_t to_ms,
		   struct hq_reason_count *out, int max, char *err, size_t errlen)
{
	struct hq_db *db = hq_store_sql(s);
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_prepare(db, "SELECT rc.reason, rc.positive, sum(rc.n) FROM reason_counts rc"
			  " JOIN kiosks k ON k.id = rc.kiosk_id"
			  " WHERE rc.slot >= ?1 AND rc.slot < ?2 AND (?3 IS NULL OR rc.kiosk_id = ?3)"
			  " AND (?4 IS NULL OR k.store = ?4)"
			  " GROUP BY rc.reason, rc.positive ORDER BY 3 DESC, 1, 2 LIMIT ?5", &st, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot read answers: %s", why);
		return -1;
	}
	/* A slot is counted when it starts inside the range (quarter hours align with every zone's day). */
	hq_db_bind_int64(st, 1, (from_ms + SLOT_MS - 1) / SLOT_MS);
	hq_db_bind_int64(st, 2, (to_ms + SLOT_MS - 1) / SLOT_MS);
	hq_db_bind_text(st, 3, kiosk_id);
	hq_db_bind_text(st, 4, store);
	hq_db_bind_int64(st, 5, max);
	int n = 0, rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW && n < max) {
		const char *t = hq_db_column_text(st, 0);
		snprintf(out[n].reason, sizeof(out[n].reason), "%s", t ? t : "");
		out[n].positive = (int)hq_db_column_int64(st, 1);
		out[n].n = hq_db_column_int64(st, 2);
		n++;
	}
	if (rc != HQ_DB_ROW && rc != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot read answers: %s", hq_db_errmsg(db));
		hq_db_finalize(st);
		return -1;
	}
	hq_db_finalize(st);
	return n;
}

#define SUMMARY_TOP 10

static json_t *top_json(struct hq_store *s, const char *kiosk_id, const char *store, const struct tzday *d,
			char *err, size_t errlen)
{
	struct hq_reason_count top[SUMMARY_TOP];
	int n = hq_reasons_top(s, kiosk_id, store, d->start_ms, d->end_ms, top, SUMMARY_TOP, err, errlen);
	if (n < 0)
		return NULL;
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "reason", top[i].reason, "after",
						   top[i].positive ? "positive" : "negative", "count", (json_int_t)top[i].n));
	return a;
}

int hq_reasons_add_to_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date, char **body,
			      size_t *len, char *err, size_t errlen)
{
	struct tzday d;
	if (hq_store_tzday(&d, k->tz, date, err, errlen))
		return -1;
	json_t *doc = json_loadb(*body, *len, 0, NULL);
	json_t *kiosk = doc ? top_json(s, k->id, NULL, &d, err, errlen) : NULL;
	json_t *store = kiosk ? top_json(s, NULL, k->store, &d, err, errlen) : NULL;
	json_t *chain = store ? top_json(s, NULL, NULL, &d, err, errlen) : NULL;
	if (!chain) {
		if (!doc)
			snprintf(err, errlen, "out of memory");
		json_decref(doc);
		json_decref(kiosk);
		json_decref(store);
		return -1;
	}
	json_object_set_new(doc, "reasons", json_pack("{s:o, s:o, s:o}", "kiosk", kiosk, "store", store, "chain", chain));
	char *out = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(doc);
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*body);
	*body = out;
	*len = strlen(out);
	return 0;
}
