/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_stats: `tallyctl stats [--day YYYY-MM-DD]`: one local day's figures
 * as the staff view shows them (stats.h), compared with the day before and
 * the same weekday a week before, with the staff view's sentence.
 */
#include "ctl.h"

#include <math.h>
#include <string.h>

#include "reasons.h"
#include "stats.h"

static const char *weekday_name(int wday)
{
	static const char *names[7] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
					"Saturday" };
	return names[wday % 7];
}

/* A score for JSON: null when there is none, else rounded to 2 decimals. */
static json_t *score_json(double v, int have)
{
	return have ? json_real(round(v * 100.0) / 100.0) : json_null();
}

static json_t *day_json(const struct ctl *c, const struct stats_day *d)
{
	char date[16], start[48], end[48];
	snprintf(date, sizeof(date), "%04d-%02d-%02d", d->day.date.year, d->day.date.month, d->day.date.day);
	json_t *counts = json_array(), *hourly = json_array();
	for (int v = 0; v < d->scale; v++)
		json_array_append_new(counts, json_integer(d->counts[v]));
	for (int h = 0; h < 24; h++)
		json_array_append_new(hourly, json_integer(d->hourly[h]));
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
			 "date", date, "weekday", weekday_name(d->day.wday),
			 "start", ctl_format_time(c, d->day.start_ms, start, sizeof(start)),
			 "end", ctl_format_time(c, d->day.end_ms, end, sizeof(end)),
			 "hours_in_day", d->hours_in_day, "faces", d->scale, "counts", counts,
			 "total", (json_int_t)d->total, "misuse", (json_int_t)d->misuse,
			 "closed", (json_int_t)d->closed, "other_scale", (json_int_t)d->other_scale,
			 "time_corrected", (json_int_t)d->time_corrected, "time_unknown", (json_int_t)d->time_unknown,
			 "happy_index", score_json(d->happy_index, d->total > 0),
			 "positive_pct", score_json(d->positive_pct, d->total > 0), "hourly", hourly);
}

static json_t *delta_json(const struct stats_delta *d)
{
	return json_pack("{s:b, s:o, s:o, s:I}", "comparable", d->comparable,
			 "happy_points", score_json(d->happy_points, d->comparable),
			 "positive_points", score_json(d->positive_points, d->comparable),
			 "total_diff", (json_int_t)d->total_diff);
}

static long rounded(double x)
{
	return (long)floor(x + 0.5);
}

static void print_compare(const char *label, const struct stats_day *today, const struct stats_day *d)
{
	if (d->total == 0) {
		printf("  %-16s %7d  %10s  %11s\n", label, 0, "-", "-");
		return;
	}
	printf("  %-16s %7lld  %9ld%%  %11.1f", label, (long long)d->total, rounded(d->positive_pct), d->happy_index);
	if (today != d && today->total > 0) {
		long diff = rounded(today->positive_pct) - rounded(d->positive_pct);
		printf("   %+ld point%s", diff, diff == 1 || diff == -1 ? "" : "s");
	}
	printf("\n");
}

static void print_text(const struct ctl *c, const struct stats_view *v, const char *sentence)
{
	const struct stats_day *d = &v->today;
	printf("%s %04d-%02d-%02d, %s / %s (%s", weekday_name(d->day.wday), d->day.date.year, d->day.date.month,
	       d->day.date.day, c->cfg.store, c->cfg.area, c->cfg.timezone);
	if (d->hours_in_day != 24)
		printf(", a %d-hour day", d->hours_in_day);
	printf(")\n%s\n\n", sentence);

	printf("ratings          %lld", (long long)d->total);
	if (d->misuse || d->closed || d->other_scale) {
		const char *sep = " ";
		printf("  (not counted:");
		if (d->misuse) {
			printf("%s%lld misuse", sep, (long long)d->misuse);
			sep = ", ";
		}
		if (d->closed) {
			printf("%s%lld closed", sep, (long long)d->closed);
			sep = ", ";
		}
		if (d->other_scale)
			printf("%s%lld with another number of faces", sep, (long long)d->other_scale);
		printf(")");
	}
	printf("\n");
	if (d->total > 0) {
		printf("%% positive       %ld%%\n", rounded(d->positive_pct));
		printf("Happy Index      %.1f\n", d->happy_index);
	} else {
		printf("%% positive       -\nHappy Index      -\n");
	}
	/* In [screen] face_order, as the customer sees the faces. */
	int best_first = c->cfg.face_order == FACE_ORDER_BEST_FIRST;
	printf("faces            %s", best_first ? "best" : "worst");
	for (int p = 0; p < d->scale; p++)
		printf(" %lld", (long long)d->counts[config_face_value_of(c->cfg.face_order, d->scale, p)]);
	printf(" %s\n", best_first ? "worst" : "best");
	if (d->time_corrected || d->time_unknown)
		printf("times            %lld corrected, %lld unknown (counted, in no hour)\n",
		       (long long)d->time_corrected, (long long)d->time_unknown);

	char last[64];
	snprintf(last, sizeof(last), "last %s", weekday_name(v->last_week.day.wday));
	printf("\n  %-16s %7s  %10s  %11s   %s\n", "", "ratings", "% positive", "Happy Index", "this day against it");
	print_compare("this day", d, d);
	print_compare("day before", d, &v->yesterday);
	print_compare(last, d, &v->last_week);

	int first = -1, lasth = -1;
	int64_t max = 0;
	for (int h = 0; h < 24; h++)
		if (d->hourly[h]) {
			if (first < 0)
				first = h;
			lasth = h;
			if (d->hourly[h] > max)
				max = d->hourly[h];
		}
	if (first < 0)
		return;
	printf("\nhour  ratings\n");
	for (int h = first; h <= lasth; h++) {
		int bar = (int)((d->hourly[h] * 40 + max - 1) / max);
		printf("%02d    %7lld%s", h, (long long)d->hourly[h], bar ? "  " : "");
		for (int i = 0; i < bar; i++)
			putchar('#');
		putchar('\n');
	}
}

