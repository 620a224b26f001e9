/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_table: the staff view's comparison table: today, yesterday and
 * the same weekday last week, then head office's figures (this area, the
 * store's other areas, the whole store, the chain). Every row shares one
 * text size, found in a first measuring pass, so the columns line up;
 * the figures' names head their columns in whole words, never under the
 * screens' smallest size.
 */
#include "staff_parts.h"

#include <stdio.h>
#include <string.h>

#include "staff_draw.h"

/*
 * The table's columns: the label, then three right-aligned figures with a
 * gap before each, so "285" and "83%" never read as one number and every
 * row's figures line up under their header.
 */
static void table_columns(struct rect row, int x[4], int w[4], int *gap)
{
	*gap = row.w / 20;
	w[0] = row.w * 38 / 100;
	w[1] = w[2] = (row.w - w[0]) / 3 - *gap;
	w[3] = row.w - w[0] - w[1] - w[2] - 3 * *gap;
	x[0] = row.x;
	for (int i = 1; i < 4; i++)
		x[i] = x[i - 1] + w[i - 1] + *gap;
}

/* One row of the comparison table: label, ratings, % positive, Happy Index; every row at v->table_px. */
static void table_row(struct staff_view *v, SDL_Surface *c, struct rect row, const char *label, int64_t total,
		      double pct, double hi, SDL_Color colour)
{
	char n[32], p[32], i[32];
	staff_fmt_count(v, total, n, sizeof(n));
	staff_fmt_pct(v, total > 0 ? pct : -1, p, sizeof(p));
	staff_fmt_index(v, total > 0 ? hi : -1, i, sizeof(i));
	const char *cell[4] = { label, n, p, i };
	int x[4], w[4], gap;
	table_columns(row, x, w, &gap);
	if (v->measuring) {
		/* The first pass: the size at which every cell of every row fits on one line. */
		if (v->table_px > row.h * 72 / 100)
			v->table_px = row.h * 72 / 100 > staff_min_px(v) ? row.h * 72 / 100 : staff_min_px(v);
		for (int k = 0; k < 4; k++) {
			int tw, th;
			while (v->table_px > staff_min_px(v) && text_size(v->text, cell[k], v->table_px, &tw, &th) == 0 && tw > w[k])
				v->table_px--;
		}
		return;
	}
	for (int k = 0; k < 4; k++)
		draw_text(v->text, c, cell[k], draw_rect(x[k], row.y, w[k], row.h), v->table_px, colour, k == 0 ? -1 : 1);
}

/* The figures' names over their columns: whole words, on up to two lines, never under min_px. */
static void table_header(struct staff_view *v, SDL_Surface *c, struct rect row)
{
	int x[4], w[4], gap;
	table_columns(row, x, w, &gap);
	int px = v->table_px * 80 / 100 > staff_min_px(v) ? v->table_px * 80 / 100 : staff_min_px(v);
	const char *name[4] = { NULL, v->cfg->t_ratings, v->cfg->t_positive, v->cfg->t_happy_index };
	/*
	 * A name may be wider than its figures ("Bewertungen" over "1.234"):
	 * right-aligned over its column, it may use the gap before it, and the
	 * first one half of the label column, which has no name.
	 */
	for (int k = 1; k < 4; k++) {
		int left = k == 1 ? x[0] + w[0] / 2 : x[k] - gap + gap / 4;
		/* Over right-aligned figures a name ends where they end, in any script (draw_text mirrors RTL). */
		int align = text_is_rtl(name[k]) ? -1 : 1;
		v->marks.header[k - 1] =
			draw_text(v->text, c, name[k], draw_rect(left, row.y, x[k] + w[k] - left, row.h), px, draw_dim, align);
	}
	v->marks.table_px = v->table_px;
}

