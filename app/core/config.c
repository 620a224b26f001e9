/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config: a table of keys (section, name, type, where it lives in struct
 * config, allowed range) drives the parser, so adding a setting is one row.
 *
 * inih does the INI syntax; we feed it through our own line reader so that
 * we know the line number of every key (inih's handler is not told it),
 * can refuse an unknown section header even when it holds no keys, refuse
 * a line that is not INI without stopping there, and cut comments the way
 * tally.conf(5) says: a line starting with # or ; is a comment, and so is
 * the rest of a line from a # or ; that follows a space or tab. Rules
 * across keys are in config_validate.c, the built-in defaults in
 * config_defaults.c.
 */
#include "config.h"
#include "config_validate.h"
#include "followup.h"
#include "shift_stats.h"
#include "tzday.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum key_type { K_STRING, K_INT, K_SECONDS, K_BOOL, K_ROTATE, K_BIAS, K_HOURS, K_ZONE, K_MODE, K_TIMES, K_OPENING, K_ORDER, K_COLOUR, K_ANSWERS, K_LANGS };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;       /* into struct config, or struct button_config */
	size_t size;         /* for K_STRING: buffer size */
	double min, max;     /* for numbers */
};

#define STR(sec, name, field) { sec, name, K_STRING, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0 }
#define NUM(sec, name, type, field, lo, hi) { sec, name, type, offsetof(struct config, field), 0, lo, hi }
#define BSTR(name, field) { "button", name, K_STRING, offsetof(struct button_config, field), sizeof(((struct button_config *)0)->field), 0, 0 }
#define BNUM(name, type, field, lo, hi) { "button", name, type, offsetof(struct button_config, field), 0, lo, hi }

