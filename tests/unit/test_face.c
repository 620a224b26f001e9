/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Faces drawn cleanly at every size: each face, at sizes from a small
 * staff-view face to a 1920x1080 rating face, is compared pixel by pixel
 * with a reference drawn another way: 6x6 samples per pixel, each one
 * inside or outside every shape by brute force (the mouth's curve measured
 * against 800 points along it), from the same geometry. Anti-aliasing
 * differs a little at edges; a shape that is wrong (square cuts at the
 * mouth's ends, caps off-centre) differs by most of a pixel.
 */
#include "testutil.h"

#include <math.h>

#include "face.h"

#define SS 5          /* samples per pixel, each way */
#define CURVE_N 400   /* points along the mouth, then as many again around the nearest */

static double seg(double px, double py, double ax, double ay, double bx, double by)
{
	double vx = bx - ax, vy = by - ay;
	double t = ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy);
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypot(px - (ax + t * vx), py - (ay + t * vy));
}

static double curve_y(const struct face_geom *g, double t)
{
	return g->mouth_y0 + g->mouth_s * (1 - t * t / (g->mouth_w * g->mouth_w));
}

/* Distance to the mouth's arc, by walking along it: coarse steps, then fine ones around the nearest. */
static double brute_mouth(const struct face_geom *g, double x, double y)
{
	double w = g->mouth_w, step = 2 * w / (CURVE_N - 1), best = 1e9, best_t = -w;
	for (int i = 0; i < CURVE_N; i++) {
		double t = -w + step * i;
		double d = hypot(x - t, y - curve_y(g, t));
		if (d < best)
			best = d, best_t = t;
	}
	for (int i = 0; i <= CURVE_N; i++) {
		double t = best_t - step + 2 * step * i / CURVE_N;
		if (t < -w || t > w)
			continue;
		double d = hypot(x - t, y - curve_y(g, t));
		if (d < best)
			best = d;
	}
	return best;
}

/* The colour and opacity of one sample point: straight RGB, a in {0, 1}. */
static void sample(const struct face_geom *g, uint32_t fill, int lit, double x, double y, double rgb[3], double *a)
{
	double r = hypot(x, y);
	uint32_t c = 0;
	int any = 0;
	if (lit && fabs(r - g->ring_r) <= g->ring_half)
		c = 0xffffff, any = 1;
	if (r <= g->outline_r)
		c = 0x111111, any = 1;
	if (r <= g->fill_r) {
		c = fill;
		int feature = hypot(fabs(x) - g->eye_x, y - g->eye_y) <= g->eye_r;
		double lo = fmin(g->mouth_y0, g->mouth_y0 + g->mouth_s) - g->stroke - 0.01;
		double hi = fmax(g->mouth_y0, g->mouth_y0 + g->mouth_s) + g->stroke + 0.01;
		if (!feature && fabs(x) <= g->mouth_w + g->stroke + 0.01 && y >= lo && y <= hi) {
			double d = brute_mouth(g, x, y);
			if (g->grin) {
				double top = seg(x, y, -g->mouth_w, g->mouth_y0, g->mouth_w, g->mouth_y0);
				if (top < d)
					d = top;
				if (fabs(x) <= g->mouth_w && y >= g->mouth_y0 && y <= curve_y(g, x))
					d = 0;
			}
			feature = d <= g->stroke;
		}
		if (!feature && g->brows)
			feature = seg(fabs(x), y, g->brow[0], g->brow[1], g->brow[2], g->brow[3]) <= g->brow_half;
		if (feature)
			c = 0x1b1b1b;
	}
	*a = any;
	for (int i = 0; i < 3; i++)
		rgb[i] = (c >> (16 - 8 * i)) & 0xff;
}

/* Worst difference over the picture, as a share of full scale (premultiplied channels). */
static double compare(int value, int scale, int size, int lit, int *bad_pixels)
{
	uint32_t *px = calloc((size_t)size * size, sizeof(*px));
	assert_non_null(px);
	face_draw(px, size, size, value, scale, lit);
	struct face_geom g;
	face_geometry(value, scale, &g);
	uint32_t fill = face_colour(value, scale);
	double ppu = size / (2.0 * FACE_PADDING), worst = 0;
	*bad_pixels = 0;
	for (int py = 0; py < size; py++)
		for (int qx = 0; qx < size; qx++) {
			double acc[4] = { 0 };
			for (int sy = 0; sy < SS; sy++)
				for (int sx = 0; sx < SS; sx++) {
					double x = (qx + (sx + 0.5) / SS - size / 2.0) / ppu;
					double y = (py + (sy + 0.5) / SS - size / 2.0) / ppu;
					double rgb[3], a;
					sample(&g, fill, lit, x, y, rgb, &a);
					for (int i = 0; i < 3; i++)
						acc[i] += rgb[i] * a;
					acc[3] += a;
				}
			uint32_t got = px[(long)py * size + qx];
			double ga = (got >> 24) / 255.0, diff = fabs(ga - acc[3] / (SS * SS));
			for (int i = 0; i < 3; i++) {
				double gc = ((got >> (16 - 8 * i)) & 0xff) * ga / 255.0;
				double d = fabs(gc - acc[i] / (SS * SS) / 255.0);
				if (d > diff)
					diff = d;
			}
			if (diff > worst)
				worst = diff;
			if (diff > 0.5)
				(*bad_pixels)++;
		}
	free(px);
	return worst;
}

static void check_scale(int scale)
{
	static const int sizes[] = { 48, 200 };
	for (int v = 0; v < scale; v++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			int bad;
			double worst = compare(v, scale, sizes[s], v == scale - 1 && s == 2, &bad);
			print_message("face %d of %d at %d px: worst pixel off by %.0f%%, %d pixels off by more than half\n",
				      v, scale, sizes[s], worst * 100, bad);
			/* Edge pixels differ by a fraction at most; a wrong shape by most of a pixel. */
			assert_true(worst < 0.5);
		}
}

static void test_faces_of_three_match_the_reference_at_every_size(void **state)
{
	(void)state;
	check_scale(3);
}

static void test_faces_of_four_match_the_reference_at_every_size(void **state)
{
	(void)state;
	check_scale(4);
}

static void test_faces_of_five_match_the_reference_at_every_size(void **state)
{
	(void)state;
	check_scale(5);
}

static void test_mouth_distance_is_exact_at_the_corners(void **state)
{
	(void)state;
	struct face_geom g;
	face_geometry(3, 4, &g); /* a smile */
	for (double x = -0.7; x <= 0.7; x += 0.01)
		for (double y = 0.0; y <= 0.7; y += 0.01)
			assert_true(fabs(face_mouth_distance(&g, x, y) - brute_mouth(&g, x, y)) < 1e-3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mouth_distance_is_exact_at_the_corners),
		cmocka_unit_test(test_faces_of_three_match_the_reference_at_every_size),
		cmocka_unit_test(test_faces_of_four_match_the_reference_at_every_size),
		cmocka_unit_test(test_faces_of_five_match_the_reference_at_every_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
