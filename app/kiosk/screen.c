/* SPDX-License-Identifier: Apache-2.0 */
/*
 * screen: the layouts of the customer's screens.
 *
 * Faces are drawn by face.c into ARGB surfaces twice (plain and
 * highlighted) at layout time. When a face is lit, the others are dimmed,
 * so the choice reads without colour and from a distance.
 */
#include "screen.h"

#include <string.h>

#include "face.h"
#include "log.h"
#include "logo.h"
#include "question_screen.h"


struct screen {
	const struct config *cfg;
	struct layout layout;
	SDL_Surface *face[LAYOUT_MAX_FACES];
	SDL_Surface *lit[LAYOUT_MAX_FACES];
	SDL_Surface *big[LAYOUT_MAX_FACES];   /* thank-you screen */
	SDL_Surface *question;
	SDL_Surface *logo;                    /* [screen] logo, scaled; NULL: none */
	int logo_y;                           /* its centre */
	SDL_Surface *thanks;
	SDL_Surface *out_of_order;
	struct question_screen *followup;     /* the follow-up question */
	struct text *text;
	int w, h;
	int rtl;                              /* the language runs right to left */
	/* language buttons (touch, more than one language) */
	int nlang, lang_current;
	struct rect lang_box[CONFIG_MAX_LANGS];
	SDL_Surface *lang_label[CONFIG_MAX_LANGS];
};

static SDL_Surface *make_face(int size, int value, int scale, int lit)
{
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!s)
		return NULL;
	face_draw(s->pixels, s->pitch / 4, size, value, scale, lit);
	SDL_SetSurfaceBlendMode(s, SDL_BLENDMODE_BLEND);
	return s;
}

struct screen *screen_new(const struct config *cfg, struct text *text, int w, int h)
{
	struct screen *s = SDL_calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = cfg;
	s->text = text;
	s->w = w;
	s->h = h;
	/* A strip at the foot for the language buttons; the faces and question take the rest. */
	int strip = screen_has_language_buttons(cfg) ? h * 13 / 100 : 0;
	layout_rating(&s->layout, w, h - strip, cfg->faces);
	s->layout.h = h; /* corners and hit tests see the whole screen */
	if (strip) {
		s->nlang = cfg->nlanguages;
		/* Clear of the corners, where a long press opens the staff view. */
		int z = (w < h ? w : h) / 7 + w / 80, gap = w / 60;
		int bw = (w - 2 * z - (s->nlang - 1) * gap) / s->nlang;
		if (bw > w / 4)
			bw = w / 4;
		int x0 = (w - s->nlang * bw - (s->nlang - 1) * gap) / 2;
		for (int i = 0; i < s->nlang; i++)
			s->lang_box[i] = (struct rect){ x0 + i * (bw + gap), h - strip + strip / 8, bw, strip * 3 / 4 };
	}
	int size = (int)(s->layout.diameter * FACE_PADDING);
	int big = (int)(((w < h ? w : h) * 0.42) * FACE_PADDING);
	/* Surfaces are indexed by position on screen, 0 = leftmost, in [screen] face_order. */
	for (int i = 0; i < cfg->faces; i++) {
		int value = config_face_value(cfg, i);
		s->face[i] = make_face(size, value, cfg->faces, 0);
		s->lit[i] = make_face(size, value, cfg->faces, 1);
		s->big[i] = make_face(big, value, cfg->faces, 0);
		if (!s->face[i] || !s->lit[i] || !s->big[i]) {
			screen_free(s);
			return NULL;
		}
	}
	struct rect *q = &s->layout.question;
	if (cfg->logo[0]) {
		/* The logo takes the question box's top part; the question the rest. */
		char err[CONFIG_PATH_MAX + 128];
		int logo_h = q->h * 38 / 100;
		if (!(s->logo = logo_load(cfg->logo, q->w, logo_h, err, sizeof(err)))) {
			log_msg(LOG_ERR, "%s (the screen shows no logo)", err);
		} else {
			s->logo_y = q->y + logo_h / 2;
			q->y += logo_h;
			q->h -= logo_h;
		}
	}
	screen_set_language(s, cfg, 0);
	if (!s->followup) {
		screen_free(s);
		return NULL;
	}
	return s;
}

