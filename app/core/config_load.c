/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_load: reading tally.conf, each key to its row of config.c's
 * table; the texts go to config_text.c, the rules across keys to
 * config_validate.c. Apart from the table because how a file is read
 * (lines, sections, comments, what is refused where) is a job of its own.
 *
 * inih does the INI syntax; we feed it through our own line reader so that
 * we know the line number of every key (inih's handler is not told it),
 * can refuse an unknown section header even when it holds no keys, refuse
 * a line that is not INI without stopping there, and cut comments the way
 * tally.conf(5) says: a line starting with # or ; is a comment, and so is
 * the rest of a line from a # or ; that follows a space or tab.
 */
#include "config.h"
#include "config_impl.h"
#include "tzday.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Remembers that section/name was set on this line; the index, or -1 when the table is full. */
static int remember(struct config_parse *p, const char *section, const char *name)
{
	if (p->seen.n == CONFIG_SEEN_MAX)
		return -1;
	int i = p->seen.n++;
	/* Sections and names are checked against our tables first: they fit. */
	snprintf(p->seen.key[i].section, sizeof(p->seen.key[i].section), "%.15s", section);
	snprintf(p->seen.key[i].name, sizeof(p->seen.key[i].name), "%.31s", name);
	p->seen.key[i].line = p->lineno;
	p->seen.key[i].bad = 0;
	return i;
}

static int parse_button_section(const char *section)
{
	if (strncmp(section, "button.", 7) != 0)
		return 0;
	const char *n = section + 7;
	if (n[0] < '1' || n[0] > '0' + CONFIG_MAX_BUTTONS || n[1] != '\0')
		return -1;
	return n[0] - '0';
}

/* "text.de": the texts of one language. */
static int text_section(const char *section)
{
	return !strncmp(section, "text.", 5) && config_lang_code_valid(section + 5);
}

static int section_known(const char *section)
{
	if (parse_button_section(section) > 0 || !strcmp(section, "shifts") || text_section(section))
		return 1;
	for (size_t i = 0; i < config_nkeys; i++)
		if (config_keys[i].section[0] == section[0] && strcmp(config_keys[i].section, section) == 0)
			return 1;
	return 0;
}

/* Cuts a comment off line: from a # or ; at its start or after a space or tab. */
static void cut_comment(char *line)
{
	for (char *c = line; *c; c++)
		if ((*c == '#' || *c == ';') && (c == line || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
}

/*
 * inih's reader: one line at a time, so p->lineno is the line it parses.
 * inih's line buffer is fixed (200 bytes in Debian's build); a longer line
 * is refused here rather than silently cut. A line inih would stop at is
 * refused here too and handed over blank, so the lines after it are read.
 */
static char *reader(char *buf, int size, void *stream)
{
	struct config_parse *p = stream;
	ssize_t n = getline(&p->line, &p->linecap, p->file);
	if (n < 0)
		return NULL;
	p->lineno++;
	buf[0] = '\0';
	if (n >= size - 2) {
		problem(p, p->lineno, "line is longer than %d characters", size - 3);
		return buf;
	}
	char *s = p->line;
	while (isspace((unsigned char)*s))
		s++;
	cut_comment(s);
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	if (len == 0)
		return buf;
	if (*s == '[') {
		char *end = strchr(s, ']');
		if (!end || end[1] != '\0') {
			problem(p, p->lineno, "not a [section] header: \"%s\"", s);
			return buf;
		}
		/* A section header names a section we must know, keys or not. */
		char name[CONFIG_NAME_MAX];
		snprintf(name, sizeof(name), "%.*s", (int)(end - s - 1), s + 1);
		if (parse_button_section(name) < 0)
			problem(p, p->lineno, "unknown section [%s] (buttons are [button.1] to [button.%d], from the left)", name, CONFIG_MAX_BUTTONS);
		else if (!section_known(name))
			problem(p, p->lineno, "unknown section [%s]", name);
		else if (config_seen_line(&p->seen, name, "") == 0)
			remember(p, name, "");
	} else if (!strchr(s, '=') || s[0] == '=') {
		problem(p, p->lineno, "not a \"key = value\" line or a [section] header");
		return buf;
	}
	memcpy(buf, s, len + 1);
	return buf;
}

/* Sets one key: refuses a second setting of it, and marks it bad when its value is refused. */
void config_set_key(struct config_parse *p, const struct config_key *k, char *base, const char *section,
		    const char *value)
{
	int first = config_seen_line(&p->seen, section, k->name);
	if (first != 0) {
		for (int i = 0; i < p->seen.n; i++)
			if (!strcmp(p->seen.key[i].section, section) && !strcmp(p->seen.key[i].name, k->name))
				first = p->seen.key[i].line;
		problem(p, p->lineno, "%s is set twice in [%s] (first on line %d): keep one", k->name, section, first);
		return;
	}
	int at = remember(p, section, k->name);
	int before = p->report.n;
	config_set_value(p, k, base, value);
	if (p->report.n != before && at >= 0)
		p->seen.key[at].bad = 1;
}

/* [shifts]: every key is a shift name or a date (shifts.h), so it has no table row. */
static void parse_shift_line(struct config_parse *p, const char *name, const char *value)
{
	char err[512];
	if (shifts_add_line(&p->cfg->shifts, name, value, p->lineno, err, sizeof(err)))
		problem(p, p->lineno, "%s", err);
}

/* [hours] YYYY-MM-DD = HH:MM-HH:MM | closed: that date instead of its weekday. */
static void parse_dated_hours(struct config_parse *p, const char *name, const char *value)
{
	struct config *cfg = p->cfg;
	struct hours_dated d;
	if (tzday_parse_date(name, &d.date)) {
		problem(p, p->lineno, "unknown key \"%s\" in [hours] (a weekday sun..sat, or a date YYYY-MM-DD)", name);
		return;
	}
	if (hours_parse(value, &d.h)) {
		problem(p, p->lineno, "%s must be HH:MM-HH:MM, \"closed\", or empty for all day, not \"%s\"", name, value);
		return;
	}
	for (int i = 0; i < cfg->hours_ndated; i++)
		if (!memcmp(&cfg->hours_dated[i].date, &d.date, sizeof(d.date))) {
			problem(p, p->lineno, "%s is given twice", name);
			return;
		}
	if (cfg->hours_ndated == HOURS_MAX_DATED) {
		problem(p, p->lineno, "at most %d dated lines in [hours]", HOURS_MAX_DATED);
		return;
	}
	cfg->hours_dated[cfg->hours_ndated++] = d;
}

static void shift_problem(void *arg, int line, const char *message)
{
	struct config_parse *p = arg;
	problem(p, line, "%s", message);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_parse *p = user;
	int button = parse_button_section(section);
	if (button < 0)
		return 1; /* already reported at the header */
	if (button > 0) {
		struct button_config *b = &p->cfg->button[button - 1];
		b->configured = 1;
		for (size_t i = 0; i < config_nbutton_keys; i++)
			if (!strcmp(config_button_keys[i].name, name)) {
				config_set_key(p, &config_button_keys[i], (char *)b, section, value);
				return 1;
			}
		problem(p, p->lineno, "unknown key \"%s\" in [%s]", name, section);
		return 1;
	}
	if (!section_known(section)) {
		if (section[0] == '\0')
			problem(p, p->lineno, "key \"%s\" is outside any section", name);
		return 1; /* an unknown section was reported at its header */
	}
	if (!strcmp(section, "shifts")) {
		parse_shift_line(p, name, value);
		return 1;
	}
	if (!strcmp(section, "hours") && isdigit((unsigned char)name[0])) {
		parse_dated_hours(p, name, value);
		return 1;
	}
	if (!strcmp(section, "text") || text_section(section)) {
		config_remember_text(p, section, name, value);
		return 1;
	}
	if (!strcmp(section, "kiosk") && !strcmp(name, "locale")) {
		problem(p, p->lineno, "locale is gone: numbers, dates and texts follow [kiosk] languages and their "
				      "files (assets/lang/CODE.ini), never the system's locales; remove the line");
		return 1;
	}
	/* The first bytes rule out most rows without a call (each line of the file walks the table). */
	for (size_t i = 0; i < config_nkeys; i++)
		if (config_keys[i].name[0] == name[0] && config_keys[i].section[0] == section[0] && !strcmp(config_keys[i].section, section) &&
		    !strcmp(config_keys[i].name, name)) {
			config_set_key(p, &config_keys[i], (char *)p->cfg, section, value);
			return 1;
		}
	problem(p, p->lineno, "unknown key \"%s\" in [%s]", name, section);
	return 1;
}

int config_load(struct config *cfg, const char *path, char *errs, size_t errlen)
{
	static struct config_parse zero;
	struct config_parse *p = malloc(sizeof(*p)); /* the seen table is large for a thread's stack */
	if (!p) {
		snprintf(errs, errlen, "%s: out of memory while reading\n", path);
		return 1;
	}
	*p = zero;
	p->cfg = cfg;
	p->report.path = path;
	p->file = fopen(path, "r");
	if (!p->file) {
		int e = errno;
		struct stat st;
		struct group *gr;
		/* The installed config is root:tally 0640 (it holds the token): say who may read it. */
		if (e == EACCES && stat(path, &st) == 0 && (gr = getgrgid(st.st_gid)))
			problem(p, 0, "cannot open: %s (mode %04o, group %s: run as root or as a member of group %s)",
				strerror(e), (unsigned)(st.st_mode & 07777), gr->gr_name, gr->gr_name);
		else
			problem(p, 0, "cannot open: %s", strerror(e));
	} else {
		/* Continuation lines would make our line count lie; keep one key per line. */
		ini_allow_multiline = 0;
		/* reader hands inih only lines it can take: anything else was reported there. */
		if (ini_parse_stream(reader, p, handler, p) < 0)
			problem(p, 0, "out of memory while reading");
		fclose(p->file);
		config_apply_texts(p, cfg);
		shifts_check(&cfg->shifts, shift_problem, p);
		config_check(cfg, &p->seen, &p->report);
	}
	free(p->line);
	for (int i = 0; i < p->ntexts; i++)
		free(p->texts[i].value);
	free(p->texts);
	int n = config_report_write(&p->report, errs, errlen);
	free(p);
	return n;
}

int config_load_language(struct config *cfg, const char *path, int lang, char *errs, size_t errlen)
{
	config_defaults(cfg);
	cfg->language = lang;
	if (path)
		return config_load(cfg, path, errs, errlen);
	/* No file: the built-in list of languages, and the language's own file. */
	struct config_report r = { .path = "built-in defaults" };
	if (lang < 0 || lang >= cfg->nlanguages)
		config_report_add(&r, 0, "[kiosk] languages has no language number %d", lang + 1);
	else
		config_apply_language_file(cfg, cfg->languages[lang], &r);
	return config_report_write(&r, errs, errlen);
}

int config_reload(struct config *next, const char *path, char *why, size_t whylen)
{
	char errs[8192];
	config_defaults(next);
	int problems = config_load(next, path, errs, sizeof(errs));
	if (problems) {
		errs[strcspn(errs, "\n")] = '\0';
		snprintf(why, whylen, "%s%s", errs, problems > 1 ? " (and more: tallyctl check-config)" : "");
	}
	return problems;
}
