/* SPDX-License-Identifier: Apache-2.0 */
/* hq_report: daily and weekly reports (see hq_report.h). */
#include "hq_report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_db.h"
#include "hq_slots.h"
#include "log.h"
#include "score.h"

/* Running sums of one period. */
struct acc {
	int64_t n, pos, misuse, closed;
	double sum100;
	int64_t hour_n[24];
	double hour_sum[24];
};

/* Adds store's ratings of local day d to a (and to its hours when hours is set). 0 or -1. */
static int add_day(struct hq_store *db, const char *store, const struct tzday *d, struct acc *a, int hours)
{
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT r.value, r.scale, r.flags, r.best_ms, r.time_known FROM "
			 HQ_SLOTS_RATINGS_SQL("s.kiosk_id IN (SELECT id FROM kiosks WHERE store = ?1)", "?4", "?5")
			 " WHERE r.best_ms >= ?2 AND r.best_ms < ?3"
			 " AND r.scale BETWEEN 3 AND 5 AND r.value >= 0 AND r.value < r.scale", &st, why, sizeof(why))
	    != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, store);
	hq_db_bind_int64(st, 2, d->start_ms);
	hq_db_bind_int64(st, 3, d->end_ms);
	hq_db_bind_int64(st, 4, hq_slot_of(d->start_ms));
	hq_db_bind_int64(st, 5, hq_slot_of(d->end_ms - 1));
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		int v = (int)hq_db_column_int64(st, 0), scale = (int)hq_db_column_int64(st, 1);
		int64_t flags = hq_db_column_int64(st, 2), at = hq_db_column_int64(st, 3);
		/* Kept apart, never scored: the same order as the summaries (misuse first). */
		if (flags & 1) {
			a->misuse++;
			continue;
		}
		if (flags & 2) {
			a->closed++;
			continue;
		}
		double mapped = (double)v * 100.0 / (double)(scale - 1);
		a->n++;
		a->sum100 += mapped;
		a->pos += score_is_positive(v, scale);
		int h = hours && hq_db_column_int64(st, 4) ? tzday_hour(d, at) : -1;
		if (h >= 0 && h < 24) {
			a->hour_n[h]++;
			a->hour_sum[h] += mapped;
		}
	}
	hq_db_reset(st);
	return rc == HQ_DB_DONE ? 0 : -1;
}

int hq_report_figures(struct hq_store *db, char (*stores)[HQ_NAME_MAX], char (*tzs)[HQ_TZ_MAX], size_t n,
		      struct tzdate from, int days, struct hq_report_figures *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (days < 1 || days > HQ_REPORT_MAX_DAYS) {
		snprintf(err, errlen, "a report covers 1 to %d days", HQ_REPORT_MAX_DAYS);
		return -1;
	}
	out->from = from;
	out->days = days;
	struct acc all, prev;
	memset(&all, 0, sizeof(all));
	memset(&prev, 0, sizeof(prev));
	for (int d = -days; d < days; d++) {
		struct acc day;
		memset(&day, 0, sizeof(day));
		/* Each store's own local day of that date (and its own local hours for the best hour). */
		for (size_t i = 0; i < n; i++) {
			struct tzday td;
			if (tzday_make(&td, tzs[i], tzday_add_days(from, d), err, errlen))
				return -1;
			if (add_day(db, stores[i], &td, d >= 0 ? &day : &prev, d >= 0)) {
				snprintf(err, errlen, "cannot read the ratings of %s", stores[i]);
				return -1;
			}
		}
		if (d < 0)
			continue;
		out->day_ratings[d] = day.n;
		out->day_index[d] = day.n ? day.sum100 / (double)day.n : -1;
		all.n += day.n;
		all.pos += day.pos;
		all.misuse += day.misuse;
		all.closed += day.closed;
		all.sum100 += day.sum100;
		for (int h = 0; h < 24; h++) {
			all.hour_n[h] += day.hour_n[h];
			all.hour_sum[h] += day.hour_sum[h];
		}
	}
	out->ratings = all.n;
	out->misuse = all.misuse;
	out->closed = all.closed;
	out->happy_index = all.n ? all.sum100 / (double)all.n : -1;
	out->positive_pct = all.n ? 100.0 * (double)all.pos / (double)all.n : -1;
	out->prev_happy_index = prev.n ? prev.sum100 / (double)prev.n : -1;
	out->best_hour = -1;
	for (int h = 0; h < 24; h++) {
		if (all.hour_n[h] < HQ_REPORT_HOUR_MIN)
			continue;
		double hi = all.hour_sum[h] / (double)all.hour_n[h];
		if (out->best_hour < 0 || hi > out->best_hour_index) {
			out->best_hour = h;
			out->best_hour_index = hi;
			out->best_hour_ratings = all.hour_n[h];
		}
	}
	return 0;
}

