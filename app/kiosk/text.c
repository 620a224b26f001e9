/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text: the main font and a fallback (CJK), each one TTF_Font resized
 * with TTF_SetFontSize (SDL_ttf 2.20) rather than reopened per size.
 * Lines are drawn by text_line.c (directions, the fallback per character);
 * wrapping is ours, at spaces, and between any two characters of a script
 * written without spaces. Fitting tries sizes downwards in 6% steps; it
 * runs when a screen is laid out, never per frame.
 */
#include "text.h"

#include <SDL_ttf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "sharedir.h"
#include "text_line.h"

struct text {
	struct text_fonts f;
	int px;                 /* the size both fonts are at */
	int smallest;           /* the smallest size text_fit drew at since text_smallest_reset */
	char fallback_path[CONFIG_PATH_MAX];
};

const char *text_default_font(void)
{
	static char path[PATH_MAX];
	sharedir_find("fonts/DejaVuSans-Bold.ttf", path, sizeof(path));
	return path;
}

static void set_px(struct text *t, int px)
{
	if (t->px == px)
		return;
	TTF_SetFontSize(t->f.main, px);
	if (t->f.fallback)
		TTF_SetFontSize(t->f.fallback, px);
	t->px = px;
}

int text_open(struct text **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	if (!path || !*path)
		path = text_default_font();
	if (!TTF_WasInit() && TTF_Init() != 0) {
		snprintf(err, errlen, "font: cannot start SDL_ttf: %s", TTF_GetError());
		return -1;
	}
	TTF_Font *f = TTF_OpenFont(path, 32);
	if (!f) {
		snprintf(err, errlen, "font: %s: %s", path, TTF_GetError());
		TTF_Quit();
		return -1;
	}
	struct text *t = SDL_calloc(1, sizeof(*t));
	if (!t) {
		TTF_CloseFont(f);
		TTF_Quit();
		snprintf(err, errlen, "font: out of memory");
		return -1;
	}
	t->f.main = f;
	t->px = 32;
	/* SDL_ttf built with HarfBuzz (Debian's is) shapes Arabic and sets directions; without it, it says so here. */
	t->f.shaping = TTF_SetFontScriptName(f, "Latn") == 0;
	text_line_forget();
	*out = t;
	return 0;
}

int text_set_fallback(struct text *t, const char *path, char *err, size_t errlen)
{
	if (!t)
		return -1;
	if (t->f.fallback) {
		TTF_CloseFont(t->f.fallback);
		t->f.fallback = NULL;
		text_line_forget();
	}
	t->fallback_path[0] = '\0';
	if (!path || !*path)
		return 0;
	if (access(path, R_OK) != 0) {
		snprintf(err, errlen, "font: fallback_font %s is missing (Debian: apt install fonts-wqy-microhei): "
			 "characters the main font lacks draw as boxes", path);
		return -1;
	}
	TTF_Font *f = TTF_OpenFont(path, t->px);
	if (!f) {
		snprintf(err, errlen, "font: fallback_font %s: %s", path, TTF_GetError());
		return -1;
	}
	t->f.fallback = f;
	text_line_forget();
	snprintf(t->fallback_path, sizeof(t->fallback_path), "%s", path);
	return 0;
}

void text_close(struct text *t)
{
	if (!t)
		return;
	TTF_CloseFont(t->f.main);
	if (t->f.fallback)
		TTF_CloseFont(t->f.fallback);
	text_line_forget();
	SDL_free(t);
	TTF_Quit();
}

int text_is_rtl(const char *utf8)
{
	return utf8 && text_line_rtl(utf8, strlen(utf8));
}

int text_shaping(const struct text *t)
{
	return t && t->f.shaping;
}

uint32_t text_missing_glyph(struct text *t, const char *utf8)
{
	size_t len = strlen(utf8);
	for (size_t i = 0; i < len;) {
		size_t used;
		uint32_t cp = text_line_decode(utf8 + i, len - i, &used);
		i += used;
		if (cp < 0x20 || cp == ' ' || cp == 0xa0)
			continue;
		if (!TTF_GlyphIsProvided32(t->f.main, cp) && !(t->f.fallback && TTF_GlyphIsProvided32(t->f.fallback, cp)))
			return cp;
	}
	return 0;
}

/* Width of the len bytes at s on one line at the current size, or INT_MAX when it cannot be measured. */
static int width_of(struct text *t, const char *s, size_t len)
{
	int w, h;
	return text_line_size(&t->f, s, len, &w, &h) == 0 ? w : INT_MAX;
}

/* Lines greedy wrapping makes at width w, given each word's width and a space's. */
static int greedy_lines(const int *word_w, int n, int space_w, int w, int *breaks)
{
	int lines = 1, line_w = 0;
	for (int i = 0; i < n; i++) {
		int add = line_w ? space_w + word_w[i] : word_w[i];
		if (line_w && line_w + add > w) {
			if (breaks)
				breaks[lines - 1] = i; /* line `lines` starts at word i */
			lines++;
			line_w = word_w[i];
		} else {
			line_w += add;
		}
	}
	return lines;
}