void staff_table_draw(struct staff_view *v, SDL_Surface *c, struct rect r, const struct staff_data *d)
{
	const struct stats_view *sv = &d->view;
	const struct protocol_summary *s = &d->summary;
	/* Rows: header, three days; then head office's: this area, others, store, chain, "as of". */
	int fixed = 4; /* header and three days */
	int others = 0;
	int mine = -1;
	if (d->have_summary) {
		for (size_t i = 0; i < s->nareas; i++) {
			if (!strcmp(s->areas[i].area, v->cfg->area))
				mine = (int)i;
			else
				others++;
		}
		fixed += (mine >= 0) + 2 + 1 + 1; /* this area, store, chain, "as of", the rule above them */
	}
	int shorter = v->w < v->h ? v->w : v->h;
	int min_row = shorter / 20 > 14 ? shorter / 20 : 14;
	int max_row = shorter / 11;
	/* Too many areas for readable rows: keep this area, store and chain; drop others from the end. */
	int fit = r.h / min_row - fixed;
	if (others > fit)
		others = fit > 0 ? fit : 0;
	/* The header gets two lines of the smallest size: "Happy / Index" stays whole and readable. */
	int header_h = staff_min_px(v) * 5 / 2;
	int row_h = (r.h - header_h) / (fixed - 1 + others);
	if (row_h > max_row)
		row_h = max_row;
	if (!v->measuring) {
		table_header(v, c, draw_rect(r.x, r.y, r.w, header_h));
	}
	int y = r.y + header_h;
	char last[CONFIG_NAME_MAX * 2];
	const char *names[] = { "weekday" };
	const char *vals[] = { v->weekday[sv->last_week.day.wday] };
	draw_template(v->cfg->t_last_weekday, names, vals, 1, last, sizeof(last));
	table_row(v, c, draw_rect(r.x, y, r.w, row_h), v->cfg->t_today, sv->today.total, sv->today.positive_pct,
		  sv->today.happy_index, draw_white);
	y += row_h;
	table_row(v, c, draw_rect(r.x, y, r.w, row_h), v->cfg->t_yesterday, sv->yesterday.total,
		  sv->yesterday.positive_pct, sv->yesterday.happy_index, draw_grey);
	y += row_h;
	table_row(v, c, draw_rect(r.x, y, r.w, row_h), last, sv->last_week.total, sv->last_week.positive_pct,
		  sv->last_week.happy_index, draw_grey);
	y += row_h;
	memset(&v->marks.head_office, 0, sizeof(v->marks.head_office));
	if (!d->have_summary)
		return; /* unknown or stale: left out, never shown as zeros */
	int top = y;
	draw_fill(c, draw_rect(r.x, y + row_h / 6, r.w, row_h / 14 + 1), 0x3c4d60);
	y += row_h / 3;
	if (mine >= 0) {
		const struct protocol_figures *f = &s->areas[mine].figures;
		table_row(v, c, draw_rect(r.x, y, r.w, row_h), s->areas[mine].area, f->total, f->positive_pct,
			  f->happy_index, draw_white);
		y += row_h;
	}
	int shown = 0;
	for (size_t i = 0; i < s->nareas && shown < others; i++) {
		if ((int)i == mine)
			continue;
		const struct protocol_figures *f = &s->areas[i].figures;
		table_row(v, c, draw_rect(r.x, y, r.w, row_h), s->areas[i].area, f->total, f->positive_pct,
			  f->happy_index, draw_grey);
		y += row_h;
		shown++;
	}
	table_row(v, c, draw_rect(r.x, y, r.w, row_h), v->cfg->t_store, s->store_total.total,
		  s->store_total.positive_pct, s->store_total.happy_index, draw_grey);
	y += row_h;
	table_row(v, c, draw_rect(r.x, y, r.w, row_h), v->cfg->t_chain, s->chain.total, s->chain.positive_pct,
		  s->chain.happy_index, draw_grey);
	y += row_h;
	char when[16], as_of[CONFIG_TEXT_MAX + 16];
	int64_t local = s->as_of_ms / 1000 + d->as_of_offset_s;
	snprintf(when, sizeof(when), "%02d:%02d", (int)(local / 3600 % 24), (int)(local / 60 % 60));
	const char *n2[] = { "time" };
	const char *v2[] = { when };
	draw_template(v->cfg->t_as_of, n2, v2, 1, as_of, sizeof(as_of));
	int ah = r.y + r.h - y;
	if (ah > row_h)
		ah = row_h;
	draw_text(v->text, c, as_of, draw_rect(r.x, y, r.w, ah), ah * 62 / 100 > staff_min_px(v) ? ah * 62 / 100 : staff_min_px(v), draw_dim, -1);
	v->marks.head_office = draw_rect(r.x, top, r.w, y + ah - top);
}

