/* log: plain lines on stderr, "ident: level: message". */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *log_ident = "tally";
static int log_level = LOG_INFO;

void log_init(const char *ident)
{
	log_ident = ident;
}

void log_set_level(int priority)
{
	log_level = priority;
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

void log_msg(int priority, const char *fmt, ...)
{
	if (priority > log_level)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(priority), line);
}
