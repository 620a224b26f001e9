/* SPDX-License-Identifier: Apache-2.0 */
/*
 * question_layout: where the follow-up question's answers sit, and which
 * answer a touch or a button chooses. Pure geometry (no SDL), tested at
 * many sizes without a display.
 *
 * On a kiosk with buttons each answer is drawn in the column of the face
 * its button rates, directly above that button, so the same buttons answer
 * (answer i on button first+i, the answers centred on the row of buttons).
 * On a touch kiosk the answers are buttons on screen: one row of up to
 * three, two rows for four to six (portrait: two per row).
 */
#ifndef TALLY_QUESTION_LAYOUT_H
#define TALLY_QUESTION_LAYOUT_H

#include "layout.h"

#define QUESTION_MAX_ANSWERS 6

struct question_layout {
	int n;                                 /* answers laid out */
	int by_buttons;                        /* 1: answers drawn above the physical buttons */
	struct rect title;                     /* the question's text */
	struct rect answer[QUESTION_MAX_ANSWERS]; /* the answer's box: drawn, and its touch target */
	int button[QUESTION_MAX_ANSWERS];      /* by_buttons: the button (0 = leftmost) that chooses it */
};

/*
 * Lays out n answers (at most QUESTION_MAX_ANSWERS; by buttons at most
 * buttons) over the rating screen l. buttons: physical buttons (0: touch).
 */
void question_layout(struct question_layout *q, const struct layout *l, int n, int buttons);

/* The answer under logical point (x, y), or -1. */
int question_layout_hit(const struct question_layout *q, double x, double y);

/* The answer button (0-based) chooses, or -1 (no answer above it). */
int question_layout_for_button(const struct question_layout *q, int button);

#endif
