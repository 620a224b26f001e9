/* SPDX-License-Identifier: Apache-2.0 */
/*
 * question_screen: the follow-up question's pixels (question_screen.h).
 *
 * Each answer is a box with its text; the one being pressed turns amber,
 * as "Please choose again" is, so the choice shows at once. On a kiosk
 * with buttons every box has an arrow at its foot pointing down at the
 * button that chooses it: the customer's eye goes from the words to the
 * button without a legend to read.
 */
#include "question_screen.h"

struct kind {
	struct question_layout layout;
	SDL_Surface *label[QUESTION_MAX_ANSWERS];
	SDL_Surface *lit[QUESTION_MAX_ANSWERS];
};

struct question_screen {
	const struct config *cfg;
	SDL_Surface *title;
	struct kind kind[2]; /* [0] after a rating that is not positive, [1] after a positive one */
};

static const SDL_Color amber = { 0xff, 0xc8, 0x57, 255 };

static SDL_Color colour_of(unsigned rgb)
{
	return (SDL_Color){ rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff, 255 };
}

/* rgb mixed toward white by pct percent: the boxes stand out of any background. */
static unsigned lighter(unsigned rgb, int pct)
{
	unsigned out = 0;
	for (int shift = 0; shift <= 16; shift += 8) {
		unsigned c = rgb >> shift & 0xff;
		c += (255 - c) * (unsigned)pct / 100;
		out |= c << shift;
	}
	return out;
}

/*
 * One size for every answer of a list, the largest at which each fits its
 * box on one line or two balanced ones: answers in one size read as one
 * set; a long one shrunk alone looks like fine print.
 */
static int common_px(struct text *t, const struct config_answers *a, int w, int h, int max_px)
{
	/*
	 * Measured against a little less than the box: SDL_ttf's wrapped
	 * rendering breaks a line that just fits once more, leaving an empty
	 * line between the two halves of "Waiting time".
	 */
	w = w * 92 / 100;
	int px = max_px;
	for (; px > 16; px = px * 94 / 100) {
		int ok = 1;
		for (int i = 0; ok && i < a->n; i++) {
			int tw, th;
			char balanced[256];
			if (text_size(t, a->text[i], px, &tw, &th))
				return max_px;
			if (tw <= w && th <= h)
				continue;
			int lines = text_balance(t, a->text[i], px, w, balanced, sizeof(balanced));
			ok = lines >= 1 && lines <= 2 && 2 * th <= h;
		}
		if (ok)
			break;
	}
	return px > 16 ? px : 16;
}

static int make_kind(struct question_screen *q, struct text *text, struct kind *k, const struct config_answers *a,
		     const struct layout *l, int buttons)
{
	question_layout(&k->layout, l, a->n, buttons);
	SDL_Color fg = colour_of(q->cfg->text_colour), dark = colour_of(q->cfg->background);
	/* Inside the box (above the arrow by buttons); the boxes of a list are one size. */
	const struct rect *r0 = &k->layout.answer[0];
	int w = r0->w * 86 / 100, h = k->layout.by_buttons ? r0->h * 62 / 100 : r0->h * 80 / 100;
	int max_px = k->layout.n ? common_px(text, a, w, h, l->h / 12 > 16 ? l->h / 12 : 16) : 16;
	for (int i = 0; i < k->layout.n; i++) {
		k->label[i] = text_fit(text, a->text[i], w, h, max_px, fg);
		k->lit[i] = text_fit(text, a->text[i], w, h, max_px, dark);
		if (text && (!k->label[i] || !k->lit[i]))
			return -1;
	}
	return 0;
}

