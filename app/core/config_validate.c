/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_validate: rules across a parsed config, with each problem at the
 * line of the key it is about (config_validate.h).
 *
 * A rule about a key whose value was already refused is skipped: one typo
 * gives one line, not a second about the default that stood in for it.
 */
#include "config_validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int config_seen_line(const struct config_seen *seen, const char *section, const char *name)
{
	if (!seen)
		return 0;
	/* Called for every key set and every rule: the first bytes rule out most entries without a call. */
	for (int i = 0; i < seen->n; i++)
		if (seen->key[i].name[0] == name[0] && seen->key[i].section[0] == section[0] &&
		    !strcmp(seen->key[i].section, section) && !strcmp(seen->key[i].name, name))
			return seen->key[i].bad ? -1 : seen->key[i].line;
	return 0;
}

void config_report_add(struct config_report *r, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->n++;
	if ((size_t)r->n > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct config_problem *p = realloc(r->items, cap * sizeof(*p));
		if (!p) {
			r->n--;
			return;
		}
		r->items = p;
		r->cap = cap;
	}
	r->items[r->n - 1] = (struct config_problem){ line, r->n, strdup(msg) };
}

static int by_line(const void *a, const void *b)
{
	const struct config_problem *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* Same line: keep the order they were found in (qsort is not stable). */
	return (x->order > y->order) - (x->order < y->order);
}

int config_report_write(struct config_report *r, char *errs, size_t errlen)
{
	size_t used = 0;
	if (errlen)
		errs[0] = '\0';
	if (r->n > 1)
		qsort(r->items, (size_t)r->n, sizeof(r->items[0]), by_line);
	for (int i = 0; i < r->n; i++) {
		const char *m = r->items[i].message ? r->items[i].message : "out of memory";
		int k = r->items[i].line > 0 ? snprintf(errs + used, errlen - used, "%s:%d: %s\n", r->path, r->items[i].line, m)
					     : snprintf(errs + used, errlen - used, "%s: %s\n", r->path, m);
		if (k > 0)
			used += (size_t)k < errlen - used ? (size_t)k : errlen - used - 1;
		free(r->items[i].message);
	}
	int n = r->n;
	free(r->items);
	r->items = NULL;
	r->n = 0;
	r->cap = 0;
	return n;
}

/*
 * The placeholders each text may name, as the staff view, the wall display
 * and stats_summary fill them in. A name not listed would stay on screen
 * as written, "{areaa}", in front of every customer.
 */
static const struct {
	const char *key;
	const char *names; /* space separated */
} placeholders[] = {
	{ "staff_title", "area store date" },
	{ "display_title", "area store date" },
	{ "last_weekday", "weekday" },
	{ "as_of", "time" },
	{ "page", "page pages" },
	{ "summary_no_ratings", "positive happy count points day point_word other weekday" },
	{ "summary_alone", "positive happy count points day point_word other weekday" },
	{ "summary_above", "positive happy count points day point_word other weekday" },
	{ "summary_below", "positive happy count points day point_word other weekday" },
	{ "summary_same", "positive happy count points day point_word other weekday" },
	{ "summary_last_weekday", "weekday" },
};

static int name_in(const char *names, const char *name, size_t len)
{
	for (const char *p = names; *p;) {
		size_t n = strcspn(p, " ");
		if (n == len && !strncmp(p, name, len))
			return 1;
		p += n;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static void check_placeholders(struct config_report *r, int line, const char *key, const char *value)
{
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++) {
		if (strcmp(placeholders[i].key, key))
			continue;
		for (const char *p = value; (p = strchr(p, '{')); p++) {
			const char *close = strchr(p, '}');
			if (!close)
				break;
			size_t len = (size_t)(close - p - 1);
			if (!name_in(placeholders[i].names, p + 1, len)) {
				char list[128] = "";
				for (const char *n = placeholders[i].names; *n;) {
					size_t k = strcspn(n, " ");
					snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s{%.*s}",
						 list[0] ? " " : "", (int)k, n);
					n += k;
					while (*n == ' ')
						n++;
				}
				config_report_add(r, line, "%s: unknown placeholder {%.*s} (it may use %s)", key, (int)len,
						  p + 1, list);
			}
		}
	}
}

