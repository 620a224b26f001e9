/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_validate: the rules a config must keep beyond each value's type
 * (a kiosk id's characters, a PIN's digits, a URL's scheme, a font that
 * exists, the placeholders a text may name, buttons against faces), and
 * the list of problems both the parser (config_load.c, config.c,
 * config_text.c) and these rules add to.
 *
 * Every problem carries the line of the key it is about, so an admin sees
 * "file:12: ..." for a rule as for a typo; the list is written sorted by
 * line, every problem in one pass.
 */
#ifndef TALLY_CONFIG_VALIDATE_H
#define TALLY_CONFIG_VALIDATE_H

#include <stddef.h>

#include "config.h"

/* Where each key was set in the file: its line, and whether its value was refused. */
#define CONFIG_SEEN_MAX 1024 /* [text.CODE] for a few languages, each with its texts */
struct config_seen {
	int n;
	struct {
		char section[16];   /* "kiosk", "button.2" */
		char name[32];      /* "": the [section] header itself */
		int line;
		int bad;            /* the value was refused: rules about it are not checked */
	} key[CONFIG_SEEN_MAX];
};

/* The line key was set on; 0 when the file does not set it, -1 when its value was refused. */
int config_seen_line(const struct config_seen *seen, const char *section, const char *name);

/* Problems found so far, kept until written. */
struct config_report {
	const char *path;
	int n;
	size_t cap;
	struct config_problem {
		int line;           /* 0: about the file as a whole, or built-in defaults */
		int order;          /* found n-th: ties on a line keep this order */
		char *message;
	} *items;
};

/* Adds a problem at line (0: none). */
void config_report_add(struct config_report *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Writes the problems sorted by line, "path:line: message\n" each ("path:
 * message" without a line), to errs (truncated to errlen), frees them, and
 * returns how many there were.
 */
int config_report_write(struct config_report *r, char *errs, size_t errlen);

/*
 * Checks cfg against the rules. seen tells where keys were set (lines in
 * messages; NULL: nothing came from a file, the built-in defaults).
 */
void config_check(const struct config *cfg, const struct config_seen *seen, struct config_report *r);

/* Checks one text's value (its placeholders, a date format's fields); problems at line. */
void config_check_text(struct config_report *r, int line, const char *key, const char *value);

/* Sets the [text] key name to value in cfg (config.c's table). 0, or -1 with why. */
int config_text_set(struct config *cfg, const char *name, const char *value, char *why, size_t whylen);

/*
 * Puts the texts of language code's file (config_language_file) into cfg;
 * English is built in and needs none. A missing file or a bad line in it
 * is a problem.
 */
void config_apply_language_file(struct config *cfg, const char *code, struct config_report *r);

#endif