static const struct key keys[] = {
	STR("kiosk", "id", kiosk_id),
	STR("kiosk", "store", store),
	STR("kiosk", "area", area),
	/* An IANA name the C library can load: glibc would silently count days in UTC. */
	{ "kiosk", "timezone", K_ZONE, offsetof(struct config, timezone), sizeof(((struct config *)0)->timezone), 0, 0 },
	STR("kiosk", "database", database),
	STR("kiosk", "run_dir", run_dir),
	NUM("kiosk", "mode", K_MODE, mode, 0, 1),
	/* The customers' languages, codes of assets/lang/CODE.ini; the first is the default and the staff's. */
	{ "kiosk", "languages", K_LANGS, offsetof(struct config, languages), 0, 0, 0 },
	STR("staff", "pin", staff_pin),
	NUM("staff", "view_at", K_TIMES, staff_view_at, 0, 0),
	NUM("staff", "view_s", K_SECONDS, staff_view_s, 3, 3600),
	NUM("staff", "corner_hold_s", K_SECONDS, staff_corner_hold_s, 0.5, 10),
	NUM("staff", "hours", K_HOURS, staff_hours, 0, 24),
	NUM("staff", "summary_max_age_s", K_SECONDS, staff_summary_max_age_s, 60, 7 * 86400),
	NUM("staff", "shift_end", K_BOOL, shift_end, 0, 1),
	NUM("staff", "shift_end_s", K_SECONDS, shift_end_s, 3, 600),
	NUM("staff", "shift_end_grace_s", K_SECONDS, shift_end_grace_s, 0, 86400),
	NUM("staff", "shift_weeks", K_INT, shift_weeks, 2, SHIFT_STATS_MAX_WEEKS),
	NUM("staff", "shift_min_ratings", K_INT, shift_min_ratings, 1, 1000),
	NUM("display", "refresh_s", K_SECONDS, display_refresh_s, 1, 3600),
	NUM("display", "page_s", K_SECONDS, display_page_s, 2, 600),
	NUM("screen", "faces", K_INT, faces, 3, 5),
	NUM("screen", "face_order", K_ORDER, face_order, 0, 1),
	NUM("screen", "rotate", K_ROTATE, rotate, 0, 270),
	NUM("screen", "thanks_s", K_SECONDS, thanks_s, 0.2, 60),
	NUM("screen", "highlight_s", K_SECONDS, highlight_s, 0, 2),
	NUM("screen", "closed_wake_s", K_SECONDS, closed_wake_s, 1, 60),
	NUM("screen", "choose_again_s", K_SECONDS, choose_again_s, 0.5, 10),
	NUM("screen", "followup_s", K_SECONDS, followup_s, 2, 120),
	STR("screen", "font", font),
	STR("screen", "fallback_font", fallback_font),
	NUM("screen", "language_rotate_s", K_SECONDS, language_rotate_s, 0, 3600),
	NUM("screen", "language_return_s", K_SECONDS, language_return_s, 1, 3600),
	STR("screen", "logo", logo),
	NUM("screen", "background", K_COLOUR, background, 0, 0),
	NUM("screen", "text_colour", K_COLOUR, text_colour, 0, 0),
	STR("text", "language_name", t_language_name),
	STR("text", "decimal_separator", t_decimal_separator),
	STR("text", "months", t_months),
	STR("text", "question", question),
	STR("text", "thanks", thanks),
	STR("text", "out_of_order", out_of_order),
	STR("text", "closed", t_closed),
	STR("text", "closed_day", t_closed_day),
	STR("text", "choose_again", t_choose_again),
	STR("text", "followup", t_followup),
	NUM("text", "followup_positive", K_ANSWERS, followup_positive, 0, 0),
	NUM("text", "followup_negative", K_ANSWERS, followup_negative, 0, 0),
	STR("text", "top_reasons", t_top_reasons),
	STR("text", "staff_title", t_staff_title),
	STR("text", "display_title", t_display_title),
	STR("text", "date_format", t_date_format),
	STR("text", "ratings", t_ratings),
	STR("text", "positive", t_positive),
	STR("text", "happy_index", t_happy_index),
	STR("text", "per_hour", t_per_hour),
	STR("text", "today", t_today),
	STR("text", "yesterday", t_yesterday),
	STR("text", "last_weekday", t_last_weekday),
	STR("text", "store", t_store),
	STR("text", "chain", t_chain),
	STR("text", "as_of", t_as_of),
	STR("text", "no_figures", t_no_figures),
	STR("text", "close_hint", t_close_hint),
	STR("text", "pin_prompt", t_pin_prompt),
	STR("text", "pin_wrong", t_pin_wrong),
	STR("text", "page", t_page),
	STR("text", "weekdays", t_weekdays),
	STR("text", "thousands_separator", t_thousands_separator),
	STR("text", "time_unknown", t_time_unknown),
	STR("text", "summary_no_ratings", t_summary_no_ratings),
	STR("text", "summary_alone", t_summary_alone),
	STR("text", "summary_above", t_summary_above),
	STR("text", "summary_below", t_summary_below),
	STR("text", "summary_same", t_summary_same),
	STR("text", "summary_today", t_summary_today),
	STR("text", "summary_yesterday", t_summary_yesterday),
	STR("text", "summary_last_weekday", t_summary_last_weekday),
	STR("text", "summary_point", t_summary_point),
	STR("text", "summary_points", t_summary_points),
	STR("text", "shift_so_far", t_shift_so_far),
	STR("text", "shift_title", t_shift_title),
	STR("text", "shift_figures", t_shift_figures),
	STR("text", "shift_no_ratings", t_shift_no_ratings),
	STR("text", "shift_best", t_shift_best),
	STR("text", "shift_worst", t_shift_worst),
	STR("text", "shift_above", t_shift_above),
	STR("text", "shift_below", t_shift_below),
	STR("text", "shift_same", t_shift_same),
	STR("text", "shift_last_week", t_shift_last_week),
	STR("text", "shift_average", t_shift_average),
	STR("text", "no_shift", t_no_shift),
	STR("text", "shift_time_unknown", t_shift_time_unknown),
	NUM("hours", "sun", K_OPENING, hours[0], 0, 0),
	NUM("hours", "mon", K_OPENING, hours[1], 0, 0),
	NUM("hours", "tue", K_OPENING, hours[2], 0, 0),
	NUM("hours", "wed", K_OPENING, hours[3], 0, 0),
	NUM("hours", "thu", K_OPENING, hours[4], 0, 0),
	NUM("hours", "fri", K_OPENING, hours[5], 0, 0),
	NUM("hours", "sat", K_OPENING, hours[6], 0, 0),
	NUM("filter", "response_interval_s", K_SECONDS, response_interval_s, 0, 3600),
	NUM("buttons", "stuck_after_s", K_SECONDS, stuck_after_s, 1, 3600),
	NUM("buttons", "staff_hold_s", K_SECONDS, staff_hold_s, 0.5, 60),
	STR("buttons", "status_led_chip", status_led_chip),
	NUM("buttons", "status_led_line", K_INT, status_led_line, -1, 1023),
	STR("sync", "url", sync_url),
	STR("sync", "token", sync_token),
	NUM("sync", "batch_size", K_INT, sync_batch_size, 1, 5000),
	NUM("sync", "retention_days", K_INT, sync_retention_days, 1, 3650),
	STR("sync", "ca_file", sync_ca_file),
	NUM("sync", "connect_timeout_s", K_SECONDS, sync_connect_timeout_s, 0.1, 300),
	NUM("sync", "timeout_s", K_SECONDS, sync_timeout_s, 0.5, 3600),
	NUM("sync", "summary_every_s", K_SECONDS, sync_summary_every_s, 0, 86400),
	STR("hq", "listen", hq_listen),
	STR("hq", "database", hq_database),
	STR("hq", "tls_cert", hq_tls_cert),
	STR("hq", "tls_key", hq_tls_key),
	NUM("hq", "max_batch", K_INT, hq_max_batch, 1, 5000),
	NUM("hq", "threads", K_INT, hq_threads, 0, 64),
	NUM("hq", "connection_timeout_s", K_SECONDS, hq_connection_timeout_s, 1, 3600),
	NUM("hq", "session_hours", K_INT, hq_session_hours, 1, 720),
	NUM("hq", "session_idle_minutes", K_INT, hq_session_idle_minutes, 1, 43200),
	NUM("hq", "login_max_failures", K_INT, hq_login_max_failures, 1, 1000),
	NUM("hq", "login_max_failures_per_address", K_INT, hq_login_max_failures_per_address, 1, 100000),
	NUM("hq", "login_lockout_minutes", K_INT, hq_login_lockout_minutes, 1, 1440),
	NUM("hq", "metrics_open_on_loopback", K_BOOL, hq_metrics_open_on_loopback, 0, 1),
	NUM("hq", "header_timeout_s", K_SECONDS, hq_header_timeout_s, 0, 3600),
	NUM("hq", "max_connections", K_INT, hq_max_connections, 16, 1000000),
	NUM("hq", "max_connections_per_address", K_INT, hq_max_connections_per_address, 0, 1000000),
	NUM("hq", "slow_connections_per_address", K_INT, hq_slow_connections_per_address, 0, 1000000),
	NUM("hq", "body_memory_limit_mb", K_INT, hq_body_memory_limit_mb, 2, 65536),
	STR("hq", "tls_priorities", hq_tls_priorities),
	STR("hq", "file_group", hq_file_group),
	STR("alerts", "public_url", alerts_public_url),
	STR("alerts", "webhook_url", alerts_webhook_url),
	STR("alerts", "webhook_secret", alerts_webhook_secret),
	STR("alerts", "smtp_url", alerts_smtp_url),
	STR("alerts", "smtp_user", alerts_smtp_user),
	STR("alerts", "smtp_password", alerts_smtp_password),
	STR("alerts", "smtp_from", alerts_smtp_from),
	NUM("alerts", "smtp_starttls", K_BOOL, alerts_smtp_starttls, 0, 1),
	STR("alerts", "smtp_ca_file", alerts_smtp_ca_file),
	STR("alerts", "mail_to", alerts_mail_to),
	NUM("alerts", "check_s", K_SECONDS, alerts_check_s, 1, 3600),
	NUM("alerts", "timeout_s", K_SECONDS, alerts_timeout_s, 0.5, 300),
	NUM("alerts", "retry_s", K_SECONDS, alerts_retry_s, 0.1, 3600),
	NUM("alerts", "max_attempts", K_INT, alerts_max_attempts, 1, 100),
	STR("alerts", "report_time", alerts_report_time),
};

