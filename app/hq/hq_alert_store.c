/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_store: rules, episodes, outbox and opening hours (see
 * hq_alert_store.h). Ids are max(id) + 1 taken inside the write
 * transaction (the process write lock is held), so no engine's
 * auto-increment is needed.
 */
#include "hq_alert_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_db.h"

static const char *const kinds[] = { "negative", "index", "silent", "daily", "weekly", NULL };

int hq_alert_is_report(const char *kind)
{
	return !strcmp(kind, "daily") || !strcmp(kind, "weekly");
}

int hq_alert_rule_defaults(struct hq_alert_rule *r, const char *kind)
{
	memset(r, 0, sizeof(*r));
	int known = 0;
	for (int i = 0; kinds[i]; i++)
		known |= !strcmp(kinds[i], kind);
	if (!known)
		return -1;
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->scope_kind, sizeof(r->scope_kind), "store");
	r->enabled = 1;
	/* The market leader's: half of the last quarter hour's ratings negative, at least 4 of them. */
	if (!strcmp(kind, "negative")) {
		r->threshold = 50;
		r->window_min = 15;
		r->min_ratings = 4;
	} else if (!strcmp(kind, "index")) {
		r->threshold = 50;
		r->min_ratings = 10;
	} else if (!strcmp(kind, "silent")) {
		r->threshold = 2;
	}
	return 0;
}

static int hhmm_ok(const char *t)
{
	return strlen(t) == 5 && t[2] == ':' && t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' &&
	       t[3] >= '0' && t[3] <= '5' && t[4] >= '0' && t[4] <= '9' && (t[0] - '0') * 10 + t[1] - '0' < 24;
}

int hq_alert_rule_check(const struct hq_alert_rule *r, char *err, size_t errlen)
{
	struct hq_alert_rule d;
	if (hq_alert_rule_defaults(&d, r->kind)) {
		snprintf(err, errlen, "kind must be negative, index, silent, daily or weekly, not \"%s\"", r->kind);
		return -1;
	}
	if (strcmp(r->scope_kind, "store") && strcmp(r->scope_kind, "region")) {
		snprintf(err, errlen, "scope_kind must be store or region, not \"%s\"", r->scope_kind);
		return -1;
	}
	if (!r->scope[0]) {
		snprintf(err, errlen, "a rule needs the %s it watches (scope)", r->scope_kind);
		return -1;
	}
	if (!strcmp(r->kind, "negative") && !(r->threshold > 0 && r->threshold <= 100)) {
		snprintf(err, errlen, "threshold of a negative rule is a share in %%: above 0, at most 100");
		return -1;
	}
	if (!strcmp(r->kind, "negative") && !(r->window_min >= 1 && r->window_min <= 1440)) {
		snprintf(err, errlen, "window_min must be 1 to 1440 minutes");
		return -1;
	}
	if (!strcmp(r->kind, "index") && !(r->threshold > 0 && r->threshold <= 100)) {
		snprintf(err, errlen, "threshold of an index rule is a Happy Index: above 0, at most 100");
		return -1;
	}
	if (!strcmp(r->kind, "silent") && !(r->threshold >= 0.25 && r->threshold <= 24 * 14)) {
		snprintf(err, errlen, "threshold of a silent rule is hours: 0.25 to 336");
		return -1;
	}
	if ((!strcmp(r->kind, "negative") || !strcmp(r->kind, "index")) &&
	    !(r->min_ratings >= 1 && r->min_ratings <= 100000)) {
		snprintf(err, errlen, "min_ratings must be 1 to 100000");
		return -1;
	}
	if (r->send_at[0] && !hhmm_ok(r->send_at)) {
		snprintf(err, errlen, "send_at must be HH:MM, not \"%s\"", r->send_at);
		return -1;
	}
	if (r->webhook[0] && strncmp(r->webhook, "http://", 7) && strncmp(r->webhook, "https://", 8)) {
		snprintf(err, errlen, "webhook must start with http:// or https://");
		return -1;
	}
	for (const char *c = r->mail_to; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == '<' || *c == '>') {
			snprintf(err, errlen, "mail_to is addresses separated by commas");
			return -1;
		}
	for (const char *c = r->scope; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(err, errlen, "scope has a control character");
			return -1;
		}
	return 0;
}

/* --- small helpers over hq_db ------------------------------------------------ */

