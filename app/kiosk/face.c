/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face: every shape is a signed distance (in face units, radius 1 = the
 * disc's edge) turned into pixel coverage over one pixel's width. That is
 * the whole anti-aliasing: crisp at 40 px and at 400 px, with no images.
 *
 * Layers, back to front: highlight ring, dark outline, coloured disc, then
 * the features (eyes, mouth, brows) in near-black.
 */
#include "face.h"

#include <math.h>

static const uint32_t colours3[] = { 0xe53935, 0xfdd835, 0x43a047 };
static const uint32_t colours4[] = { 0xe53935, 0xf4978e, 0xa5d46a, 0x43a047 };
static const uint32_t colours5[] = { 0xe53935, 0xfb8c00, 0xfdd835, 0xa5d46a, 0x43a047 };

#define FEATURE 0x1b1b1bu
#define OUTLINE 0x111111u
#define RING    0xffffffu

uint32_t face_colour(int value, int scale)
{
	if (value < 0)
		value = 0;
	if (scale == 3 && value < 3)
		return colours3[value];
	if (scale == 5 && value < 5)
		return colours5[value];
	if (value < 4)
		return colours4[value];
	return colours4[3];
}

/* Mood from -1 (worst) to +1 (best). */
static double mood(int value, int scale)
{
	return scale > 1 ? 2.0 * value / (scale - 1) - 1.0 : 0.0;
}

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
	double vx = bx - ax, vy = by - ay;
	double t = ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy);
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	double dx = px - (ax + t * vx), dy = py - (ay + t * vy);
	return sqrt(dx * dx + dy * dy);
}

/*
 * The mouth is the parabola y = y0 + s (1 - x²/w²) for |x| <= w (y grows
 * downwards, so s > 0 smiles). Distance to it: the vertical offset scaled
 * by the slope, which is exact enough for a stroke a tenth of a face wide.
 */
static double mouth_dist(double x, double y, double y0, double s, double w)
{
	if (fabs(x) > w) /* round caps at the corners of the mouth */
		return hypot(fabs(x) - w, y - y0);
	double yc = y0 + s * (1 - x * x / (w * w));
	double slope = -2 * s * x / (w * w);
	return fabs(y - yc) / sqrt(1 + slope * slope);
}

static double coverage(double dist_units, double px_per_unit)
{
	double c = 0.5 - dist_units * px_per_unit; /* dist < 0 is inside */
	return c < 0 ? 0 : c > 1 ? 1 : c;
}

static uint32_t over(uint32_t dst, uint32_t rgb, double a)
{
	if (a <= 0)
		return dst;
	/* Most pixels are fully covered, or land on nothing: no blending to do. */
	if (a >= 1)
		return 0xff000000u | rgb;
	if ((dst >> 24) == 0)
		return (uint32_t)(a * 255 + 0.5) << 24 | rgb;
	double da = (dst >> 24) / 255.0;
	double oa = a + da * (1 - a);
	uint32_t out = (uint32_t)(oa * 255 + 0.5) << 24;
	for (int shift = 0; shift <= 16; shift += 8) {
		double sc = ((rgb >> shift) & 0xff);
		double dc = ((dst >> shift) & 0xff);
		double c = oa > 0 ? (sc * a + dc * da * (1 - a)) / oa : 0;
		out |= (uint32_t)(c + 0.5) << shift;
	}
	return out;
}

void face_draw(uint32_t *pixels, int pitch, int size, int value, int scale, int highlighted)
{
	double radius_px = size / (2.0 * FACE_PADDING);
	double ppu = radius_px;              /* pixels per face unit */
	double m = mood(value, scale);
	uint32_t fill = face_colour(value, scale);
	double mouth_w = 0.46;
	double mouth_s = 0.24 * m;
	double mouth_y0 = 0.36 - mouth_s / 2;
	double stroke = 0.055;               /* half width of lines */
	double eye_r = 0.115;
	int brows = m <= -0.99;
	int grin = m >= 0.99;

	for (int py = 0; py < size; py++) {
		uint32_t *row = pixels + (long)py * pitch;
		for (int px = 0; px < size; px++) {
			double x = (px + 0.5 - size / 2.0) / ppu;
			double y = (py + 0.5 - size / 2.0) / ppu;
			double r = sqrt(x * x + y * y);
			uint32_t c = 0;
			if (highlighted) /* a white ring, clear of the disc */
				c = over(c, RING, coverage(fabs(r - 1.17) - 0.075, ppu));
			c = over(c, OUTLINE, coverage(r - 1.0, ppu));
			double inner = coverage(r - 0.955, ppu);
			if (inner <= 0) {
				row[px] = c;
				continue;
			}
			c = over(c, fill, inner);
			double ex = fabs(x) - 0.34, ey = y + 0.26;
			double feat = coverage(sqrt(ex * ex + ey * ey) - eye_r, ppu);
			double md = mouth_dist(x, y, mouth_y0, mouth_s, mouth_w) - stroke;
			double mc = coverage(md, ppu);
			if (grin) { /* an open mouth: under a straight top, above the smile's curve */
				double yc = mouth_y0 + mouth_s * (1 - x * x / (mouth_w * mouth_w));
				double slope = -2 * mouth_s * x / (mouth_w * mouth_w);
				double below = (y - yc - stroke) / sqrt(1 + slope * slope);
				double above = mouth_y0 - stroke - y;
				mc = coverage(below > above ? below : above, ppu);
			}
			if (mc > feat)
				feat = mc;
			if (brows) {
				double bc = coverage(seg_dist(fabs(x), y, 0.16, -0.47, 0.50, -0.60) - stroke * 0.9, ppu);
				if (bc > feat)
					feat = bc;
			}
			row[px] = over(c, FEATURE, feat * inner);
		}
	}
}
