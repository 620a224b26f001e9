/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_draw: the drawing helpers the staff screens share (staff_view.c,
 * shift_view.c): boxes, text fitted to a box, numbers in the language's
 * own conventions (textfmt.h), {name} templates, and the screens' colours.
 */
#ifndef TALLY_STAFF_DRAW_H
#define TALLY_STAFF_DRAW_H

#include <SDL.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "text.h"

#define DRAW_BG    0x1f2a38u
#define DRAW_PANEL 0x283748u
#define DRAW_HIGHLIGHT 0x30445au
#define DRAW_RULE  0x3c4d60u

extern const SDL_Color draw_white, draw_grey, draw_dim;

/* A rect, negative sizes clamped to 0. */
struct rect draw_rect(int x, int y, int w, int h);
/* Fills r with 0xRRGGBB. */
void draw_fill(SDL_Surface *c, struct rect r, uint32_t rgb);
/*
 * Draws s fitted into box (align -1 left, 0 centre, 1 right; always
 * centred vertically) at most max_px tall; returns where it went (w == 0:
 * nothing drawn).
 */
struct rect draw_text(struct text *t, SDL_Surface *c, const char *s, struct rect box, int max_px, SDL_Color colour,
		      int align);
/*
 * The largest size, at most max_px, at which s fits box_w x box_h on one
 * line, or (words > 0) at which each of its words does on a line of its
 * own within box_h / words: so a column of texts can share one size and
 * no word is ever broken. 8 at the least.
 */
int draw_fit_px(struct text *t, const char *s, int box_w, int box_h, int max_px, int words);

/* A score with decimals, decimal separator sep and unit; a dash when score < 0. */
void draw_score(const char *sep, double score, int decimals, const char *unit, char *out, size_t outlen);
/*
 * A count grouped in thousands with sep ([text] thousands_separator,
 * "12,345"): the project's own setting, as a Pi may lack the OS locale.
 */
void draw_count(const char *sep, int64_t n, char *out, size_t outlen);
/* Copies tmpl to out with each {names[i]} replaced by vals[i]. */
void draw_template(const char *tmpl, const char *const *names, const char *const *vals, int n, char *out,
		   size_t outlen);
/* A face of size px, blended, for the staff screens. NULL when out of memory. */
SDL_Surface *draw_face(int size, int value, int scale);

#endif