void screen_set_language(struct screen *s, const struct config *texts, int current)
{
	SDL_Color white = { s->cfg->text_colour >> 16 & 0xff, s->cfg->text_colour >> 8 & 0xff, s->cfg->text_colour & 0xff,
			    255 };
	const struct rect *q = &s->layout.question;
	SDL_FreeSurface(s->question);
	SDL_FreeSurface(s->thanks);
	SDL_FreeSurface(s->out_of_order);
	/* Text may be missing (no font): the faces alone still take ratings. */
	s->question = text_fit(s->text, texts->question, q->w, q->h, q->h / 2, white);
	s->thanks = text_fit(s->text, texts->thanks, s->w * 9 / 10, s->h * 25 / 100, s->h / 6, white);
	s->out_of_order = text_fit(s->text, texts->out_of_order, s->w * 9 / 10, s->h * 45 / 100, s->h / 7, white);
	s->rtl = text_is_rtl(texts->question);
	s->lang_current = current;
	/*
	 * The follow-up question in this language. Its answers translate the
	 * configured ones one for one (what is stored is the configured
	 * answer at the same place, so head office counts one answer however
	 * it was read), so a language whose lists have other lengths keeps
	 * the configured ones.
	 */
	const struct config *fq = texts->followup_positive.n == s->cfg->followup_positive.n &&
					  texts->followup_negative.n == s->cfg->followup_negative.n ? texts : s->cfg;
	struct question_screen *qs = question_screen_new(fq, s->text, &s->layout);
	if (qs) {
		question_screen_free(s->followup);
		s->followup = qs;
	}
}

int screen_has_language_buttons(const struct config *cfg)
{
	/* A kiosk with buttons has no one to touch them: its languages rotate instead (kiosk_lang.c). */
	for (int i = 0; i < CONFIG_MAX_BUTTONS; i++)
		if (cfg->button[i].configured)
			return 0;
	return cfg->nlanguages > 1 && cfg->mode == MODE_RATING;
}

void screen_set_language_names(struct screen *s, const char *const *names, int n)
{
	SDL_Color white = { 0xff, 0xff, 0xff, 255 };
	for (int i = 0; i < s->nlang && i < n; i++) {
		SDL_FreeSurface(s->lang_label[i]);
		const struct rect *b = &s->lang_box[i];
		s->lang_label[i] = text_fit(s->text, names[i], b->w * 88 / 100, b->h * 80 / 100, b->h * 55 / 100, white);
	}
}

struct rect screen_language_button(const struct screen *s, int i)
{
	return i >= 0 && i < s->nlang ? s->lang_box[i] : (struct rect){ 0, 0, 0, 0 };
}

int screen_language_hit(const struct screen *s, double x, double y)
{
	for (int i = 0; i < s->nlang; i++) {
		const struct rect *b = &s->lang_box[i];
		if (x >= b->x && x < b->x + b->w && y >= b->y && y < b->y + b->h)
			return i;
	}
	return -1;
}

void screen_free(struct screen *s)
{
	if (!s)
		return;
	for (int i = 0; i < LAYOUT_MAX_FACES; i++) {
		SDL_FreeSurface(s->face[i]);
		SDL_FreeSurface(s->lit[i]);
		SDL_FreeSurface(s->big[i]);
	}
	SDL_FreeSurface(s->question);
	SDL_FreeSurface(s->logo);
	SDL_FreeSurface(s->thanks);
	SDL_FreeSurface(s->out_of_order);
	question_screen_free(s->followup);
	for (int i = 0; i < CONFIG_MAX_LANGS; i++)
		SDL_FreeSurface(s->lang_label[i]);
	SDL_free(s);
}

const struct layout *screen_layout(const struct screen *s)
{
	return &s->layout;
}

const struct question_layout *screen_question_layout(const struct screen *s, int positive)
{
	return question_screen_layout(s->followup, positive);
}

int screen_parse_name(const char *name, enum screen_name *out)
{
	if (!strcmp(name, "rating"))
		*out = SCREEN_RATING;
	else if (!strcmp(name, "thanks"))
		*out = SCREEN_THANKS;
	else if (!strcmp(name, "out-of-order"))
		*out = SCREEN_OUT_OF_ORDER;
	else if (!strcmp(name, "staff"))
		*out = SCREEN_STAFF;
	else if (!strcmp(name, "pin"))
		*out = SCREEN_PIN;
	else if (!strcmp(name, "display"))
		*out = SCREEN_DISPLAY;
	else if (!strcmp(name, "shift-end"))
		*out = SCREEN_SHIFT_END;
	else if (!strcmp(name, "question"))
		*out = SCREEN_QUESTION;
	else
		return -1;
	return 0;
}

/* Blits src with its centre at (cx, cy). */
static void blit_centred(SDL_Surface *src, SDL_Surface *dst, int cx, int cy)
{
	if (!src)
		return;
	SDL_Rect r = { cx - src->w / 2, cy - src->h / 2, src->w, src->h };
	SDL_BlitSurface(src, NULL, dst, &r);
}