/* Whether s (len bytes) holds a character of a script written without spaces. */
static int has_unspaced(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t used;
		if (text_line_unspaced(text_line_decode(s + i, len - i, &used)))
			return 1;
		i += used;
	}
	return 0;
}

int text_balance(struct text *t, const char *utf8, int px, int box_w, char *out, size_t outlen)
{
	enum { MAX_WORDS = 128 };
	size_t len = strlen(utf8);
	if (!t || len + 1 > outlen || strchr(utf8, '\n') || has_unspaced(utf8, len))
		return -1;
	set_px(t, px);
	int starts[MAX_WORDS], word_w[MAX_WORDS], n = 0;
	int space_w = width_of(t, " ", 1);
	for (size_t i = 0; i < len;) {
		while (i < len && utf8[i] == ' ')
			i++;
		if (i == len)
			break;
		size_t j = i;
		while (j < len && utf8[j] != ' ')
			j++;
		if (n == MAX_WORDS)
			return -1;
		starts[n] = (int)i;
		word_w[n] = width_of(t, utf8 + i, j - i);
		if (word_w[n] > box_w)
			return -1; /* a word wider than the box: text_wrap breaks it */
		n++;
		i = j;
	}
	if (n == 0)
		return -1;
	/*
	 * Balanced lines: the narrowest width that still needs no more lines
	 * than the box's own width does, so the words spread evenly and no
	 * word is left alone on the last line when it need not be.
	 */
	int lines = greedy_lines(word_w, n, space_w, box_w, NULL);
	int lo = 1, hi = box_w;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (greedy_lines(word_w, n, space_w, mid, NULL) <= lines)
			hi = mid;
		else
			lo = mid + 1;
	}
	int breaks[MAX_WORDS];
	lines = greedy_lines(word_w, n, space_w, hi, breaks);
	memcpy(out, utf8, len + 1);
	for (int b = 0; b < lines - 1; b++)
		out[starts[breaks[b]] - 1] = '\n'; /* the space before the line's first word */
	return lines;
}

/*
 * Greedy wrapping at box_w for what balancing cannot take: breaks at
 * spaces (the space becomes the break), and before any character of a
 * script written without spaces. out gets the lines joined by '\n'.
 */
static int text_wrap(struct text *t, const char *utf8, int box_w, char *out, size_t outlen)
{
	size_t len = strlen(utf8), used = 0;
	size_t line_start = 0; /* in out */
	int lines = 1;
	for (size_t i = 0; i < len && used + 2 < outlen;) {
		if (utf8[i] == '\n') {
			out[used++] = '\n';
			line_start = used;
			lines++;
			i++;
			continue;
		}
		/* The next piece that cannot be split: a word, or one unspaced character. */
		size_t j = i, step;
		uint32_t cp = text_line_decode(utf8 + i, len - i, &step);
		if (utf8[i] == ' ') {
			j = i + 1;
		} else if (text_line_unspaced(cp)) {
			/* A whole stretch up to the next space when it fits the box ("评价" stays one word); else a character. */
			size_t end = i;
			while (end < len && utf8[end] != ' ' && utf8[end] != '\n')
				end++;
			j = width_of(t, utf8 + i, end - i) <= box_w ? end : i + step;
			/* Closing marks stay with the character before them: "了。" never starts a line with "。". */
			while (j < end) {
				size_t s2;
				uint32_t next = text_line_decode(utf8 + j, len - j, &s2);
				if (!(next == 0x3002 || next == 0xff0c || next == 0x3001 || next == 0xff01 || next == 0xff1f ||
				      next == '!' || next == '?' || next == '.' || next == ','))
					break;
				j += s2;
			}
		} else {
			while (j < len && utf8[j] != ' ' && utf8[j] != '\n') {
				cp = text_line_decode(utf8 + j, len - j, &step);
				if (j > i && text_line_unspaced(cp))
					break;
				j += step;
			}
		}
		size_t piece = j - i;
		if (used + piece + 1 >= outlen)
			break;
		memcpy(out + used, utf8 + i, piece);
		if (used > line_start && width_of(t, out + line_start, used + piece - line_start) > box_w) {
			/* Past the box: break before the piece (a space there simply becomes the break). */
			if (out[used - 1] == ' ')
				used--;
			out[used++] = '\n';
			line_start = used;
			lines++;
			if (utf8[i] == ' ') {
				i = j;
				continue;
			}
			memcpy(out + used, utf8 + i, piece);
		}
		used += piece;
		i = j;
	}
	out[used] = '\0';
	return lines;
}

int text_size(struct text *t, const char *utf8, int px, int *w, int *h)
{
	if (!t || !utf8)
		return -1;
	set_px(t, px);
	return text_line_size(&t->f, utf8, strlen(utf8), w, h);
}

