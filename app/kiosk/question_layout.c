/* SPDX-License-Identifier: Apache-2.0 */
/*
 * question_layout: the follow-up question's geometry (question_layout.h).
 *
 * By buttons, an answer's box is the face's column of the rating screen
 * (its touch target there), a little inset, so the box stands exactly
 * above the button that chooses it: a customer reads "Waiting time" and
 * presses the button under it. The title takes the question box of the
 * rating screen, so the question reads where the first one did.
 */
#include "question_layout.h"

static int min_i(int a, int b)
{
	return a < b ? a : b;
}

void question_layout(struct question_layout *q, const struct layout *l, int n, int buttons)
{
	*q = (struct question_layout){ 0 };
	if (n < 0)
		n = 0;
	if (n > QUESTION_MAX_ANSWERS)
		n = QUESTION_MAX_ANSWERS;
	q->title = l->question;
	int margin = min_i(l->w, l->h) / 25;
	int gap = margin / 2 > 4 ? margin / 2 : 4;
	if (buttons > 0) {
		if (buttons > l->faces)
			buttons = l->faces;
		if (n > buttons)
			n = buttons;
		q->n = n;
		q->by_buttons = 1;
		int first = (buttons - n) / 2;
		for (int i = 0; i < n; i++) {
			const struct rect *c = &l->cell[first + i];
			q->button[i] = first + i;
			q->answer[i] = (struct rect){ c->x + gap / 2, c->y + gap / 2, c->w - gap, c->h - gap };
		}
		return;
	}
	q->n = n;
	if (n == 0)
		return;
	/* The band under the question, as the faces had it. */
	int top = l->question.y + l->question.h + margin / 2;
	int bottom = l->h - margin;
	/* Landscape: one row of up to three, else two rows. Portrait: two per row, the words need the width. */
	int portrait = l->h > l->w;
	int per_row = portrait ? (n < 2 ? n : 2) : n <= 3 ? n : (n + 1) / 2;
	int rows = (n + per_row - 1) / per_row;
	int row_h = (bottom - top - (rows - 1) * gap) / rows;
	int w = l->w - 2 * margin;
	int box_w = (w - (per_row - 1) * gap) / per_row;
	/* Not taller than wide-ish: one short answer must not become a tower. */
	int box_h = min_i(row_h, l->h / 3);
	for (int i = 0; i < n; i++) {
		int row = i / per_row, k = i % per_row;
		int in_row = row == rows - 1 ? n - row * per_row : per_row;
		int x0 = margin + (w - in_row * box_w - (in_row - 1) * gap) / 2; /* a shorter last row centred */
		int y0 = top + row * (row_h + gap) + (row_h - box_h) / 2;
		q->answer[i] = (struct rect){ x0 + k * (box_w + gap), y0, box_w, box_h };
		q->button[i] = -1;
	}
}

int question_layout_hit(const struct question_layout *q, double x, double y)
{
	for (int i = 0; i < q->n; i++) {
		const struct rect *r = &q->answer[i];
		if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
			return i;
	}
	return -1;
}

int question_layout_for_button(const struct question_layout *q, int button)
{
	for (int i = 0; q->by_buttons && i < q->n; i++)
		if (q->button[i] == button)
			return i;
	return -1;
}