static int prep(struct hq_db *s, const char *sql, struct hq_db_stmt **st, const char *what, char *err, size_t errlen)
{
	char why[256];
	if (hq_db_prepare(s, sql, st, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	return 0;
}

/* Runs st to its end and finalises it. 0, or -1 with err. */
static int run(struct hq_db *s, struct hq_db_stmt *st, const char *what, char *err, size_t errlen)
{
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW)
		rc = HQ_DB_DONE;
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "%s: %s", what, hq_db_errmsg(s));
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* The next id of table (max + 1), inside a write transaction. */
static int64_t next_id(struct hq_db *s, const char *table)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) + 1 FROM %s", table);
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_prepare(s, sql, &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	int64_t id = hq_db_step(st) == HQ_DB_ROW ? hq_db_column_int64(st, 0) : -1;
	hq_db_finalize(st);
	return id;
}

static int tx_begin(struct hq_db *s, char *err, size_t errlen)
{
	hq_store_write_lock(1);
	if (hq_db_begin(s, 1, err, errlen) != HQ_DB_DONE) {
		hq_store_write_lock(0);
		return -1;
	}
	return 0;
}

static int tx_end(struct hq_db *s, int ok, char *err, size_t errlen)
{
	if (ok && hq_db_commit(s, err, errlen) != HQ_DB_DONE)
		ok = 0;
	if (!ok)
		hq_db_rollback(s);
	hq_store_write_lock(0);
	return ok ? 0 : -1;
}

static void text_col(struct hq_db_stmt *st, int i, char *out, size_t len)
{
	const char *t = hq_db_column_text(st, i);
	snprintf(out, len, "%s", t ? t : "");
}

static char *dup_col(struct hq_db_stmt *st, int i)
{
	const char *t = hq_db_column_text(st, i);
	return strdup(t ? t : "");
}

/* --- rules --------------------------------------------------------------------- */

#define RULE_COLS "id, kind, scope_kind, scope, threshold, window_min, min_ratings, send_at, webhook, secret," \
		  " mail_to, enabled, updated_ms"

static void rule_row(struct hq_db_stmt *st, struct hq_alert_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->id = hq_db_column_int64(st, 0);
	text_col(st, 1, r->kind, sizeof(r->kind));
	text_col(st, 2, r->scope_kind, sizeof(r->scope_kind));
	text_col(st, 3, r->scope, sizeof(r->scope));
	r->threshold = hq_db_column_double(st, 4);
	r->window_min = (int)hq_db_column_int64(st, 5);
	r->min_ratings = (int)hq_db_column_int64(st, 6);
	text_col(st, 7, r->send_at, sizeof(r->send_at));
	text_col(st, 8, r->webhook, sizeof(r->webhook));
	text_col(st, 9, r->secret, sizeof(r->secret));
	text_col(st, 10, r->mail_to, sizeof(r->mail_to));
	r->enabled = (int)hq_db_column_int64(st, 11);
	r->updated_ms = hq_db_column_int64(st, 12);
}

int hq_alert_rule_save(struct hq_store *db, struct hq_alert_rule *r, int64_t now_ms, char *err, size_t errlen)
{
	if (hq_alert_rule_check(r, err, errlen))
		return -1;
	struct hq_db *s = hq_store_sql(db);
	if (tx_begin(s, err, errlen))
		return -1;
	int ok = 1, missing = 0;
	int64_t id = r->id;
	if (!id) {
		id = next_id(s, "alert_rules");
		ok = id > 0;
		if (!ok)
			snprintf(err, errlen, "cannot save rule: %s", hq_db_errmsg(s));
	}
	struct hq_db_stmt *st = NULL;
	if (ok)
		ok = !prep(s, r->id ? "UPDATE alert_rules SET kind = ?2, scope_kind = ?3, scope = ?4, threshold = ?5,"
				      " window_min = ?6, min_ratings = ?7, send_at = ?8, webhook = ?9, secret = ?10,"
				      " mail_to = ?11, enabled = ?12, updated_ms = ?13 WHERE id = ?1"
				    : "INSERT INTO alert_rules (" RULE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
				      " ?10, ?11, ?12, ?13)",
			   &st, "cannot save rule", err, errlen);
	if (ok) {
		hq_db_bind_int64(st, 1, id);
		hq_db_bind_text(st, 2, r->kind);
		hq_db_bind_text(st, 3, r->scope_kind);
		hq_db_bind_text(st, 4, r->scope);
		hq_db_bind_double(st, 5, r->threshold);
		hq_db_bind_int64(st, 6, r->window_min);
		hq_db_bind_int64(st, 7, r->min_ratings);
		hq_db_bind_text(st, 8, r->send_at);
		hq_db_bind_text(st, 9, r->webhook);
		hq_db_bind_text(st, 10, r->secret);
		hq_db_bind_text(st, 11, r->mail_to);
		hq_db_bind_int64(st, 12, r->enabled ? 1 : 0);
		hq_db_bind_int64(st, 13, now_ms);
		int rc = hq_db_step(st);
		missing = rc == HQ_DB_DONE && r->id && hq_db_changes(st) == 0;
		if (rc != HQ_DB_DONE) {
			snprintf(err, errlen, "cannot save rule: %s", hq_db_errmsg(s));
			ok = 0;
		}
		hq_db_finalize(st);
	}
	/* A changed rule starts afresh: what its old condition opened is closed without a message. */
	if (ok && r->id && !missing &&
	    !prep(s, "UPDATE alert_episodes SET cleared_ms = ?2 WHERE rule_id = ?1 AND cleared_ms = 0", &st,
		  "cannot save rule", err, errlen)) {
		hq_db_bind_int64(st, 1, id);
		hq_db_bind_int64(st, 2, now_ms);
		ok = !run(s, st, "cannot save rule", err, errlen);
	}
	if (tx_end(s, ok && !missing, err, errlen))
		return missing ? 1 : -1;
	r->id = id;
	r->updated_ms = now_ms;
	return 0;
}

