/* SPDX-License-Identifier: Apache-2.0 */
/* kiosk_check: glyphs that no configured font has (kiosk_check.h). */
#include "kiosk_check.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

struct glyph_check {
	struct text *text;
	const char *section;  /* "text" or "text.CODE" */
	int warnings;
};

static void check_one(const char *name, const char *value, void *arg)
{
	struct glyph_check *g = arg;
	uint32_t cp = text_missing_glyph(g->text, value);
	if (!cp)
		return;
	char ch[8] = "";
	if (cp < 0x80)
		snprintf(ch, sizeof(ch), "%c", (int)cp);
	else if (cp < 0x800)
		snprintf(ch, sizeof(ch), "%c%c", 0xc0 | (int)(cp >> 6), 0x80 | (int)(cp & 0x3f));
	else if (cp < 0x10000)
		snprintf(ch, sizeof(ch), "%c%c%c", 0xe0 | (int)(cp >> 12), 0x80 | (int)(cp >> 6 & 0x3f), 0x80 | (int)(cp & 0x3f));
	else
		snprintf(ch, sizeof(ch), "%c%c%c%c", 0xf0 | (int)(cp >> 18), 0x80 | (int)(cp >> 12 & 0x3f),
			 0x80 | (int)(cp >> 6 & 0x3f), 0x80 | (int)(cp & 0x3f));
	printf("warning: [%s] %s: \"%s\" (U+%04X) is in no configured font ([screen] font, fallback_font): "
	       "it would draw as an empty box\n", g->section, name, ch, (unsigned)cp);
	g->warnings++;
}

int kiosk_check_config(const struct config *cfg, const char *config_path)
{
	char err[CONFIG_PATH_MAX + 256];
	struct glyph_check g = { 0 };
	if (text_open(&g.text, cfg->font, err, sizeof(err)) != 0) {
		fprintf(stderr, "tally-kiosk: %s\n", err);
		return 1;
	}
	if (text_set_fallback(g.text, cfg->fallback_font, err, sizeof(err)) != 0)
		printf("warning: %s\n", err);
	if (!text_shaping(g.text))
		printf("warning: this SDL_ttf has no HarfBuzz: Arabic and Hebrew would draw unjoined, left to right\n");
	int rc = 0;
	static struct config lang;
	static char errs[8192];
	for (int i = 0; i < cfg->nlanguages; i++) {
		const struct config *c = cfg;
		if (i > 0) {
			if (config_load_language(&lang, config_path, i, errs, sizeof(errs)) != 0) {
				fputs(errs, stdout);
				rc = 2;
				continue;
			}
			c = &lang;
		}
		char section[CONFIG_LANG_MAX + 8];
		snprintf(section, sizeof(section), "text.%s", cfg->languages[i]);
		g.section = section;
		config_each_text(c, check_one, &g);
	}
	if (!g.warnings && !rc)
		printf("%s: ok (%d language%s, every character in a font)\n", config_path ? config_path : "built-in defaults",
		       cfg->nlanguages, cfg->nlanguages == 1 ? "" : "s");
	text_close(g.text);
	SDL_Quit();
	return rc;
}
