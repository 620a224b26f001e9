/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_poster: the A4 staff-room poster (see hq_poster.h).
 *
 * Layout, top to bottom, in PDF points (1/72 in): the store's name and the
 * week; "Happy Index" with the week's figure in a large numeral, coloured
 * by band (the same bands as the kiosk's staff view would read: green from
 * 70, amber from 50, red below) and its change on the week before; a bar
 * per day, Monday first, with its figure above (a day without ratings has
 * no bar and says so); the best hour; the footer with % positive and the
 * counts. Everything is measured from the page size, so nothing depends on
 * the font's exact metrics beyond centring.
 */
#include "hq_poster.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_alert_eval.h"

#define FONT "DejaVu Sans"
#define W HQ_POSTER_WIDTH_PT
#define H HQ_POSTER_HEIGHT_PT
#define MARGIN 48.0

struct sink {
	char *buf;
	size_t len, cap;
	int failed;
};

static cairo_status_t sink_write(void *arg, const unsigned char *data, unsigned int n)
{
	struct sink *s = arg;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		while (cap < s->len + n)
			cap *= 2;
		char *more = realloc(s->buf, cap);
		if (!more) {
			s->failed = 1;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		s->buf = more;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return CAIRO_STATUS_SUCCESS;
}

static void band_colour(cairo_t *cr, double hi)
{
	if (hi < 0)
		cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	else if (hi >= 70)
		cairo_set_source_rgb(cr, 0.11, 0.49, 0.25);
	else if (hi >= 50)
		cairo_set_source_rgb(cr, 0.72, 0.45, 0.02);
	else
		cairo_set_source_rgb(cr, 0.75, 0.15, 0.12);
}

/* Draws text with its centre at x and its baseline at y. */
static void centred(cairo_t *cr, const char *text, double x, double y)
{
	cairo_text_extents_t e;
	cairo_text_extents(cr, text, &e);
	cairo_move_to(cr, x - e.width / 2 - e.x_bearing, y);
	cairo_show_text(cr, text);
}

/* Sets the font size so text fits in width (at most size). */
static void fit(cairo_t *cr, const char *text, double size, double width)
{
	cairo_set_font_size(cr, size);
	cairo_text_extents_t e;
	cairo_text_extents(cr, text, &e);
	if (e.x_advance > width)
		cairo_set_font_size(cr, size * width / e.x_advance);
}

static void font(cairo_t *cr, int bold, double size)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

static const char *const day_short[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const month_short[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static void draw(cairo_t *cr, const char *store, const char *week, const struct hq_report_figures *f)
{
	char line[256];
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	/* the store and the week */
	cairo_set_source_rgb(cr, 0.12, 0.16, 0.22);
	font(cr, 1, 40);
	fit(cr, store, 40, W - 2 * MARGIN);
	centred(cr, store, W / 2, 100);
	struct tzdate last = tzday_add_days(f->from, 6);
	snprintf(line, sizeof(line), "Week %s  \xc2\xb7  %d %s \xe2\x80\x93 %d %s %d", week, f->from.day,
		 month_short[(f->from.month + 11) % 12], last.day, month_short[(last.month + 11) % 12], last.year);
	font(cr, 0, 18);
	centred(cr, line, W / 2, 132);
	/* the Happy Index, large */
	font(cr, 0, 22);
	centred(cr, "Happy Index", W / 2, 200);
	char big[16];
	snprintf(big, sizeof(big), f->happy_index >= 0 ? "%.0f" : "\xe2\x80\x93", f->happy_index);
	band_colour(cr, f->happy_index);
	font(cr, 1, 150);
	centred(cr, big, W / 2, 350);
	cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
	font(cr, 0, 16);
	if (f->happy_index >= 0 && f->prev_happy_index >= 0)
		snprintf(line, sizeof(line), "%+.1f on the week before (%.1f)", f->happy_index - f->prev_happy_index,
			 f->prev_happy_index);
	else
		snprintf(line, sizeof(line), "no ratings the week before to compare with");
	centred(cr, line, W / 2, 385);
	/* the trend by day */
	double top = 440, bottom = 620, left = MARGIN + 10, width = W - 2 * MARGIN - 20, slot = width / 7;
	cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, left, bottom + 0.5);
	cairo_line_to(cr, left + width, bottom + 0.5);
	cairo_stroke(cr);
	for (int d = 0; d < 7 && d < f->days; d++) {
		double x = left + slot * d, hi = f->day_index[d];
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		font(cr, 0, 14);
		centred(cr, day_short[d], x + slot / 2, bottom + 22);
		if (hi < 0) {
			cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
			font(cr, 0, 11);
			centred(cr, "no ratings", x + slot / 2, bottom - 8);
			continue;
		}
		double bar = (bottom - top - 24) * hi / 100;
		if (bar < 2)
			bar = 2;
		band_colour(cr, hi);
		cairo_rectangle(cr, x + slot * 0.18, bottom - bar, slot * 0.64, bar);
		cairo_fill(cr);
		snprintf(line, sizeof(line), "%.0f", hi);
		font(cr, 1, 15);
		centred(cr, line, x + slot / 2, bottom - bar - 6);
	}
	/* the best hour */
	cairo_set_source_rgb(cr, 0.12, 0.16, 0.22);
	font(cr, 0, 20);
	if (f->best_hour >= 0)
		snprintf(line, sizeof(line), "Best hour: %02d:00\xe2\x80\x93%02d:00  (Happy Index %.0f)", f->best_hour,
			 (f->best_hour + 1) % 24, f->best_hour_index);
	else
		snprintf(line, sizeof(line), "Best hour: not enough ratings yet");
	centred(cr, line, W / 2, 690);
	/* the footer */
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	font(cr, 0, 14);
	if (f->positive_pct >= 0)
		snprintf(line, sizeof(line), "%.0f %% positive  \xc2\xb7  %lld ratings", f->positive_pct, (long long)f->ratings);
	else
		snprintf(line, sizeof(line), "no ratings this week");
	centred(cr, line, W / 2, 740);
	font(cr, 0, 10);
	snprintf(line, sizeof(line), "Misuse (%lld) and closed-hours presses (%lld) are left out.  Tally",
		 (long long)f->misuse, (long long)f->closed);
	centred(cr, line, W / 2, H - MARGIN);
}

int hq_poster_render(const char *store, const char *week, const struct hq_report_figures *f, char **pdf, size_t *len,
		     char *err, size_t errlen)
{
	*pdf = NULL;
	*len = 0;
	struct sink s = { 0 };
	cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(sink_write, &s, W, H);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, store);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "tally-hq " TALLY_VERSION);
	cairo_t *cr = cairo_create(surface);
	draw(cr, store, week, f);
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (st != CAIRO_STATUS_SUCCESS || s.failed) {
		snprintf(err, errlen, "cannot draw the poster: %s", s.failed ? "out of memory" : cairo_status_to_string(st));
		free(s.buf);
		return -1;
	}
	*pdf = s.buf;
	*len = s.len;
	return 0;
}

int hq_poster_make(struct hq_store *db, const char *store, const char *week, char **pdf, size_t *len, char *err,
		   size_t errlen)
{
	struct tzdate monday;
	if (hq_report_parse_week(week, &monday)) {
		snprintf(err, errlen, "week \"%s\" is not an ISO week (YYYY-Www, e.g. 2026-W48)", week);
		return -1;
	}
	char tz[HQ_TZ_MAX];
	if (hq_alert_store_zone(db, store, tz)) {
		snprintf(err, errlen, "no store \"%s\" (it has no kiosk)", store);
		return -1;
	}
	char one[1][HQ_NAME_MAX];
	snprintf(one[0], sizeof(one[0]), "%s", store);
	struct hq_report_figures f;
	if (hq_report_figures(db, one, &tz, 1, monday, 7, &f, err, errlen))
		return -1;
	return hq_poster_render(store, week, &f, pdf, len, err, errlen);
}
