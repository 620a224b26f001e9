/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text: one TTF_Font, resized with TTF_SetFontSize (SDL_ttf 2.20) rather
 * than reopened per size. Fitting tries sizes downwards in 6% steps; it
 * runs when a screen is laid out, never per frame.
 */
#include "text.h"

#include <SDL_ttf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct text {
	TTF_Font *font;
};

const char *text_default_font(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX - 64];
	const char *datadir = getenv("TALLY_DATADIR"); /* tests, relocated installs */
	if (datadir && *datadir) {
		snprintf(path, sizeof(path), "%.4000s/fonts/DejaVuSans-Bold.ttf", datadir);
		return path;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		/*
		 * Installed: PREFIX/bin/../share/tally, whatever PREFIX the build
		 * was compiled for (make install PREFIX=/usr after a plain make).
		 * A development build runs from build/ or build/asan/ in the tree.
		 */
		const char *ups[] = { "/../share/tally/fonts/DejaVuSans-Bold.ttf", "/../assets/fonts/DejaVuSans-Bold.ttf",
				      "/../../assets/fonts/DejaVuSans-Bold.ttf" };
		for (size_t i = 0; i < sizeof(ups) / sizeof(ups[0]); i++) {
			snprintf(path, sizeof(path), "%s%s", exe, ups[i]);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	snprintf(path, sizeof(path), "%s/fonts/DejaVuSans-Bold.ttf", TALLY_DATADIR);
	return path;
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
		return -1;
	}
	struct text *t = SDL_calloc(1, sizeof(*t));
	if (!t) {
		TTF_CloseFont(f);
		snprintf(err, errlen, "font: out of memory");
		return -1;
	}
	t->font = f;
	TTF_SetFontWrappedAlign(f, TTF_WRAPPED_ALIGN_CENTER);
	*out = t;
	return 0;
}

void text_close(struct text *t)
{
	if (!t)
		return;
	TTF_CloseFont(t->font);
	SDL_free(t);
	TTF_Quit();
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

int text_balance(struct text *t, const char *utf8, int px, int box_w, char *out, size_t outlen)
{
	enum { MAX_WORDS = 128 };
	size_t len = strlen(utf8);
	if (!t || len + 1 > outlen || strchr(utf8, '\n'))
		return -1;
	TTF_SetFontSize(t->font, px);
	int starts[MAX_WORDS], word_w[MAX_WORDS], n = 0, space_w, h;
	if (TTF_SizeUTF8(t->font, " ", &space_w, &h))
		return -1;
	char word[512];
	for (size_t i = 0; i < len;) {
		while (i < len && utf8[i] == ' ')
			i++;
		if (i == len)
			break;
		size_t j = i;
		while (j < len && utf8[j] != ' ')
			j++;
		if (n == MAX_WORDS || j - i >= sizeof(word))
			return -1;
		memcpy(word, utf8 + i, j - i);
		word[j - i] = '\0';
		starts[n] = (int)i;
		if (TTF_SizeUTF8(t->font, word, &word_w[n], &h) || word_w[n] > box_w)
			return -1; /* a word wider than the box (or a script without spaces): SDL_ttf wraps it */
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

int text_size(struct text *t, const char *utf8, int px, int *w, int *h)
{
	if (!t || !utf8)
		return -1;
	TTF_SetFontSize(t->font, px);
	return TTF_SizeUTF8(t->font, utf8, w, h) == 0 ? 0 : -1;
}

/* Width of the widest word of utf8 at the font's current size (words split at spaces and newlines). */
static int widest_word(struct text *t, const char *utf8)
{
	int widest = 0;
	char word[256];
	for (const char *p = utf8; *p;) {
		size_t n = strcspn(p, " \n");
		/*
		 * Scripts written without spaces (CJK, Thai) break between any two
		 * characters: such a "word" may wrap. Lead bytes E3..ED hold CJK
		 * and Hangul, E0 B8/B9 Thai.
		 */
		int unspaced = 0;
		for (size_t i = 0; i < n && !unspaced; i++) {
			unsigned char b = (unsigned char)p[i];
			unspaced = (b >= 0xe3 && b <= 0xed) ||
				   (b == 0xe0 && i + 1 < n && ((unsigned char)p[i + 1] == 0xb8 || (unsigned char)p[i + 1] == 0xb9));
		}
		if (n > 0 && n < sizeof(word) && !unspaced) {
			memcpy(word, p, n);
			word[n] = '\0';
			int w, h;
			if (TTF_SizeUTF8(t->font, word, &w, &h) == 0 && w > widest)
				widest = w;
		}
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return widest;
}

SDL_Surface *text_fit(struct text *t, const char *utf8, int box_w, int box_h, int max_px, SDL_Color colour)
{
	if (!t || !utf8 || !*utf8 || box_w <= 0 || box_h <= 0)
		return NULL;
	SDL_Surface *s = NULL;
	int one_line = strchr(utf8, '\n') == NULL;
	for (int px = max_px; px >= 8; px = px * 94 / 100) {
		TTF_SetFontSize(t->font, px);
		/*
		 * Measuring is far cheaper than rendering (the staff view fits a
		 * few dozen texts): skip sizes that cannot fit even when wrapped,
		 * and render once when the text fits on one line.
		 */
		int tw, th;
		/* A word that does not fit would be cut mid-word ("ratin/gs"): a smaller size instead. */
		if (widest_word(t, utf8) > box_w) {
			if (px * 94 / 100 == px)
				break;
			continue;
		}
		if (one_line && TTF_SizeUTF8(t->font, utf8, &tw, &th) == 0) {
			int lines = (tw + box_w - 1) / box_w;
			if (th > box_h || (long)lines * TTF_FontLineSkip(t->font) > box_h) {
				if (px * 94 / 100 == px)
					break;
				continue;
			}
		}
		char balanced[1024];
		int lines = one_line ? text_balance(t, utf8, px, box_w, balanced, sizeof(balanced)) : -1;
		s = TTF_RenderUTF8_Blended_Wrapped(t->font, lines > 1 ? balanced : utf8, colour, (Uint32)box_w);
		if (!s)
			return NULL;
		if (s->w <= box_w && s->h <= box_h)
			return s;
		SDL_FreeSurface(s);
		s = NULL;
		if (px * 94 / 100 == px)
			break;
	}
	/* Even the smallest size overflows: show it cut rather than nothing. */
	TTF_SetFontSize(t->font, 8);
	return TTF_RenderUTF8_Blended_Wrapped(t->font, utf8, colour, (Uint32)box_w);
}