void config_check_text(struct config_report *r, int line, const char *key, const char *value)
{
	check_placeholders(r, line, key, value);
	/* Our own date fields (config_format_date), not strftime's: a Pi may lack the locale strftime needs. */
	if (!strcmp(key, "date_format"))
		for (const char *p = strchr(value, '%'); p; p = strchr(p + 2, '%'))
			if (!p[1] || !strchr("AaedBbmY%", p[1])) {
				config_report_add(r, line, "date_format: unknown field %%%.1s (it may use %%A %%a %%e %%d %%B %%b %%m %%Y %%%%)",
						  p[1] ? p + 1 : "");
				break;
			}
	int want = !strcmp(key, "weekdays") ? 7 : !strcmp(key, "months") ? 12 : 0;
	if (want) {
		int n = 1;
		for (const char *c = value; *c; c++)
			n += *c == ',';
		if (n != want)
			config_report_add(r, line, "%s must be %d names separated by commas, not %d", key, want, n);
	}
}

/* A file a key names must be readable now, not when the kiosk first draws or connects. */
static void check_file(const struct config_seen *seen, struct config_report *r, const char *section,
		       const char *name, const char *path)
{
	int line = config_seen_line(seen, section, name);
	if (line < 0 || !path[0] || access(path, R_OK) == 0)
		return;
	config_report_add(r, line, "%s: cannot read \"%s\": %s", name, path, strerror(errno));
}

static int url_scheme(const char *url, const char *const *schemes)
{
	for (; *schemes; schemes++)
		if (!strncmp(url, *schemes, strlen(*schemes)) && url[strlen(*schemes)])
			return 1;
	return 0;
}

/* [alerts]: where alerts and reports go. An empty URL means "not this way", never an error. */
static void check_alerts(const struct config *cfg, const struct config_seen *seen, struct config_report *r)
{
	static const char *const web[] = { "http://", "https://", NULL }, *const smtp[] = { "smtp://", "smtps://", NULL };
	int line;
	if ((line = config_seen_line(seen, "alerts", "public_url")) >= 0 && !url_scheme(cfg->alerts_public_url, web))
		config_report_add(r, line, "[alerts] public_url must start with http:// or https://, not \"%s\"",
				  cfg->alerts_public_url);
	if ((line = config_seen_line(seen, "alerts", "webhook_url")) >= 0 && cfg->alerts_webhook_url[0] &&
	    !url_scheme(cfg->alerts_webhook_url, web))
		config_report_add(r, line, "[alerts] webhook_url must start with http:// or https://");
	if ((line = config_seen_line(seen, "alerts", "smtp_url")) >= 0 && cfg->alerts_smtp_url[0] &&
	    !url_scheme(cfg->alerts_smtp_url, smtp))
		config_report_add(r, line, "[alerts] smtp_url must start with smtp:// or smtps://");
	if ((line = config_seen_line(seen, "alerts", "smtp_password")) >= 0 && cfg->alerts_smtp_password[0] &&
	    !cfg->alerts_smtp_user[0])
		config_report_add(r, line, "[alerts] smtp_password needs smtp_user");
	const char *t = cfg->alerts_report_time;
	if ((line = config_seen_line(seen, "alerts", "report_time")) >= 0 &&
	    !(strlen(t) == 5 && t[2] == ':' && t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' &&
	      t[3] >= '0' && t[3] <= '5' && t[4] >= '0' && t[4] <= '9' && (t[0] - '0') * 10 + t[1] - '0' < 24))
		config_report_add(r, line, "[alerts] report_time must be HH:MM (00:00 to 23:59), not \"%s\"", t);
	check_file(seen, r, "alerts", "smtp_ca_file", cfg->alerts_smtp_ca_file);
}

/*
 * On a kiosk with buttons the answers are drawn above the buttons and the
 * same buttons answer: an answer beyond the last button could never be
 * chosen there, so a list longer than the buttons is refused.
 */
static void check_followup(const struct config *cfg, const struct config_seen *seen, struct config_report *r)
{
	int buttons = 0;
	for (int i = 0; i < CONFIG_MAX_BUTTONS; i++)
		buttons += cfg->button[i].configured;
	if (!buttons)
		return;
	static const char *names[] = { "followup_positive", "followup_negative" };
	const struct config_answers *lists[] = { &cfg->followup_positive, &cfg->followup_negative };
	for (int i = 0; i < 2; i++) {
		int line = config_seen_line(seen, "text", names[i]);
		if (line >= 0 && lists[i]->n > buttons)
			config_report_add(r, line, "%s has %d answers but the kiosk has %d buttons: the buttons answer"
					  " the follow-up question, one answer each (list at most %d)",
					  names[i], lists[i]->n, buttons, buttons);
	}
}

