/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shift_view: the shift screens, laid out in proportion to the screen
 * (landscape and portrait), every text fitted to its box (staff_draw.h),
 * so a long shift name or a translation shrinks instead of overlapping.
 * Rendered once per opening or change, never per frame.
 */
#include "shift_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "shift_schedule.h"
#include "staff_draw.h"

/* The schedule history and the weeks-before cache: one kiosk, one thread. */
static struct shifts_history history;
static struct shift_stats_cache cache;

static int load_history(sqlite3 *db, const struct config *cfg, int64_t now_ms, char *err, size_t errlen)
{
	return shift_schedule_history(db, &cfg->shifts, now_ms, &history, err, errlen);
}

int shift_data_load(struct shift_data *d, sqlite3 *db, const struct config *cfg, int64_t now_ms, char *err,
		    size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->focus = -1;
	if (load_history(db, cfg, now_ms, err, errlen))
		return -1;
	d->have = shifts_history_any(&history);
	if (!d->have)
		return 0;
	struct shift_occ now;
	struct tzdate date;
	int running = shifts_history_at(&history, cfg->timezone, now_ms, &now, err, errlen);
	if (running < 0)
		return -1;
	if (running)
		date = now.date;
	else if (tzday_date_of(cfg->timezone, now_ms, &date, NULL, err, errlen))
		return -1;
	if (shift_stats_day_cached(db, cfg->timezone, cfg->faces, &history, date, cfg->shift_weeks, &cache, &d->day,
				   err, errlen))
		return -1;
	for (int i = 0; i < d->day.n; i++) {
		const struct shift_occ *o = &d->day.shift[i].occ;
		if (running && o->start_ms == now.start_ms && !strcmp(o->name, now.name)) {
			d->focus = i;
			d->running = 1;
		} else if (!running && o->end_ms <= now_ms) {
			d->focus = i; /* the day's latest ended shift */
		}
	}
	return 0;
}

int shift_data_result(sqlite3 *db, const struct config *cfg, const struct shift_occ *ended, int64_t now_ms,
		      struct shift_result *out, char *err, size_t errlen)
{
	static struct shift_day day;
	if (load_history(db, cfg, now_ms, err, errlen) ||
	    shift_stats_day_cached(db, cfg->timezone, cfg->faces, &history, ended->date, cfg->shift_weeks, &cache, &day,
				   err, errlen))
		return -1;
	for (int i = 0; i < day.n; i++)
		if (day.shift[i].occ.start_ms == ended->start_ms && !strcmp(day.shift[i].occ.name, ended->name)) {
			*out = day.shift[i];
			return 0;
		}
	snprintf(err, errlen, "shift %s is no longer in the schedule", ended->name);
	return -1;
}

void shift_view_texts(const struct config *cfg, const char *const weekday[7], struct shift_texts *t)
{
	shift_texts_default(t);
	t->figures = cfg->t_shift_figures;
	t->no_ratings = cfg->t_shift_no_ratings;
	t->best = cfg->t_shift_best;
	t->worst = cfg->t_shift_worst;
	t->above = cfg->t_shift_above;
	t->below = cfg->t_shift_below;
	t->same = cfg->t_shift_same;
	t->point = cfg->t_summary_point;
	t->points = cfg->t_summary_points;
	for (int i = 0; i < 7 && weekday; i++)
		t->weekday[i] = weekday[i];
}

void shift_view_label(const struct shift_occ *o, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s %02d:%02d\u2013%02d:%02d", o->name, o->start_min / 60, o->start_min % 60,
		 o->end_min / 60, o->end_min % 60);
}

/* --- pieces ------------------------------------------------------------------ */

static void pct_text(const struct shift_paint *p, const struct shift_figures *f, char *out, size_t outlen)
{
	draw_score(p->cfg->t_decimal_separator, f->total > 0 ? f->positive_pct : -1, 0, "%", out, outlen);
}