/* --- ISO weeks ----------------------------------------------------------------- */

static struct tzdate week1_monday(int year)
{
	struct tzdate jan4 = { year, 1, 4 };
	return tzday_add_days(jan4, -((tzday_weekday(jan4) + 6) % 7));
}

static int64_t day_number(struct tzdate d)
{
	return tzif_days_from_civil(d.year, d.month, d.day);
}

int hq_report_parse_week(const char *s, struct tzdate *monday)
{
	int year, week;
	char tail;
	if (strlen(s) != 8 || s[4] != '-' || s[5] != 'W' || sscanf(s, "%4d-W%2d%c", &year, &week, &tail) != 2 ||
	    year < 1970 || year > 9999 || week < 1 || week > 53)
		return -1;
	*monday = tzday_add_days(week1_monday(year), (week - 1) * 7);
	char back[16];
	hq_report_week_name(*monday, back);
	return strcmp(back, s) ? -1 : 0; /* week 53 of a year that has 52 */
}

void hq_report_week_name(struct tzdate date, char out[16])
{
	int year = date.year;
	if (day_number(date) < day_number(week1_monday(year)))
		year--;
	else if (day_number(date) >= day_number(week1_monday(year + 1)))
		year++;
	int week = (int)((day_number(date) - day_number(week1_monday(year))) / 7) + 1;
	snprintf(out, 16, "%04d-W%02d", year % 10000, week % 100);
}

/* --- the messages -------------------------------------------------------------------- */

static const char *const weekday_names[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };

