/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text: renders UTF-8 text with SDL2_ttf from the font shipped in assets/
 * (DejaVu Sans: Latin, Greek, Cyrillic, Hebrew, Arabic) and a fallback
 * font for what it lacks (CJK: [screen] fallback_font). Right-to-left
 * lines are shaped and laid out right to left (text_line.h). Long text
 * wraps at word boundaries (between characters in CJK) and shrinks until
 * it fits its box.
 */
#ifndef TALLY_TEXT_H
#define TALLY_TEXT_H

#include <SDL.h>
#include <stddef.h>
#include <stdint.h>

struct text;

/* Opens the font at path (empty: the shipped one). 0, or -1 with err. */
int text_open(struct text **out, const char *path, char *err, size_t errlen);
void text_close(struct text *t);

/*
 * Adds the fallback font at path (empty: none) for characters the main
 * font lacks. 0, or -1 with err ("font: fallback_font ... is missing"):
 * the text still draws, those characters as boxes.
 */
int text_set_fallback(struct text *t, const char *path, char *err, size_t errlen);

/* Whether utf8 is a right-to-left paragraph (its first strong letter is Hebrew or Arabic). */
int text_is_rtl(const char *utf8);

/* Whether SDL_ttf shapes (HarfBuzz): joins Arabic and lays out right to left. */
int text_shaping(const struct text *t);

/* The first character of utf8 that neither font has (drawn as a box), or 0. */
uint32_t text_missing_glyph(struct text *t, const char *utf8);

/* The shipped font's path, found next to the program or in the data dir. */
const char *text_default_font(void);

/*
 * Breaks utf8 into balanced lines at px: as many lines as wrapping to
 * box_w needs, each as even as it can be. out gets the text with '\n' at
 * the breaks; returns the number of lines, or -1 where SDL_ttf's own
 * wrapping must do (a word wider than the box, no spaces, text with '\n').
 */
int text_balance(struct text *t, const char *utf8, int px, int box_w, char *out, size_t outlen);

/* Width and height of utf8 on one line at px. 0, or -1. */
int text_size(struct text *t, const char *utf8, int px, int *w, int *h);

/*
 * Renders text centred, wrapped to box_w in balanced lines, and shrunk (from max_px down)
 * until it fits box_w x box_h. A new surface the caller frees, or NULL.
 */
SDL_Surface *text_fit(struct text *t, const char *utf8, int box_w, int box_h, int max_px, SDL_Color colour);

/* The smallest size (px) text_fit drew at since the last reset, 0 for none: the "nothing under 16 px" checks. */
void text_smallest_reset(struct text *t);
int text_smallest(const struct text *t);

#endif
