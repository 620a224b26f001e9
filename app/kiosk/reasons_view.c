/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reasons_view: the top reasons block (reasons_view.h).
 *
 * Wide boxes list the reasons side by side, up to three, each a name over
 * a bar with its count; tall boxes list them one per row. The text never
 * goes under 16 px at 480 px high (issue 12's rule for the staff screens):
 * fewer reasons are shown rather than smaller ones.
 */
#include "reasons_view.h"

#include <stdio.h>

#include "staff_draw.h"

#define POSITIVE_BAR 0x4caf50u
#define NEGATIVE_BAR 0xe57373u

int reasons_view_wanted(const struct reasons_day *d)
{
	return d && d->n > 0;
}

/* One reason in box b: its name, then a bar as long as its share of the most given one, and the count. */
static void one(struct text *t, SDL_Surface *c, struct rect b, const struct config *cfg, const struct reason_count *r,
		int64_t most, int px)
{
	int name_h = b.h * 55 / 100, bar_h = b.h - name_h;
	draw_text(t, c, r->text, draw_rect(b.x, b.y, b.w, name_h), px, draw_white, -1);
	char n[32];
	draw_count(cfg->t_thousands_separator, r->count, n, sizeof(n));
	int count_w = b.w / 5 > bar_h * 2 ? b.w / 5 : bar_h * 2;
	int full = b.w - count_w - b.w / 40;
	int len = most > 0 ? (int)(full * r->count / most) : 0;
	if (len < 4)
		len = 4;
	draw_fill(c, draw_rect(b.x, b.y + name_h + bar_h / 4, len, bar_h / 2), r->positive ? POSITIVE_BAR : NEGATIVE_BAR);
	draw_text(t, c, n, draw_rect(b.x + len + b.w / 40, b.y + name_h, count_w, bar_h), px, draw_grey, -1);
}

void reasons_view_paint(struct text *t, SDL_Surface *c, struct rect r, const struct config *cfg,
			const struct reasons_day *d)
{
	if (!reasons_view_wanted(d) || r.w <= 0 || r.h <= 0)
		return;
	draw_fill(c, r, DRAW_PANEL);
	int in = r.h / 12 > 4 ? r.h / 12 : 4;
	struct rect b = draw_rect(r.x + in, r.y + in / 2, r.w - 2 * in, r.h - in);
	int min_px = c->h * 16 / 480 > 16 ? c->h * 16 / 480 : 16;
	int head_h = b.h * 30 / 100 > min_px * 5 / 4 ? b.h * 30 / 100 : min_px * 5 / 4;
	int head_px = head_h * 65 / 100 > min_px ? head_h * 65 / 100 : min_px;
	draw_text(t, c, cfg->t_top_reasons, draw_rect(b.x, b.y, b.w, head_h), head_px, draw_grey, -1);
	struct rect body = draw_rect(b.x, b.y + head_h, b.w, b.h - head_h);
	int64_t most = d->top[0].count;
	/* A row needs a name and a bar, each at least min_px tall; room for two rows: a list, else side by side. */
	int row_h = min_px * 5 / 2;
	int wide = body.h < 2 * row_h;
	int rows = wide ? 1 : body.h / row_h;
	int cols = wide ? 3 : 1;
	int fit = rows * cols;
	if (fit < 1)
		return;
	int n = d->n < fit ? d->n : fit;
	int gap = body.w / 30;
	int cw = (body.w - (cols - 1) * gap) / cols, rh = wide ? body.h : body.h / rows;
	/* One size for every name shown (the largest at which each fits), never under min_px. */
	int px = rh * 55 / 100 * 85 / 100;
	for (int i = 0; i < n; i++) {
		int p = draw_fit_px(t, d->top[i].text, cw, rh * 55 / 100, px, 0);
		if (p < px)
			px = p;
	}
	if (px < min_px)
		px = min_px;
	for (int i = 0; i < n; i++) {
		int col = i % cols, row = i / cols;
		one(t, c, draw_rect(body.x + col * (cw + gap), body.y + row * rh, cw, rh), cfg, &d->top[i], most, px);
	}
}
