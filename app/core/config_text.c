/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_text: the texts on screen from tally.conf's [text] (the first
 * language's) and [text.CODE] sections. Each line is tried when it is
 * read (config_load.c hands it over) and applied once the whole file is:
 * the language's own file (config_lang.c) goes under them, and [kiosk]
 * languages may come after them in the file. Apart from the table and the
 * reader because of that second pass, and because the kiosk sets texts
 * by name too (config_text_set).
 */
#include "config.h"
#include "config_impl.h"
#include "followup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A [text] or [text.CODE] line: its value tried on the scratch config, kept to be applied after the file. */
void config_remember_text(struct config_parse *p, const char *section, const char *name, const char *value)
{
	const struct config_key *k = NULL;
	for (size_t i = 0; i < config_nkeys && !k; i++)
		if (!strcmp(config_keys[i].section, "text") && !strcmp(config_keys[i].name, name))
			k = &config_keys[i];
	if (!k) {
		problem(p, p->lineno, "unknown key \"%s\" in [%s]", name, section);
		return;
	}
	int before = p->report.n;
	config_set_key(p, k, (char *)&p->scratch, section, value);
	if (p->report.n != before)
		return;
	config_check_text(&p->report, p->lineno, name, value);
	if (p->ntexts == p->captexts) {
		int cap = p->captexts ? p->captexts * 2 : 32;
		struct config_text_line *t = realloc(p->texts, (size_t)cap * sizeof(*t));
		if (!t) {
			problem(p, p->lineno, "out of memory while reading");
			return;
		}
		p->texts = t;
		p->captexts = cap;
	}
	struct config_text_line *t = &p->texts[p->ntexts];
	snprintf(t->section, sizeof(t->section), "%s", section);
	t->key = k;
	t->line = p->lineno;
	if (!(t->value = strdup(value))) {
		problem(p, p->lineno, "out of memory while reading");
		return;
	}
	p->ntexts++;
}

void config_each_text(const struct config *cfg, void (*fn)(const char *name, const char *value, void *arg), void *arg)
{
	for (size_t i = 0; i < config_nkeys; i++) {
		if (strcmp(config_keys[i].section, "text"))
			continue;
		if (config_keys[i].type == K_ANSWERS) {
			/* A list of follow-up answers: each answer is a text of its own. */
			const struct config_answers *a = (const void *)((const char *)cfg + config_keys[i].offset);
			for (int j = 0; j < a->n; j++)
				fn(config_keys[i].name, a->text[j], arg);
		} else {
			fn(config_keys[i].name, (const char *)cfg + config_keys[i].offset, arg);
		}
	}
}

/* Puts a [text] key's value into cfg as its type says: a string, or a list of answers. 0, or -1 with why. */
static int text_store(struct config *cfg, const struct config_key *k, const char *value, char *why, size_t whylen)
{
	char *field = (char *)cfg + k->offset;
	if (k->type == K_ANSWERS) {
		char msg[160];
		if (followup_parse_answers(value, (struct config_answers *)(void *)field, msg, sizeof(msg))) {
			snprintf(why, whylen, "%s: %s", k->name, msg);
			return -1;
		}
		return 0;
	}
	if (strlen(value) >= k->size) {
		snprintf(why, whylen, "%s is too long (at most %zu bytes)", k->name, k->size - 1);
		return -1;
	}
	memcpy(field, value, strlen(value) + 1);
	return 0;
}

int config_text_set(struct config *cfg, const char *name, const char *value, char *why, size_t whylen)
{
	for (size_t i = 0; i < config_nkeys; i++)
		if (!strcmp(config_keys[i].section, "text") && !strcmp(config_keys[i].name, name))
			return text_store(cfg, &config_keys[i], value, why, whylen);
	snprintf(why, whylen, "unknown key \"%s\" in [text]", name);
	return -1;
}

/*
 * The texts in cfg->language: its file over the built-in English, then the
 * config's [text] (the first language's) and [text.CODE] over that.
 */
void config_apply_texts(struct config_parse *p, struct config *cfg)
{
	for (int i = 0; i < p->ntexts; i++) {
		const char *code = p->texts[i].section + 4;
		int known = !*code;
		for (int l = 0; l < cfg->nlanguages && !known; l++)
			known = !strcmp(code + 1, cfg->languages[l]);
		if (!known)
			problem(p, p->texts[i].line, "[%s]: %s is not in [kiosk] languages", p->texts[i].section, code + 1);
	}
	/* Every language must have its texts, whichever one is read now: check-config says so before a customer could. */
	int langs_line = config_seen_line(&p->seen, "kiosk", "languages");
	for (int l = 0; l < cfg->nlanguages && langs_line >= 0; l++) {
		char path[CONFIG_PATH_MAX];
		if (l != cfg->language && strcmp(cfg->languages[l], "en") &&
		    config_language_file(cfg->languages[l], path, sizeof(path)))
			problem(p, langs_line, "languages: no texts for \"%s\" (no %s)", cfg->languages[l], path);
	}
	if (cfg->language < 0 || cfg->language >= cfg->nlanguages) {
		problem(p, 0, "[kiosk] languages has no language number %d", cfg->language + 1);
		return;
	}
	const char *lang = cfg->languages[cfg->language];
	config_apply_language_file(cfg, lang, &p->report);
	char own[32];
	snprintf(own, sizeof(own), "text.%s", lang);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < p->ntexts; i++) {
			const struct config_text_line *t = &p->texts[i];
			char why[256];
			/* Checked already (remember_text tried it on the scratch config): cannot fail here. */
			if ((pass == 0 ? cfg->language == 0 && !strcmp(t->section, "text") : !strcmp(t->section, own)) &&
			    text_store(cfg, t->key, t->value, why, sizeof(why)))
				problem(p, t->line, "%s", why);
		}
}