struct question_screen *question_screen_new(const struct config *cfg, struct text *text, const struct layout *l)
{
	struct question_screen *q = SDL_calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = cfg;
	int buttons = 0;
	for (int i = 0; i < CONFIG_MAX_BUTTONS; i++)
		buttons += cfg->button[i].configured;
	const struct rect *t = &l->question;
	/* Nothing to render when no answers are listed (the default): startup stays what it was. */
	if (cfg->followup_negative.n + cfg->followup_positive.n > 0)
		q->title = text_fit(text, cfg->t_followup, t->w, t->h, t->h / 2, colour_of(cfg->text_colour));
	if (make_kind(q, text, &q->kind[0], &cfg->followup_negative, l, buttons) ||
	    make_kind(q, text, &q->kind[1], &cfg->followup_positive, l, buttons)) {
		question_screen_free(q);
		return NULL;
	}
	return q;
}

void question_screen_free(struct question_screen *q)
{
	if (!q)
		return;
	SDL_FreeSurface(q->title);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < QUESTION_MAX_ANSWERS; i++) {
			SDL_FreeSurface(q->kind[k].label[i]);
			SDL_FreeSurface(q->kind[k].lit[i]);
		}
	SDL_free(q);
}

const struct question_layout *question_screen_layout(const struct question_screen *q, int positive)
{
	return &q->kind[positive ? 1 : 0].layout;
}

static void blit_centred(SDL_Surface *src, SDL_Surface *dst, int cx, int cy)
{
	if (!src)
		return;
	SDL_Rect r = { cx - src->w / 2, cy - src->h / 2, src->w, src->h };
	SDL_BlitSurface(src, NULL, dst, &r);
}

/* A filled triangle pointing down, apex at (cx, tip_y), half width hw: row by row. */
static void arrow_down(SDL_Surface *c, int cx, int tip_y, int hw, Uint32 colour)
{
	for (int y = 0; y <= hw; y++) {
		int half = y; /* the tip at the bottom, widening upward */
		SDL_Rect row = { cx - half, tip_y - y, 2 * half + 1, 1 };
		SDL_FillRect(c, &row, colour);
	}
}

void question_screen_paint(struct question_screen *q, SDL_Surface *c, int positive, int lit)
{
	const struct rect *t = &question_screen_layout(q, positive)->title;
	blit_centred(q->title, c, t->x + t->w / 2, t->y + t->h / 2);
	struct kind *k = &q->kind[positive ? 1 : 0];
	Uint32 box = SDL_MapRGB(c->format, lighter(q->cfg->background, 18) >> 16 & 0xff,
				lighter(q->cfg->background, 18) >> 8 & 0xff, lighter(q->cfg->background, 18) & 0xff);
	Uint32 edge = SDL_MapRGB(c->format, lighter(q->cfg->background, 45) >> 16 & 0xff,
				 lighter(q->cfg->background, 45) >> 8 & 0xff, lighter(q->cfg->background, 45) & 0xff);
	Uint32 hot = SDL_MapRGB(c->format, amber.r, amber.g, amber.b);
	for (int i = 0; i < k->layout.n; i++) {
		const struct rect *r = &k->layout.answer[i];
		int on = i == lit;
		int border = r->h / 60 > 2 ? r->h / 60 : 2;
		SDL_Rect outer = { r->x, r->y, r->w, r->h };
		SDL_Rect inner = { r->x + border, r->y + border, r->w - 2 * border, r->h - 2 * border };
		SDL_FillRect(c, &outer, on ? hot : edge);
		SDL_FillRect(c, &inner, on ? hot : box);
		int label_cy = r->y + r->h / 2;
		if (k->layout.by_buttons) {
			/* The arrow's tip at the box's foot: this button, right below. */
			int hw = r->w / 7 < r->h / 6 ? r->w / 7 : r->h / 6;
			arrow_down(c, r->x + r->w / 2, r->y + r->h - 3 * border, hw, on ? box : edge);
			label_cy = r->y + (r->h - hw - 3 * border) / 2;
		}
		blit_centred(on ? k->lit[i] : k->label[i], c, r->x + r->w / 2, label_cy);
	}
}