/* A one-off text (a notice), fitted to w x h and centred at (cx, cy). */
static void paint_text(struct screen *s, SDL_Surface *c, const char *text, int w, int h, int cx, int cy,
		       SDL_Color colour)
{
	SDL_Surface *t = text_fit(s->text, text, w, h, h / 2, colour);
	blit_centred(t, c, cx, cy);
	SDL_FreeSurface(t);
}

static void paint_rating(struct screen *s, SDL_Surface *c, int highlight, const char *notice)
{
	const struct layout *l = &s->layout;
	const struct rect *q = &l->question;
	blit_centred(s->logo, c, s->w / 2, s->logo_y);
	if (notice) {
		/* In the question's place, in amber, so it reads as a change, not a new question. */
		SDL_Color amber = { 0xff, 0xc8, 0x57, 255 };
		paint_text(s, c, notice, q->w, q->h, q->x + q->w / 2, q->y + q->h / 2, amber);
	} else {
		blit_centred(s->question, c, q->x + q->w / 2, q->y + q->h / 2);
	}
	for (int i = 0; i < s->nlang; i++) {
		/* The language shown is lit; the others wait, each in its own script. */
		const struct rect *b = &s->lang_box[i];
		SDL_Rect r = { b->x, b->y, b->w, b->h };
		unsigned bg = s->cfg->background;
		int lift = i == s->lang_current ? 0x40 : 0x16;
		unsigned rr = (bg >> 16 & 0xff) + lift, gg = (bg >> 8 & 0xff) + lift, bb = (bg & 0xff) + lift;
		SDL_FillRect(c, &r, SDL_MapRGB(c->format, rr > 255 ? 255 : rr, gg > 255 ? 255 : gg, bb > 255 ? 255 : bb));
		if (i == s->lang_current) {
			SDL_Rect bar = { b->x, b->y + b->h - b->h / 12, b->w, b->h / 12 };
			SDL_FillRect(c, &bar, SDL_MapRGB(c->format, 0xff, 0xc8, 0x57));
		}
		blit_centred(s->lang_label[i], c, b->x + b->w / 2, b->y + b->h / 2);
	}
	for (int i = 0; i < l->faces; i++) {
		SDL_Surface *f = i == highlight ? s->lit[i] : s->face[i];
		/* Others dimmed while one is lit: the choice shows without colour. */
		SDL_SetSurfaceAlphaMod(f, highlight >= 0 && i != highlight ? 80 : 255);
		blit_centred(f, c, l->cx[i], l->cy[i]);
		SDL_SetSurfaceAlphaMod(f, 255);
	}
}

static void paint_thanks(struct screen *s, SDL_Surface *c, int chosen)
{
	if (chosen >= 0 && chosen < s->layout.faces)
		blit_centred(s->big[chosen], c, s->w / 2, s->h * 40 / 100);
	blit_centred(s->thanks, c, s->w / 2, s->h * 82 / 100);
}

/*
 * A plain sentence only: the reason (a file path, SQLite's message) means
 * nothing to a customer and tells strangers about the machine; it goes to
 * the log, tallyctl status and the staff view instead.
 */
static void paint_out_of_order(struct screen *s, SDL_Surface *c)
{
	SDL_FillRect(c, NULL, SDL_MapRGB(c->format, 0x6d, 0x1b, 0x1b));
	blit_centred(s->out_of_order, c, s->w / 2, s->h / 2);
}

/* Dark while closed; a press wakes it with when the store opens again. */
static void paint_closed(struct screen *s, SDL_Surface *c, const char *notice)
{
	SDL_FillRect(c, NULL, SDL_MapRGB(c->format, 0, 0, 0));
	if (notice) {
		SDL_Color light = { 0xe0, 0xe6, 0xee, 255 };
		paint_text(s, c, notice, s->w * 9 / 10, s->h * 40 / 100, s->w / 2, s->h / 2, light);
	}
}

void screen_paint(struct screen *s, SDL_Surface *canvas, const struct screen_state *st)
{
	unsigned bg = s->cfg->background;
	SDL_FillRect(canvas, NULL, SDL_MapRGB(canvas->format, bg >> 16 & 0xff, bg >> 8 & 0xff, bg & 0xff));
	switch (st->name) {
	case SCREEN_RATING:
		paint_rating(s, canvas, st->highlight, st->notice);
		break;
	case SCREEN_THANKS:
		paint_thanks(s, canvas, st->chosen);
		break;
	case SCREEN_OUT_OF_ORDER:
		paint_out_of_order(s, canvas);
		break;
	case SCREEN_CLOSED:
		paint_closed(s, canvas, st->notice);
		break;
	case SCREEN_QUESTION:
		question_screen_paint(s->followup, canvas, st->question_positive, st->answer_lit);
		break;
	default:
		break; /* the staff screens: staff_view.c */
	}
}
