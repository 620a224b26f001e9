/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_lang: the customers' languages. Each language's texts ship as
 * assets/lang/CODE.ini, one [text] section with the keys of the config's
 * [text] (tally.conf(5)); a config's [text.CODE] overrides them. English
 * is built in (config_defaults.c), so a kiosk with no data files still
 * speaks; assets/lang/en.ini is the translators' template, kept equal to
 * the built-in texts by test_lang.
 *
 * Day and month names, the decimal and thousands separators come from
 * these files too, never from the system's locales: a Pi may have none
 * installed, and then strftime and printf would quietly answer in English.
 */
#include "config.h"
#include "config_validate.h"
#include "sharedir.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int config_language_file(const char *code, char *path, size_t pathlen)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "lang/%s.ini", code);
	return sharedir_find(rel, path, pathlen);
}

/* Trims spaces at both ends in place. */
static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

void config_apply_language_file(struct config *cfg, const char *code, struct config_report *r)
{
	if (!strcmp(code, "en"))
		return; /* built in */
	char path[PATH_MAX];
	if (config_language_file(code, path, sizeof(path))) {
		config_report_add(r, 0, "[kiosk] languages: no texts for \"%s\" (no %s; the shipped languages are in "
					"the lang/ folder beside the fonts)", code, path);
		return;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		config_report_add(r, 0, "%s: cannot read", path);
		return;
	}
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, in_text = 0;
	/* The file's own line numbers go into the message; the report's lines are the config's. */
	struct config_report mine = { .path = path };
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			in_text = !strcmp(s, "[text]");
			if (!in_text)
				config_report_add(&mine, lineno, "only a [text] section belongs here, not %s", s);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq || !in_text) {
			config_report_add(&mine, lineno, "not a \"key = value\" line in [text]");
			continue;
		}
		*eq = '\0';
		char *name = trim(s), *value = trim(eq + 1), why[256];
		if (config_text_set(cfg, name, value, why, sizeof(why)))
			config_report_add(&mine, lineno, "%s", why);
		else
			config_check_text(&mine, lineno, name, value);
	}
	free(line);
	fclose(f);
	if (mine.n) {
		char errs[4096];
		config_report_write(&mine, errs, sizeof(errs));
		for (char *save = NULL, *l = strtok_r(errs, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			config_report_add(r, 0, "language %s: %s", code, l);
	}
}
