/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text_line: runs of one direction and one font, shaped one by one and
 * placed in visual order (text_line.h). A line of plain ASCII in the main
 * font, the common case, is one run: no copy, one SDL_ttf call.
 */
#include "text_line.h"

#include <string.h>

#define MAX_RUNS 64

enum cls { C_N, C_L, C_R, C_NUM };

struct run {
	size_t start, len;
	int rtl;             /* shaped right to left: an odd level */
	int level;
	TTF_Font *font;
	int script;          /* 0 Latin, 1 Arabic, 2 Hebrew, 3 Han */
};

uint32_t text_line_decode(const char *s, size_t len, size_t *used)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t n;
	if (u[0] < 0x80) {
		*used = 1;
		return u[0];
	}
	if ((u[0] & 0xe0) == 0xc0) {
		cp = u[0] & 0x1f;
		n = 2;
	} else if ((u[0] & 0xf0) == 0xe0) {
		cp = u[0] & 0x0f;
		n = 3;
	} else if ((u[0] & 0xf8) == 0xf0) {
		cp = u[0] & 0x07;
		n = 4;
	} else {
		*used = 1;
		return 0xfffd;
	}
	if (n > len) {
		*used = 1;
		return 0xfffd;
	}
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*used = 1;
			return 0xfffd;
		}
		cp = cp << 6 | (u[i] & 0x3f);
	}
	*used = n;
	return cp;
}

static int is_rtl_letter(uint32_t cp)
{
	if ((cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06f0 && cp <= 0x06f9))
		return 0; /* Arabic-Indic digits are numbers: they run left to right */
	return (cp >= 0x0590 && cp <= 0x08ff) || (cp >= 0xfb1d && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfefe);
}

int text_line_unspaced(uint32_t cp)
{
	return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xff00 && cp <= 0xffef) || (cp >= 0x0e00 && cp <= 0x0e7f) || (cp >= 0x20000 && cp <= 0x2fa1f);
}

static enum cls class_of(uint32_t cp)
{
	if (is_rtl_letter(cp))
		return C_R;
	if ((cp >= '0' && cp <= '9') || (cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06f0 && cp <= 0x06f9))
		return C_NUM;
	if (cp < 0x80)
		return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? C_L : C_N;
	/* Punctuation, spaces and symbols take their direction from their neighbours. */
	if ((cp >= 0x80 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x2bff) ||
	    (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff01 && cp <= 0xff0f) ||
	    cp == 0x060c || cp == 0x061b || cp == 0x061f || cp == 0x066a || cp == 0x066b || cp == 0x066c)
		return C_N;
	return C_L;
}

/* A sign that belongs to the number beside it: "83%", "-4", "+3", "20°". */
static int number_sign(uint32_t cp)
{
	return cp == '%' || cp == '+' || cp == '-' || cp == '#' || cp == '$' || cp == 0xb0 || cp == 0x2030 ||
	       cp == 0x2212 || cp == 0x066a || cp == 0x20ac;
}

static int script_of(uint32_t cp)
{
	if (cp >= 0x0590 && cp <= 0x05ff)
		return 2;
	if (is_rtl_letter(cp))
		return 1;
	if (text_line_unspaced(cp))
		return 3;
	return 0;
}

int text_line_rtl(const char *utf8, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t used;
		enum cls c = class_of(text_line_decode(utf8 + i, len - i, &used));
		if (c == C_R)
			return 1;
		if (c == C_L)
			return 0;
		i += used;
	}
	return 0;
}

static int provided(TTF_Font *f, uint32_t cp)
{
	return f && TTF_GlyphIsProvided32(f, cp);
}

/*
 * Cuts the line into runs in logical order; returns how many (-1: more
 * than MAX_RUNS, too many to be a kiosk's text). Levels as the Unicode
 * bidirectional algorithm gives them for one paragraph without explicit
 * marks: in a left-to-right paragraph (level 0) Hebrew and Arabic are at
 * 1 and numbers at 2; in a right-to-left one (level 1) Latin letters and
 * numbers are at 2. A mark between two of one direction (numbers count as
 * right to left there) takes it, else the paragraph's.
 */
