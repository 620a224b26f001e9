/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_shifts: the kiosk_shifts table and the summary per shift.
 *
 * The table is hq_store.c's migration 5. Opening a connection must never
 * write (readers open theirs while the writer holds the lock), so nothing
 * here creates tables.
 *
 * Counting follows the kiosk (shift_stats.c): a rating goes to the shift
 * its best time falls in, by its kiosk's schedule in force when that shift
 * started; a rating whose time is unknown is counted apart, never put in a
 * shift; misuse and closed are counted apart; scores over every scale as
 * in the rest of the summary.
 */
#include "hq_shifts.h"

#include "hq_db.h"
#include "hq_slots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"
#include "shift_history.h"

int hq_shifts_ingest(struct hq_store *s, const char *kiosk_id, const struct protocol_batch *b, int64_t now_ms)
{
	if (b->nschedules == 0)
		return 0;
	struct hq_db_stmt *st;
	char why[256];
	/* Cached: every batch carries the kiosk's schedules. */
	if (hq_db_cached(hq_store_sql(s), "INSERT INTO kiosk_shifts (kiosk_id, valid_from_ms, definition, received_ms)"
			 " VALUES (?,?,?,?) ON CONFLICT DO NOTHING", &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	struct shifts *parsed = malloc(sizeof(*parsed));
	int rc = parsed ? HQ_DB_DONE : HQ_DB_ERROR;
	for (size_t i = 0; parsed && i < b->nschedules && rc == HQ_DB_DONE; i++) {
		/* A schedule this build cannot read is left out here, not discovered at summary time. */
		if (shifts_parse_text(b->schedules[i].definition, parsed, why, sizeof(why)))
			continue;
		hq_db_bind_text(st, 1, kiosk_id);
		hq_db_bind_int64(st, 2, b->schedules[i].from_ms);
		hq_db_bind_text(st, 3, b->schedules[i].definition);
		hq_db_bind_int64(st, 4, now_ms);
		rc = hq_db_step(st);
		hq_db_reset(st);
	}
	free(parsed);
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* Counts for one shift (of a kiosk, or of the store by name). */
struct tally {
	char name[SHIFTS_NAME_MAX];
	int from_min, to_min;
	int64_t start_ms, end_ms;
	int64_t counts[6][5]; /* [scale][value] */
	int64_t misuse, closed;
	int kiosks;
};

static void tally_add(struct tally *t, int value, int scale, int flags)
{
	if (flags & RATING_MISUSE)
		t->misuse++;
	else if (flags & RATING_CLOSED)
		t->closed++;
	else if (scale >= 3 && scale <= 5 && value >= 0 && value < scale)
		t->counts[scale][value]++;
}

/* The summary's figures form (protocol.h): dominant scale's counts, scores over every scale, one decimal. */
static json_t *tally_json(const struct tally *t, int default_scale)
{
	int64_t n[6] = { 0 }, total = 0;
	int dominant = 0;
	for (int sc = 5; sc >= 3; sc--) {
		n[sc] = score_total(t->counts[sc], sc);
		total += n[sc];
		if (n[sc] > 0 && (dominant == 0 || n[sc] > n[dominant]))
			dominant = sc;
	}
	int scale = dominant ? dominant : default_scale;
	json_t *counts = json_array();
	for (int v = 0; v < scale; v++)
		json_array_append_new(counts, json_integer(t->counts[scale][v]));
	double hi = 0, pos = 0;
	for (int sc = 3; sc <= 5; sc++)
		if (n[sc]) {
			hi += score_happy_index(t->counts[sc], sc) * (double)n[sc];
			pos += score_positive_pct(t->counts[sc], sc) * (double)n[sc];
		}
	json_t *h = total ? json_real((double)(int64_t)(hi / (double)total * 10 + 0.5) / 10) : json_null();
	json_t *p = total ? json_real((double)(int64_t)(pos / (double)total * 10 + 0.5) / 10) : json_null();
	return json_pack("{s:i,s:o,s:I,s:I,s:I,s:o,s:o}", "scale", scale, "counts", counts, "total", (json_int_t)total,
			 "misuse", (json_int_t)t->misuse, "closed", (json_int_t)t->closed, "positive_pct", p,
			 "happy_index", h);
}

/* A kiosk's history from kiosk_shifts. 0 (h->n may be 0) or -1. */
static int load_history(struct hq_db *db, const char *kiosk, struct shifts_history *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, "SELECT valid_from_ms, definition FROM kiosk_shifts WHERE kiosk_id = ? ORDER BY valid_from_ms", &st, NULL, 0) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot read shift schedules: %s", hq_db_errmsg(db));
		return -1;
	}
	hq_db_bind_text(st, 1, kiosk);
	struct shifts *parsed = malloc(sizeof(*parsed));
	while (parsed && hq_db_step(st) == HQ_DB_ROW) {
		char why[256];
		if (shifts_parse_text(hq_db_column_text(st, 1), parsed, why, sizeof(why)) == 0)
			shifts_history_add(h, parsed, hq_db_column_int64(st, 0));
	}
	hq_db_finalize(st);
	if (!parsed) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(parsed);
	return 0;
}

struct counted {
	int n;
	struct tally t[SHIFTS_PER_DAY];
	int64_t no_shift, time_unknown;
};

/* Counts kiosk id's ratings of date into c by history h in zone tz. */
static int count_kiosk(struct hq_db *db, const char *id, const char *tz, const struct shifts_history *h,
		       struct tzdate date, struct counted *c, char *err, size_t errlen)
{
	struct shift_occ occ[SHIFTS_PER_DAY];
	struct tzday day;
	memset(c, 0, sizeof(*c));
	int n = shifts_history_on_date(h, tz, date, occ, SHIFTS_PER_DAY, err, errlen);
	int bad = n < 0 || tzday_make(&day, tz, date, err, errlen);
	if (bad)
		return -1;
	int64_t lo = day.start_ms, hi = day.end_ms;
	for (int i = 0; i < n; i++) {
		struct tally *t = &c->t[c->n++];
		memcpy(t->name, occ[i].name, sizeof(t->name));
		t->from_min = occ[i].start_min;
		t->to_min = occ[i].end_min;
		t->start_ms = occ[i].start_ms;
		t->end_ms = occ[i].end_ms;
		if (t->start_ms < lo)
			lo = t->start_ms;
		if (t->end_ms > hi)
			hi = t->end_ms;
	}
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, "SELECT r.value, r.scale, r.flags, r.best_ms, r.time_known FROM "
			  HQ_SLOTS_RATINGS_SQL("s.kiosk_id = ?1", "?4", "?5") " WHERE r.best_ms >= ?2 AND r.best_ms < ?3",
			  &st, NULL, 0) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot read ratings: %s", hq_db_errmsg(db));
		return -1;
	}
	hq_db_bind_text(st, 1, id);
	hq_db_bind_int64(st, 2, lo);
	hq_db_bind_int64(st, 3, hi);
	hq_db_bind_int64(st, 4, hq_slot_of(lo));
	hq_db_bind_int64(st, 5, hq_slot_of(hi - 1));
	while (hq_db_step(st) == HQ_DB_ROW) {
		int value = (int)hq_db_column_int64(st, 0), scale = (int)hq_db_column_int64(st, 1), flags = (int)hq_db_column_int64(st, 2);
		int64_t ms = hq_db_column_int64(st, 3);
		int in_day = ms >= day.start_ms && ms < day.end_ms;
		if (!(int)hq_db_column_int64(st, 4)) {
			c->time_unknown += in_day;
			continue;
		}
		int i;
		for (i = 0; i < c->n && !(ms >= c->t[i].start_ms && ms < c->t[i].end_ms); i++)
			;
		if (i < c->n)
			tally_add(&c->t[i], value, scale, flags);
		else if (in_day && !(flags & (RATING_MISUSE | RATING_CLOSED)))
			c->no_shift++;
	}
	hq_db_finalize(st);
	return 0;
}

