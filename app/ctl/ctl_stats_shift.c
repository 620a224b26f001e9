/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_stats_shift: `tallyctl stats --by shift [--day YYYY-MM-DD]`: the
 * day's figures per shift (shift_stats.h), each against the same shift a
 * week before and its own four-week average, with the end-of-shift
 * sentence, as the kiosk's staff view and end-of-shift screen show them.
 */
#include "ctl.h"

#include <math.h>
#include <string.h>

#include "shift_schedule.h"
#include "shift_stats.h"

static long rounded(double x)
{
	return (long)floor(x + 0.5);
}

static json_t *score_json(double v, int have)
{
	return have ? json_real(round(v * 100.0) / 100.0) : json_null();
}

static json_t *figures_json(const struct shift_figures *f)
{
	json_t *counts = json_array();
	for (int v = 0; v < f->scale; v++)
		json_array_append_new(counts, json_integer(f->counts[v]));
	return json_pack("{s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "faces", f->scale, "counts", counts,
			 "total", (json_int_t)f->total, "misuse", (json_int_t)f->misuse, "closed",
			 (json_int_t)f->closed, "other_scale", (json_int_t)f->other_scale, "time_corrected",
			 (json_int_t)f->time_corrected, "happy_index", score_json(f->happy_index, f->total > 0),
			 "positive_pct", score_json(f->positive_pct, f->total > 0));
}

static const char *claim_name(enum shift_claim_kind k)
{
	static const char *names[] = { "none", "best", "worst", "above_average", "below_average", "same_as_average" };
	return names[k];
}

static void texts_from_config(const struct config *cfg, struct shift_texts *t)
{
	shift_texts_default(t);
	t->figures = cfg->t_shift_figures;
	t->no_ratings = cfg->t_shift_no_ratings;
	t->best = cfg->t_shift_best;
	t->worst = cfg->t_shift_worst;
	t->above = cfg->t_shift_above;
	t->below = cfg->t_shift_below;
	t->same = cfg->t_shift_same;
}

/* "84%  (+4)" against another shift's figures, or "-" when either has none. */
static void against(const struct shift_figures *now, const struct shift_figures *other, int ran, char *out,
		    size_t outlen)
{
	if (!ran || other->total == 0) {
		snprintf(out, outlen, "-");
		return;
	}
	if (now->total == 0) {
		snprintf(out, outlen, "%ld%%", rounded(other->positive_pct));
		return;
	}
	snprintf(out, outlen, "%ld%% (%+ld)", rounded(other->positive_pct),
		 rounded(now->positive_pct) - rounded(other->positive_pct));
}

