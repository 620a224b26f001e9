/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layout: the rating screen is a question box on top and a row of faces
 * below. Each face's touch target is its whole column of the faces band,
 * wider than the drawn face: a hurried customer's thumb lands anywhere near
 * the face they mean, and still counts.
 *
 * A portrait screen puts the faces in two rows (the first one the longer,
 * the second centred under it), read left to right, top to bottom: one
 * row across a narrow screen would leave the faces small and most of the
 * height empty.
 */
#include "layout.h"

static int min_i(int a, int b)
{
	return a < b ? a : b;
}

void layout_logical_size(int rotate, int phys_w, int phys_h, int *w, int *h)
{
	if (rotate == 90 || rotate == 270) {
		*w = phys_h;
		*h = phys_w;
	} else {
		*w = phys_w;
		*h = phys_h;
	}
}

void layout_rating(struct layout *l, int w, int h, int faces)
{
	if (faces < 1)
		faces = 1;
	if (faces > LAYOUT_MAX_FACES)
		faces = LAYOUT_MAX_FACES;
	l->w = w;
	l->h = h;
	l->faces = faces;
	int margin = min_i(w, h) / 25;
	int portrait = h > w;
	/* Portrait screens give the question less height share: it wraps wider. */
	int question_h = portrait ? h * 30 / 100 : h * 34 / 100;
	l->question = (struct rect){ margin, margin, w - 2 * margin, question_h - margin };
	int band_y = question_h + margin / 2;
	int band_h = h - band_y - margin;
	if (portrait) {
		int first = (faces + 1) / 2; /* 3 -> 2 + 1, 4 -> 2 + 2, 5 -> 3 + 2 */
		int cell_w = (w - 2 * margin) / first, row_h = band_h / 2;
		l->diameter = min_i(cell_w * 86 / 100, row_h * 84 / 100);
		for (int i = 0; i < faces; i++) {
			int row = i < first ? 0 : 1;
			int in_row = row ? faces - first : first, k = row ? i - first : i;
			int x0 = margin + (w - 2 * margin - in_row * cell_w) / 2; /* the second row centred */
			l->cell[i] = (struct rect){ x0 + k * cell_w, band_y + row * row_h, cell_w, row_h };
			l->cx[i] = x0 + k * cell_w + cell_w / 2;
			l->cy[i] = band_y + row * row_h + row_h / 2;
		}
		return;
	}
	int cell_w = (w - 2 * margin) / faces;
	int d = min_i(cell_w * 86 / 100, band_h * 84 / 100);
	l->diameter = d;
	for (int i = 0; i < faces; i++) {
		l->cell[i] = (struct rect){ margin + i * cell_w, band_y, cell_w, band_h };
		l->cx[i] = margin + i * cell_w + cell_w / 2;
		l->cy[i] = band_y + band_h / 2;
	}
	/* The last column takes the pixels left over by the division. */
	l->cell[faces - 1].w = w - margin - l->cell[faces - 1].x;
}

void layout_to_logical(int rotate, int phys_w, int phys_h, double px, double py, double *lx, double *ly)
{
	switch (rotate) {
	case 90: /* logical top-left sits at the panel's top-right */
		*lx = py;
		*ly = phys_w - px;
		break;
	case 180:
		*lx = phys_w - px;
		*ly = phys_h - py;
		break;
	case 270: /* logical top-left sits at the panel's bottom-left */
		*lx = phys_h - py;
		*ly = px;
		break;
	default:
		*lx = px;
		*ly = py;
	}
}

void layout_to_physical(int rotate, int phys_w, int phys_h, double lx, double ly, double *px, double *py)
{
	switch (rotate) {
	case 90:
		*px = phys_w - ly;
		*py = lx;
		break;
	case 180:
		*px = phys_w - lx;
		*py = phys_h - ly;
		break;
	case 270:
		*px = ly;
		*py = phys_h - lx;
		break;
	default:
		*px = lx;
		*py = ly;
	}
}

int layout_hit(const struct layout *l, double x, double y)
{
	for (int i = 0; i < l->faces; i++) {
		const struct rect *c = &l->cell[i];
		if (x >= c->x && x < c->x + c->w && y >= c->y && y < c->y + c->h)
			return i;
	}
	return -1;
}
