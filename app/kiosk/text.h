/*
 * text: renders UTF-8 text with SDL2_ttf from the font shipped in assets/
 * (DejaVu Sans: Latin, Greek and Cyrillic). Long text wraps at word
 * boundaries and shrinks until it fits its box.
 */
#ifndef TALLY_TEXT_H
#define TALLY_TEXT_H

#include <SDL.h>
#include <stddef.h>

struct text;

/* Opens the font at path (empty: the shipped one). 0, or -1 with err. */
int text_open(struct text **out, const char *path, char *err, size_t errlen);
void text_close(struct text *t);

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

#endif
