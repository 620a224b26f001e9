/* SPDX-License-Identifier: Apache-2.0 */
/*
 * question_screen: paints the follow-up question ("What was the main
 * reason?") and its answers, for the answers after a positive rating or
 * after any other. Text is rendered once per layout; a frame is blits and
 * a few filled rectangles.
 */
#ifndef TALLY_QUESTION_SCREEN_H
#define TALLY_QUESTION_SCREEN_H

#include <SDL.h>

#include "config.h"
#include "layout.h"
#include "question_layout.h"
#include "text.h"

struct question_screen;

/* For the rating screen laid out as l. NULL on failure (out of memory). */
struct question_screen *question_screen_new(const struct config *cfg, struct text *text, const struct layout *l);
void question_screen_free(struct question_screen *q);

/* Where the answers asked after a positive (1) or other (0) rating are. */
const struct question_layout *question_screen_layout(const struct question_screen *q, int positive);

/* Paints the question and answers of that kind; lit: the answer being pressed, or -1. */
void question_screen_paint(struct question_screen *q, SDL_Surface *canvas, int positive, int lit);

#endif