static json_t *shift_entry(const struct tally *t, int default_scale, int with_times)
{
	char from[32], to[32];
	snprintf(from, sizeof(from), "%02d:%02d", t->from_min / 60, t->from_min % 60);
	snprintf(to, sizeof(to), "%02d:%02d", t->to_min / 60, t->to_min % 60);
	json_t *e = json_pack("{s:s,s:o}", "shift", t->name, "figures", tally_json(t, default_scale));
	if (with_times) {
		json_object_set_new(e, "from", json_string(from));
		json_object_set_new(e, "to", json_string(to));
		json_object_set_new(e, "start_ms", json_integer(t->start_ms));
		json_object_set_new(e, "end_ms", json_integer(t->end_ms));
	} else {
		json_object_set_new(e, "kiosks", json_integer(t->kiosks));
	}
	return e;
}

int hq_shifts_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date, json_t **out, char *err,
		      size_t errlen)
{
	*out = NULL;
	struct hq_db *db = hq_store_sql(s);
	struct shifts_history *h = malloc(sizeof(*h));
	struct counted *c = malloc(sizeof(*c));
	struct tally *store = calloc(SHIFTS_MAX * 4, sizeof(*store));
	json_t *mine = json_array(), *result = NULL;
	int nstore = 0, rc = -1, default_scale = 4, without = 0, my_schedule = 0;
	int64_t store_no_shift = 0, store_unknown = 0, my_no_shift = 0, my_unknown = 0;
	struct hq_db_stmt *st = NULL;
	if (!h || !c || !store || !mine) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (hq_db_prepare(db, "SELECT scale FROM ratings WHERE kiosk_id = ? ORDER BY seq DESC LIMIT 1", &st, NULL, 0) == HQ_DB_DONE) {
		hq_db_bind_text(st, 1, k->id);
		if (hq_db_step(st) == HQ_DB_ROW)
			default_scale = (int)hq_db_column_int64(st, 0);
		hq_db_finalize(st);
		st = NULL;
	}
	if (hq_db_prepare(db, "SELECT id, tz FROM kiosks WHERE store = ? ORDER BY id", &st, NULL, 0) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot list kiosks: %s", hq_db_errmsg(db));
		goto done;
	}
	hq_db_bind_text(st, 1, k->store);
	while (hq_db_step(st) == HQ_DB_ROW) {
		char id[RATING_ID_MAX], tz[HQ_TZ_MAX];
		snprintf(id, sizeof(id), "%s", hq_db_column_text(st, 0));
		snprintf(tz, sizeof(tz), "%s", hq_db_column_text(st, 1));
		if (load_history(db, id, h, err, errlen))
			goto done;
		if (!shifts_history_any(h)) {
			without++;
			continue;
		}
		if (count_kiosk(db, id, tz, h, date, c, err, errlen))
			goto done;
		int me = !strcmp(id, k->id);
		store_no_shift += c->no_shift;
		store_unknown += c->time_unknown;
		if (me) {
			my_schedule = 1;
			my_no_shift = c->no_shift;
			my_unknown = c->time_unknown;
		}
		for (int i = 0; i < c->n; i++) {
			if (me)
				json_array_append_new(mine, shift_entry(&c->t[i], default_scale, 1));
			int j;
			for (j = 0; j < nstore && strcmp(store[j].name, c->t[i].name); j++)
				;
			if (j == nstore) {
				if (nstore == SHIFTS_MAX * 4)
					continue;
				memset(&store[j], 0, sizeof(store[j]));
				snprintf(store[j].name, sizeof(store[j].name), "%s", c->t[i].name);
				nstore++;
			}
			for (int sc = 0; sc < 6; sc++)
				for (int v = 0; v < 5; v++)
					store[j].counts[sc][v] += c->t[i].counts[sc][v];
			store[j].misuse += c->t[i].misuse;
			store[j].closed += c->t[i].closed;
			store[j].kiosks++;
		}
	}
	json_t *slist = json_array();
	for (int j = 0; j < nstore; j++)
		json_array_append_new(slist, shift_entry(&store[j], default_scale, 0));
	result = json_pack("{s:o,s:{s:o,s:I,s:I},s:{s:o,s:I,s:I,s:i}}", "kiosk_schedule", json_boolean(my_schedule),
			   "kiosk", "shifts", mine, "no_shift", (json_int_t)my_no_shift, "time_unknown",
			   (json_int_t)my_unknown, "store", "shifts", slist, "no_shift", (json_int_t)store_no_shift,
			   "time_unknown", (json_int_t)store_unknown, "kiosks_without_shifts", without);
	mine = NULL;
	if (!result) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	rc = 0;
	*out = result;
done:
	hq_db_finalize(st);
	json_decref(mine);
	free(h);
	free(c);
	free(store);
	return rc;
}