static int cut_runs(const struct text_fonts *f, const char *s, size_t len, int para_rtl, struct run *runs)
{
	enum { MAX_CHARS = 1024 };
	static enum cls cls[MAX_CHARS];
	static size_t at[MAX_CHARS + 1];
	static uint32_t cps[MAX_CHARS];
	static int level[MAX_CHARS];
	int n = 0;
	for (size_t i = 0; i < len && n < MAX_CHARS;) {
		size_t used;
		cps[n] = text_line_decode(s + i, len - i, &used);
		cls[n] = class_of(cps[n]);
		at[n++] = i;
		i += used;
	}
	if (n == MAX_CHARS)
		return -1;
	at[n] = len;
	/* Signs beside a number are part of it. */
	for (int i = 0; i < n; i++)
		if (cls[i] == C_N && number_sign(cps[i]) &&
		    ((i > 0 && cls[i - 1] == C_NUM) || (i + 1 < n && cls[i + 1] == C_NUM)))
			cls[i] = C_NUM;
	/* A separator between two digits is part of the number: "16:30", "1,234", "2.5". */
	for (int i = 1; i + 1 < n; i++)
		if (cls[i] == C_N && cls[i - 1] == C_NUM && cls[i + 1] == C_NUM &&
		    (cps[i] == ':' || cps[i] == ',' || cps[i] == '.' || cps[i] == '/' || cps[i] == 0x066b || cps[i] == 0x066c ||
		     cps[i] == 0xa0 || cps[i] == 0x202f))
			cls[i] = C_NUM;
	/* A number after Latin letters (or opening a left-to-right paragraph) is simply left to right. */
	for (int i = 0, last = para_rtl ? C_R : C_L; i < n; i++) {
		if (cls[i] == C_L || cls[i] == C_R)
			last = cls[i];
		else if (cls[i] == C_NUM && last == C_L)
			cls[i] = C_L;
	}
	for (int i = 0; i < n; i++) {
		enum cls c = cls[i];
		if (c == C_N) {
			/* Direction of the strong neighbours, a number counting as right to left. */
			int before = -1, after = -1;
			for (int j = i - 1; j >= 0 && before < 0; j--)
				if (cls[j] != C_N)
					before = cls[j] != C_L;
			for (int j = i + 1; j < n && after < 0; j++)
				if (cls[j] != C_N)
					after = cls[j] != C_L;
			int rtl = before >= 0 && before == after ? before : para_rtl;
			c = rtl ? C_R : C_L;
		}
		if (!para_rtl)
			level[i] = c == C_L ? 0 : c == C_R ? 1 : 2;
		else
			level[i] = c == C_R ? 1 : 2;
	}
	int nr = 0;
	TTF_Font *prev_font = f->main;
	for (int i = 0; i < n; i++) {
		TTF_Font *font = prev_font;
		/* A mark stays in its neighbours' font when that font has it ("83%，" is not: the comma is CJK). */
		if (cls[i] != C_N || i == 0 || !provided(prev_font, cps[i])) {
			/* The main font when it has the glyph; else the fallback that has it; else a box from the main. */
			if (provided(f->main, cps[i]))
				font = f->main;
			else if (provided(f->fallback, cps[i]))
				font = f->fallback;
			else
				font = cls[i] == C_N ? prev_font : f->main;
		}
		prev_font = font;
		if (nr > 0 && runs[nr - 1].level == level[i] && runs[nr - 1].font == font) {
			runs[nr - 1].len = at[i + 1] - runs[nr - 1].start;
		} else {
			if (nr == MAX_RUNS)
				return -1;
			runs[nr++] = (struct run){ at[i], at[i + 1] - at[i], level[i] & 1, level[i], font, 0 };
		}
		int sc = script_of(cps[i]);
		if (sc)
			runs[nr - 1].script = sc;
	}
	return nr;
}

/* Visual order, left to right: from the highest level down to 1, every stretch at or above it is reversed. */
static void visual_order(const struct run *runs, int n, int *order)
{
	int top = 0;
	for (int i = 0; i < n; i++) {
		order[i] = i;
		if (runs[i].level > top)
			top = runs[i].level;
	}
	for (int lvl = top; lvl >= 1; lvl--)
		for (int i = 0; i < n;) {
			if (runs[order[i]].level < lvl) {
				i++;
				continue;
			}
			int j = i;
			while (j < n && runs[order[j]].level >= lvl)
				j++;
			for (int a = i, b = j - 1; a < b; a++, b--) {
				int t = order[a];
				order[a] = order[b];
				order[b] = t;
			}
			i = j;
		}
}

/* What each font was last set to (text_line_forget clears it when fonts come and go). */
static const TTF_Font *last_font[2];
static int last[2];

