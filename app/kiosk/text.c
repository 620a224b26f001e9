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
		if (one_line && TTF_SizeUTF8(t->font, utf8, &tw, &th) == 0) {
			int lines = (tw + box_w - 1) / box_w;
			if (th > box_h || (long)lines * TTF_FontLineSkip(t->font) > box_h) {
				if (px * 94 / 100 == px)
					break;
				continue;
			}
		}
		s = TTF_RenderUTF8_Blended_Wrapped(t->font, utf8, colour, (Uint32)box_w);
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