static void index_text(double v, char *out, size_t len)
{
	if (v < 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.1f", v);
}

/* The report's text and JSON for rule r on scope `name`. 0 or -1 (out of memory). */
static int compose(const struct hq_alert_rule *r, const struct hq_alert_env *env, const char *period,
		   const struct hq_report_figures *f, char **subject, char **text, char **json)
{
	int weekly = !strcmp(r->kind, "weekly");
	char hi[16], prev[16], change[48], pos[16], best[64], link[HQ_ALERT_URL_MAX + HQ_NAME_MAX * 3 + 64];
	char esc[HQ_NAME_MAX * 3 + 1], from[16];
	index_text(f->happy_index, hi, sizeof(hi));
	index_text(f->prev_happy_index, prev, sizeof(prev));
	if (f->happy_index >= 0 && f->prev_happy_index >= 0)
		snprintf(change, sizeof(change), "%+.1f on the %s before", f->happy_index - f->prev_happy_index,
			 weekly ? "week" : "day");
	else
		snprintf(change, sizeof(change), "no ratings the %s before", weekly ? "week" : "day");
	if (f->positive_pct >= 0)
		snprintf(pos, sizeof(pos), "%.0f %%", f->positive_pct);
	else
		snprintf(pos, sizeof(pos), "-");
	if (f->best_hour >= 0)
		snprintf(best, sizeof(best), "%02d:00-%02d:00 (Happy Index %.1f, %lld ratings)", f->best_hour,
			 (f->best_hour + 1) % 24, f->best_hour_index, (long long)f->best_hour_ratings);
	else
		snprintf(best, sizeof(best), "- (no hour with %d ratings)", HQ_REPORT_HOUR_MIN);
	snprintf(from, sizeof(from), "%04d-%02d-%02d", f->from.year, f->from.month, f->from.day);
	const char *base = env->public_url ? env->public_url : "";
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	hq_alert_url_escape(r->scope, esc, sizeof(esc));
	/* The dashboard's page of the same period: a store's page, or the overview for a region. */
	struct tzdate end = tzday_add_days(f->from, f->days - 1);
	snprintf(link, sizeof(link), "%.*s/%s?%s=%s&from=%s&to=%04d-%02d-%02d", (int)bl, base,
		 !strcmp(r->scope_kind, "region") ? "" : "store", r->scope_kind, esc, from, end.year, end.month, end.day);
	char days[HQ_REPORT_MAX_DAYS * 64] = "";
	if (weekly)
		for (int d = 0; d < f->days; d++) {
			struct tzdate day = tzday_add_days(f->from, d);
			char v[16];
			index_text(f->day_index[d], v, sizeof(v));
			size_t used = strlen(days);
			snprintf(days + used, sizeof(days) - used, "  %-9s %02d-%02d  %5s  (%lld ratings)\n",
				 weekday_names[tzday_weekday(day)], day.month, day.day, v, (long long)f->day_ratings[d]);
		}
	*subject = *text = *json = NULL;
	if (asprintf(subject, "Tally %s report: %s, %s: Happy Index %s", weekly ? "weekly" : "daily", r->scope, period, hi) < 0) {
		*subject = NULL;
		return -1;
	}
	char when[32] = "";
	if (!weekly)
		snprintf(when, sizeof(when), " (%s)", weekday_names[tzday_weekday(f->from)]);
	if (asprintf(text, "Tally %s report for %s %s, %s%s\n\n"
		     "Happy Index  %s (%s)\nPositive     %s\nRatings      %lld (left out: %lld misuse, %lld closed-hours presses)\n"
		     "Best hour    %s\n%s%s\nOn the dashboard:\n%s\n",
		     weekly ? "weekly" : "daily", r->scope_kind, r->scope, period, when, hi, change, pos,
		     (long long)f->ratings, (long long)f->misuse, (long long)f->closed, best,
		     weekly ? "\nBy day:\n" : "", days, link) < 0) {
		free(*subject);
		*subject = *text = NULL;
		return -1;
	}
	json_t *byday = json_array();
	for (int d = 0; byday && d < f->days; d++)
		json_array_append_new(byday, json_pack("{s:o,s:I}", "happy_index",
						       f->day_index[d] >= 0 ? json_real(f->day_index[d]) : json_null(),
						       "ratings", (json_int_t)f->day_ratings[d]));
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:s}", "event", "report",
			      "kind", r->kind, "scope_kind", r->scope_kind, "scope", r->scope, "period", period, "from", from,
			      "happy_index", f->happy_index >= 0 ? json_real(f->happy_index) : json_null(),
			      "previous_happy_index", f->prev_happy_index >= 0 ? json_real(f->prev_happy_index) : json_null(),
			      "positive_pct", f->positive_pct >= 0 ? json_real(f->positive_pct) : json_null(),
			      "ratings", (json_int_t)f->ratings, "misuse", (json_int_t)f->misuse, "closed", (json_int_t)f->closed,
			      "best_hour", f->best_hour >= 0 ? json_integer(f->best_hour) : json_null(),
			      "days", byday ? byday : json_null(), "link", link);
	*json = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!*json) {
		free(*subject);
		free(*text);
		*subject = *text = NULL;
		return -1;
	}
	return 0;
}

static int hhmm(const char *t)
{
	return (t[0] - '0') * 600 + (t[1] - '0') * 60 + (t[3] - '0') * 10 + (t[4] - '0');
}

/* a before b: negative; the same date: 0; after: positive. */
static int64_t date_cmp(struct tzdate a, struct tzdate b)
{
	return day_number(a) - day_number(b);
}

