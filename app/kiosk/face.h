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
 * A face's shapes in face units (the disc's radius is 1, y grows
 * downwards), so a test can draw the same face another way and compare.
 * The mouth is the parabola y = mouth_y0 + mouth_s (1 - x²/mouth_w²) for
 * |x| <= mouth_w, stroked `stroke` either side with round ends; the best
 * face's open mouth is the region between that curve and the straight line
 * y = mouth_y0, grown by `stroke` (rounded corners).
 */
struct face_geom {
	double ring_r, ring_half;   /* highlight ring: centre radius, half width */
	double outline_r, fill_r;   /* dark outline disc, coloured disc */
	double eye_x, eye_y, eye_r; /* eyes at (±eye_x, eye_y) */
	double mouth_w, mouth_s, mouth_y0, stroke;
	int grin;                   /* open mouth (the best face) */
	int brows;                  /* angry brows (the worst face) */
	double brow[4];             /* right brow from (brow[0], brow[1]) to (brow[2], brow[3]); mirrored */
	double brow_half;           /* brows' half width */
};
void face_geometry(int value, int scale, struct face_geom *g);

/* Distance from (x, y) to the mouth's curve (its centre line, ends included). */
double face_mouth_distance(const struct face_geom *g, double x, double y);

/*
 * Draws face `value` of `scale` centred in a size x size ARGB8888 buffer
 * (pitch in pixels), over transparent pixels. The disc's diameter is
 * size / FACE_PADDING so a highlight ring fits around it.
 */
#define FACE_PADDING 1.3
void face_draw(uint32_t *pixels, int pitch, int size, int value, int scale, int highlighted);

#endif