int hq_alert_rule_delete(struct hq_store *db, int64_t id, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	if (tx_begin(s, err, errlen))
		return -1;
	struct hq_db_stmt *st;
	int ok = !prep(s, "DELETE FROM alert_rules WHERE id = ?", &st, "cannot delete rule", err, errlen), gone = 0;
	if (ok) {
		hq_db_bind_int64(st, 1, id);
		int rc = hq_db_step(st);
		gone = rc == HQ_DB_DONE && hq_db_changes(st) == 1;
		if (rc != HQ_DB_DONE) {
			snprintf(err, errlen, "cannot delete rule: %s", hq_db_errmsg(s));
			ok = 0;
		}
		hq_db_finalize(st);
	}
	if (ok && gone && !prep(s, "UPDATE alert_episodes SET cleared_ms = ?2 WHERE rule_id = ?1 AND cleared_ms = 0", &st,
				"cannot delete rule", err, errlen)) {
		hq_db_bind_int64(st, 1, id);
		hq_db_bind_int64(st, 2, 1); /* closed by deletion, not by a clear condition */
		ok = !run(s, st, "cannot delete rule", err, errlen);
	}
	if (tx_end(s, ok && gone, err, errlen))
		return ok && !gone ? 1 : -1;
	return 0;
}

int hq_alert_rule_list(struct hq_store *db, struct hq_alert_rule **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (prep(s, "SELECT " RULE_COLS " FROM alert_rules ORDER BY id", &st, "cannot list rules", err, errlen))
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct hq_alert_rule *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		rule_row(st, &(*out)[(*n)++]);
	}
	if (rc != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot list rules: %s", hq_db_errmsg(s));
		free(*out);
		*out = NULL;
		*n = 0;
	}
	hq_db_finalize(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_alert_rule_get(struct hq_store *db, int64_t id, struct hq_alert_rule *out)
{
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	char err[512];
	if (prep(s, "SELECT " RULE_COLS " FROM alert_rules WHERE id = ?", &st, "rule", err, sizeof(err)))
		return -1;
	hq_db_bind_int64(st, 1, id);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW)
		rule_row(st, out);
	hq_db_finalize(st);
	return rc == HQ_DB_ROW ? 1 : rc == HQ_DB_DONE ? 0 : -1;
}

