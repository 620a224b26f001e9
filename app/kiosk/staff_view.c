/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_view: the staff screens are laid out in proportion to the screen
 * (landscape: two columns; portrait: one stack), with every text fitted to
 * its box by text_fit, so a translation that runs long shrinks instead of
 * overlapping.
 *
 * The staff view is rendered once per opening into its own surface and
 * then only blitted; the wall display renders a page when its page or its
 * figures change (every few seconds at most). Neither costs anything per
 * frame.
 *
 * Numbers and dates follow the default language's texts (textfmt.h),
 * never the C library's locales, which a Pi may not have installed.
 *
 * The parts: the hourly chart is drawn by staff_chart.c, the comparison
 * table by staff_table.c; they share struct staff_view (staff_parts.h).
 */
#include "staff_view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "face.h"
#include "staff_draw.h"
#include "log.h"
#include "reasons_view.h"
#include "staff_parts.h"
#include "textfmt.h"
#include "tzday.h"

#define BG       DRAW_BG
#define PANEL    DRAW_PANEL
#define MAX_ENTRIES (PROTOCOL_MAX_AREAS + 3 + SHIFTS_PER_DAY)



/* --- figures ------------------------------------------------------------- */

static int load_summary(struct staff_data *d, sqlite3 *db, const struct config *cfg, int64_t now_ms)
{
	char day[PROTOCOL_DAY_MAX];
	const struct tzdate *t = &d->view.today.day.date;
	snprintf(day, sizeof(day), "%04d-%02d-%02d", t->year, t->month, t->day);
	sqlite3_stmt *st;
	/* An old database may lack the table: that is "no summary", not an error. */
	if (!db || sqlite3_prepare_v2(db, "SELECT json, as_of_ms FROM summary WHERE day = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	int ok = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *json = (const char *)sqlite3_column_text(st, 0);
		int len = sqlite3_column_bytes(st, 0);
		int64_t as_of = sqlite3_column_int64(st, 1);
		char why[256];
		/* Stale figures would mislead more than none: left out past the max age. */
		int64_t age = now_ms - as_of;
		if (json && age <= (int64_t)(cfg->staff_summary_max_age_s * 1000) &&
		    protocol_decode_summary(json, (size_t)len, &d->summary, why, sizeof(why)) == 0 &&
		    !strcmp(d->summary.day, day))
			ok = 1;
	}
	sqlite3_finalize(st);
	if (ok && tzday_offset_at(cfg->timezone, d->summary.as_of_ms, &d->as_of_offset_s, NULL, 0))
		d->as_of_offset_s = 0;
	return ok;
}

int staff_data_load(struct staff_data *d, sqlite3 *db, const struct config *cfg, int64_t now_ms, char *err,
		    size_t errlen)
{
	memset(d, 0, sizeof(*d));
	struct tzdate today;
	if (tzday_date_of(cfg->timezone, now_ms, &today, NULL, err, errlen))
		return -1;
	if (stats_view_compute(db, cfg->timezone, cfg->faces, today, &d->view, err, errlen))
		return -1;
	/* The chart's hours: [staff] hours if set, else today's [hours] opening range. */
	int first = cfg->staff_hours[0], end = cfg->staff_hours[1];
	struct hours_calendar cal = { cfg->hours, cfg->hours_dated, cfg->hours_ndated };
	struct day_hours open = hours_on_date(&cal, d->view.today.day.date); /* a dated line wins */
	if (first == 0 && end == 24 && !open.all_day && !open.closed && open.close_min > open.open_min) {
		first = open.open_min / 60;
		end = (open.close_min + 59) / 60;
	}
	stats_restrict_hours(&d->view.today, first, end);
	stats_restrict_hours(&d->view.yesterday, first, end);
	stats_restrict_hours(&d->view.last_week, first, end);
	d->have_summary = load_summary(d, db, cfg, now_ms);
	char why[512];
	/* The answers are a part of the view: a problem reading them is logged, not fatal. */
	if (reasons_day_compute(db, &d->view.today.day, cfg->faces, &d->reasons, why, sizeof(why)))
		log_msg(LOG_WARNING, "%s", why);
	/* The day's figures stand without the shifts': a shift problem is logged, not fatal. */
	if (shift_data_load(&d->shifts, db, cfg, now_ms, why, sizeof(why))) {
		log_msg(LOG_WARNING, "shifts: %s", why);
		memset(&d->shifts, 0, sizeof(d->shifts));
		d->shifts.focus = -1;
	}
	return 0;
}

int staff_data_open(sqlite3 **db, const char *path, char *err, size_t errlen)
{
	struct stat st;
	*db = NULL;
	if (stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	/* Read-only: looking at the figures can never write a rating, or create a file. */
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

/* --- text helpers -------------------------------------------------------- */

/* Copies tmpl to out with each {names[i]} replaced by vals[i]. */
static void fill(const char *tmpl, const char *const *names, const char *const *vals, int n, char *out,
		 size_t outlen)
{
	draw_template(tmpl, names, vals, n, out, outlen);
}

/* The day's date in [text] date_format, with the language's own day and month names. */
static void format_date(struct staff_view *v, const struct tzday *day, char *out, size_t outlen)
{
	textfmt_date(v->cfg, day->date, day->wday, out, outlen);
}

/* A score with its decimals and unit in the locale's conventions; a dash when there is none (< 0). */
static void format_score(const struct staff_view *v, double score, int decimals, const char *unit, char *out, size_t outlen)
{
	draw_score(v->cfg->t_decimal_separator, score, decimals, unit, out, outlen);
}

void staff_fmt_pct(const struct staff_view *v, double pct, char *out, size_t outlen)
{
	format_score(v, pct, 0, "%", out, outlen);
}

void staff_fmt_index(const struct staff_view *v, double hi, char *out, size_t outlen)
{
	format_score(v, hi, 1, "", out, outlen);
}

/*
 * A count grouped in thousands with [text] thousands_separator ("12,345"):
 * the project's own setting, as a Pi may lack the OS locale that has it.
 */
void staff_fmt_count(const struct staff_view *v, int64_t n, char *out, size_t outlen)
{
	draw_count(v->cfg->t_thousands_separator, n, out, outlen);
}

int staff_min_px(const struct staff_view *v)
{
	int shorter = v->w < v->h ? v->w : v->h;
	return shorter * 16 / 480 > 8 ? shorter * 16 / 480 : 8;
}

static void split_weekdays(struct staff_view *v)
{
	static const char *english[7] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
					  "Saturday" };
	snprintf(v->weekdays_buf, sizeof(v->weekdays_buf), "%s", v->cfg->t_weekdays);
	char *save = NULL, *tok = strtok_r(v->weekdays_buf, ",", &save);
	for (int i = 0; i < 7; i++) {
		while (tok && *tok == ' ')
			tok++;
		v->weekday[i] = tok && *tok ? tok : english[i];
		tok = tok ? strtok_r(NULL, ",", &save) : NULL;
	}
}

/* --- drawing helpers ----------------------------------------------------- */

static void fill_rect(SDL_Surface *c, struct rect r, uint32_t rgb)
{
	draw_fill(c, r, rgb);
}

static struct rect rect_of(int x, int y, int w, int h)
{
	return draw_rect(x, y, w, h);
}

/* Text fitted into box (staff_draw.h). */
static struct rect put_text(struct staff_view *v, SDL_Surface *c, const char *s, struct rect box, int max_px,
			    SDL_Color colour, int align)
{
	return draw_text(v->text, c, s, box, max_px, colour, align);
}

static SDL_Surface *make_face(int size, int value, int scale)
{
	return draw_face(size, value, scale);
}

/* --- the staff view's blocks ------------------------------------------- */

struct blocks {
	struct rect title, faces, scores, chart, table, sentence;
	struct rect reasons;   /* the day's follow-up answers; empty when there are none */
};

/*
 * With answers today, room for them (reasons_view.c): landscape, the
 * bottom of the chart's column; portrait, the top of the table's block,
 * which has rows to spare there.
 */
static void make_room_for_reasons(struct blocks *b, int pad, int portrait)
{
	if (portrait) {
		int rh = (b->table.h - pad / 2) * 40 / 100;
		b->reasons = rect_of(b->table.x, b->table.y, b->table.w, rh);
		b->table.y += rh + pad / 2;
		b->table.h -= rh + pad / 2;
		return;
	}
	int rh = (b->chart.h - pad / 2) * 42 / 100;
	b->reasons = rect_of(b->chart.x, b->chart.y + b->chart.h - rh, b->chart.w, rh);
	b->chart.h -= rh + pad / 2;
}

static void lay_out(int w, int h, struct blocks *b, int *pad_out)
{
	b->reasons = rect_of(0, 0, 0, 0);
	int pad = (w < h ? w : h) / 40;
	*pad_out = pad;
	if (w >= h) {
		int title_h = h * 10 / 100, sentence_h = h * 13 / 100;
		int y0 = pad + title_h + pad / 2;
		int sy = h - pad - sentence_h;
		int body = sy - pad / 2 - y0;
		/* Over half for the table: its four columns need the width at 800x480 ("Bewertungen", "Letzter Dienstag"). */
		int lw = (w - 3 * pad) * 46 / 100, rw = w - 3 * pad - lw, rx = 2 * pad + lw;
		int faces_h = body * 45 / 100;
		int scores_h = body * 30 / 100;
		b->title = rect_of(pad, pad, w - 2 * pad, title_h);
		b->faces = rect_of(pad, y0, lw, faces_h);
		b->chart = rect_of(pad, y0 + faces_h + pad / 2, lw, body - faces_h - pad / 2);
		b->scores = rect_of(rx, y0, rw, scores_h);
		b->table = rect_of(rx, y0 + scores_h + pad / 2, rw, body - scores_h - pad / 2);
		b->sentence = rect_of(pad, sy, w - 2 * pad, sentence_h);
	} else {
		/* Portrait: one column, the headline figures first. */
		static const int share[6] = { 6, 13, 17, 21, 32, 11 }; /* percent of the height */
		struct rect *order[6] = { &b->title, &b->scores, &b->faces, &b->chart, &b->table, &b->sentence };
		int avail = h - 2 * pad - 5 * (pad / 2), y = pad;
		for (int i = 0; i < 6; i++) {
			int bh = avail * share[i] / 100;
			*order[i] = rect_of(pad, y, w - 2 * pad, bh);
			y += bh + pad / 2;
		}
	}
}

static void draw_faces(struct staff_view *v, SDL_Surface *c, struct rect r, const struct stats_day *d)
{
	int n = v->cfg->faces;
	int cell = r.w / n;
	int fs = v->face_size;
	int text_h = r.h - fs - r.h / 12;
	/* One size for every count, so 130 does not look smaller than 73. */
	size_t longest = 1;
	for (int i = 0; i < n; i++) {
		char num[32];
		staff_fmt_count(v, d->counts[i], num, sizeof(num));
		if (strlen(num) > longest)
			longest = strlen(num);
	}
	int count_px = text_h * 9 / 10;
	int by_width = (int)((cell * 85 / 100) / (0.72 * (double)longest)); /* DejaVu Bold digits: ~0.7 em */
	if (by_width < count_px)
		count_px = by_width;
	for (int i = 0; i < n; i++) {
		int value = config_face_value(v->cfg, i); /* [screen] face_order, as on the rating screen */
		int cx = r.x + i * cell + cell / 2;
		if (v->face[value]) {
			SDL_Rect dst = { cx - fs / 2, r.y + r.h / 24, fs, fs };
			SDL_BlitSurface(v->face[value], NULL, c, &dst);
		}
		char num[32];
		staff_fmt_count(v, d->counts[value], num, sizeof(num));
		struct rect box = rect_of(r.x + i * cell + cell / 20, r.y + r.h - text_h, cell - cell / 10, text_h);
		v->marks.count[value] = put_text(v, c, num, box, count_px, draw_white, 0);
		snprintf(v->marks.count_text[value], sizeof(v->marks.count_text[value]), "%s", num);
	}
}

static void draw_scores(struct staff_view *v, SDL_Surface *c, struct rect r, const struct stats_day *d)
{
	char pct[32], hi[32];
	staff_fmt_pct(v, d->positive_pct, pct, sizeof(pct));
	staff_fmt_index(v, d->happy_index, hi, sizeof(hi));
	int half = r.w / 2;
	int num_h = r.h * 68 / 100, label_h = r.h - num_h;
	v->marks.positive = put_text(v, c, pct, rect_of(r.x, r.y, half, num_h), num_h, draw_white, 0);
	put_text(v, c, v->cfg->t_positive, rect_of(r.x, r.y + num_h, half, label_h), label_h * 8 / 10, draw_grey, 0);
	v->marks.happy = put_text(v, c, hi, rect_of(r.x + half, r.y, r.w - half, num_h), num_h, draw_white, 0);
	snprintf(v->marks.happy_text, sizeof(v->marks.happy_text), "%s", hi);
	put_text(v, c, v->cfg->t_happy_index, rect_of(r.x + half, r.y + num_h, r.w - half, label_h), label_h * 8 / 10,
		 draw_grey, 0);
}

static void draw_sentence(struct staff_view *v, SDL_Surface *c, struct rect r, const struct stats_view *sv)
{
	struct stats_texts t = {
		.no_ratings = v->cfg->t_summary_no_ratings, .alone = v->cfg->t_summary_alone,
		.above = v->cfg->t_summary_above, .below = v->cfg->t_summary_below, .same = v->cfg->t_summary_same,
		.today = v->cfg->t_summary_today, .yesterday = v->cfg->t_summary_yesterday,
		.last_weekday = v->cfg->t_summary_last_weekday, .point = v->cfg->t_summary_point,
		.points = v->cfg->t_summary_points,
	};
	for (int i = 0; i < 7; i++)
		t.weekday[i] = v->weekday[i];
	t.decimal = v->cfg->t_decimal_separator;
	t.thousands = v->cfg->t_thousands_separator;
	stats_summary(sv, &t, v->marks.sentence_text, sizeof(v->marks.sentence_text));
	fill_rect(c, r, PANEL);
	v->marks.sentence = put_text(v, c, v->marks.sentence_text, rect_of(r.x + r.h / 4, r.y, r.w - r.h / 2, r.h),
				     r.h * 48 / 100, draw_white, 0);
}

/* --- public ------------------------------------------------------------ */

static int face_size_for(const struct config *cfg, int w, int h)
{
	struct blocks b;
	int pad;
	lay_out(w, h, &b, &pad);
	int cell = b.faces.w / cfg->faces;
	int fs = b.faces.h * 60 / 100;
	if (fs > cell * 86 / 100)
		fs = cell * 86 / 100;
	return fs > 8 ? fs : 8;
}

struct staff_view *staff_view_new(const struct config *cfg, struct text *text, int w, int h)
{
	struct staff_view *v = SDL_calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->cfg = cfg;
	v->text = text;
	v->w = w;
	v->h = h;
	split_weekdays(v);
	v->face_size = face_size_for(cfg, w, h);
	for (int i = 0; i < cfg->faces && i < STATS_MAX_FACES; i++)
		if (!(v->face[i] = make_face(v->face_size, i, cfg->faces))) {
			staff_view_free(v);
			return NULL;
		}
	v->cache = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!v->cache) {
		staff_view_free(v);
		return NULL;
	}
	return v;
}

void staff_view_free(struct staff_view *v)
{
	if (!v)
		return;
	for (int i = 0; i < STATS_MAX_FACES; i++)
		SDL_FreeSurface(v->face[i]);
	SDL_FreeSurface(v->cache);
	SDL_free(v);
}

const struct staff_marks *staff_view_marks(const struct staff_view *v)
{
	return &v->marks;
}

static struct shift_paint paint_of(const struct staff_view *v)
{
	return (struct shift_paint){ v->cfg, v->text, v->weekday, v->w, v->h };
}

void staff_view_paint_shift_end(struct staff_view *v, SDL_Surface *canvas, const struct shift_result *r)
{
	struct shift_paint p = paint_of(v);
	shift_view_paint_end(&p, canvas, r, &v->marks.shift);
}

int staff_view_set_data(struct staff_view *v, const struct staff_data *d)
{
	SDL_Surface *c = v->cache;
	memset(&v->marks, 0, sizeof(v->marks));
	fill_rect(c, rect_of(0, 0, v->w, v->h), BG);
	struct blocks b;
	int pad;
	lay_out(v->w, v->h, &b, &pad);
	const struct stats_day *today = &d->view.today;

	char date[128], title[CONFIG_TEXT_MAX + 256];
	format_date(v, &today->day, date, sizeof(date));
	const char *names[] = { "area", "store", "date" };
	const char *vals[] = { v->cfg->area, v->cfg->store, date };
	fill(v->cfg->t_staff_title, names, vals, 3, title, sizeof(title));
	snprintf(v->marks.title_text, sizeof(v->marks.title_text), "%s", title);
	if (d->shifts.have) { /* the shift first, the day's shifts below (shift_view.c) */
		struct shift_paint p = paint_of(v);
		shift_view_paint_staff(&p, c, &d->shifts, today, title, &v->marks.shift);
		snprintf(v->marks.sentence_text, sizeof(v->marks.sentence_text), "%s", v->marks.shift.sentence_text);
		return 0;
	}
	int hint_w = b.title.w * 36 / 100;
	put_text(v, c, title, rect_of(b.title.x, b.title.y, b.title.w - hint_w, b.title.h), b.title.h * 80 / 100, draw_white, -1);
	put_text(v, c, v->cfg->t_close_hint, rect_of(b.title.x + b.title.w - hint_w, b.title.y, hint_w, b.title.h),
		 b.title.h * 40 / 100, draw_dim, 1);

	draw_faces(v, c, b.faces, today);
	draw_scores(v, c, b.scores, today);
	if (reasons_view_wanted(&d->reasons)) {
		make_room_for_reasons(&b, pad, v->h > v->w);
		reasons_view_paint(v->text, c, b.reasons, v->cfg, &d->reasons);
	}
	staff_chart_draw(v, c, b.chart, today);
	/* Twice: first only to find the one size every row's text fits at. */
	v->measuring = 1;
	v->table_px = 200;
	staff_table_draw(v, c, b.table, d);
	v->measuring = 0;
	staff_table_draw(v, c, b.table, d);
	draw_sentence(v, c, b.sentence, &d->view);
	return 0;
}

void staff_view_paint(struct staff_view *v, SDL_Surface *canvas)
{
	SDL_BlitSurface(v->cache, NULL, canvas, NULL);
}

void staff_view_paint_problem(struct staff_view *v, SDL_Surface *canvas, const char *problem)
{
	if (!problem || !*problem)
		return;
	/* The staff are the people who can act on it: the detail the customer is spared. */
	int h = v->h / 6;
	struct rect band = rect_of(0, v->h - h, v->w, h);
	fill_rect(canvas, band, 0x8b1e1eu);
	char line[700];
	snprintf(line, sizeof(line), "Out of order: %s", problem);
	int pad = h / 8;
	put_text(v, canvas, line, rect_of(pad, band.y + pad, v->w - 2 * pad, h - 2 * pad), h / 3, draw_white, 0);
}

/* --- PIN pad ------------------------------------------------------------- */

static void pad_layout(struct staff_view *v, struct rect *prompt, struct rect *dots)
{
	int pad = (v->w < v->h ? v->w : v->h) / 40;
	*prompt = rect_of(pad, pad, v->w - 2 * pad, v->h * 12 / 100);
	*dots = rect_of(pad, prompt->y + prompt->h, v->w - 2 * pad, v->h * 10 / 100);
	int top = dots->y + dots->h + pad;
	int avail_h = v->h - top - pad, avail_w = v->w - 2 * pad;
	int key = avail_h / 4 < avail_w / 3 ? avail_h / 4 : avail_w / 3;
	int x0 = (v->w - 3 * key) / 2;
	static const int digits[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, STAFF_PIN_CANCEL, 0, -1 };
	for (int i = 0; i < 12; i++) {
		int gap = key / 14;
		v->pad_key[i] = rect_of(x0 + (i % 3) * key + gap, top + (i / 3) * key + gap, key - 2 * gap, key - 2 * gap);
		v->pad_digit[i] = digits[i];
	}
}

void staff_view_paint_pin(struct staff_view *v, SDL_Surface *canvas, int entered, int wrong)
{
	struct rect prompt, dots;
	pad_layout(v, &prompt, &dots);
	fill_rect(canvas, rect_of(0, 0, v->w, v->h), BG);
	put_text(v, canvas, wrong ? v->cfg->t_pin_wrong : v->cfg->t_pin_prompt, prompt, prompt.h * 75 / 100,
		 wrong ? (SDL_Color){ 0xff, 0x8a, 0x80, 255 } : draw_white, 0);
	char shown[64] = "";
	for (int i = 0; i < entered && i < 16; i++)
		strcat(shown, "\u25cf "); /* a dot per digit: the PIN itself never shows */
	if (entered)
		put_text(v, canvas, shown, dots, dots.h * 70 / 100, draw_white, 0);
	for (int i = 0; i < 12; i++) {
		if (v->pad_digit[i] < 0)
			continue;
		struct rect k = v->pad_key[i];
		fill_rect(canvas, k, PANEL);
		char lbl[16];
		if (v->pad_digit[i] == STAFF_PIN_CANCEL)
			snprintf(lbl, sizeof(lbl), "\u2715");
		else
			snprintf(lbl, sizeof(lbl), "%d", v->pad_digit[i]);
		put_text(v, canvas, lbl, k, k.h * 55 / 100, draw_white, 0);
	}
}

int staff_view_pin_hit(const struct staff_view *v, double x, double y)
{
	struct staff_view *mv = (struct staff_view *)v;
	struct rect prompt, dots;
	pad_layout(mv, &prompt, &dots); /* pure geometry, so hit-testing needs no paint first */
	for (int i = 0; i < 12; i++) {
		const struct rect *k = &v->pad_key[i];
		if (v->pad_digit[i] >= 0 && x >= k->x && x < k->x + k->w && y >= k->y && y < k->y + k->h)
			return v->pad_digit[i];
	}
	return -1;
}

int staff_view_in_corner(int w, int h, double x, double y)
{
	/* A fingertip-sized square at each corner: a seventh of the short side. */
	double z = (w < h ? w : h) / 7.0;
	return (x < z || x >= w - z) && (y < z || y >= h - z);
}

/* --- the wall display -------------------------------------------------- */

struct entry {
	const char *name;
	int64_t total;
	double pct, hi;
	const int64_t *counts;
	int scale;
	int highlight;
	char label[96];      /* a shift's name and hours; name points here */
};

static int entries(const struct staff_view *v, const struct staff_data *d, struct entry *e)
{
	int n = 0;
	/* A tile per shift of the day first, the running one highlighted. */
	for (int i = 0; d->shifts.have && i < d->shifts.day.n && n < SHIFTS_PER_DAY; i++) {
		const struct shift_result *s = &d->shifts.day.shift[i];
		e[n] = (struct entry){ .total = s->now.total, .pct = s->now.positive_pct, .hi = s->now.happy_index,
				       .counts = s->now.counts, .scale = s->now.scale,
				       .highlight = i == d->shifts.focus && d->shifts.running };
		shift_view_label(&s->occ, e[n].label, sizeof(e[n].label));
		e[n].name = e[n].label;
		n++;
	}
	if (d->have_summary) {
		const struct protocol_summary *s = &d->summary;
		for (size_t i = 0; i < s->nareas && n < MAX_ENTRIES - 2; i++) {
			const struct protocol_figures *f = &s->areas[i].figures;
			e[n++] = (struct entry){ s->areas[i].area, f->total, f->positive_pct, f->happy_index, f->counts,
						 f->scale, 0, "" };
		}
		e[n++] = (struct entry){ v->cfg->t_store, s->store_total.total, s->store_total.positive_pct,
					 s->store_total.happy_index, s->store_total.counts, s->store_total.scale, 1, "" };
		e[n++] = (struct entry){ v->cfg->t_chain, s->chain.total, s->chain.positive_pct, s->chain.happy_index,
					 s->chain.counts, s->chain.scale, 0, "" };
	} else {
		/* No head-office figures: this kiosk's own area, from its own ratings. */
		const struct stats_day *t = &d->view.today;
		e[n++] = (struct entry){ v->cfg->area, t->total, t->positive_pct, t->happy_index, t->counts, t->scale, 0, "" };
	}
	return n;
}

static void grid(const struct staff_view *v, int *cols, int *rows)
{
	if (v->w >= v->h) {
		*cols = v->w >= 1200 ? 3 : 2;
		*rows = 2;
	} else {
		*cols = v->w >= 900 ? 2 : 1;
		*rows = 3;
	}
}

int staff_view_display_pages(const struct staff_view *v, const struct staff_data *d)
{
	struct entry e[MAX_ENTRIES];
	int n = entries(v, d, e), cols, rows;
	grid(v, &cols, &rows);
	return (n + cols * rows - 1) / (cols * rows);
}

static void draw_tile(struct staff_view *v, SDL_Surface *c, struct rect r, const struct entry *e)
{
	fill_rect(c, r, e->highlight ? 0x30445a : PANEL);
	int in = r.h / 14;
	struct rect b = rect_of(r.x + in, r.y + in / 2, r.w - 2 * in, r.h - in);
	int name_h = b.h * 20 / 100, big_h = b.h * 40 / 100, line_h = b.h * 17 / 100, dist_h = b.h * 12 / 100;
	put_text(v, c, e->name, rect_of(b.x, b.y, b.w, name_h), name_h * 85 / 100, draw_white, 0);
	char pct[32], hi[32], n[32], line[CONFIG_NAME_MAX * 3 + 96];
	staff_fmt_pct(v, e->total > 0 ? e->pct : -1, pct, sizeof(pct));
	staff_fmt_index(v, e->total > 0 ? e->hi : -1, hi, sizeof(hi));
	staff_fmt_count(v, e->total, n, sizeof(n));
	int half = b.w / 2;
	int gap = b.w / 16; /* keeps "71%" and "73.8" from reading as one number */
	put_text(v, c, pct, rect_of(b.x + gap / 2, b.y + name_h, half - gap, big_h), big_h, draw_white, 0);
	put_text(v, c, hi, rect_of(b.x + half + gap / 2, b.y + name_h, b.w - half - gap, big_h), big_h, draw_white, 0);
	int y = b.y + name_h + big_h;
	put_text(v, c, v->cfg->t_positive, rect_of(b.x, y, half, line_h), line_h * 70 / 100, draw_grey, 0);
	put_text(v, c, v->cfg->t_happy_index, rect_of(b.x + half, y, b.w - half, line_h), line_h * 70 / 100, draw_grey, 0);
	y += line_h;
	/* How the ratings split over the faces, in [screen] face_order, in the faces' colours. */
	struct rect dist = rect_of(b.x, y + (b.y + b.h - y - dist_h) / 2, b.w * 60 / 100, dist_h);
	if (e->total > 0 && e->scale >= 2 && e->scale <= STATS_MAX_FACES) {
		int64_t sum = 0;
		for (int i = 0; i < e->scale; i++)
			sum += e->counts[i];
		int x = dist.x;
		for (int p = 0; p < e->scale && sum > 0; p++) {
			int i = config_face_value_of(v->cfg->face_order, e->scale, p);
			int wpx = (int)(dist.w * e->counts[i] / sum);
			if (p == e->scale - 1)
				wpx = dist.x + dist.w - x;
			fill_rect(c, rect_of(x, dist.y, wpx, dist.h), face_colour(i, e->scale));
			x += wpx;
		}
	}
	snprintf(line, sizeof(line), "%s %s", n, v->cfg->t_ratings);
	put_text(v, c, line, rect_of(dist.x + dist.w + b.w / 40, y, b.x + b.w - dist.x - dist.w - b.w / 40, b.y + b.h - y),
		 dist_h * 13 / 10, draw_grey, 1);
}

void staff_view_paint_display(struct staff_view *v, SDL_Surface *canvas, const struct staff_data *d, int page)
{
	static struct entry e[MAX_ENTRIES];
	int n = entries(v, d, e), cols, rows;
	grid(v, &cols, &rows);
	int per = cols * rows, pages = (n + per - 1) / per;
	if (page >= pages)
		page = 0;
	int pad = (v->w < v->h ? v->w : v->h) / 40;
	fill_rect(canvas, rect_of(0, 0, v->w, v->h), BG);
	int title_h = v->h * (v->w >= v->h ? 11 : 7) / 100, foot_h = v->h * (v->w >= v->h ? 7 : 4) / 100;
	char date[128], title[CONFIG_TEXT_MAX + 256], pg[CONFIG_NAME_MAX + 32];
	format_date(v, &d->view.today.day, date, sizeof(date));
	const char *names[] = { "area", "store", "date" };
	const char *vals[] = { v->cfg->area, v->cfg->store, date };
	fill(v->cfg->t_display_title, names, vals, 3, title, sizeof(title));
	int pw = pages > 1 ? v->w * 15 / 100 : 0;
	put_text(v, canvas, title, rect_of(pad, pad, v->w - 2 * pad - pw, title_h), title_h * 80 / 100, draw_white, -1);
	if (pages > 1) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%d", page + 1);
		snprintf(b, sizeof(b), "%d", pages);
		const char *pn[] = { "page", "pages" };
		const char *pv[] = { a, b };
		fill(v->cfg->t_page, pn, pv, 2, pg, sizeof(pg));
		put_text(v, canvas, pg, rect_of(v->w - pad - pw, pad, pw, title_h), title_h * 55 / 100, draw_dim, 1);
	}
	int top = pad + title_h + pad / 2, bottom = v->h - pad - foot_h;
	if (reasons_view_wanted(&d->reasons)) { /* the day's answers in a band under the tiles */
		int band = (bottom - top) * (v->w >= v->h ? 24 : 16) / 100;
		reasons_view_paint(v->text, canvas, rect_of(pad, bottom - band, v->w - 2 * pad, band), v->cfg, &d->reasons);
		bottom -= band + pad / 2;
	}
	int cw = (v->w - pad * (cols + 1)) / cols, ch = (bottom - top - pad * (rows - 1)) / rows;
	for (int i = 0; i < per && page * per + i < n; i++) {
		int col = i % cols, row = i / cols;
		draw_tile(v, canvas, rect_of(pad + col * (cw + pad), top + row * (ch + pad), cw, ch), &e[page * per + i]);
	}
	char foot[CONFIG_TEXT_MAX + 16];
	if (d->have_summary) {
		char when[16];
		int64_t local = d->summary.as_of_ms / 1000 + d->as_of_offset_s;
		snprintf(when, sizeof(when), "%02d:%02d", (int)(local / 3600 % 24), (int)(local / 60 % 60));
		const char *tn[] = { "time" };
		const char *tv[] = { when };
		fill(v->cfg->t_as_of, tn, tv, 1, foot, sizeof(foot));
	} else {
		snprintf(foot, sizeof(foot), "%s", d->view.today.total ? "" : v->cfg->t_no_figures);
	}
	if (foot[0])
		put_text(v, canvas, foot, rect_of(pad, bottom, v->w - 2 * pad, foot_h), foot_h * 70 / 100, draw_dim, -1);
}
