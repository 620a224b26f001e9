/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face: draws one smiley into a 32-bit ARGB pixel buffer, anti-aliased,
 * at any size. No SDL: the pixels are the caller's.
 *
 * Each face differs in shape, not only colour, so a colour-blind customer
 * reads it: the mouth curves from a frown to a smile, the best face grins
 * with an open mouth and the worst one frowns under angry brows.
 */
#ifndef TALLY_FACE_H
#define TALLY_FACE_H

#include <stdint.h>

/* The face's fill colour, 0xRRGGBB, for value 0 (worst) .. scale-1 (best). */
uint32_t face_colour(int value, int scale);

/*
 * Draws face `value` of `scale` centred in a size x size ARGB8888 buffer
 * (pitch in pixels), over transparent pixels. The disc's diameter is
 * size / FACE_PADDING so a highlight ring fits around it.
 */
#define FACE_PADDING 1.3
void face_draw(uint32_t *pixels, int pitch, int size, int value, int scale, int highlighted);

#endif
