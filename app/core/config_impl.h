/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_impl: what the files of the config parser share (config.c the
 * key table and values, config_load.c the file, config_text.c the texts).
 * Nothing outside those files includes it: the rest of Tally uses
 * config.h (and config_validate.h).
 */
#ifndef TALLY_CONFIG_IMPL_H
#define TALLY_CONFIG_IMPL_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "config_validate.h"

enum config_key_type { K_STRING, K_INT, K_SECONDS, K_BOOL, K_ROTATE, K_BIAS, K_HOURS, K_ZONE, K_MODE, K_TIMES, K_OPENING, K_ORDER, K_COLOUR, K_ANSWERS, K_LANGS };

struct config_key {
	const char *section;
	const char *name;
	enum config_key_type type;
	size_t offset;       /* into struct config, or struct button_config */
	size_t size;         /* for K_STRING: buffer size */
	double min, max;     /* for numbers */
};

/* config.c: the keys of the sections with fixed names, and of a [button.N] section. */
extern const struct config_key config_keys[];
extern const size_t config_nkeys;
extern const struct config_key config_button_keys[];
extern const size_t config_nbutton_keys;

/* One file being read: where, what was set on which line, the problems so far. */
struct config_parse {
	struct config *cfg;
	FILE *file;
	int lineno;
	struct config_report report;
	struct config_seen seen;
	char *line;       /* getline buffer */
	size_t linecap;
	/*
	 * [text] and [text.CODE] lines, applied after the whole file is read:
	 * the language's own file goes under them, and [kiosk] languages may
	 * come after them in the file.
	 */
	struct config_text_line {
		char section[24];
		const struct config_key *key;
		char *value;
		int line;
	} *texts;
	int ntexts, captexts;
	struct config scratch; /* where a text is tried before it is kept */
};

#define problem(p, lineno, ...) config_report_add(&(p)->report, (lineno), __VA_ARGS__)

/* config.c: 1 if c is a language code (en, pt-BR). */
int config_lang_code_valid(const char *c);
/* config.c: reads value into k's field of base as k's type says, or adds a problem at p's line. */
void config_set_value(struct config_parse *p, const struct config_key *k, char *base, const char *value);

/* config_load.c: sets one key (config_set_value), refusing a second setting of it in the same section. */
void config_set_key(struct config_parse *p, const struct config_key *k, char *base, const char *section,
		    const char *value);

/* config_text.c: a [text] or [text.CODE] line, tried now and kept for config_apply_texts. */
void config_remember_text(struct config_parse *p, const char *section, const char *name, const char *value);
/* config_text.c: after the whole file, the kept texts of cfg's language over its language file. */
void config_apply_texts(struct config_parse *p, struct config *cfg);

#endif
