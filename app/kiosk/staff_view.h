/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_view: the screens for the staff: the staff view on the rating
 * kiosk (today's counts per face with the faces, % positive, Happy Index,
 * ratings per hour, today against yesterday and last week, this area
 * against the store's other areas and the chain, one sentence), its PIN
 * pad, and the wall display's pages of every area of the store.
 *
 * Figures come from the kiosk's own database: the ratings (stats.h) and
 * the head-office summary tally-sync stores (protocol.h). Loading them is
 * apart from painting, so the kiosk reads the database only when a view
 * opens or the wall display's refresh timer runs, never per frame.
 *
 * Every text comes from config ([text], English built in); numbers and
 * dates are formatted in [kiosk] locale when the C library has it.
 */
#ifndef TALLY_STAFF_VIEW_H
#define TALLY_STAFF_VIEW_H

#include <SDL.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "layout.h"
#include "protocol.h"
#include "reasons.h"
#include "shift_view.h"
#include "stats.h"
#include "text.h"

/* The figures behind the staff screens, as read at one moment. */
struct staff_data {
	struct stats_view view;          /* this kiosk, the store's local day */
	int have_summary;                /* head office's figures for that day, fresh enough */
	struct protocol_summary summary; /* valid when have_summary */
	long as_of_offset_s;             /* zone offset at summary.as_of_ms, for its clock time */
	struct shift_data shifts;        /* [shifts]: the shift first, the day's shifts (shift_view.h) */
	struct reasons_day reasons;      /* the day's follow-up answers (reasons.h) */
};

/*
 * Reads the figures for the local day of now_ms (wall ms; tests and --now
 * may move it). A missing, unreadable, other-day or stale summary leaves
 * have_summary 0 (the screens then leave those figures out rather than
 * show zeros). A NULL db (no database yet) reads as an empty day. 0, or -1
 * with err when the ratings cannot be read.
 */
int staff_data_load(struct staff_data *d, sqlite3 *db, const struct config *cfg, int64_t now_ms, char *err,
		    size_t errlen);

/*
 * Opens the database at path read-only for the staff screens, never
 * creating it. No file there yet (nor its directory: a fresh machine) is
 * not an error: 0 with *db NULL, which staff_data_load reads as an empty
 * day. -1 with err ("path: reason") when it exists but cannot be opened.
 */
int staff_data_open(sqlite3 **db, const char *path, char *err, size_t errlen);

struct staff_view;

/* Prepares the staff screens for a w x h logical canvas. NULL on failure. */
struct staff_view *staff_view_new(const struct config *cfg, struct text *text, int w, int h);
void staff_view_free(struct staff_view *v);

/* Renders the staff view of d once, kept for staff_view_paint. 0, or -1 (out of memory). */
int staff_view_set_data(struct staff_view *v, const struct staff_data *d);
/* Paints the staff view as last set (a blit). */
void staff_view_paint(struct staff_view *v, SDL_Surface *canvas);
/* Over it, a red band with why the kiosk is out of order (problem NULL: nothing). */
void staff_view_paint_problem(struct staff_view *v, SDL_Surface *canvas, const char *problem);

/* The end-of-shift screen for r (shift_view.h), on the kiosk and the wall display. */
void staff_view_paint_shift_end(struct staff_view *v, SDL_Surface *canvas, const struct shift_result *r);

/* The PIN pad: `entered` digits typed so far; `wrong` shows "wrong PIN". */
void staff_view_paint_pin(struct staff_view *v, SDL_Surface *canvas, int entered, int wrong);
#define STAFF_PIN_CANCEL 10
/* The pad key at logical (x, y): a digit 0..9, STAFF_PIN_CANCEL, or -1. */
int staff_view_pin_hit(const struct staff_view *v, double x, double y);

/* The wall display: how many pages d needs, and one page painted. */
int staff_view_display_pages(const struct staff_view *v, const struct staff_data *d);
void staff_view_paint_display(struct staff_view *v, SDL_Surface *canvas, const struct staff_data *d, int page);

/*
 * Where the last staff_view_set_data put things, for tests: each hour's
 * bar, each face's count text, the big % positive, the Happy Index, the
 * sentence, the head-office block. Rects with w == 0 were not drawn.
 */
struct staff_marks {
	int hour_first, hour_end;
	struct rect bar[24];
	struct rect chart;                  /* the bars' area: base at chart.y + chart.h */
	struct rect count[STATS_MAX_FACES];
	char count_text[STATS_MAX_FACES][32]; /* each face's count as drawn, by value */
	struct rect positive, happy, sentence, head_office;
	struct rect time_unknown;           /* the chart's "ratings at unknown times" note */
	int table_px;                       /* the comparison table's one text size */
	struct rect header[3];              /* the table's column names: ratings, positive, Happy Index */
	char sentence_text[512];
	char happy_text[32];                /* today's Happy Index as drawn */
	char title_text[CONFIG_TEXT_MAX + 256];
	struct shift_marks shift;           /* with [shifts]: the shift layout's marks */
};
const struct staff_marks *staff_view_marks(const struct staff_view *v);

/* Whether logical (x, y) lies in a corner zone of a w x h screen (long press opens the view). */
int staff_view_in_corner(int w, int h, double x, double y);

#endif
