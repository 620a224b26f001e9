/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config: the keys of tally.conf. A table of keys (section, name, type,
 * where it lives in struct config, allowed range) drives the parser, so
 * adding a setting is one row here; and how a value of each type is read
 * into its field, refused with a line that says what it must be.
 *
 * The file itself is read by config_load.c (lines, sections, comments),
 * the texts of [text] and [text.CODE] applied by config_text.c; what the
 * three share is in config_impl.h. Rules across keys are in
 * config_validate.c, the built-in defaults in config_defaults.c.
 */
#include "config.h"
#include "config_impl.h"
#include "followup.h"
#include "shift_stats.h"
#include "tzday.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR(sec, name, field) { sec, name, K_STRING, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0 }
#define NUM(sec, name, type, field, lo, hi) { sec, name, type, offsetof(struct config, field), 0, lo, hi }
#define BSTR(name, field) { "button", name, K_STRING, offsetof(struct button_config, field), sizeof(((struct button_config *)0)->field), 0, 0 }
#define BNUM(name, type, field, lo, hi) { "button", name, type, offsetof(struct button_config, field), 0, lo, hi }

const struct config_key config_keys[] = {
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
	NUM("hq", "fleet_silent_minutes", K_INT, hq_fleet_silent_minutes, 1, 10080),
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
const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

/* Keys of a [button.N] section, N = 1..CONFIG_MAX_BUTTONS, counted from the left. */
const struct config_key config_button_keys[] = {
	BSTR("chip", chip),
	BNUM("line", K_INT, line, 0, 1023),
	BNUM("active_low", K_BOOL, active_low, 0, 1),
	BNUM("bias", K_BIAS, bias, 0, 3),
	BNUM("debounce_ms", K_INT, debounce_ms, 1, 1000),
	BSTR("led_chip", led_chip),
	BNUM("led_line", K_INT, led_line, -1, 1023),
};
const size_t config_nbutton_keys = sizeof(config_button_keys) / sizeof(config_button_keys[0]);

int config_face_value_of(enum face_order order, int scale, int pos)
{
	return order == FACE_ORDER_BEST_FIRST ? scale - 1 - pos : pos;
}

int config_face_value(const struct config *cfg, int pos)
{
	return config_face_value_of(cfg->face_order, cfg->faces, pos);
}

/* A language code: two or three lower-case letters, then optionally "-" and a region or script ("pt-BR"). */
int config_lang_code_valid(const char *c)
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

void config_set_value(struct config_parse *p, const struct config_key *k, char *base, const char *value)
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
			if (!config_lang_code_valid(tok) || strlen(tok) >= CONFIG_LANG_MAX) {
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
