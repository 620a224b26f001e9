/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layout: where things sit on the rating screen, and which face a touch
 * hits. Pure geometry (no SDL), so it is tested at many resolutions and all
 * four rotations without a display.
 *
 * "Logical" coordinates are the screen as the customer reads it; "physical"
 * ones are the panel's own pixels. rotate is how far the picture is turned
 * clockwise on the panel: with 90 a landscape panel shows a portrait screen.
 */
#ifndef TALLY_LAYOUT_H
#define TALLY_LAYOUT_H

#define LAYOUT_MAX_FACES 5

struct rect {
	int x, y, w, h;
};

struct layout {
	int w, h;                         /* logical size */
	int faces;
	struct rect question;             /* text box above the faces */
	struct rect cell[LAYOUT_MAX_FACES];   /* touch target of each face */
	int cx[LAYOUT_MAX_FACES], cy[LAYOUT_MAX_FACES]; /* face centres */
	int diameter;
};

/* Logical size of a panel phys_w x phys_h shown at rotate degrees. */
void layout_logical_size(int rotate, int phys_w, int phys_h, int *w, int *h);

/* Lays out the rating screen for faces faces on a logical w x h screen. */
void layout_rating(struct layout *l, int w, int h, int faces);

/* Physical panel point -> logical point (continuous coordinates). */
void layout_to_logical(int rotate, int phys_w, int phys_h, double px, double py, double *lx, double *ly);

/* Logical point -> physical panel point; the inverse of layout_to_logical. */
void layout_to_physical(int rotate, int phys_w, int phys_h, double lx, double ly, double *px, double *py);

/* The face index under logical point (x, y), or -1 for none. Face 0 is leftmost. */
int layout_hit(const struct layout *l, double x, double y);

#endif
