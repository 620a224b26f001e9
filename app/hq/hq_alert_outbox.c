/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_outbox: alert episodes and the outbox of messages to send
 * (see hq_alert_store.h). An episode opens, and its messages are queued,
 * in one transaction, and so does its all clear: a crash in between
 * neither loses nor repeats a message.
 */
#include "hq_alert_store.h"
#include "hq_alert_store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hq_alert_msg_free(struct hq_alert_msg *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].target);
		free(m[i].subject);
		free(m[i].body);
	}
}

/* text with every "{episode}" replaced by id; malloc'd. */
static char *with_episode(const char *text, int64_t id)
{
	char num[24];
	snprintf(num, sizeof(num), "%lld", (long long)id);
	size_t count = 0, tl = strlen("{episode}");
	for (const char *p = text; (p = strstr(p, "{episode}")); p += tl)
		count++;
	char *out = malloc(strlen(text) + count * strlen(num) + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = text;;) {
		const char *q = strstr(p, "{episode}");
		size_t k = q ? (size_t)(q - p) : strlen(p);
		memcpy(o, p, k);
		o += k;
		if (!q)
			break;
		memcpy(o, num, strlen(num));
		o += strlen(num);
		p = q + tl;
	}
	*o = '\0';
	return out;
}

/* Queues msgs inside the caller's transaction. 0 or -1 with err. */
static int queue(struct hq_db *s, struct hq_alert_msg *msgs, size_t n, int64_t episode, int64_t now_ms, char *err,
		 size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		int64_t id = hq_alert_next_id(s, "alert_outbox");
		struct hq_db_stmt *st;
		if (id <= 0 || hq_alert_prep(s, "INSERT INTO alert_outbox (id, rule_id, channel, target, subject, body, created_ms,"
				    " next_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)", &st, "cannot queue", err, errlen)) {
			if (id <= 0)
				snprintf(err, errlen, "cannot queue: %s", hq_db_errmsg(s));
			return -1;
		}
		char *t = with_episode(msgs[i].target, episode), *sub = with_episode(msgs[i].subject, episode),
		     *b = with_episode(msgs[i].body, episode);
		hq_db_bind_int64(st, 1, id);
		hq_db_bind_int64(st, 2, msgs[i].rule_id);
		hq_db_bind_text(st, 3, msgs[i].channel);
		hq_db_bind_text(st, 4, t ? t : "");
		hq_db_bind_text(st, 5, sub ? sub : "");
		hq_db_bind_text(st, 6, b ? b : "");
		hq_db_bind_int64(st, 7, now_ms);
		int bad = !t || !sub || !b;
		free(t);
		free(sub);
		free(b);
		if (bad) {
			hq_db_finalize(st);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (hq_alert_run(s, st, "cannot queue", err, errlen))
			return -1;
	}
	return 0;
}

#define EPISODE_COLS "e.id, e.rule_id, coalesce(r.kind, ''), e.subject, e.store, e.opened_ms, e.cleared_ms, e.value," \
		     " e.ratings, e.detail"

static void episode_row(struct hq_db_stmt *st, struct hq_alert_episode *e)
{
	memset(e, 0, sizeof(*e));
	e->id = hq_db_column_int64(st, 0);
	e->rule_id = hq_db_column_int64(st, 1);
	hq_alert_text_col(st, 2, e->kind, sizeof(e->kind));
	hq_alert_text_col(st, 3, e->subject, sizeof(e->subject));
	hq_alert_text_col(st, 4, e->store, sizeof(e->store));
	e->opened_ms = hq_db_column_int64(st, 5);
	e->cleared_ms = hq_db_column_int64(st, 6);
	e->value = hq_db_column_double(st, 7);
	e->ratings = (int)hq_db_column_int64(st, 8);
	hq_alert_text_col(st, 9, e->detail, sizeof(e->detail));
}

