/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_chart: the staff view's ratings per hour. Each bar is split by
 * face in the faces' colours, so the chart shows how each hour felt as
 * well as how busy it was; the busiest hour has its count on top. Ratings
 * whose time is unknown (the clock was never set) are in no hour, and the
 * chart says how many, so an empty chart is not misread.
 */
#include "staff_parts.h"

#include <stdio.h>

#include "face.h"
#include "staff_draw.h"

static const SDL_Color note = { 0xff, 0xc8, 0x57, 255 }; /* notes on the chart */

void staff_chart_draw(struct staff_view *v, SDL_Surface *c, struct rect r, const struct stats_day *d)
{
	int title_h = r.h * 17 / 100, label_h = r.h * 14 / 100;
	draw_text(v->text, c, v->cfg->t_per_hour, draw_rect(r.x, r.y, r.w, title_h), title_h * 8 / 10, draw_grey, -1);
	int first = d->hour_first, end = d->hour_end, n = end - first;
	/* Ratings at unknown times get a row of their own under the title: two lines of the smallest size. */
	int note_h = d->time_unknown > 0 ? staff_min_px(v) * 3 : 0;
	struct rect note_box = draw_rect(r.x, r.y + title_h, r.w, note_h);
	struct rect area = draw_rect(r.x, r.y + title_h + note_h + r.h / 30, r.w,
				     r.h - title_h - note_h - label_h - r.h / 30);
	v->marks.chart = area;
	v->marks.hour_first = first;
	v->marks.hour_end = end;
	int64_t peak = 0;
	int peak_h = first;
	for (int h = first; h < end; h++)
		if (d->hourly[h] > peak) {
			peak = d->hourly[h];
			peak_h = h;
		}
	int slot = area.w / n;
	int bw = slot * 72 / 100 > 1 ? slot * 72 / 100 : 1;
	/* Room above the tallest bar for its count. */
	int top_room = area.h / 6 > staff_min_px(v) * 3 / 2 ? area.h / 6 : staff_min_px(v) * 3 / 2;
	for (int h = first; h < end; h++) {
		int x = area.x + (h - first) * slot + (slot - bw) / 2;
		int bh = peak ? (int)((area.h - top_room) * d->hourly[h] / peak) : 0;
		if (d->hourly[h] > 0 && bh < 2)
			bh = 2; /* an hour with ratings is never invisible */
		struct rect bar = draw_rect(x, area.y + area.h - bh, bw, bh);
		v->marks.bar[h] = bar;
		/*
		 * How the hour felt, not only how busy it was: the bar split by
		 * face in the faces' colours, in [screen] face_order from the top.
		 */
		int y = bar.y;
		int64_t left = d->hourly[h];
		for (int p = 0; p < d->scale && left > 0; p++) {
			int value = config_face_value_of(v->cfg->face_order, d->scale, p);
			int64_t n = d->hourly_face[h][value];
			int sh = (int)(bar.h * n / d->hourly[h]);
			left -= n;
			if (left <= 0)
				sh = bar.y + bar.h - y; /* the last one takes what rounding left */
			draw_fill(c, draw_rect(x, y, bw, sh), face_colour(value, d->scale));
			y += sh;
		}
	}
	draw_fill(c, draw_rect(area.x, area.y + area.h, area.w, r.h / 120 + 1), 0x566577);
	if (peak > 0) {
		char num[32];
		staff_fmt_count(v, peak, num, sizeof(num));
		int x = area.x + (peak_h - first) * slot + slot / 2;
		int bw_text = slot * 4;
		struct rect box = draw_rect(x - bw_text / 2, area.y, bw_text, top_room);
		if (box.x < area.x)
			box.x = area.x;
		if (box.x + box.w > area.x + area.w)
			box.x = area.x + area.w - box.w;
		draw_text(v->text, c, num, box, top_room, draw_white, 0);
	}
	/*
	 * Ratings whose time is unknown (the clock was never set) are in no
	 * hour: say so on the chart, so an empty or low chart is not misread.
	 */
	if (d->time_unknown > 0) {
		char num[32], line[CONFIG_TEXT_MAX + 32];
		staff_fmt_count(v, d->time_unknown, num, sizeof(num));
		const char *names[] = { "count" };
		const char *vals[] = { num };
		draw_template(v->cfg->t_time_unknown, names, vals, 1, line, sizeof(line));
		/* No bar at all: the note stands in the middle of the empty chart, so it cannot be missed. */
		struct rect box = peak > 0 ? note_box : draw_rect(area.x, area.y + (area.h - note_h) / 2, area.w, note_h);
		v->marks.time_unknown = draw_text(v->text, c, line, box, staff_min_px(v) * 6 / 5, note, peak > 0 ? -1 : 0);
	}
	/* Hour labels, as many as fit without crowding. */
	int step = 1;
	while (step < n && slot * step < label_h * 2)
		step = step == 1 ? 2 : step == 2 ? 3 : step == 3 ? 4 : step == 4 ? 6 : 12;
	for (int h = first; h < end; h += step) {
		char lbl[16];
		snprintf(lbl, sizeof(lbl), "%d", h);
		int x = area.x + (h - first) * slot + slot / 2;
		draw_text(v->text, c, lbl, draw_rect(x - slot * step / 2, r.y + r.h - label_h, slot * step, label_h), label_h * 8 / 10,
			 draw_dim, 0);
	}
}

