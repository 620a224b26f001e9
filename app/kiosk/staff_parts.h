/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_parts: what the staff view's files share (staff_view.c lays out
 * and paints; staff_chart.c the hourly chart; staff_table.c the
 * comparison table): the view's state and its number formats.
 */
#ifndef TALLY_STAFF_PARTS_H
#define TALLY_STAFF_PARTS_H

#include "staff_view.h"

struct staff_view {
	const struct config *cfg;
	struct text *text;
	int w, h;
	const char *weekday[7];
	char weekdays_buf[CONFIG_TEXT_MAX];
	SDL_Surface *face[STATS_MAX_FACES];   /* sized for the staff view */
	int face_size;
	SDL_Surface *cache;                   /* the staff view as last set */
	int measuring;                        /* table: a first pass that only sizes the text */
	int table_px;                         /* table: one text size for every row */
	struct staff_marks marks;
	/* the PIN pad */
	struct rect pad_key[12];              /* 1..9, cancel, 0, (unused) */
	int pad_digit[12];
};

/* Numbers as the language writes them: "1,234", "83%", "76.6" (a dash for < 0). */
void staff_fmt_count(const struct staff_view *v, int64_t n, char *out, size_t outlen);
void staff_fmt_pct(const struct staff_view *v, double pct, char *out, size_t outlen);
void staff_fmt_index(const struct staff_view *v, double hi, char *out, size_t outlen);

/* Smallest text on the staff screens: 16 px at 480 px high, scaled (readable at arm's length). */
int staff_min_px(const struct staff_view *v);

/* Ratings per hour in r, each bar split by face in the faces' colours. */
void staff_chart_draw(struct staff_view *v, SDL_Surface *c, struct rect r, const struct stats_day *d);

/* The comparison table in r (twice: v->measuring first finds its one text size). */
void staff_table_draw(struct staff_view *v, SDL_Surface *c, struct rect r, const struct staff_data *d);

#endif
