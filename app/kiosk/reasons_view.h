/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reasons_view: "top reasons today" on the staff screens: the day's
 * follow-up answers most given first (reasons.h), each with how often and
 * a bar, coloured by kind (after a positive rating green, else red), for
 * the staff view and the wall display. Drawn only when there are answers.
 */
#ifndef TALLY_REASONS_VIEW_H
#define TALLY_REASONS_VIEW_H

#include <SDL.h>

#include "config.h"
#include "layout.h"
#include "reasons.h"
#include "text.h"

/* Whether d has anything to show (a screen gives the block room only then). */
int reasons_view_wanted(const struct reasons_day *d);

/* Draws the block into r: a heading ([text] top_reasons), then up to as many reasons as fit. */
void reasons_view_paint(struct text *t, SDL_Surface *c, struct rect r, const struct config *cfg,
			const struct reasons_day *d);

#endif
