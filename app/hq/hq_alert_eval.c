/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_eval: one check of every alert rule (see hq_alert_eval.h).
 *
 * Each rule is judged per subject (a store; a kiosk for silent) into
 * "holds" with the figure that decided it; then the open episode of that
 * subject, if any, decides: holds and none open -> open one and queue the
 * alert; holds no longer and one open -> clear it and queue the all clear.
 */
#include "hq_alert_eval.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_db.h"
#include "hq_slots.h"
#include "log.h"
#include "tzday.h"
#include "tzif.h"

#define MINUTE_MS 60000LL
#define SLOT_MS (15 * MINUTE_MS)
/* A silent kiosk is looked at back this far: beyond it, it has been silent long enough for any rule. */
#define SILENT_LOOKBACK_DAYS 15

void hq_alert_url_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c && o + 4 < len; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-_.~", *c)) {
			out[o++] = (char)*c;
		} else {
			out[o++] = '%';
			out[o++] = hex[*c >> 4];
			out[o++] = hex[*c & 15];
		}
	}
	out[o] = '\0';
}

int hq_alert_rule_stores(struct hq_store *db, const struct hq_alert_rule *r, char (**out)[HQ_NAME_MAX], size_t *n)
{
	*out = NULL;
	*n = 0;
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_prepare(hq_store_sql(db), !strcmp(r->scope_kind, "region")
			  ? "SELECT name FROM stores WHERE region = ? ORDER BY name"
			  : "SELECT name FROM stores WHERE name = ?", &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, r->scope);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			char (*more)[HQ_NAME_MAX] = realloc(*out, cap * sizeof(*more));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		const char *name = hq_db_column_text(st, 0);
		snprintf((*out)[(*n)++], HQ_NAME_MAX, "%s", name ? name : "");
	}
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int hq_alert_store_zone(struct hq_store *db, const char *store, char tz[HQ_TZ_MAX])
{
	snprintf(tz, HQ_TZ_MAX, "UTC");
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT tz FROM kiosks WHERE store = ? ORDER BY revoked_ms <> 0, id LIMIT 1",
			 &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, store);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW) {
		const char *t = hq_db_column_text(st, 0);
		snprintf(tz, HQ_TZ_MAX, "%s", t ? t : "UTC");
	}
	hq_db_reset(st);
	return rc == HQ_DB_ROW ? 0 : -1;
}

/*
 * Counts by value of store's ratings with best time in [from, to], misuse
 * and closed-hours presses left out; known_only: trusted times only.
 * neg: negative faces (below the middle); sum100: the faces mapped onto
 * 0..100, summed. 0 or -1.
 */
