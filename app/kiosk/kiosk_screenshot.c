/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_screenshot: the screens as a PNG, for the manual, the packaging
 * check and tests. The customer's screens are painted as the kiosk paints
 * them; the staff screens read their figures from the database, read-only.
 */
#include "kiosk_screenshot.h"

#include <SDL.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "screen.h"
#include "snapshot.h"
#include "staff_view.h"
#include "text.h"

/*
 * The end-of-shift screen as the kiosk shows it at now_ms: the day's
 * latest shift that has ended by then.
 */
static int shoot_shift_end(struct staff_view *v, SDL_Surface *canvas, const struct staff_data *d, int64_t now_ms)
{
	const struct shift_day *day = &d->shifts.day;
	int pick = -1;
	for (int i = 0; i < day->n; i++)
		if (day->shift[i].occ.end_ms <= now_ms)
			pick = i;
	if (!d->shifts.have || pick < 0) {
		fprintf(stderr, "tally-kiosk: no shift has ended by then ([shifts], --now)\n");
		return -1;
	}
	staff_view_paint_shift_end(v, canvas, &day->shift[pick]);
	return 0;
}

/*
 * The staff screens for a screenshot: figures from the database, read-only;
 * an empty day when there is no database yet (never one made for a picture).
 */
static int shoot_staff(const struct config *cfg, struct text *text, SDL_Surface *canvas, enum screen_name which,
		       int64_t now_ms)
{
	struct staff_view *v = staff_view_new(cfg, text, canvas->w, canvas->h);
	struct staff_data *d = calloc(1, sizeof(*d));
	sqlite3 *db = NULL;
	char err[CONFIG_PATH_MAX + 512] = "out of memory";
	int rc = -1;
	if (v && d && which == SCREEN_PIN) {
		staff_view_paint_pin(v, canvas, 2, 0);
		rc = 0;
	} else if (v && d && staff_data_open(&db, cfg->database, err, sizeof(err)) == 0 &&
		   staff_data_load(d, db, cfg, now_ms, err, sizeof(err)) == 0) {
		if (!db) /* a fresh machine: the screen as it looks before the first rating */
			fprintf(stderr, "tally-kiosk: no database at %s yet: drawing an empty day\n", cfg->database);
		rc = 0;
		if (which == SCREEN_STAFF) {
			staff_view_set_data(v, d);
			staff_view_paint(v, canvas);
		} else if (which == SCREEN_SHIFT_END) {
			/* Its failure was overwritten with 0 before (scan-build); it says why itself. */
			rc = shoot_shift_end(v, canvas, d, now_ms);
			err[0] = '\0';
		} else {
			staff_view_paint_display(v, canvas, d, 0);
		}
	}
	if (rc && err[0])
		fprintf(stderr, "tally-kiosk: %s\n", err);
	sqlite3_close(db);
	free(d);
	staff_view_free(v);
	return rc;
}

/*
 * Every language's config (names for the buttons; the texts of the one
 * shown). 0, or -1 when language is not in [kiosk] languages or cannot be read.
 */
static int load_languages(const struct config *cfg, const char *config_path, const char *language,
			  struct config **langs, int *shown)
{
	static char errs[8192];
	*shown = 0;
	for (int i = 0; i < cfg->nlanguages; i++) {
		if (language && !strcmp(language, cfg->languages[i]))
			*shown = i;
		if (i == 0)
			continue;
		langs[i] = malloc(sizeof(*langs[i]));
		if (!langs[i] || config_load_language(langs[i], config_path, i, errs, sizeof(errs)) != 0) {
			fprintf(stderr, "tally-kiosk: language %s: %s", cfg->languages[i], langs[i] ? errs : "out of memory\n");
			return -1;
		}
	}
	if (language && strcmp(language, cfg->languages[*shown])) {
		fprintf(stderr, "tally-kiosk: --language %s is not in [kiosk] languages\n", language);
		return -1;
	}
	return 0;
}

int kiosk_screenshot(const struct config *cfg, const char *config_path, const char *language, const char *name,
		     int w, int h, const char *path, int64_t clock_offset_ms)
{
	enum screen_name which;
	if (screen_parse_name(name, &which) != 0) {
		fprintf(stderr, "tally-kiosk: unknown screen \"%s\" (rating, thanks, out-of-order, staff, pin, display, shift-end, question)\n",
			name);
		return 2;
	}
	char err[512];
	struct text *text = NULL;
	if (text_open(&text, cfg->font, err, sizeof(err)) != 0)
		fprintf(stderr, "tally-kiosk: %s (drawing without text)\n", err);
	else if (text_set_fallback(text, cfg->fallback_font, err, sizeof(err)) != 0)
		fprintf(stderr, "tally-kiosk: %s\n", err);
	struct config *langs[CONFIG_MAX_LANGS] = { 0 };
	int shown;
	if (load_languages(cfg, config_path, language, langs, &shown) != 0) {
		for (int i = 0; i < CONFIG_MAX_LANGS; i++)
			free(langs[i]);
		text_close(text);
		return 2;
	}
	const struct config *texts = shown ? langs[shown] : cfg;
	int lw, lh;
	layout_logical_size(cfg->rotate, w, h, &lw, &lh);
	SDL_Surface *canvas = SDL_CreateRGBSurfaceWithFormat(0, lw, lh, 32, SDL_PIXELFORMAT_ARGB8888);
	struct screen *s = canvas ? screen_new(cfg, text, lw, lh) : NULL;
	int code = 1;
	if (s) {
		const char *names[CONFIG_MAX_LANGS];
		for (int i = 0; i < cfg->nlanguages; i++)
			names[i] = i ? langs[i]->t_language_name : cfg->t_language_name;
		screen_set_language_names(s, names, cfg->nlanguages);
		screen_set_language(s, texts, shown);
		/* The question: the answers after a negative rating where there are any (the usual case). */
		struct screen_state st = { .name = which, .highlight = -1, .chosen = cfg->faces - 1,
					   .question_positive = cfg->followup_negative.n == 0, .answer_lit = -1,
					   .detail = "tally.db: database is corrupt, left untouched" };
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
		int painted = 0;
		if (which == SCREEN_STAFF || which == SCREEN_PIN || which == SCREEN_DISPLAY || which == SCREEN_SHIFT_END)
			painted = shoot_staff(texts, text, canvas, which, now) == 0;
		else {
			screen_paint(s, canvas, &st);
			painted = 1;
		}
		if (painted && snapshot_save_png(canvas, path, err, sizeof(err)) == 0)
			code = 0;
		else if (painted)
			fprintf(stderr, "tally-kiosk: %s\n", err);
	} else {
		fprintf(stderr, "tally-kiosk: out of memory for a %dx%d screen\n", lw, lh);
	}
	screen_free(s);
	for (int i = 0; i < CONFIG_MAX_LANGS; i++)
		free(langs[i]);
	SDL_FreeSurface(canvas);
	text_close(text);
	SDL_Quit();
	return code;
}