static void index_text(const struct shift_paint *p, const struct shift_figures *f, int decimals, char *out,
		       size_t outlen)
{
	draw_score(p->cfg->t_decimal_separator, f->total > 0 ? f->happy_index : -1, decimals, "", out, outlen);
}

/* "{shift} shift so far" / "{shift} shift" with the name filled in. */
static void titled(const char *tmpl, const char *name, char *out, size_t outlen)
{
	const char *n[] = { "shift" };
	const char *v[] = { name };
	draw_template(tmpl, n, v, 1, out, outlen);
}

/* The two big numbers with their labels under them, each pair at one size. */
static void big_scores(const struct shift_paint *p, SDL_Surface *c, struct rect r, const struct shift_figures *f,
		       struct shift_marks *m)
{
	char pct[32], hi[32];
	pct_text(p, f, pct, sizeof(pct));
	index_text(p, f, 1, hi, sizeof(hi));
	int half = r.w / 2, gap = r.w / 20;
	int num_h = r.h * 68 / 100, label_h = r.h - num_h;
	int cw = half - gap / 2;
	int num_px = draw_fit_px(p->text, pct, cw, num_h, num_h, 0);
	int f2 = draw_fit_px(p->text, hi, cw, num_h, num_h, 0);
	num_px = f2 < num_px ? f2 : num_px;
	int label_px = draw_fit_px(p->text, p->cfg->t_positive, cw, label_h, label_h * 8 / 10, 0);
	f2 = draw_fit_px(p->text, p->cfg->t_happy_index, cw, label_h, label_h * 8 / 10, 0);
	label_px = f2 < label_px ? f2 : label_px;
	m->positive = draw_text(p->text, c, pct, draw_rect(r.x, r.y, cw, num_h), num_px, draw_white, 0);
	m->happy = draw_text(p->text, c, hi, draw_rect(r.x + half + gap / 2, r.y, cw, num_h), num_px, draw_white, 0);
	draw_text(p->text, c, p->cfg->t_positive, draw_rect(r.x, r.y + num_h, cw, label_h), label_px, draw_grey, 0);
	draw_text(p->text, c, p->cfg->t_happy_index, draw_rect(r.x + half + gap / 2, r.y + num_h, cw, label_h), label_px,
		  draw_grey, 0);
}

/* The faces in [screen] face_order, as on the rating screen, each with its count under it. */
static void faces_row(const struct shift_paint *p, SDL_Surface *c, struct rect r, const struct shift_figures *f)
{
	int n = p->cfg->faces, cell = r.w / n;
	int text_h = r.h * 36 / 100, fs = r.h - text_h - r.h / 16;
	if (fs > cell * 80 / 100)
		fs = cell * 80 / 100;
	char num[32];
	size_t longest = 1;
	for (int i = 0; i < n; i++) {
		draw_count(p->cfg->t_thousands_separator, f->counts[i], num, sizeof(num));
		if (strlen(num) > longest)
			longest = strlen(num);
	}
	int count_px = text_h * 9 / 10;
	int by_width = (int)((cell * 85 / 100) / (0.72 * (double)longest));
	if (by_width < count_px)
		count_px = by_width;
	for (int i = 0; i < n; i++) {
		int value = config_face_value(p->cfg, i);
		int cx = r.x + i * cell + cell / 2;
		SDL_Surface *face = fs > 8 ? draw_face(fs, value, n) : NULL;
		if (face) {
			SDL_Rect dst = { cx - fs / 2, r.y, fs, fs };
			SDL_BlitSurface(face, NULL, c, &dst);
			SDL_FreeSurface(face);
		}
		draw_count(p->cfg->t_thousands_separator, f->counts[value], num, sizeof(num));
		draw_text(p->text, c, num, draw_rect(r.x + i * cell + cell / 20, r.y + r.h - text_h, cell - cell / 10, text_h),
			  count_px, draw_white, 0);
	}
}

/*
 * The comparison table: label, % positive, Happy Index. The counts are in
 * the faces and the tiles; three columns keep every text readable at
 * 800x480.
 */