int hq_alert_episode_open_of(struct hq_store *db, int64_t rule_id, const char *subject, struct hq_alert_episode *out)
{
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT " EPISODE_COLS " FROM alert_episodes e LEFT JOIN alert_rules r"
			 " ON r.id = e.rule_id WHERE e.rule_id = ? AND e.subject = ? AND e.cleared_ms = 0",
			 &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_int64(st, 1, rule_id);
	hq_db_bind_text(st, 2, subject);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW)
		episode_row(st, out);
	hq_db_reset(st);
	return rc == HQ_DB_ROW ? 1 : rc == HQ_DB_DONE ? 0 : -1;
}

int hq_alert_episode_open(struct hq_store *db, struct hq_alert_episode *e, struct hq_alert_msg *msgs, size_t n,
			  int64_t now_ms, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	if (hq_alert_tx_begin(s, err, errlen))
		return -1;
	int64_t id = hq_alert_next_id(s, "alert_episodes");
	struct hq_db_stmt *st;
	int ok = id > 0 && !hq_alert_prep(s, "INSERT INTO alert_episodes (id, rule_id, subject, store, opened_ms, value, ratings,"
				 " detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st, "cannot open episode", err, errlen);
	if (ok) {
		hq_db_bind_int64(st, 1, id);
		hq_db_bind_int64(st, 2, e->rule_id);
		hq_db_bind_text(st, 3, e->subject);
		hq_db_bind_text(st, 4, e->store);
		hq_db_bind_int64(st, 5, now_ms);
		hq_db_bind_double(st, 6, e->value);
		hq_db_bind_int64(st, 7, e->ratings);
		hq_db_bind_text(st, 8, e->detail);
		ok = !hq_alert_run(s, st, "cannot open episode", err, errlen) && !queue(s, msgs, n, id, now_ms, err, errlen);
	} else if (id <= 0) {
		snprintf(err, errlen, "cannot open episode: %s", hq_db_errmsg(s));
	}
	if (hq_alert_tx_end(s, ok, err, errlen))
		return -1;
	e->id = id;
	e->opened_ms = now_ms;
	return 0;
}

int hq_alert_episode_clear(struct hq_store *db, int64_t id, struct hq_alert_msg *msgs, size_t n, int64_t now_ms,
			   char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	if (hq_alert_tx_begin(s, err, errlen))
		return -1;
	struct hq_db_stmt *st;
	int ok = !hq_alert_prep(s, "UPDATE alert_episodes SET cleared_ms = ? WHERE id = ? AND cleared_ms = 0", &st,
		       "cannot clear episode", err, errlen);
	if (ok) {
		hq_db_bind_int64(st, 1, now_ms);
		hq_db_bind_int64(st, 2, id);
		ok = !hq_alert_run(s, st, "cannot clear episode", err, errlen) && !queue(s, msgs, n, id, now_ms, err, errlen);
	}
	return hq_alert_tx_end(s, ok, err, errlen);
}

int hq_alert_episode_list(struct hq_store *db, const char *user, int open_only, int limit,
			  struct hq_alert_episode **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_alert_prep(s, "SELECT " EPISODE_COLS " FROM alert_episodes e LEFT JOIN alert_rules r ON r.id = e.rule_id"
		 " WHERE (?1 IS NULL OR e.store IN (" HQ_STORE_VISIBLE_SQL("?1") ")) AND (?2 = 0 OR e.cleared_ms = 0)"
		 " ORDER BY e.cleared_ms = 0 DESC, e.opened_ms DESC, e.id DESC LIMIT ?3",
		 &st, "cannot list alerts", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, user);
	hq_db_bind_int64(st, 2, open_only ? 1 : 0);
	hq_db_bind_int64(st, 3, limit);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct hq_alert_episode *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		episode_row(st, &(*out)[(*n)++]);
	}
	if (rc != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot list alerts: %s", hq_db_errmsg(s));
		free(*out);
		*out = NULL;
		*n = 0;
	}
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_alert_report_queue(struct hq_store *db, int64_t rule_id, const char *period, struct hq_alert_msg *msgs,
			  size_t n, int64_t now_ms, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	if (hq_alert_tx_begin(s, err, errlen))
		return -1;
	struct hq_db_stmt *st;
	int ok = !hq_alert_prep(s, "INSERT INTO report_runs (rule_id, period, sent_ms) VALUES (?, ?, ?)"
		       " ON CONFLICT (rule_id, period) DO NOTHING", &st, "cannot queue report", err, errlen), fresh = 0;
	if (ok) {
		hq_db_bind_int64(st, 1, rule_id);
		hq_db_bind_text(st, 2, period);
		hq_db_bind_int64(st, 3, now_ms);
		int rc = hq_db_step(st);
		fresh = rc == HQ_DB_DONE && hq_db_changes(st) == 1;
		if (rc != HQ_DB_DONE) {
			snprintf(err, errlen, "cannot queue report: %s", hq_db_errmsg(s));
			ok = 0;
		}
		hq_db_finalize(st);
	}
	if (ok && fresh)
		ok = !queue(s, msgs, n, 0, now_ms, err, errlen);
	if (hq_alert_tx_end(s, ok, err, errlen))
		return -1;
	return fresh;
}

int hq_alert_outbox_due(struct hq_store *db, int64_t now_ms, size_t max, struct hq_alert_msg **out, size_t *n,
			char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_alert_prep(s, "SELECT id, rule_id, channel, target, subject, body, attempts, created_ms FROM alert_outbox"
		 " WHERE sent_ms = 0 AND gave_up_ms = 0 AND next_ms <= ? ORDER BY next_ms, id LIMIT ?",
		 &st, "cannot read the outbox", err, errlen))
		return -1;
	hq_db_bind_int64(st, 1, now_ms);
	hq_db_bind_int64(st, 2, (int64_t)max);
	*out = calloc(max ? max : 1, sizeof(**out));
	int rc = *out ? HQ_DB_DONE : HQ_DB_ERROR;
	while (*out && (rc = hq_db_step(st)) == HQ_DB_ROW && *n < max) {
		struct hq_alert_msg *m = &(*out)[(*n)++];
		m->id = hq_db_column_int64(st, 0);
		m->rule_id = hq_db_column_int64(st, 1);
		hq_alert_text_col(st, 2, m->channel, sizeof(m->channel));
		m->target = hq_alert_dup_col(st, 3);
		m->subject = hq_alert_dup_col(st, 4);
		m->body = hq_alert_dup_col(st, 5);
		m->attempts = (int)hq_db_column_int64(st, 6);
		m->created_ms = hq_db_column_int64(st, 7);
		if (!m->target || !m->subject || !m->body)
			rc = HQ_DB_ERROR;
	}
	if (rc != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot read the outbox: %s", *out ? hq_db_errmsg(s) : "out of memory");
		hq_alert_msg_free(*out, *n);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_alert_outbox_next(struct hq_store *db, int64_t *next_ms)
{
	*next_ms = INT64_MAX;
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT min(next_ms) FROM alert_outbox WHERE sent_ms = 0 AND gave_up_ms = 0",
			 &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW && !hq_db_column_null(st, 0))
		*next_ms = hq_db_column_int64(st, 0);
	hq_db_reset(st);
	return rc == HQ_DB_ROW ? 0 : -1;
}

int hq_alert_outbox_result(struct hq_store *db, int64_t id, int ok, int64_t now_ms, int64_t next_ms,
			   const char *error, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_alert_prep(s, ok ? "UPDATE alert_outbox SET attempts = attempts + 1, sent_ms = ?2, last_error = ?4 WHERE id = ?1"
		 : next_ms ? "UPDATE alert_outbox SET attempts = attempts + 1, next_ms = ?3, last_error = ?4 WHERE id = ?1"
			   : "UPDATE alert_outbox SET attempts = attempts + 1, gave_up_ms = ?2, last_error = ?4 WHERE id = ?1",
		 &st, "cannot update the outbox", err, errlen))
		return -1;
	hq_db_bind_int64(st, 1, id);
	hq_db_bind_int64(st, 2, now_ms);
	hq_db_bind_int64(st, 3, next_ms);
	hq_db_bind_text(st, 4, error ? error : "");
	hq_store_write_lock(1);
	int rc = hq_alert_run(s, st, "cannot update the outbox", err, errlen);
	hq_store_write_lock(0);
	return rc;
}