/* --- episodes and the outbox --------------------------------------------------- */

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
		int64_t id = next_id(s, "alert_outbox");
		struct hq_db_stmt *st;
		if (id <= 0 || prep(s, "INSERT INTO alert_outbox (id, rule_id, channel, target, subject, body, created_ms,"
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
		if (run(s, st, "cannot queue", err, errlen))
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
	text_col(st, 2, e->kind, sizeof(e->kind));
	text_col(st, 3, e->subject, sizeof(e->subject));
	text_col(st, 4, e->store, sizeof(e->store));
	e->opened_ms = hq_db_column_int64(st, 5);
	e->cleared_ms = hq_db_column_int64(st, 6);
	e->value = hq_db_column_double(st, 7);
	e->ratings = (int)hq_db_column_int64(st, 8);
	text_col(st, 9, e->detail, sizeof(e->detail));
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
	if (tx_begin(s, err, errlen))
		return -1;
	int64_t id = next_id(s, "alert_episodes");
	struct hq_db_stmt *st;
	int ok = id > 0 && !prep(s, "INSERT INTO alert_episodes (id, rule_id, subject, store, opened_ms, value, ratings,"
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
		ok = !run(s, st, "cannot open episode", err, errlen) && !queue(s, msgs, n, id, now_ms, err, errlen);
	} else if (id <= 0) {
		snprintf(err, errlen, "cannot open episode: %s", hq_db_errmsg(s));
	}
	if (tx_end(s, ok, err, errlen))
		return -1;
	e->id = id;
	e->opened_ms = now_ms;
	return 0;
}

int hq_alert_episode_clear(struct hq_store *db, int64_t id, struct hq_alert_msg *msgs, size_t n, int64_t now_ms,
			   char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	if (tx_begin(s, err, errlen))
		return -1;
	struct hq_db_stmt *st;
	int ok = !prep(s, "UPDATE alert_episodes SET cleared_ms = ? WHERE id = ? AND cleared_ms = 0", &st,
		       "cannot clear episode", err, errlen);
	if (ok) {
		hq_db_bind_int64(st, 1, now_ms);
		hq_db_bind_int64(st, 2, id);
		ok = !run(s, st, "cannot clear episode", err, errlen) && !queue(s, msgs, n, id, now_ms, err, errlen);
	}
	return tx_end(s, ok, err, errlen);
}

int hq_alert_episode_list(struct hq_store *db, const char *user, int open_only, int limit,
			  struct hq_alert_episode **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (prep(s, "SELECT " EPISODE_COLS " FROM alert_episodes e LEFT JOIN alert_rules r ON r.id = e.rule_id"
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
	if (tx_begin(s, err, errlen))
		return -1;
	struct hq_db_stmt *st;
	int ok = !prep(s, "INSERT INTO report_runs (rule_id, period, sent_ms) VALUES (?, ?, ?)"
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
	if (tx_end(s, ok, err, errlen))
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
	if (prep(s, "SELECT id, rule_id, channel, target, subject, body, attempts, created_ms FROM alert_outbox"
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
		text_col(st, 2, m->channel, sizeof(m->channel));
		m->target = dup_col(st, 3);
		m->subject = dup_col(st, 4);
		m->body = dup_col(st, 5);
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
	if (prep(s, ok ? "UPDATE alert_outbox SET attempts = attempts + 1, sent_ms = ?2, last_error = ?4 WHERE id = ?1"
		 : next_ms ? "UPDATE alert_outbox SET attempts = attempts + 1, next_ms = ?3, last_error = ?4 WHERE id = ?1"
			   : "UPDATE alert_outbox SET attempts = attempts + 1, gave_up_ms = ?2, last_error = ?4 WHERE id = ?1",
		 &st, "cannot update the outbox", err, errlen))
		return -1;
	hq_db_bind_int64(st, 1, id);
	hq_db_bind_int64(st, 2, now_ms);
	hq_db_bind_int64(st, 3, next_ms);
	hq_db_bind_text(st, 4, error ? error : "");
	hq_store_write_lock(1);
	int rc = run(s, st, "cannot update the outbox", err, errlen);
	hq_store_write_lock(0);
	return rc;
}

/* --- opening hours --------------------------------------------------------------- */

int hq_alert_hours_set(struct hq_store *db, const char *kiosk_id, const char *const week[7], char *err, size_t errlen)
{
	char text[7 * 32] = "";
	size_t used = 0;
	for (int d = 0; d < 7; d++) {
		struct day_hours h;
		if (strlen(week[d]) > 24 || hours_parse(week[d], &h)) {
			snprintf(err, errlen, "\"%s\" is not a day's hours (08:00-20:00, closed, or empty for all day)", week[d]);
			return -1;
		}
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s", d ? "\n" : "", week[d]);
	}
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (prep(s, "SELECT 1 FROM kiosks WHERE id = ?", &st, "cannot set hours", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	int rc = hq_db_step(st);
	hq_db_finalize(st);
	if (rc == HQ_DB_DONE)
		return 1;
	if (rc != HQ_DB_ROW) {
		snprintf(err, errlen, "cannot set hours: %s", hq_db_errmsg(s));
		return -1;
	}
	if (prep(s, "INSERT INTO kiosk_hours (kiosk_id, week) VALUES (?1, ?2)"
		 " ON CONFLICT (kiosk_id) DO UPDATE SET week = excluded.week", &st, "cannot set hours", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_text(st, 2, text);
	hq_store_write_lock(1);
	rc = run(s, st, "cannot set hours", err, errlen);
	hq_store_write_lock(0);
	return rc;
}

int hq_alert_hours_get(struct hq_store *db, const char *kiosk_id, struct day_hours week[7])
{
	hours_always_open(week);
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT week FROM kiosk_hours WHERE kiosk_id = ?", &st, why, sizeof(why))
	    != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW) {
		char text[7 * 32];
		text_col(st, 0, text, sizeof(text));
		char *p = text;
		for (int d = 0; d < 7; d++) {
			/* strtok would merge empty (all day) lines: split by hand. */
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			if (hours_parse(p, &week[d]))
				hours_parse("", &week[d]);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	hq_db_reset(st);
	return rc == HQ_DB_ROW || rc == HQ_DB_DONE ? 0 : -1;
}