/* Keys of a [button.N] section, N = 1..CONFIG_MAX_BUTTONS, counted from the left. */
static const struct key button_keys[] = {
	BSTR("chip", chip),
	BNUM("line", K_INT, line, 0, 1023),
	BNUM("active_low", K_BOOL, active_low, 0, 1),
	BNUM("bias", K_BIAS, bias, 0, 3),
	BNUM("debounce_ms", K_INT, debounce_ms, 1, 1000),
	BSTR("led_chip", led_chip),
	BNUM("led_line", K_INT, led_line, -1, 1023),
};

int config_face_value_of(enum face_order order, int scale, int pos)
{
	return order == FACE_ORDER_BEST_FIRST ? scale - 1 - pos : pos;
}

int config_face_value(const struct config *cfg, int pos)
{
	return config_face_value_of(cfg->face_order, cfg->faces, pos);
}


struct parse {
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
	struct text_line {
		char section[24];
		const struct key *key;
		char *value;
		int line;
	} *texts;
	int ntexts, captexts;
	struct config scratch; /* where a text is tried before it is kept */
};

#define problem(p, lineno, ...) config_report_add(&(p)->report, (lineno), __VA_ARGS__)

/* Remembers that section/name was set on this line; the index, or -1 when the table is full. */
static int remember(struct parse *p, const char *section, const char *name)
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