static int tally(struct hq_store *db, const char *store, int64_t from, int64_t to, int known_only, int64_t *n,
		 int64_t *neg, double *sum100)
{
	*n = *neg = 0;
	*sum100 = 0;
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT r.value, r.scale, count(*) FROM "
			 HQ_SLOTS_RATINGS_SQL("s.kiosk_id IN (SELECT id FROM kiosks WHERE store = ?1)", "?5", "?6")
			 " WHERE r.best_ms >= ?2 AND r.best_ms <= ?3 AND (r.flags & 3) = 0"
			 " AND (?4 = 0 OR r.time_known = 1) AND r.scale BETWEEN 3 AND 5 AND r.value >= 0"
			 " AND r.value < r.scale GROUP BY r.value, r.scale", &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, store);
	hq_db_bind_int64(st, 2, from);
	hq_db_bind_int64(st, 3, to);
	hq_db_bind_int64(st, 4, known_only);
	hq_db_bind_int64(st, 5, hq_slot_of(from));
	hq_db_bind_int64(st, 6, hq_slot_of(to));
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		int64_t v = hq_db_column_int64(st, 0), scale = hq_db_column_int64(st, 1), c = hq_db_column_int64(st, 2);
		*n += c;
		if (v * 2 < scale - 1)
			*neg += c;
		*sum100 += (double)c * (double)v * 100.0 / (double)(scale - 1);
	}
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* Minutes of opening hours (week, zone z) in [from, to), counted by quarter hour; stops once past cap_min. */
double hq_alert_open_minutes(const struct tzif *z, const struct day_hours week[7], int64_t from, int64_t to, double cap_min)
{
	if (to - from > SILENT_LOOKBACK_DAYS * 86400000LL)
		from = to - SILENT_LOOKBACK_DAYS * 86400000LL;
	char err[128];
	/* The local date of `from`: UTC date minus one, the zone's day starting there or later covers it. */
	time_t t = (time_t)(from / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	struct tzdate date = tzday_add_days((struct tzdate){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday }, -1);
	double open = 0;
	for (int d = 0; d < SILENT_LOOKBACK_DAYS + 3 && open < cap_min; d++, date = tzday_add_days(date, 1)) {
		struct tzday td;
		if (tzday_make_in(&td, z, date, err, sizeof(err)))
			return open;
		if (td.start_ms >= to)
			break;
		for (int i = 0; i < td.nslots; i++) {
			int64_t a = td.start_ms + i * SLOT_MS, b = a + SLOT_MS;
			if (b <= from || a >= to)
				continue;
			int minute = td.slot_hour[i] * 60 + (i % 4) * 15;
			if (!hours_open_at(week, td.wday, minute))
				continue;
			open += (double)((b < to ? b : to) - (a > from ? a : from)) / MINUTE_MS;
		}
	}
	return open;
}

static void utc_minute(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

int hq_alert_messages(const struct hq_alert_rule *r, const struct hq_alert_env *env, const char *json,
		      const char *subject, const char *text, struct hq_alert_msg **out, size_t *n)
{
	*n = 0;
	*out = calloc(2, sizeof(**out));
	if (!*out)
		return -1;
	const char *hook = r->webhook[0] ? r->webhook : env->webhook_url;
	const char *to = r->mail_to[0] ? r->mail_to : env->mail_to;
	struct { const char *channel, *target, *body; } want[2] = { { "webhook", hook, json }, { "mail", to, text } };
	for (int i = 0; i < 2; i++) {
		if (!want[i].target || !want[i].target[0] || (i == 1 && !env->mail))
			continue;
		struct hq_alert_msg *m = &(*out)[(*n)++];
		m->rule_id = r->id;
		snprintf(m->channel, sizeof(m->channel), "%s", want[i].channel);
		m->target = strdup(want[i].target);
		m->subject = strdup(subject);
		m->body = strdup(want[i].body);
		if (!m->target || !m->subject || !m->body) {
			hq_alert_msg_free(*out, *n);
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

/* What the rule says, in words: "negative share >= 50 % within 15 min (at least 4 ratings)". */
static void rule_words(const struct hq_alert_rule *r, char *out, size_t len)
{
	if (!strcmp(r->kind, "negative"))
		snprintf(out, len, "negative share >= %g %% within %d min (at least %d ratings)", r->threshold,
			 r->window_min, r->min_ratings);
	else if (!strcmp(r->kind, "index"))
		snprintf(out, len, "the day's Happy Index below %g (after at least %d ratings)", r->threshold,
			 r->min_ratings);
	else
		snprintf(out, len, "a kiosk silent for %g h of its opening hours", r->threshold);
}

/* Opens or clears the episode of (r, subject) as `holds` says, queuing its messages. 1 changed, 0 not, -1 error. */
static int settle(struct hq_store *db, const struct hq_alert_env *env, const struct hq_alert_rule *r,
		  const char *subject, const char *store, int holds, double value, int64_t ratings, const char *detail,
		  int64_t now_ms, char *err, size_t errlen)
{
	struct hq_alert_episode e;
	int open = hq_alert_episode_open_of(db, r->id, subject, &e);
	if (open < 0) {
		snprintf(err, errlen, "rule %lld: cannot read its episodes", (long long)r->id);
		return -1;
	}
	if (!!holds == !!open)
		return 0;
	char words[192], when[32], link[HQ_ALERT_URL_MAX + 64], subj[HQ_NAME_MAX * 2 + 96], *text = NULL;
	rule_words(r, words, sizeof(words));
	const char *base = env->public_url ? env->public_url : "";
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	if (holds) {
		memset(&e, 0, sizeof(e));
		e.rule_id = r->id;
		snprintf(e.subject, sizeof(e.subject), "%s", subject);
		snprintf(e.store, sizeof(e.store), "%s", store);
		e.value = value;
		e.ratings = (int)ratings;
		snprintf(e.detail, sizeof(e.detail), "%s", detail);
		e.opened_ms = now_ms;
	}
	snprintf(link, sizeof(link), "%.*s/alerts?episode=%s", (int)bl, base, holds ? "{episode}" : "");
	if (!holds) {
		char num[24];
		snprintf(num, sizeof(num), "%lld", (long long)e.id);
		strncat(link, num, sizeof(link) - strlen(link) - 1);
	}
	utc_minute(holds ? now_ms : e.opened_ms, when);
	snprintf(subj, sizeof(subj), "Tally %s: %s: %s", holds ? "alert" : "all clear", subject,
		 holds ? detail : "back to normal");
	if (asprintf(&text, "%s\n\nStore: %s\nRule %lld (%s %s): %s\n%s: %s\n%s\n\nWhat it means, on the dashboard:\n%s\n",
		     holds ? "An alert from Tally." : "All clear: the condition of this alert has ended.", store,
		     (long long)r->id, r->scope_kind, r->scope, words, holds ? "Since" : "It began", when,
		     holds ? detail : e.detail, link) < 0)
		text = NULL;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:I,s:s,s:s,s:s,s:f,s:i,s:i},s:f,s:I,s:s,s:I,s:o,s:s}",
			      "event", holds ? "alert" : "clear", "kind", r->kind, "store", store, "subject", subject,
			      "episode", "{episode}",
			      "rule", "id", (json_int_t)r->id, "kind", r->kind, "scope_kind", r->scope_kind, "scope",
			      r->scope, "threshold", r->threshold, "window_min", r->window_min, "min_ratings", r->min_ratings,
			      "value", holds ? value : e.value, "ratings", (json_int_t)(holds ? ratings : e.ratings),
			      "detail", holds ? detail : e.detail, "opened_ms", (json_int_t)(holds ? now_ms : e.opened_ms),
			      "cleared_ms", holds ? json_null() : json_integer(now_ms), "link", link);
	char *json = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	/* The episode's id goes in as a number: the placeholder's quotes are dropped. */
	char *q = json ? strstr(json, "\"{episode}\"") : NULL;
	if (q) {
		memmove(q, q + 1, strlen(q + 1) + 1);
		q = strstr(q, "}\"");
		memmove(q + 1, q + 2, strlen(q + 2) + 1);
	}
	struct hq_alert_msg *msgs = NULL;
	size_t n = 0;
	int rc = -1;
	if (!text || !json || hq_alert_messages(r, env, json, subj, text, &msgs, &n)) {
		snprintf(err, errlen, "out of memory");
	} else if (holds) {
		rc = hq_alert_episode_open(db, &e, msgs, n, now_ms, err, errlen) ? -1 : 1;
		if (rc == 1)
			log_msg(LOG_NOTICE, "alert: rule %lld (%s) opened episode %lld for %s: %s", (long long)r->id, r->kind,
				(long long)e.id, subject, detail);
	} else {
		rc = hq_alert_episode_clear(db, e.id, msgs, n, now_ms, err, errlen) ? -1 : 1;
		if (rc == 1)
			log_msg(LOG_NOTICE, "alert: rule %lld (%s) cleared episode %lld for %s", (long long)r->id, r->kind,
				(long long)e.id, subject);
	}
	hq_alert_msg_free(msgs, n);
	free(msgs);
	free(text);
	free(json);
	return rc;
}

/* The active kiosks of store with the last time each was heard from. */
struct heard {
	char id[RATING_ID_MAX];
	char area[HQ_NAME_MAX];
	char tz[HQ_TZ_MAX];
	int64_t last_ms;
};

static int kiosks_of(struct hq_store *db, const char *store, struct heard **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_prepare(hq_store_sql(db), "SELECT id, area, tz, last_batch_ms, created_ms FROM kiosks"
			  " WHERE store = ? AND revoked_ms = 0 ORDER BY id", &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, store);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct heard *more = realloc(*out, cap * sizeof(*more));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		struct heard *h = &(*out)[(*n)++];
		const char *id = hq_db_column_text(st, 0), *area = hq_db_column_text(st, 1), *tz = hq_db_column_text(st, 2);
		snprintf(h->id, sizeof(h->id), "%s", id ? id : "");
		snprintf(h->area, sizeof(h->area), "%s", area ? area : "");
		snprintf(h->tz, sizeof(h->tz), "%s", tz ? tz : "UTC");
		int64_t last = hq_db_column_int64(st, 3), created = hq_db_column_int64(st, 4);
		/* Never heard from: silent since it was registered. */
		h->last_ms = last > created ? last : created;
	}
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

static int check_silent(struct hq_store *db, const struct hq_alert_env *env, const struct hq_alert_rule *r,
			const char *store, int64_t now_ms, struct hq_alert_eval_stats *stats, char *err, size_t errlen)
{
	struct heard *k;
	size_t n;
	if (kiosks_of(db, store, &k, &n)) {
		snprintf(err, errlen, "rule %lld: cannot list the kiosks of %s", (long long)r->id, store);
		return -1;
	}
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct day_hours week[7];
		struct tzif *z;
		char why[256];
		if (hq_alert_hours_get(db, k[i].id, week) || tzif_load(&z, k[i].tz, why, sizeof(why))) {
			failed = 1;
			continue;
		}
		double cap = r->threshold * 60, open = hq_alert_open_minutes(z, week, k[i].last_ms, now_ms, cap);
		tzif_free(z);
		char detail[HQ_ALERT_DETAIL_MAX], since[32];
		utc_minute(k[i].last_ms, since);
		snprintf(detail, sizeof(detail), "kiosk %.63s (%.80s) silent since %.24s: %.1f h of opening hours", k[i].id, k[i].area,
			 since, open / 60);
		int rc = settle(db, env, r, k[i].id, store, open >= cap, open / 60, 0, detail, now_ms, err, errlen);
		if (rc < 0)
			failed = 1;
		else if (rc > 0)
			(open >= cap ? stats->opened++ : stats->cleared++);
	}
	free(k);
	return failed ? -1 : 0;
}

static int check_store(struct hq_store *db, const struct hq_alert_env *env, const struct hq_alert_rule *r,
		       const char *store, int64_t now_ms, struct hq_alert_eval_stats *stats, char *err, size_t errlen)
{
	if (!strcmp(r->kind, "silent"))
		return check_silent(db, env, r, store, now_ms, stats, err, errlen);
	int64_t n, neg, from;
	double sum;
	char detail[HQ_ALERT_DETAIL_MAX];
	if (!strcmp(r->kind, "negative")) {
		from = now_ms - (int64_t)r->window_min * MINUTE_MS;
	} else {
		char tz[HQ_TZ_MAX];
		struct tzdate today;
		struct tzday day;
		hq_alert_store_zone(db, store, tz);
		if (tzday_date_of(tz, now_ms, &today, NULL, err, errlen) || tzday_make(&day, tz, today, err, errlen))
			return -1;
		from = day.start_ms;
	}
	if (tally(db, store, from, now_ms, !strcmp(r->kind, "negative"), &n, &neg, &sum)) {
		snprintf(err, errlen, "rule %lld: cannot count the ratings of %s", (long long)r->id, store);
		return -1;
	}
	double value;
	int holds;
	if (!strcmp(r->kind, "negative")) {
		value = n ? 100.0 * (double)neg / (double)n : 0;
		holds = n >= r->min_ratings && value >= r->threshold;
		snprintf(detail, sizeof(detail), "%.0f %% negative in the last %d min (%lld of %lld ratings)", value,
			 r->window_min, (long long)neg, (long long)n);
	} else {
		value = n ? sum / (double)n : 0;
		holds = n >= r->min_ratings && value < r->threshold;
		snprintf(detail, sizeof(detail), "Happy Index %.1f today after %lld ratings (alert below %g)", value,
			 (long long)n, r->threshold);
	}
	int rc = settle(db, env, r, store, store, holds, value, n, detail, now_ms, err, errlen);
	if (rc > 0)
		(holds ? stats->opened++ : stats->cleared++);
	return rc < 0 ? -1 : 0;
}

int hq_alert_eval(struct hq_store *db, const struct hq_alert_env *env, int64_t now_ms,
		  struct hq_alert_eval_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	struct hq_alert_rule *rules;
	size_t n;
	if (hq_alert_rule_list(db, &rules, &n, err, errlen))
		return -1;
	int failed = 0;
	char why[512] = "";
	for (size_t i = 0; i < n; i++) {
		const struct hq_alert_rule *r = &rules[i];
		if (!r->enabled || hq_alert_is_report(r->kind))
			continue;
		char (*stores)[HQ_NAME_MAX];
		size_t ns;
		if (hq_alert_rule_stores(db, r, &stores, &ns)) {
			snprintf(why, sizeof(why), "rule %lld: cannot list its stores", (long long)r->id);
			failed = 1;
			continue;
		}
		for (size_t j = 0; j < ns; j++)
			if (check_store(db, env, r, stores[j], now_ms, st, why, sizeof(why)))
				failed = 1;
		free(stores);
	}
	free(rules);
	if (failed)
		snprintf(err, errlen, "%s", why);
	return failed ? -1 : 0;
}