int ctl_stats_by_shift(struct ctl *c, struct tzdate day)
{
	char err[1024];
	if (c->cfg.shifts.n == 0) {
		ctl_error(c, "no shifts configured: add a [shifts] section (tallyctl check-config shows the format)");
		return CTL_PROBLEM;
	}
	sqlite3 *db;
	if (ctl_db_open(c, &db, err, sizeof(err))) {
		ctl_error(c, "%s", err);
		return CTL_PROBLEM;
	}
	static struct shifts_history h;
	static struct shift_day d;
	int rc = shift_schedule_history(db, &c->cfg.shifts, ctl_now_ms(), &h, err, sizeof(err));
	if (!rc)
		rc = shift_stats_day(db, c->cfg.timezone, c->cfg.faces, &h, day, c->cfg.shift_weeks, &d, err, sizeof(err));
	sqlite3_close(db);
	if (rc) {
		ctl_error(c, "%s", err);
		return CTL_PROBLEM;
	}
	struct shift_texts t;
	texts_from_config(&c->cfg, &t);
	static const char *wdays[7] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };

	if (c->json) {
		char date[16], start[48], end[48], sentence[512];
		snprintf(date, sizeof(date), "%04d-%02d-%02d", day.year, day.month, day.day);
		json_t *list = json_array();
		for (int i = 0; i < d.n; i++) {
			const struct shift_result *r = &d.shift[i];
			struct shift_claim cl = shift_choose(r, c->cfg.shift_weeks, c->cfg.shift_min_ratings);
			shift_sentence(r, c->cfg.shift_weeks, c->cfg.shift_min_ratings, &t, sentence, sizeof(sentence));
			json_t *avg = figures_json(&r->average);
			json_object_set_new(avg, "shifts", json_integer(r->average_shifts));
			char from[32], to[32];
			snprintf(from, sizeof(from), "%02d:%02d", r->occ.start_min / 60, r->occ.start_min % 60);
			snprintf(to, sizeof(to), "%02d:%02d", r->occ.end_min / 60, r->occ.end_min % 60);
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s}",
				"name", r->occ.name, "from", from, "to", to,
				"start", ctl_format_time(c, r->occ.start_ms, start, sizeof(start)),
				"end", ctl_format_time(c, r->occ.end_ms, end, sizeof(end)),
				"figures", figures_json(&r->now),
				"last_week", r->has_last_week ? figures_json(&r->last_week) : json_null(),
				"four_week_average", avg, "claim", claim_name(cl.kind), "sentence", sentence));
		}
		json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I}", "kiosk_id", c->cfg.kiosk_id,
					"store", c->cfg.store, "area", c->cfg.area, "timezone", c->cfg.timezone,
					"date", date, "weekday", wdays[tzday_weekday(day)], "shifts", list,
					"no_shift", (json_int_t)d.no_shift, "time_unknown", (json_int_t)d.time_unknown);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		json_decref(doc);
		return fflush(stdout) == 0 && !ferror(stdout) ? CTL_OK : CTL_PROBLEM;
	}

	printf("%s %04d-%02d-%02d, %s / %s (%s), by shift\n\n", wdays[tzday_weekday(day)], day.year, day.month,
	       day.day, c->cfg.store, c->cfg.area, c->cfg.timezone);
	if (d.n == 0)
		printf("no shift on this day\n");
	else
		printf("%-12s %-11s %7s  %10s  %11s  %-12s %s\n", "shift", "hours", "ratings", "% positive",
		       "Happy Index", "last week", "4-week avg");
	for (int i = 0; i < d.n; i++) {
		const struct shift_result *r = &d.shift[i];
		char hours[48], lw[32], avg[32];
		snprintf(hours, sizeof(hours), "%02d:%02d-%02d:%02d", r->occ.start_min / 60, r->occ.start_min % 60,
			 r->occ.end_min / 60, r->occ.end_min % 60);
		against(&r->now, &r->last_week, r->has_last_week, lw, sizeof(lw));
		against(&r->now, &r->average, r->average_shifts > 0, avg, sizeof(avg));
		if (r->now.total > 0)
			printf("%-12s %-11s %7lld  %9ld%%  %11.1f  %-12s %s\n", r->occ.name, hours,
			       (long long)r->now.total, rounded(r->now.positive_pct), r->now.happy_index, lw, avg);
		else
			printf("%-12s %-11s %7d  %10s  %11s  %-12s %s\n", r->occ.name, hours, 0, "-", "-", lw, avg);
	}
	for (int i = 0; i < d.n; i++) {
		const struct shift_result *r = &d.shift[i];
		char sentence[512];
		shift_sentence(r, c->cfg.shift_weeks, c->cfg.shift_min_ratings, &t, sentence, sizeof(sentence));
		printf("%s%s\n", i ? "" : "\n", sentence);
		/* In [screen] face_order, as the customer sees the faces. */
		int best_first = c->cfg.face_order == FACE_ORDER_BEST_FIRST;
		printf("  faces %s", best_first ? "best" : "worst");
		for (int p = 0; p < r->now.scale; p++)
			printf(" %lld", (long long)r->now.counts[config_face_value_of(c->cfg.face_order, r->now.scale, p)]);
		printf(" %s", best_first ? "worst" : "best");
		if (r->now.misuse || r->now.closed)
			printf("; not counted: %lld misuse, %lld closed", (long long)r->now.misuse, (long long)r->now.closed);
		printf("\n");
	}
	if (d.no_shift || d.time_unknown)
		printf("\nin no shift: %lld rating%s outside every shift, %lld whose time is unknown (never guessed into a shift)\n",
		       (long long)d.no_shift, d.no_shift == 1 ? "" : "s", (long long)d.time_unknown);
	return fflush(stdout) == 0 && !ferror(stdout) ? CTL_OK : CTL_PROBLEM;
}