static void columns(int w, int *c0, int *c1, int *c2)
{
	*c0 = w * 46 / 100;
	*c1 = w * 26 / 100;
	*c2 = w - *c0 - *c1;
}

static void row(const struct shift_paint *p, SDL_Surface *c, struct rect r, int px, const char *label,
		const struct shift_figures *f, int shown, SDL_Color colour)
{
	char pct[32], hi[32];
	if (shown) {
		pct_text(p, f, pct, sizeof(pct));
		index_text(p, f, 1, hi, sizeof(hi));
	} else {
		snprintf(pct, sizeof(pct), "\u2013");
		snprintf(hi, sizeof(hi), "\u2013");
	}
	int c0, c1, c2;
	columns(r.w, &c0, &c1, &c2);
	draw_text(p->text, c, label, draw_rect(r.x, r.y, c0 - r.h / 4, r.h), px, colour, -1);
	draw_text(p->text, c, pct, draw_rect(r.x + c0, r.y, c1, r.h), px, colour, 1);
	draw_text(p->text, c, hi, draw_rect(r.x + c0 + c1, r.y, c2, r.h), px, colour, 1);
}

/* The header may wrap ("Happy / Index") in its taller row; one size for both, no word broken. */
static void header(const struct shift_paint *p, SDL_Surface *c, struct rect r)
{
	int c0, c1, c2;
	columns(r.w, &c0, &c1, &c2);
	int px = r.h * 40 / 100;
	const char *names[2] = { p->cfg->t_positive, p->cfg->t_happy_index };
	int widths[2] = { c1, c2 };
	for (int i = 0; i < 2; i++) {
		int f = draw_fit_px(p->text, names[i], widths[i], r.h, px, 2);
		if (f < px)
			px = f;
	}
	draw_text(p->text, c, p->cfg->t_positive, draw_rect(r.x + c0, r.y, c1, r.h), px, draw_dim, 1);
	draw_text(p->text, c, p->cfg->t_happy_index, draw_rect(r.x + c0 + c1, r.y, c2, r.h), px, draw_dim, 1);
}

/* The day's shifts side by side: name and hours, then % positive, Happy Index and count. */
/* A tile's lines: name and hours; % positive and Happy Index (one line, or two where narrow); count. */
struct tile_text {
	char label[96], pct[CONFIG_NAME_MAX + 40], hi[CONFIG_NAME_MAX + 40], both[2 * CONFIG_NAME_MAX + 96];
	char count[CONFIG_NAME_MAX + 40];
};

static void tile_text(const struct shift_paint *p, const struct shift_result *s, struct tile_text *t)
{
	char pct[32], hi[32], cnt[32];
	shift_view_label(&s->occ, t->label, sizeof(t->label));
	pct_text(p, &s->now, pct, sizeof(pct));
	index_text(p, &s->now, 0, hi, sizeof(hi));
	draw_count(p->cfg->t_thousands_separator, s->now.total, cnt, sizeof(cnt));
	snprintf(t->pct, sizeof(t->pct), "%s %s", pct, p->cfg->t_positive);
	snprintf(t->hi, sizeof(t->hi), "%s %s", p->cfg->t_happy_index, hi);
	snprintf(t->both, sizeof(t->both), "%s %s \u00b7 %s %s", pct, p->cfg->t_positive, p->cfg->t_happy_index, hi);
	snprintf(t->count, sizeof(t->count), "%s %s", cnt, p->cfg->t_ratings);
}

/*
 * The day's shifts side by side. Every line of every tile has one size
 * (the largest at which each fits on one line), so no word is broken and
 * no tile looks louder than another; where % positive and the Happy Index
 * would get too small on one line they take two.
 */