/* Queues rule r's report if it is due at now_ms: 1 queued, 0 not due (or sent already), -1 error. */
static int queue_one(struct hq_store *db, const struct hq_alert_env *env, const struct hq_alert_rule *r, int64_t now_ms,
		     char *err, size_t errlen)
{
	char (*stores)[HQ_NAME_MAX];
	size_t n;
	if (hq_alert_rule_stores(db, r, &stores, &n)) {
		snprintf(err, errlen, "report rule %lld: cannot list its stores", (long long)r->id);
		return -1;
	}
	if (!n) {
		free(stores);
		return 0;
	}
	char (*tzs)[HQ_TZ_MAX] = calloc(n, sizeof(*tzs));
	if (!tzs) {
		free(stores);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/*
	 * The period is the same dates for every store, each its own local day;
	 * "today" is the earliest local date among the stores (the one furthest
	 * west), and the report goes once the send time has passed in every
	 * zone still on that date: when the last store's period has closed.
	 */
	struct tzdate today = { 0, 0, 0 };
	int late = 0, weekly = !strcmp(r->kind, "weekly"), rc = 0;
	const char *at = r->send_at[0] ? r->send_at : env->report_time;
	for (size_t i = 0; i < n; i++) {
		struct tzdate date;
		int minute;
		hq_alert_store_zone(db, stores[i], tzs[i]);
		if (hours_local_date(tzs[i], now_ms, &date, &minute, err, errlen)) {
			free(tzs);
			free(stores);
			return -1;
		}
		int64_t c = i ? date_cmp(date, today) : -1;
		if (c < 0) {
			today = date;
			late = 0;
		}
		if (c <= 0 && minute < hhmm(at))
			late = 1;
	}
	if (late || (weekly && tzday_weekday(today) != 1)) {
		free(tzs);
		free(stores);
		return 0;
	}
	struct tzdate from = tzday_add_days(today, weekly ? -7 : -1);
	char period[16];
	if (weekly)
		hq_report_week_name(from, period);
	else
		snprintf(period, sizeof(period), "%04d-%02d-%02d", from.year, from.month, from.day);
	struct hq_report_figures f;
	char *subject = NULL, *text = NULL, *json = NULL;
	struct hq_alert_msg *msgs = NULL;
	size_t nm = 0;
	if (hq_report_figures(db, stores, tzs, n, from, weekly ? 7 : 1, &f, err, errlen)) {
		rc = -1;
	} else if (compose(r, env, period, &f, &subject, &text, &json) ||
		   hq_alert_messages(r, env, json, subject, text, &msgs, &nm)) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	} else {
		rc = hq_alert_report_queue(db, r->id, period, msgs, nm, now_ms, err, errlen);
		if (rc == 1)
			log_msg(LOG_NOTICE, "report: rule %lld (%s %s %s) for %s queued to %zu targets", (long long)r->id,
				r->kind, r->scope_kind, r->scope, period, nm);
	}
	hq_alert_msg_free(msgs, nm);
	free(msgs);
	free(subject);
	free(text);
	free(json);
	free(tzs);
	free(stores);
	return rc;
}

int hq_report_queue_due(struct hq_store *db, const struct hq_alert_env *env, int64_t now_ms, int *queued,
			char *err, size_t errlen)
{
	*queued = 0;
	struct hq_alert_rule *rules;
	size_t n;
	if (hq_alert_rule_list(db, &rules, &n, err, errlen))
		return -1;
	int failed = 0;
	char why[512] = "";
	for (size_t i = 0; i < n; i++) {
		if (!rules[i].enabled || !hq_alert_is_report(rules[i].kind))
			continue;
		int rc = queue_one(db, env, &rules[i], now_ms, why, sizeof(why));
		if (rc < 0)
			failed = 1;
		else
			*queued += rc;
	}
	free(rules);
	if (failed)
		snprintf(err, errlen, "%s", why);
	return failed ? -1 : 0;
}