void config_check(const struct config *cfg, const struct config_seen *seen, struct config_report *r)
{
	int line;
	if ((line = config_seen_line(seen, "kiosk", "id")) >= 0) {
		if (cfg->kiosk_id[0] == '\0')
			config_report_add(r, line, "[kiosk] id must not be empty");
		for (const char *c = cfg->kiosk_id; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.') {
				config_report_add(r, line, "[kiosk] id may use only letters, digits, '-', '_' and '.', not \"%s\"",
						  cfg->kiosk_id);
				break;
			}
	}
	if ((line = config_seen_line(seen, "kiosk", "database")) >= 0 && cfg->database[0] == '\0')
		config_report_add(r, line, "[kiosk] database must not be empty");
	if ((line = config_seen_line(seen, "staff", "pin")) >= 0)
		for (const char *c = cfg->staff_pin; *c; c++)
			if (*c < '0' || *c > '9') {
				config_report_add(r, line, "[staff] pin may use only the digits 0-9 (the staff view's pad has no others)");
				break;
			}
	if ((line = config_seen_line(seen, "sync", "url")) >= 0 && strncmp(cfg->sync_url, "http://", 7) != 0 &&
	    strncmp(cfg->sync_url, "https://", 8) != 0)
		config_report_add(r, line, "[sync] url must start with http:// or https://, not \"%s\"", cfg->sync_url);
	/* Set but empty is a mistake; unset is a development machine (tally-sync warns). */
	if ((line = config_seen_line(seen, "sync", "token")) > 0 && cfg->sync_token[0] == '\0')
		config_report_add(r, line, "[sync] token is empty: set the token `tally-hq kiosk add` printed, or leave the key out");
	check_file(seen, r, "screen", "font", cfg->font);
	check_file(seen, r, "sync", "ca_file", cfg->sync_ca_file);
	int cert = config_seen_line(seen, "hq", "tls_cert"), key = config_seen_line(seen, "hq", "tls_key");
	if (cert >= 0 && key >= 0 && !cfg->hq_tls_cert[0] != !cfg->hq_tls_key[0])
		config_report_add(r, cert > key ? cert : key,
				  "[hq] tls_cert and tls_key go together: set both for HTTPS, or neither");
	if ((line = config_seen_line(seen, "hq", "listen")) >= 0 && !strchr(cfg->hq_listen, ':'))
		config_report_add(r, line, "[hq] listen must be ADDR:PORT, not \"%s\"", cfg->hq_listen);
	check_alerts(cfg, seen, r);

	check_followup(cfg, seen, r);

	int faces_line = config_seen_line(seen, "screen", "faces");
	if (faces_line < 0)
		return; /* buttons are counted against faces: nothing to say until faces is right */
	int buttons = 0, last_line = 0;
	for (int i = 0; i < CONFIG_MAX_BUTTONS; i++) {
		const struct button_config *b = &cfg->button[i];
		if (!b->configured)
			continue;
		buttons++;
		char section[24];
		snprintf(section, sizeof(section), "button.%d", i + 1);
		int chip = config_seen_line(seen, section, "chip"), ln = config_seen_line(seen, section, "line");
		int where = config_seen_line(seen, section, ""); /* its [button.N] header */
		if (where > last_line)
			last_line = where;
		if (i >= cfg->faces)
			config_report_add(r, where, "[button.%d] is configured but [screen] faces = %d", i + 1, cfg->faces);
		if ((b->chip[0] == '\0' || b->line < 0) && chip >= 0 && ln >= 0)
			config_report_add(r, where, "[button.%d] needs both chip and line", i + 1);
	}
	if (buttons && buttons != cfg->faces)
		config_report_add(r, faces_line > last_line ? faces_line : last_line,
				  "%d button%s configured for %d faces: configure [button.1] to [button.%d]", buttons,
				  buttons == 1 ? "" : "s", cfg->faces, cfg->faces);
}

int config_validate(const struct config *cfg, const char *path, char *errs, size_t errlen)
{
	struct config_report r = { .path = path };
	config_check(cfg, NULL, &r);
	return config_report_write(&r, errs, errlen);
}