/* A language code: two or three lower-case letters, then optionally "-" and a region or script ("pt-BR"). */
static int lang_code_valid(const char *c)
{
	size_t n = 0;
	while (c[n] >= 'a' && c[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return 0;
	if (!c[n])
		return 1;
	if (c[n] != '-')
		return 0;
	size_t m = 0;
	while (isalnum((unsigned char)c[n + 1 + m]))
		m++;
	return m >= 2 && m <= 4 && !c[n + 1 + m];
}

/* "text.de": the texts of one language. */
static int text_section(const char *section)
{
	return !strncmp(section, "text.", 5) && lang_code_valid(section + 5);
}

static int section_known(const char *section)
{
	if (parse_button_section(section) > 0 || !strcmp(section, "shifts") || text_section(section))
		return 1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].section[0] == section[0] && strcmp(keys[i].section, section) == 0)
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
	struct parse *p = stream;
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

/*
 * Plain decimal only: "12", "-1", "2.5". strtod alone would take "1e3",
 * "0x10", "inf" and " 7", none of which an admin means as a count or a
 * number of seconds.
 */
static int parse_number(const char *value, int fraction, double *out)
{
	const char *c = value;
	if (*c == '-' || *c == '+')
		c++;
	const char *digits = c;
	while (isdigit((unsigned char)*c))
		c++;
	int whole = c > digits;
	if (fraction && *c == '.') {
		const char *f = ++c;
		while (isdigit((unsigned char)*c))
			c++;
		if (c == f)
			return -1;
		whole = 1;
	}
	if (!whole || *c != '\0')
		return -1;
	errno = 0;
	double v = strtod(value, NULL);
	if (errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static void set_value(struct parse *p, const struct key *k, char *base, const char *value)
{
	char *field = base + k->offset;
	double v;
	switch (k->type) {
	case K_STRING:
		if (strlen(value) >= k->size) {
			problem(p, p->lineno, "%s is too long (at most %zu bytes)", k->name, k->size - 1);
			return;
		}
		memcpy(field, value, strlen(value) + 1);
		return;
	case K_INT:
		if (parse_number(value, 0, &v) || v < k->min || v > k->max) {
			problem(p, p->lineno, "%s must be a whole number from %g to %g, not \"%s\"", k->name, k->min, k->max, value);
			return;
		}
		*(int *)(void *)field = (int)v;
		return;
	case K_SECONDS:
		if (parse_number(value, 1, &v) || v < k->min || v > k->max) {
			problem(p, p->lineno, "%s must be a number of seconds from %g to %g, not \"%s\"", k->name, k->min, k->max, value);
			return;
		}
		*(double *)(void *)field = v;
		return;
	case K_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
			*(int *)(void *)field = 1;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
			*(int *)(void *)field = 0;
		else
			problem(p, p->lineno, "%s must be true or false, not \"%s\"", k->name, value);
		return;
	case K_ROTATE:
		if (parse_number(value, 0, &v) || (v != 0 && v != 90 && v != 180 && v != 270)) {
			problem(p, p->lineno, "%s must be 0, 90, 180 or 270, not \"%s\"", k->name, value);
			return;
		}
		*(int *)(void *)field = (int)v;
		return;
	case K_ZONE: {
		char why[256];
		if (strlen(value) >= k->size) {
			problem(p, p->lineno, "%s is too long (at most %zu bytes)", k->name, k->size - 1);
			return;
		}
		if (tzday_valid(value, why, sizeof(why))) {
			problem(p, p->lineno, "%s: %s", k->name, why);
			return;
		}
		memcpy(field, value, strlen(value) + 1);
		return;
	}
	case K_MODE:
		if (!strcmp(value, "rating"))
			*(enum kiosk_mode *)(void *)field = MODE_RATING;
		else if (!strcmp(value, "display"))
			*(enum kiosk_mode *)(void *)field = MODE_DISPLAY;
		else
			problem(p, p->lineno, "%s must be rating or display, not \"%s\"", k->name, value);
		return;
	case K_COLOUR: {
		unsigned rgb;
		int used = 0;
		/* RRGGBB, '#' optional: "= #1f2a38" after a space is a comment (tally.conf(5)), so the example omits it. */
		const char *hex = value[0] == '#' ? value + 1 : value;
		if (strlen(hex) != 6 || sscanf(hex, "%6x%n", &rgb, &used) != 1 || used != 6) {
			problem(p, p->lineno, "%s must be a colour RRGGBB in hex, like 1f2a38, not \"%s\"%s", k->name, value,
				value[0] ? "" : " (a '#' after a space starts a comment: write the colour without it)");
			return;
		}
		*(unsigned *)(void *)field = rgb;
		return;
	}
	case K_ANSWERS: {
		char why[160];
		if (followup_parse_answers(value, (struct config_answers *)(void *)field, why, sizeof(why)))
			problem(p, p->lineno, "%s: %s", k->name, why);
		return;
	}
	case K_ORDER:
		if (!strcmp(value, "best-first"))
			*(enum face_order *)(void *)field = FACE_ORDER_BEST_FIRST;
		else if (!strcmp(value, "worst-first"))
			*(enum face_order *)(void *)field = FACE_ORDER_WORST_FIRST;
		else
			problem(p, p->lineno, "%s must be best-first or worst-first, not \"%s\"", k->name, value);
		return;
	case K_LANGS: {
		struct config *cfg = (struct config *)(void *)base;
		char list[CONFIG_TEXT_MAX], *save = NULL;
		int n = 0;
		snprintf(list, sizeof(list), "%s", value);
		for (char *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			if (!lang_code_valid(tok) || strlen(tok) >= CONFIG_LANG_MAX) {
				problem(p, p->lineno, "%s: \"%s\" is not a language code (like en, de, ar, zh, pt-BR)", k->name, tok);
				return;
			}
			for (int i = 0; i < n; i++)
				if (!strcmp(cfg->languages[i], tok)) {
					problem(p, p->lineno, "%s names %s twice", k->name, tok);
					return;
				}
			if (n == CONFIG_MAX_LANGS) {
				problem(p, p->lineno, "%s: at most %d languages", k->name, CONFIG_MAX_LANGS);
				return;
			}
			snprintf(cfg->languages[n++], CONFIG_LANG_MAX, "%s", tok);
		}
		if (n == 0) {
			problem(p, p->lineno, "%s must name at least one language, like en", k->name);
			return;
		}
		cfg->nlanguages = n;
		return;
	}
	case K_TIMES: {
		struct config_times t = { 0 };
		const char *c = value;
		while (*c) {
			int h, m, used = 0;
			while (*c == ' ' || *c == ',')
				c++;
			if (!*c)
				break;
			if (sscanf(c, "%2d:%2d%n", &h, &m, &used) != 2 || h < 0 || h > 23 || m < 0 || m > 59 ||
			    (c[used] && c[used] != ',' && c[used] != ' ') || t.n == CONFIG_MAX_TIMES) {
				problem(p, p->lineno, "%s must be up to %d times HH:MM separated by commas, not \"%s\"",
					k->name, CONFIG_MAX_TIMES, value);
				return;
			}
			t.minute[t.n++] = h * 60 + m;
			c += used;
		}
		*(struct config_times *)(void *)field = t;
		return;
	}
	case K_HOURS: {
		int first, end, used = 0;
		if (sscanf(value, "%d-%d%n", &first, &end, &used) != 2 || value[used] || first < 0 || end > 24 ||
		    first >= end) {
			problem(p, p->lineno, "%s must be FIRST-END whole hours within 0-24, like 8-20, not \"%s\"",
				k->name, value);
			return;
		}
		((int *)(void *)field)[0] = first;
		((int *)(void *)field)[1] = end;
		return;
	}
	case K_OPENING:
		if (hours_parse(value, (struct day_hours *)(void *)field) != 0)
			problem(p, p->lineno, "%s must be HH:MM-HH:MM, \"closed\", or empty for all day, not \"%s\"", k->name, value);
		return;
	case K_BIAS: {
		static const char *names[] = { "as-is", "pull-up", "pull-down", "disable" };
		for (int i = 0; i < 4; i++)
			if (!strcmp(value, names[i])) {
				*(enum bias *)(void *)field = (enum bias)i;
				return;
			}
		problem(p, p->lineno, "%s must be pull-up, pull-down, disable or as-is, not \"%s\"", k->name, value);
		return;
	}
	}
}

/* Sets one key: refuses a second setting of it, and marks it bad when its value is refused. */
static void set_key(struct parse *p, const struct key *k, char *base, const char *section, const char *value)
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
	set_value(p, k, base, value);
	if (p->report.n != before && at >= 0)
		p->seen.key[at].bad = 1;
}

/* [shifts]: every key is a shift name or a date (shifts.h), so it has no table row. */
static void parse_shift_line(struct parse *p, const char *name, const char *value)
{
	char err[512];
	if (shifts_add_line(&p->cfg->shifts, name, value, p->lineno, err, sizeof(err)))
		problem(p, p->lineno, "%s", err);
}

/* [hours] YYYY-MM-DD = HH:MM-HH:MM | closed: that date instead of its weekday. */
static void parse_dated_hours(struct parse *p, const char *name, const char *value)
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
	struct parse *p = arg;
	problem(p, line, "%s", message);
}

/* A [text] or [text.CODE] line: its value tried on the scratch config, kept to be applied after the file. */
static void remember_text(struct parse *p, const char *section, const char *name, const char *value)
{
	const struct key *k = NULL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !k; i++)
		if (!strcmp(keys[i].section, "text") && !strcmp(keys[i].name, name))
			k = &keys[i];
	if (!k) {
		problem(p, p->lineno, "unknown key \"%s\" in [%s]", name, section);
		return;
	}
	int before = p->report.n;
	set_key(p, k, (char *)&p->scratch, section, value);
	if (p->report.n != before)
		return;
	config_check_text(&p->report, p->lineno, name, value);
	if (p->ntexts == p->captexts) {
		int cap = p->captexts ? p->captexts * 2 : 32;
		struct text_line *t = realloc(p->texts, (size_t)cap * sizeof(*t));
		if (!t) {
			problem(p, p->lineno, "out of memory while reading");
			return;
		}
		p->texts = t;
		p->captexts = cap;
	}
	struct text_line *t = &p->texts[p->ntexts];
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
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, "text"))
			continue;
		if (keys[i].type == K_ANSWERS) {
			/* A list of follow-up answers: each answer is a text of its own. */
			const struct config_answers *a = (const void *)((const char *)cfg + keys[i].offset);
			for (int j = 0; j < a->n; j++)
				fn(keys[i].name, a->text[j], arg);
		} else {
			fn(keys[i].name, (const char *)cfg + keys[i].offset, arg);
		}
	}
}

