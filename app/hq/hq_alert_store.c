/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_store: alert rules (see hq_alert_store.h), and the small
 * helpers over hq_db that the module's files share (hq_alert_store_impl.h).
 * Ids are max(id) + 1 taken inside the write transaction (the process
 * write lock is held), so no engine's auto-increment is needed.
 * Episodes and the outbox are in hq_alert_outbox.c, opening hours in
 * hq_alert_hours.c.
 */
#include "hq_alert_store.h"
#include "hq_alert_store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int hq_alert_prep(struct hq_db *s, const char *sql, struct hq_db_stmt **st, const char *what, char *err, size_t errlen)
{
	char why[256];
	if (hq_db_prepare(s, sql, st, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	return 0;
}

/* Runs st to its end and finalises it. 0, or -1 with err. */
int hq_alert_run(struct hq_db *s, struct hq_db_stmt *st, const char *what, char *err, size_t errlen)
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
int64_t hq_alert_next_id(struct hq_db *s, const char *table)
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

int hq_alert_tx_begin(struct hq_db *s, char *err, size_t errlen)
{
	hq_store_write_lock(1);
	if (hq_db_begin(s, 1, err, errlen) != HQ_DB_DONE) {
		hq_store_write_lock(0);
		return -1;
	}
	return 0;
}

int hq_alert_tx_end(struct hq_db *s, int ok, char *err, size_t errlen)
{
	if (ok && hq_db_commit(s, err, errlen) != HQ_DB_DONE)
		ok = 0;
	if (!ok)
		hq_db_rollback(s);
	hq_store_write_lock(0);
	return ok ? 0 : -1;
}

void hq_alert_text_col(struct hq_db_stmt *st, int i, char *out, size_t len)
{
	const char *t = hq_db_column_text(st, i);
	snprintf(out, len, "%s", t ? t : "");
}

char *hq_alert_dup_col(struct hq_db_stmt *st, int i)
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
	hq_alert_text_col(st, 1, r->kind, sizeof(r->kind));
	hq_alert_text_col(st, 2, r->scope_kind, sizeof(r->scope_kind));
	hq_alert_text_col(st, 3, r->scope, sizeof(r->scope));
	r->threshold = hq_db_column_double(st, 4);
	r->window_min = (int)hq_db_column_int64(st, 5);
	r->min_ratings = (int)hq_db_column_int64(st, 6);
	hq_alert_text_col(st, 7, r->send_at, sizeof(r->send_at));
	hq_alert_text_col(st, 8, r->webhook, sizeof(r->webhook));
	hq_alert_text_col(st, 9, r->secret, sizeof(r->secret));
	hq_alert_text_col(st, 10, r->mail_to, sizeof(r->mail_to));
	r->enabled = (int)hq_db_column_int64(st, 11);
	r->updated_ms = hq_db_column_int64(st, 12);
}

int hq_alert_rule_save(struct hq_store *db, struct hq_alert_rule *r, int64_t now_ms, char *err, size_t errlen)
{
	if (hq_alert_rule_check(r, err, errlen))
		return -1;
	struct hq_db *s = hq_store_sql(db);
	if (hq_alert_tx_begin(s, err, errlen))
		return -1;
	int ok = 1, missing = 0;
	int64_t id = r->id;
	if (!id) {
		id = hq_alert_next_id(s, "alert_rules");
		ok = id > 0;
		if (!ok)
			snprintf(err, errlen, "cannot save rule: %s", hq_db_errmsg(s));
	}
	struct hq_db_stmt *st = NULL;
	if (ok)
		ok = !hq_alert_prep(s, r->id ? "UPDATE alert_rules SET kind = ?2, scope_kind = ?3, scope = ?4, threshold = ?5,"
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
	    !hq_alert_prep(s, "UPDATE alert_episodes SET cleared_ms = ?2 WHERE rule_id = ?1 AND cleared_ms = 0", &st,
		  "cannot save rule", err, errlen)) {
		hq_db_bind_int64(st, 1, id);
		hq_db_bind_int64(st, 2, now_ms);
		ok = !hq_alert_run(s, st, "cannot save rule", err, errlen);
	}
	if (hq_alert_tx_end(s, ok && !missing, err, errlen))
		return missing ? 1 : -1;
	r->id = id;
	r->updated_ms = now_ms;
	return 0;
}

int hq_alert_rule_delete(struct hq_store *db, int64_t id, char *err, size_t errlen)
{
	struct hq_db *s = hq_store_sql(db);
	if (hq_alert_tx_begin(s, err, errlen))
		return -1;
	struct hq_db_stmt *st;
	int ok = !hq_alert_prep(s, "DELETE FROM alert_rules WHERE id = ?", &st, "cannot delete rule", err, errlen), gone = 0;
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
	if (ok && gone && !hq_alert_prep(s, "UPDATE alert_episodes SET cleared_ms = ?2 WHERE rule_id = ?1 AND cleared_ms = 0", &st,
				"cannot delete rule", err, errlen)) {
		hq_db_bind_int64(st, 1, id);
		hq_db_bind_int64(st, 2, 1); /* closed by deletion, not by a clear condition */
		ok = !hq_alert_run(s, st, "cannot delete rule", err, errlen);
	}
	if (hq_alert_tx_end(s, ok && gone, err, errlen))
		return ok && !gone ? 1 : -1;
	return 0;
}

int hq_alert_rule_list(struct hq_store *db, struct hq_alert_rule **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_alert_prep(s, "SELECT " RULE_COLS " FROM alert_rules ORDER BY id", &st, "cannot list rules", err, errlen))
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
	if (hq_alert_prep(s, "SELECT " RULE_COLS " FROM alert_rules WHERE id = ?", &st, "rule", err, sizeof(err)))
		return -1;
	hq_db_bind_int64(st, 1, id);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW)
		rule_row(st, out);
	hq_db_finalize(st);
	return rc == HQ_DB_ROW ? 1 : rc == HQ_DB_DONE ? 0 : -1;
}
