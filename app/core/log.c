/*
 * log: plain lines on stderr, "ident: level: message", unless a sink was
 * set (the journal when systemd runs us). Fields ride along for the sink.
 */
#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const char *log_ident = "tally";
static int log_level = LOG_INFO;
static log_sink_fn log_sink;
static void *log_sink_arg;
static struct log_field log_fields[LOG_MAX_FIELDS];
static size_t log_nfields;

void log_init(const char *ident)
{
	log_ident = ident;
}

void log_set_level(int priority)
{
	log_level = priority;
}

void log_set_sink(log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

/* Journal field names: upper-case letters, digits and '_', not starting with '_' or a digit. */
static int field_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof(log_fields[0].name) || name[0] == '_' || isdigit((unsigned char)name[0]))
		return 0;
	for (const char *c = name; *c; c++)
		if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
			return 0;
	return 1;
}

int log_set_field(const char *name, const char *value)
{
	if (!field_name_ok(name))
		return -1;
	size_t i;
	for (i = 0; i < log_nfields; i++)
		if (!strcmp(log_fields[i].name, name))
			break;
	if (!value) {
		if (i < log_nfields)
			log_fields[i] = log_fields[--log_nfields];
		return 0;
	}
	if (i == log_nfields) {
		if (log_nfields == LOG_MAX_FIELDS)
			return -1;
		log_nfields++;
	}
	snprintf(log_fields[i].name, sizeof(log_fields[i].name), "%s", name);
	snprintf(log_fields[i].value, sizeof(log_fields[i].value), "%s", value);
	return 0;
}

static const char *level_name(int priority)
{
	switch (priority) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

void log_stderr_line(int priority, const char *ident, const char *message)
{
	fprintf(stderr, "%s: %s: %s\n", ident, level_name(priority), message);
}

void log_msg(int priority, const char *fmt, ...)
{
	if (priority > log_level)
		return;
	char raw[1024], line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/*
	 * Request paths, names and peers' messages end up in lines: a control
	 * character (a newline, an ESC sequence for the terminal) or a byte
	 * that is not UTF-8 is written as \xNN, so no one can forge a line or
	 * break the journal's text fields, whichever caller forgot.
	 */
	utf8_escape(raw, line, sizeof(line));
	if (log_sink)
		log_sink(log_sink_arg, priority, log_ident, line, log_fields, log_nfields);
	else
		log_stderr_line(priority, log_ident, line);
}