/* Puts a [text] key's value into cfg as its type says: a string, or a list of answers. 0, or -1 with why. */
static int text_store(struct config *cfg, const struct key *k, const char *value, char *why, size_t whylen)
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
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].section, "text") && !strcmp(keys[i].name, name))
			return text_store(cfg, &keys[i], value, why, whylen);
	snprintf(why, whylen, "unknown key \"%s\" in [text]", name);
	return -1;
}

/*
 * The texts in cfg->language: its file over the built-in English, then the
 * config's [text] (the first language's) and [text.CODE] over that.
 */
static void apply_texts(struct parse *p, struct config *cfg)
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
			const struct text_line *t = &p->texts[i];
			char why[256];
			/* Checked already (remember_text tried it on the scratch config): cannot fail here. */
			if ((pass == 0 ? cfg->language == 0 && !strcmp(t->section, "text") : !strcmp(t->section, own)) &&
			    text_store(cfg, t->key, t->value, why, sizeof(why)))
				problem(p, t->line, "%s", why);
		}
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	int button = parse_button_section(section);
	if (button < 0)
		return 1; /* already reported at the header */
	if (button > 0) {
		struct button_config *b = &p->cfg->button[button - 1];
		b->configured = 1;
		for (size_t i = 0; i < sizeof(button_keys) / sizeof(button_keys[0]); i++)
			if (!strcmp(button_keys[i].name, name)) {
				set_key(p, &button_keys[i], (char *)b, section, value);
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
		remember_text(p, section, name, value);
		return 1;
	}
	if (!strcmp(section, "kiosk") && !strcmp(name, "locale")) {
		problem(p, p->lineno, "locale is gone: numbers, dates and texts follow [kiosk] languages and their "
				      "files (assets/lang/CODE.ini), never the system's locales; remove the line");
		return 1;
	}
	/* The first bytes rule out most rows without a call (each line of the file walks the table). */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].name[0] == name[0] && keys[i].section[0] == section[0] && !strcmp(keys[i].section, section) &&
		    !strcmp(keys[i].name, name)) {
			set_key(p, &keys[i], (char *)p->cfg, section, value);
			return 1;
		}
	problem(p, p->lineno, "unknown key \"%s\" in [%s]", name, section);
	return 1;
}

int config_load(struct config *cfg, const char *path, char *errs, size_t errlen)
{
	static struct parse zero;
	struct parse *p = malloc(sizeof(*p)); /* the seen table is large for a thread's stack */
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
		apply_texts(p, cfg);
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