static void tiles(const struct shift_paint *p, SDL_Surface *c, struct rect r, const struct shift_data *d,
		  struct shift_marks *m)
{
	int n = d->day.n < SHIFTS_PER_DAY ? d->day.n : SHIFTS_PER_DAY;
	m->ntiles = 0;
	if (n == 0)
		return;
	int gap = r.w / 60, tw = (r.w - gap * (n - 1)) / n;
	int in = r.h / 12, inner_w = tw - 2 * in;
	struct tile_text t[SHIFTS_PER_DAY];
	for (int i = 0; i < n; i++)
		tile_text(p, &d->day.shift[i], &t[i]);
	int lines = 3, lh = (r.h - 2 * in) / 3, px = lh * 85 / 100;
	for (int i = 0; i < n; i++) {
		int f = draw_fit_px(p->text, t[i].both, inner_w, lh, px, 0);
		if (f < px)
			px = f;
	}
	if (px < lh * 60 / 100) { /* narrow tiles: % positive and Happy Index on lines of their own */
		lines = 4;
		lh = (r.h - 2 * in) / 4;
		px = lh * 85 / 100;
		for (int i = 0; i < n; i++) {
			const char *each[2] = { t[i].pct, t[i].hi };
			for (int k = 0; k < 2; k++) {
				int f = draw_fit_px(p->text, each[k], inner_w, lh, px, 0);
				if (f < px)
					px = f;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		const char *more[2] = { t[i].label, t[i].count };
		for (int k = 0; k < 2; k++) {
			int f = draw_fit_px(p->text, more[k], inner_w, lh, px, 0);
			if (f < px)
				px = f;
		}
	}
	for (int i = 0; i < n; i++) {
		struct rect tr = draw_rect(r.x + i * (tw + gap), r.y, tw, r.h);
		int focus = i == d->focus;
		draw_fill(c, tr, focus ? DRAW_HIGHLIGHT : DRAW_PANEL);
		m->tile[m->ntiles++] = tr;
		int y = tr.y + in;
		draw_text(p->text, c, t[i].label, draw_rect(tr.x + in, y, inner_w, lh), px, draw_white, 0);
		y += lh;
		if (lines == 3) {
			draw_text(p->text, c, t[i].both, draw_rect(tr.x + in, y, inner_w, lh), px, focus ? draw_white : draw_grey, 0);
			y += lh;
		} else {
			draw_text(p->text, c, t[i].pct, draw_rect(tr.x + in, y, inner_w, lh), px, focus ? draw_white : draw_grey, 0);
			y += lh;
			draw_text(p->text, c, t[i].hi, draw_rect(tr.x + in, y, inner_w, lh), px, focus ? draw_white : draw_grey, 0);
			y += lh;
		}
		draw_text(p->text, c, t[i].count, draw_rect(tr.x + in, y, inner_w, lh), px, draw_dim, 0);
	}
}

static void sentence(const struct shift_paint *p, SDL_Surface *c, struct rect r, const struct shift_result *s,
		     struct shift_marks *m)
{
	struct shift_texts t;
	shift_view_texts(p->cfg, p->weekday, &t);
	shift_sentence(s, p->cfg->shift_weeks, p->cfg->shift_min_ratings, &t, m->sentence_text, sizeof(m->sentence_text));
	draw_fill(c, r, DRAW_PANEL);
	m->sentence = draw_text(p->text, c, m->sentence_text, draw_rect(r.x + r.h / 4, r.y, r.w - r.h / 2, r.h),
				r.h * 48 / 100, draw_white, 0);
}

/* --- the staff view with shifts ------------------------------------------------ */

struct staff_blocks {
	struct rect title, focus, faces, scores, table, tiles, sentence;
};

static void staff_layout(int w, int h, struct staff_blocks *b)
{
	int pad = (w < h ? w : h) / 40;
	if (w >= h) {
		int title_h = h * 10 / 100, focus_h = h * 9 / 100, tiles_h = h * 20 / 100, sentence_h = h * 12 / 100;
		int y = pad;
		b->title = draw_rect(pad, y, w - 2 * pad, title_h);
		y += title_h;
		b->focus = draw_rect(pad, y, w - 2 * pad, focus_h);
		y += focus_h + pad / 2;
		int body = h - pad - sentence_h - pad / 2 - tiles_h - pad / 2 - y;
		/* Left: the shift's two numbers over its faces; right: what they compare with. */
		int lw = (w - 3 * pad) * 42 / 100, rw = w - 3 * pad - lw, rx = 2 * pad + lw;
		int scores_h = body * 52 / 100;
		b->scores = draw_rect(pad, y, lw, scores_h);
		b->faces = draw_rect(pad, y + scores_h + pad / 2, lw, body - scores_h - pad / 2);
		b->table = draw_rect(rx, y, rw, body);
		y += body + pad / 2;
		b->tiles = draw_rect(pad, y, w - 2 * pad, tiles_h);
		y += tiles_h + pad / 2;
		b->sentence = draw_rect(pad, y, w - 2 * pad, sentence_h);
	} else {
		static const int share[7] = { 6, 6, 14, 15, 24, 17, 12 }; /* percent of the height */
		struct rect *order[7] = { &b->title, &b->focus, &b->scores, &b->faces, &b->table, &b->tiles, &b->sentence };
		int avail = h - 2 * pad - 6 * (pad / 2), y = pad;
		for (int i = 0; i < 7; i++) {
			int bh = avail * share[i] / 100;
			*order[i] = draw_rect(pad, y, w - 2 * pad, bh);
			y += bh + pad / 2;
		}
	}
}

void shift_view_paint_staff(const struct shift_paint *p, SDL_Surface *c, const struct shift_data *d,
			    const struct stats_day *whole_day, const char *title, struct shift_marks *m)
{
	memset(m, 0, sizeof(*m));
	struct staff_blocks b;
	staff_layout(p->w, p->h, &b);
	draw_fill(c, draw_rect(0, 0, p->w, p->h), DRAW_BG);
	int hint_w = b.title.w * 30 / 100;
	m->title = draw_text(p->text, c, title, draw_rect(b.title.x, b.title.y, b.title.w - hint_w, b.title.h),
			     b.title.h * 80 / 100, draw_white, -1);
	draw_text(p->text, c, p->cfg->t_close_hint, draw_rect(b.title.x + b.title.w - hint_w, b.title.y, hint_w, b.title.h),
		  b.title.h * 40 / 100, draw_dim, 1);

	/* The shift first; before the day's first shift, the whole day so far. */
	const struct shift_result *s = d->focus >= 0 ? &d->day.shift[d->focus] : NULL;
	struct shift_figures day_f = { .scale = whole_day->scale, .total = whole_day->total,
				       .happy_index = whole_day->happy_index, .positive_pct = whole_day->positive_pct };
	memcpy(day_f.counts, whole_day->counts, sizeof(day_f.counts));
	const struct shift_figures *f = s ? &s->now : &day_f;
	char hours[64] = "";
	if (s) {
		titled(d->running ? p->cfg->t_shift_so_far : p->cfg->t_shift_title, s->occ.name, m->focus_text,
		       sizeof(m->focus_text));
		snprintf(hours, sizeof(hours), "%02d:%02d\u2013%02d:%02d", s->occ.start_min / 60, s->occ.start_min % 60,
			 s->occ.end_min / 60, s->occ.end_min % 60);
	} else {
		snprintf(m->focus_text, sizeof(m->focus_text), "%s", p->cfg->t_no_shift);
	}
	int hours_w = b.focus.w * 25 / 100;
	m->focus = draw_text(p->text, c, m->focus_text, draw_rect(b.focus.x, b.focus.y, b.focus.w - hours_w, b.focus.h),
			     b.focus.h * 85 / 100, draw_white, -1);
	if (hours[0]) /* on one line: "14:00-20:0 / 0" would be no time at all */
		draw_text(p->text, c, hours, draw_rect(b.focus.x + b.focus.w - hours_w, b.focus.y, hours_w, b.focus.h),
			  draw_fit_px(p->text, hours, hours_w, b.focus.h, b.focus.h * 60 / 100, 0), draw_grey, 1);
	faces_row(p, c, b.faces, f);
	big_scores(p, c, b.scores, f, m);

	/* Against the same shift last week and its four-week average, then the whole day. */
	int rh = b.table.h * 10 / 46; /* a header of 1.6 rows, then 3 rows */
	int max_rh = (p->w < p->h ? p->w : p->h) / 11;
	if (rh > max_rh)
		rh = max_rh;
	m->table = b.table;
	int y = b.table.y;
	header(p, c, draw_rect(b.table.x, y, b.table.w, rh * 16 / 10));
	y += rh * 16 / 10;
	/* One size for every row, so "Today" is not bigger than "4-week average". */
	int c0, c1, c2;
	columns(b.table.w, &c0, &c1, &c2);
	const char *labels[3] = { p->cfg->t_shift_last_week, p->cfg->t_shift_average, p->cfg->t_today };
	int px = rh * 72 / 100;
	for (int i = 0; i < 3; i++) {
		int f = draw_fit_px(p->text, labels[i], c0 - rh / 4, rh, px, 0);
		if (f < px)
			px = f;
	}
	if (s) {
		row(p, c, draw_rect(b.table.x, y, b.table.w, rh), px, p->cfg->t_shift_last_week, &s->last_week,
		    s->has_last_week, draw_grey);
		y += rh;
		row(p, c, draw_rect(b.table.x, y, b.table.w, rh), px, p->cfg->t_shift_average, &s->average,
		    s->average_shifts > 0, draw_grey);
		y += rh;
	}
	row(p, c, draw_rect(b.table.x, y, b.table.w, rh), px, p->cfg->t_today, &day_f, 1, s ? draw_grey : draw_white);

	tiles(p, c, b.tiles, d, m);
	if (s) {
		sentence(p, c, b.sentence, s, m);
		if (d->day.time_unknown > 0) {
			/* never guessed into a shift, and never silently dropped either: said with the sentence */
			char n[32], note[CONFIG_TEXT_MAX + 32];
			draw_count(p->cfg->t_thousands_separator, d->day.time_unknown, n, sizeof(n));
			const char *names[] = { "count" };
			const char *vals[] = { n };
			draw_template(p->cfg->t_shift_time_unknown, names, vals, 1, note, sizeof(note));
			size_t used = strlen(m->sentence_text);
			snprintf(m->sentence_text + used, sizeof(m->sentence_text) - used, " \u00b7 %s", note);
			draw_fill(c, b.sentence, DRAW_PANEL);
			m->sentence = draw_text(p->text, c, m->sentence_text,
						draw_rect(b.sentence.x + b.sentence.h / 4, b.sentence.y,
							  b.sentence.w - b.sentence.h / 2, b.sentence.h),
						b.sentence.h * 48 / 100, draw_white, 0);
		}
	} else {
		draw_fill(c, b.sentence, DRAW_PANEL);
		snprintf(m->sentence_text, sizeof(m->sentence_text), "%s", p->cfg->t_no_shift);
		m->sentence = draw_text(p->text, c, m->sentence_text,
					draw_rect(b.sentence.x + b.sentence.h / 4, b.sentence.y, b.sentence.w - b.sentence.h / 2,
						  b.sentence.h),
					b.sentence.h * 48 / 100, draw_white, 0);
	}
}

/* --- the end-of-shift screen ----------------------------------------------------- */

void shift_view_paint_end(const struct shift_paint *p, SDL_Surface *c, const struct shift_result *r,
			  struct shift_marks *m)
{
	memset(m, 0, sizeof(*m));
	int w = p->w, h = p->h, pad = (w < h ? w : h) / 30;
	int land = w >= h;
	draw_fill(c, draw_rect(0, 0, w, h), DRAW_BG);
	int title_h = h * (land ? 14 : 12) / 100, nums_h = h * (land ? 31 : 26) / 100, claim_h = h * (land ? 14 : 15) / 100;
	int faces_h = h * (land ? 18 : 20) / 100;
	int y = pad;

	char title[CONFIG_NAME_MAX + SHIFTS_NAME_MAX], when[96];
	titled(p->cfg->t_shift_title, r->occ.name, title, sizeof(title));
	snprintf(when, sizeof(when), "%s %02d:%02d\u2013%02d:%02d", p->weekday ? p->weekday[tzday_weekday(r->occ.date)] : "",
		 r->occ.start_min / 60, r->occ.start_min % 60, r->occ.end_min / 60, r->occ.end_min % 60);
	int when_w = land ? (w - 2 * pad) * 38 / 100 : 0;
	m->title = draw_text(p->text, c, title, draw_rect(pad, y, w - 2 * pad - when_w, title_h), title_h * 85 / 100,
			     draw_white, land ? -1 : 0);
	snprintf(m->focus_text, sizeof(m->focus_text), "%s", title);
	if (land) {
		draw_text(p->text, c, when, draw_rect(w - pad - when_w, y, when_w, title_h), title_h * 50 / 100, draw_grey, 1);
	} else {
		y += title_h;
		draw_text(p->text, c, when, draw_rect(pad, y, w - 2 * pad, title_h / 2), title_h * 40 / 100, draw_grey, 0);
		title_h = title_h / 2;
	}
	y += title_h + pad / 2;
	big_scores(p, c, draw_rect(pad, y, w - 2 * pad, nums_h), &r->now, m);
	y += nums_h + pad / 2;

	/* The one comparison the numbers support, or the count when there is none. */
	struct shift_texts t;
	shift_view_texts(p->cfg, p->weekday, &t);
	struct shift_claim claim = shift_choose(r, p->cfg->shift_weeks, p->cfg->shift_min_ratings);
	shift_claim_text(r, claim, &t, m->claim_text, sizeof(m->claim_text));
	shift_sentence(r, p->cfg->shift_weeks, p->cfg->shift_min_ratings, &t, m->sentence_text, sizeof(m->sentence_text));
	char count[64], shown[300];
	draw_count(p->cfg->t_thousands_separator, r->now.total, count, sizeof(count));
	if (m->claim_text[0])
		snprintf(shown, sizeof(shown), "%s", m->claim_text);
	else
		snprintf(shown, sizeof(shown), "%s %s", count, p->cfg->t_ratings);
	struct rect band = draw_rect(pad, y, w - 2 * pad, claim_h);
	draw_fill(c, band, claim.kind == SHIFT_CLAIM_NONE ? DRAW_PANEL : DRAW_HIGHLIGHT);
	m->claim = draw_text(p->text, c, shown, draw_rect(band.x + band.h / 3, band.y, band.w - band.h * 2 / 3, band.h),
			     band.h * 62 / 100, draw_white, 0);
	y += claim_h + pad / 2;

	int fw = land ? (w - 2 * pad) * 60 / 100 : w - 2 * pad;
	faces_row(p, c, draw_rect(pad + (w - 2 * pad - fw) / 2, y, fw, faces_h), &r->now);
	y += faces_h + pad / 2;

	/* What it is compared with, so the claim can be checked on the screen. */
	char lw[64], avg[64], foot[CONFIG_NAME_MAX * 3 + 256];
	pct_text(p, &r->last_week, lw, sizeof(lw));
	pct_text(p, &r->average, avg, sizeof(avg));
	snprintf(foot, sizeof(foot), "%s %s \u00b7 %s %s \u00b7 %s %s", p->cfg->t_shift_last_week,
		 r->has_last_week ? lw : "\u2013", p->cfg->t_shift_average, r->average_shifts ? avg : "\u2013", count,
		 p->cfg->t_ratings);
	int foot_h = h - pad / 2 - y;
	if (foot_h > h * (land ? 11 : 13) / 100)
		foot_h = h * (land ? 11 : 13) / 100;
	m->table = draw_text(p->text, c, foot, draw_rect(pad, y, w - 2 * pad, foot_h), foot_h * 75 / 100, draw_grey, 0);
}