/* Width of the widest piece of utf8 that cannot be broken, at the current size. */
static int widest_word(struct text *t, const char *utf8)
{
	int widest = 0;
	for (const char *p = utf8; *p;) {
		size_t n = strcspn(p, " \n");
		/* Scripts written without spaces break between any two characters: such a "word" may wrap. */
		if (n > 0 && !has_unspaced(p, n)) {
			int w = width_of(t, p, n);
			if (w > widest)
				widest = w;
		}
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return widest;
}

/* The lines of s ('\n' between them) rendered and stacked, each centred. */
static SDL_Surface *render_lines(struct text *t, const char *s, SDL_Color colour)
{
	enum { MAX_LINES = 32 };
	SDL_Surface *line[MAX_LINES] = { 0 };
	int n = 0, w = 0, skip = TTF_FontLineSkip(t->f.main);
	if (t->f.fallback && TTF_FontLineSkip(t->f.fallback) > skip && has_unspaced(s, strlen(s)))
		skip = TTF_FontLineSkip(t->f.fallback);
	for (const char *p = s; n < MAX_LINES;) {
		size_t len = strcspn(p, "\n");
		line[n] = text_line_render(&t->f, p, len, colour);
		if (line[n] && line[n]->w > w)
			w = line[n]->w;
		n++;
		if (!p[len])
			break;
		p += len + 1;
	}
	int h = n > 1 ? (n - 1) * skip : 0;
	if (line[n - 1])
		h += line[n - 1]->h;
	else
		h += skip;
	SDL_Surface *out = w > 0 && h > 0 ? SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888) : NULL;
	if (out) {
		SDL_FillRect(out, NULL, SDL_MapRGBA(out->format, colour.r, colour.g, colour.b, 0));
		for (int i = 0; i < n; i++) {
			if (!line[i])
				continue;
			SDL_Rect dst = { (w - line[i]->w) / 2, i * skip, line[i]->w, line[i]->h };
			SDL_SetSurfaceBlendMode(line[i], SDL_BLENDMODE_NONE);
			SDL_BlitSurface(line[i], NULL, out, &dst);
		}
		SDL_SetSurfaceBlendMode(out, SDL_BLENDMODE_BLEND);
	}
	for (int i = 0; i < n; i++)
		SDL_FreeSurface(line[i]);
	return out;
}

SDL_Surface *text_fit(struct text *t, const char *utf8, int box_w, int box_h, int max_px, SDL_Color colour)
{
	if (!t || !utf8 || !*utf8 || box_w <= 0 || box_h <= 0)
		return NULL;
	static char lines[4096];
	int one_line = strchr(utf8, '\n') == NULL;
	int px = max_px;
	for (; px >= 8; px = px * 94 / 100) {
		set_px(t, px);
		/*
		 * Measuring is far cheaper than rendering (the staff view fits a
		 * few dozen texts): skip sizes that cannot fit even when wrapped,
		 * and render once the lines fit.
		 */
		/* A word that does not fit would be cut mid-word ("ratin/gs"): a smaller size instead. */
		if (widest_word(t, utf8) > box_w) {
			if (px * 94 / 100 == px)
				break;
			continue;
		}
		int n = one_line ? text_balance(t, utf8, px, box_w, lines, sizeof(lines)) : -1;
		if (n < 0)
			n = text_wrap(t, utf8, box_w, lines, sizeof(lines));
		int skip = TTF_FontLineSkip(t->f.main), lw, lh;
		if (text_line_size(&t->f, "Ag", 2, &lw, &lh) == 0 && lh > skip)
			skip = lh;
		int fits = (long)n * skip <= box_h + skip / 4;
		for (const char *p = lines; fits;) {
			size_t len = strcspn(p, "\n");
			fits = width_of(t, p, len) <= box_w;
			if (!p[len])
				break;
			p += len + 1;
		}
		if (fits) {
			SDL_Surface *s = render_lines(t, lines, colour);
			if (s && s->w <= box_w && s->h <= box_h) {
				if (!t->smallest || px < t->smallest)
					t->smallest = px;
				if (getenv("TALLY_DEBUG_PX") && px < 16)
					fprintf(stderr, "text_fit: \"%s\" at %d px in %dx%d (max %d)\n", utf8, px, box_w, box_h, max_px);
				return s;
			}
			SDL_FreeSurface(s);
		}
		if (px * 94 / 100 == px)
			break;
	}
	/* Even the smallest size overflows: show it cut rather than nothing. */
	set_px(t, 8);
	t->smallest = 8;
	if (getenv("TALLY_DEBUG_PX"))
		fprintf(stderr, "text_fit: \"%s\" cut at 8 px in %dx%d (max %d)\n", utf8, box_w, box_h, max_px);
	text_wrap(t, utf8, box_w, lines, sizeof(lines));
	return render_lines(t, lines, colour);
}

void text_smallest_reset(struct text *t)
{
	if (t)
		t->smallest = 0;
}

int text_smallest(const struct text *t)
{
	return t ? t->smallest : 0;
}
