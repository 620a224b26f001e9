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

static double coverage(double dist_units, double px_per_unit)
{
	double c = 0.5 - dist_units * px_per_unit; /* dist < 0 is inside */
	return c < 0 ? 0 : c > 1 ? 1 : c;
}

void face_geometry(int value, int scale, struct face_geom *g)
{
	double m = mood(value, scale);
	*g = (struct face_geom){
		.ring_r = 1.17, .ring_half = 0.075,
		.outline_r = 1.0, .fill_r = 0.955,
		.eye_x = 0.34, .eye_y = -0.26, .eye_r = 0.115,
		.mouth_w = 0.46, .mouth_s = 0.24 * m, .stroke = 0.055,
		.grin = m >= 0.99, .brows = m <= -0.99,
		.brow = { 0.16, -0.47, 0.50, -0.60 }, .brow_half = 0.055 * 0.9,
	};
	g->mouth_y0 = 0.36 - g->mouth_s / 2;
}

/* Squared distance from (x, y) to the mouth curve's point at parameter t. */
static double curve_d2(const struct face_geom *g, double t, double x, double y)
{
	double w = g->mouth_w;
	double yc = g->mouth_y0 + g->mouth_s * (1 - t * t / (w * w));
	return (t - x) * (t - x) + (yc - y) * (yc - y);
}

/*
 * The exact distance to the parabola's arc. The nearest point's parameter
 * t solves a cubic (the derivative of the squared distance); each real
 * root, clamped to the arc, and both ends are candidates. An earlier
 * approximation (vertical offset over the slope, and caps only beyond the
 * ends' x) drew square cuts with off-centre caps at the mouth's corners,
 * plain to see on a 200 px face.
 */
double face_mouth_distance(const struct face_geom *g, double x, double y)
{
	double w = g->mouth_w;
	double a = -g->mouth_s / (w * w), c = g->mouth_y0 + g->mouth_s;
	double best = curve_d2(g, -w, x, y), d;
	if ((d = curve_d2(g, w, x, y)) < best)
		best = d;
	double roots[3];
	int n = 0;
	if (fabs(a) < 1e-9) { /* a straight mouth */
		roots[n++] = x;
	} else {
		double k = 1 + 2 * a * (c - y), a2 = 2 * a * a;
		double p = k / a2, q = -x / a2;
		double disc = q * q / 4 + p * p * p / 27;
		if (disc >= 0) {
			double sd = sqrt(disc);
			roots[n++] = cbrt(-q / 2 + sd) + cbrt(-q / 2 - sd);
		} else { /* three real roots (p < 0 here) */
			double r = 2 * sqrt(-p / 3);
			double arg = 3 * q / (2 * p) * sqrt(-3 / p);
			arg = arg < -1 ? -1 : arg > 1 ? 1 : arg;
			double phi = acos(arg) / 3;
			for (int i = 0; i < 3; i++)
				roots[n++] = r * cos(phi - 2 * M_PI * i / 3);
		}
		for (int i = 0; i < n; i++) /* polish: the closed forms lose digits near a double root */
			for (int it = 0; it < 2; it++) {
				double t = roots[i], gd = 6 * a * a * t * t + k;
				if (fabs(gd) > 1e-12)
					roots[i] = t - (a2 * t * t * t + k * t - x) / gd;
			}
	}
	for (int i = 0; i < n; i++) {
		double t = roots[i] < -w ? -w : roots[i] > w ? w : roots[i];
		if ((d = curve_d2(g, t, x, y)) < best)
			best = d;
	}
	return sqrt(best);
}

/* Coverage of the mouth at (x, y): a stroked arc, or the best face's open mouth. */
static double mouth_cover(const struct face_geom *g, double x, double y, double ppu)
{
	double w = g->mouth_w, top = g->mouth_y0, bottom = g->mouth_y0 + g->mouth_s;
	double margin = g->stroke + 2 / ppu;
	if (fabs(x) > w + margin || y < fmin(top, bottom) - margin || y > fmax(top, bottom) + margin)
		return 0;
	double d = face_mouth_distance(g, x, y);
	if (g->grin) {
		double yc = g->mouth_y0 + g->mouth_s * (1 - x * x / (w * w));
		if (fabs(x) <= w && y >= top && y <= yc)
			return 1; /* inside the open mouth */
		double dtop = seg_dist(x, y, -w, top, w, top);
		if (dtop < d)
			d = dtop;
	}
	return coverage(d - g->stroke, ppu);
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
	double ppu = size / (2.0 * FACE_PADDING); /* pixels per face unit: the disc's radius */
	uint32_t fill = face_colour(value, scale);
	struct face_geom g;
	face_geometry(value, scale, &g);

	for (int py = 0; py < size; py++) {
		uint32_t *row = pixels + (long)py * pitch;
		for (int px = 0; px < size; px++) {
			double x = (px + 0.5 - size / 2.0) / ppu;
			double y = (py + 0.5 - size / 2.0) / ppu;
			double r = sqrt(x * x + y * y);
			uint32_t c = 0;
			if (highlighted) /* a white ring, clear of the disc */
				c = over(c, RING, coverage(fabs(r - g.ring_r) - g.ring_half, ppu));
			c = over(c, OUTLINE, coverage(r - g.outline_r, ppu));
			double inner = coverage(r - g.fill_r, ppu);
			if (inner <= 0) {
				row[px] = c;
				continue;
			}
			c = over(c, fill, inner);
			double ex = fabs(x) - g.eye_x, ey = y - g.eye_y;
			double feat = coverage(sqrt(ex * ex + ey * ey) - g.eye_r, ppu);
			double mc = mouth_cover(&g, x, y, ppu);
			if (mc > feat)
				feat = mc;
			if (g.brows) {
				double bc = coverage(seg_dist(fabs(x), y, g.brow[0], g.brow[1], g.brow[2], g.brow[3]) - g.brow_half, ppu);
				if (bc > feat)
					feat = bc;
			}
			row[px] = over(c, FEATURE, feat * inner);
		}
	}
}
