/* SPDX-License-Identifier: Apache-2.0 */
/* staff_draw: the staff screens' shared drawing helpers. */
#include "staff_draw.h"

#include <stdio.h>
#include <string.h>

#include "face.h"
#include "textfmt.h"

const SDL_Color draw_white = { 255, 255, 255, 255 };
const SDL_Color draw_grey = { 0xb0, 0xbe, 0xcc, 255 };
const SDL_Color draw_dim = { 0x80, 0x90, 0xa0, 255 };

struct rect draw_rect(int x, int y, int w, int h)
{
	return (struct rect){ x, y, w > 0 ? w : 0, h > 0 ? h : 0 };
}

void draw_fill(SDL_Surface *c, struct rect r, uint32_t rgb)
{
	SDL_Rect sr = { r.x, r.y, r.w, r.h };
	SDL_FillRect(c, &sr, SDL_MapRGB(c->format, rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff));
}

struct rect draw_text(struct text *text, SDL_Surface *c, const char *s, struct rect box, int max_px, SDL_Color colour,
		      int align)
{
	struct rect at = { box.x, box.y, 0, 0 };
	if (max_px < 8)
		max_px = 8;
	SDL_Surface *t = text_fit(text, s, box.w, box.h, max_px, colour);
	if (!t)
		return at;
	at.w = t->w < box.w ? t->w : box.w;
	at.h = t->h < box.h ? t->h : box.h;
	if (text_is_rtl(s))
		align = -align; /* a right-to-left text starts at the right */
	at.x = align < 0 ? box.x : align > 0 ? box.x + box.w - at.w : box.x + (box.w - at.w) / 2;
	at.y = box.y + (box.h - at.h) / 2;
	SDL_Rect src = { (t->w - at.w) / 2, (t->h - at.h) / 2, at.w, at.h };
	SDL_Rect dst = { at.x, at.y, at.w, at.h };
	SDL_BlitSurface(t, &src, c, &dst);
	SDL_FreeSurface(t);
	return at;
}

static int fits(struct text *t, const char *s, int px, int box_w, int box_h)
{
	int w, h;
	return text_size(t, s, px, &w, &h) == 0 && w <= box_w && h <= box_h;
}

int draw_fit_px(struct text *t, const char *s, int box_w, int box_h, int max_px, int words)
{
	int px = max_px;
	for (; px > 8; px = px * 94 / 100 < px ? px * 94 / 100 : px - 1) {
		if (!words) {
			if (fits(t, s, px, box_w, box_h))
				break;
			continue;
		}
		char word[256];
		int ok = 1;
		for (const char *p = s; *p && ok;) {
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, " ");
			if (n == 0)
				break;
			if (n >= sizeof(word))
				n = sizeof(word) - 1;
			memcpy(word, p, n);
			word[n] = '\0';
			ok = fits(t, word, px, box_w, box_h / words);
			p += n;
		}
		if (ok)
			break;
	}
	return px > 8 ? px : 8;
}

void draw_score(const char *sep, double score, int decimals, const char *unit, char *out, size_t outlen)
{
	textfmt_decimal(score, decimals, sep, unit, out, outlen);
}

void draw_count(const char *sep, int64_t n, char *out, size_t outlen)
{
	textfmt_count(n, sep, out, outlen);
}

void draw_template(const char *tmpl, const char *const *names, const char *const *vals, int n, char *out,
		   size_t outlen)
{
	size_t used = 0;
	for (const char *p = tmpl; *p && used + 1 < outlen; p++) {
		const char *val = NULL;
		size_t skip = 0;
		if (*p == '{') {
			for (int i = 0; i < n && !val; i++) {
				size_t l = strlen(names[i]);
				if (!strncmp(p + 1, names[i], l) && p[1 + l] == '}') {
					val = vals[i];
					skip = l + 1;
				}
			}
		}
		if (val) {
			size_t l = strlen(val);
			if (used + l >= outlen)
				l = outlen - used - 1;
			memcpy(out + used, val, l);
			used += l;
			p += skip;
		} else {
			out[used++] = *p;
		}
	}
	out[used] = '\0';
}

SDL_Surface *draw_face(int size, int value, int scale)
{
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!s)
		return NULL;
	face_draw(s->pixels, s->pitch / 4, size, value, scale, 0);
	SDL_SetSurfaceBlendMode(s, SDL_BLENDMODE_BLEND);
	return s;
}