void text_line_forget(void)
{
	last_font[0] = last_font[1] = NULL;
}

static void set_run(const struct text_fonts *f, const struct run *r)
{
	if (!f->shaping)
		return;
	/* Set only on a change: the common case, a Latin line after a Latin line, costs two compares. */
	int want = r->rtl << 4 | r->script, slot = r->font == f->main ? 0 : 1;
	if (last_font[slot] == r->font && last[slot] == want)
		return;
	static const char *scripts[] = { "Latn", "Arab", "Hebr", "Hani" };
	TTF_SetFontDirection(r->font, r->rtl ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
	TTF_SetFontScriptName(r->font, scripts[r->script]);
	last_font[slot] = r->font;
	last[slot] = want;
}

/* The simple line: ASCII only, all in the main font. */
static int plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static char *run_text(const char *s, const struct run *r, char *buf, size_t buflen)
{
	size_t n = r->len < buflen - 1 ? r->len : buflen - 1;
	memcpy(buf, s + r->start, n);
	buf[n] = '\0';
	return buf;
}

int text_line_size(const struct text_fonts *f, const char *utf8, size_t len, int *w, int *h)
{
	char buf[2048];
	*w = 0;
	*h = TTF_FontHeight(f->main);
	if (len == 0)
		return 0;
	if (plain(utf8, len)) {
		struct run r = { 0, len, 0, 0, f->main, 0 };
		set_run(f, &r);
		return TTF_SizeUTF8(f->main, run_text(utf8, &r, buf, sizeof(buf)), w, h) == 0 ? 0 : -1;
	}
	struct run runs[MAX_RUNS];
	int n = cut_runs(f, utf8, len, text_line_rtl(utf8, len), runs);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		int rw, rh;
		set_run(f, &runs[i]);
		if (TTF_SizeUTF8(runs[i].font, run_text(utf8, &runs[i], buf, sizeof(buf)), &rw, &rh))
			return -1;
		*w += rw;
		if (rh > *h)
			*h = rh;
	}
	return 0;
}

SDL_Surface *text_line_render(const struct text_fonts *f, const char *utf8, size_t len, SDL_Color colour)
{
	char buf[2048];
	if (len == 0)
		return NULL;
	if (plain(utf8, len)) {
		struct run r = { 0, len, 0, 0, f->main, 0 };
		set_run(f, &r);
		return TTF_RenderUTF8_Blended(f->main, run_text(utf8, &r, buf, sizeof(buf)), colour);
	}
	int para_rtl = text_line_rtl(utf8, len);
	struct run runs[MAX_RUNS];
	int n = cut_runs(f, utf8, len, para_rtl, runs);
	if (n < 0)
		return NULL;
	SDL_Surface *part[MAX_RUNS] = { 0 };
	int order[MAX_RUNS], w = 0, ascent = 0, below = 0;
	for (int i = 0; i < n; i++) {
		set_run(f, &runs[i]);
		part[i] = TTF_RenderUTF8_Blended(runs[i].font, run_text(utf8, &runs[i], buf, sizeof(buf)), colour);
		if (!part[i])
			continue;
		/* Runs from two fonts share a baseline, not a top. */
		int a = TTF_FontAscent(runs[i].font);
		if (a > ascent)
			ascent = a;
		if (part[i]->h - a > below)
			below = part[i]->h - a;
		w += part[i]->w;
	}
	SDL_Surface *line = w > 0 ? SDL_CreateRGBSurfaceWithFormat(0, w, ascent + below, 32, SDL_PIXELFORMAT_ARGB8888)
				  : NULL;
	if (line) {
		SDL_FillRect(line, NULL, SDL_MapRGBA(line->format, colour.r, colour.g, colour.b, 0));
		visual_order(runs, n, order);
		int x = 0;
		for (int k = 0; k < n; k++) {
			SDL_Surface *p = part[order[k]];
			if (!p)
				continue;
			SDL_Rect dst = { x, ascent - TTF_FontAscent(runs[order[k]].font), p->w, p->h };
			/* Runs do not overlap: their pixels, alpha included, are copied as they are. */
			SDL_SetSurfaceBlendMode(p, SDL_BLENDMODE_NONE);
			SDL_BlitSurface(p, NULL, line, &dst);
			x += p->w;
		}
		SDL_SetSurfaceBlendMode(line, SDL_BLENDMODE_BLEND);
	}
	for (int i = 0; i < n; i++)
		SDL_FreeSurface(part[i]);
	return line;
}
