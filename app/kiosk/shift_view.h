/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shift_view: the shift screens. With [shifts] configured, the staff view
 * puts the current shift first ("Early shift so far": its faces, % positive
 * and Happy Index, against the same shift last week and its four-week
 * average) and the day's shifts side by side below; the wall display gets
 * a tile per shift of the day (staff_view.c); and when a shift ends the
 * end-of-shift screen shows its result with one honest sentence
 * (shift_stats.h), on the kiosk between customers and on the wall display.
 *
 * Figures come from the kiosk's database through shift_stats, by the
 * schedule history in the same file (shift_schedule.h) and the config's
 * [shifts]; the weeks before are cached per date, so a screen refresh
 * reads only today.
 */
#ifndef TALLY_SHIFT_VIEW_H
#define TALLY_SHIFT_VIEW_H

#include <SDL.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "layout.h"
#include "shift_stats.h"
#include "text.h"

/* The shifts behind the staff screens, as read at one moment. */
struct shift_data {
	int have;               /* [shifts] configured, or a schedule recorded */
	int focus;              /* the shift shown first (index in day.shift), or -1: none yet today */
	int running;            /* the focus runs now: "so far" */
	struct shift_day day;   /* the shifts of the focus's date (today, or yesterday's night shift) */
};

/*
 * Reads the shifts for the moment now_ms: the shift running then (else the
 * day's latest ended one) and its date's other shifts. db may be NULL (no
 * database yet: no ratings). 0, or -1 with err filled.
 */
int shift_data_load(struct shift_data *d, sqlite3 *db, const struct config *cfg, int64_t now_ms, char *err,
		    size_t errlen);

/*
 * The figures of one shift that ended (or runs) at ended, for the
 * end-of-shift screen: 0 with *out filled, -1 with err filled.
 */
int shift_data_result(sqlite3 *db, const struct config *cfg, const struct shift_occ *ended, int64_t now_ms,
		      struct shift_result *out, char *err, size_t errlen);

/* The end-of-shift sentence's texts from [text] (weekday names as given). */
void shift_view_texts(const struct config *cfg, const char *const weekday[7], struct shift_texts *t);

/* What painting needs: the config, the font, the weekday names, the canvas size. */
struct shift_paint {
	const struct config *cfg;
	struct text *text;
	const char *const *weekday;
	int w, h;
};

/* Where the last paint put things, for tests. */
struct shift_marks {
	struct rect title, focus, positive, happy, claim, table, sentence;
	int ntiles;
	struct rect tile[SHIFTS_PER_DAY];
	char focus_text[256];
	char claim_text[256];
	char sentence_text[512];
};

/* The staff view with shifts (d->shifts.have). title is the staff view's title line. */
void shift_view_paint_staff(const struct shift_paint *p, SDL_Surface *c, const struct shift_data *d,
			    const struct stats_day *whole_day, const char *title, struct shift_marks *marks);

/* The end-of-shift screen for r. */
void shift_view_paint_end(const struct shift_paint *p, SDL_Surface *c, const struct shift_result *r,
			  struct shift_marks *marks);

/* A shift's name with its hours, "Early 06:00–14:00". */
void shift_view_label(const struct shift_occ *o, char *out, size_t outlen);

#endif