/* The day's follow-up answers, most given first (reasons.h). */
static void print_reasons(const struct reasons_day *r)
{
	if (r->n == 0 && r->misuse_answered == 0)
		return;
	printf("\ntop reasons      %lld answered", (long long)r->answered);
	if (r->misuse_answered)
		printf(" (not counted: %lld of misuse ratings)", (long long)r->misuse_answered);
	printf("\n");
	for (int i = 0; i < r->n; i++)
		printf("  %7lld  %-8s %s\n", (long long)r->top[i].count, r->top[i].positive ? "positive" : "negative",
		       r->top[i].text);
}

static json_t *reasons_json(const struct reasons_day *r)
{
	json_t *top = json_array();
	for (int i = 0; i < r->n; i++)
		json_array_append_new(top, json_pack("{s:s, s:s, s:I}", "reason", r->top[i].text, "after",
						     r->top[i].positive ? "positive" : "negative", "count",
						     (json_int_t)r->top[i].count));
	return json_pack("{s:I, s:I, s:o}", "answered", (json_int_t)r->answered, "misuse_answered",
			 (json_int_t)r->misuse_answered, "top", top);
}

int ctl_stats(struct ctl *c, int argc, char **argv)
{
	char err[1024];
	struct tzdate today, day;
	const char *day_arg = NULL, *by = "day";
	const struct ctl_opt opts[] = { { "day", &day_arg, NULL }, { "by", &by, NULL }, { NULL, NULL, NULL } };
	int nrest, prc = ctl_args_parse(c, "stats", argc, argv, opts, NULL, 0, &nrest);
	if (prc != CTL_OK)
		return prc;
	if (tzday_valid(c->cfg.timezone, err, sizeof(err)) || ctl_today(c, &today, err, sizeof(err))) {
		ctl_error(c, "[kiosk] timezone: %s", err);
		return CTL_PROBLEM;
	}
	day = today;
	if (day_arg && tzday_parse_date(day_arg, &day))
		return ctl_usage_error(c, "stats", "--day wants a date YYYY-MM-DD, not \"%s\"", day_arg);
	if (!strcmp(by, "shift"))
		return ctl_stats_by_shift(c, day);
	if (strcmp(by, "day"))
		return ctl_usage_error(c, "stats", "--by wants day or shift, not \"%s\"", by);

	sqlite3 *db;
	if (ctl_db_open(c, &db, err, sizeof(err))) {
		ctl_error(c, "%s", err);
		return CTL_PROBLEM;
	}
	static struct stats_view v;
	static struct reasons_day reasons;
	int rc = stats_view_compute(db, c->cfg.timezone, c->cfg.faces, day, &v, err, sizeof(err));
	if (rc == 0)
		rc = reasons_day_compute(db, &v.today.day, c->cfg.faces, &reasons, err, sizeof(err));
	sqlite3_close(db);
	if (rc) {
		ctl_error(c, "%s", err);
		return CTL_PROBLEM;
	}

	struct stats_texts t;
	stats_texts_default(&t);
	char on_day[40], sentence[512];
	if (memcmp(&day, &today, sizeof(day)) != 0) {
		snprintf(on_day, sizeof(on_day), "on %04d-%02d-%02d", day.year, day.month, day.day);
		t.today = on_day;
		t.yesterday = "the day before";
	}
	stats_summary(&v, &t, sentence, sizeof(sentence));

	if (c->json) {
		json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "kiosk_id",
					c->cfg.kiosk_id, "store", c->cfg.store, "area", c->cfg.area, "timezone",
					c->cfg.timezone, "day", day_json(c, &v.today), "yesterday",
					day_json(c, &v.yesterday), "last_week", day_json(c, &v.last_week),
					"vs_yesterday", delta_json(&v.vs_yesterday), "vs_last_week",
					delta_json(&v.vs_last_week), "summary", sentence);
		json_object_set_new(doc, "reasons", reasons_json(&reasons));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		print_text(c, &v, sentence);
		print_reasons(&reasons);
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? CTL_OK : CTL_PROBLEM;
}
