/* SPDX-License-Identifier: Apache-2.0 */
/*
 * screen: paints the customer's screens (rating, thank-you, out of order)
 * into a logical-size canvas surface. Everything costly (faces, text) is
 * rendered once per layout and blitted per frame, so a redraw after a press
 * is a handful of blits.
 */
#ifndef TALLY_SCREEN_H
#define TALLY_SCREEN_H

#include <SDL.h>

#include "config.h"
#include "layout.h"
#include "question_layout.h"
#include "text.h"

/* STAFF, PIN, DISPLAY and SHIFT_END are painted by staff_view.c; screen_paint leaves them be. */
enum screen_name { SCREEN_RATING, SCREEN_THANKS, SCREEN_OUT_OF_ORDER, SCREEN_STAFF, SCREEN_PIN, SCREEN_DISPLAY,
		   SCREEN_CLOSED /* outside opening hours: dark, or the notice while a press woke it */,
		   SCREEN_SHIFT_END /* a shift's result when it ends (shift_screen.c) */,
		   SCREEN_QUESTION /* the follow-up question after a rating (question_screen.c) */ };

struct screen_state {
	enum screen_name name;
	int highlight;          /* rating screen: face index lit, or -1 */
	int chosen;             /* thank-you screen: the face pressed */
	const char *detail;     /* out of order: why, for the admin (log, status, staff view; never painted) */
	const char *notice;     /* closed: "Closed — open again at 08:00" while woken by a press;
				   rating: "Please choose again" in place of the question; NULL: none */
	int question_positive;  /* follow-up question: the answers asked after a positive rating (1) or another (0) */
	int answer_lit;         /* follow-up question: the answer being pressed, or -1 */
};

struct screen;

/* Prepares the screens for a w x h logical canvas. NULL on failure. */
struct screen *screen_new(const struct config *cfg, struct text *text, int w, int h);
void screen_free(struct screen *s);

void screen_paint(struct screen *s, SDL_Surface *canvas, const struct screen_state *st);
const struct layout *screen_layout(const struct screen *s);
/* Where the follow-up question's answers of that kind are (question_layout.h). */
const struct question_layout *screen_question_layout(const struct screen *s, int positive);

/*
 * The customers' languages: the texts of the one shown (question,
 * thank-you, out of order) rendered anew from texts. Called after
 * screen_new and whenever the language changes; cheap enough for a touch.
 */
void screen_set_language(struct screen *s, const struct config *texts, int current);

/*
 * The language buttons on the rating screen (a touch kiosk with more than
 * one language; screen_has_language_buttons): each named in its own
 * script, names[i] of n, rendered once.
 */
void screen_set_language_names(struct screen *s, const char *const *names, int n);
int screen_has_language_buttons(const struct config *cfg);
/* The language button at logical (x, y), or -1. */
int screen_language_hit(const struct screen *s, double x, double y);
/* Where language button i is (w == 0: none), for tests and hit testing. */
struct rect screen_language_button(const struct screen *s, int i);

/* Parses "rating", "thanks", "out-of-order", "staff", "pin", "display", "shift-end" or "question"; -1 if unknown. */

int screen_parse_name(const char *name, enum screen_name *out);

#endif
