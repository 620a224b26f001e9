/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text_line: one line of text in any of the customers' scripts. SDL_ttf
 * shapes a string in one direction with one font; a line of Arabic with a
 * time in it ("08:00") or of Chinese with a count needs several: the line
 * is cut into runs of one direction and one font, each shaped by SDL_ttf
 * (HarfBuzz), and the runs are placed in visual order.
 *
 * Direction is a small part of the Unicode bidirectional algorithm, enough
 * for a kiosk's sentences: a line whose first strong letter is Hebrew or
 * Arabic runs right to left; in it, digits and Latin words with the marks
 * between them ("08:00", "1,234", "83%") stay left to right runs. Fonts:
 * each character is drawn by the main font when it has the glyph, else by
 * the fallback (CJK); spaces and marks stay with their neighbours' font.
 */
#ifndef TALLY_TEXT_LINE_H
#define TALLY_TEXT_LINE_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stddef.h>
#include <stdint.h>

struct text_fonts {
	TTF_Font *main;
	TTF_Font *fallback;  /* NULL: none */
	int shaping;         /* SDL_ttf has HarfBuzz: directions and scripts can be set */
};

/* Whether a paragraph starting this way runs right to left (its first strong letter is Hebrew or Arabic). */
int text_line_rtl(const char *utf8, size_t len);

/* Size of the len bytes at utf8 on one line, at the fonts' current size. 0, or -1. */
int text_line_size(const struct text_fonts *f, const char *utf8, size_t len, int *w, int *h);

/* The line rendered (blended, transparent background); NULL on failure or for an empty line. */
SDL_Surface *text_line_render(const struct text_fonts *f, const char *utf8, size_t len, SDL_Color colour);

/* Forgets the direction and script each font was set to: call when a font is opened or closed. */
void text_line_forget(void);

/* The next character of s (len bytes left) as a code point; *used gets its length (1 for a bad byte). */
uint32_t text_line_decode(const char *s, size_t len, size_t *used);

/* Whether cp belongs to a script written without spaces (CJK, kana, Hangul, Thai): a line may break beside it. */
int text_line_unspaced(uint32_t cp);

#endif
