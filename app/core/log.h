/*
 * log: one line per event for a person on stderr. Control characters and
 * bytes that are not UTF-8 in a line are written as \xNN (utf8_escape), so
 * text from a request can never forge a line. Priorities are syslog's
 * (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG); debug lines are
 * dropped unless enabled, and nothing here is meant to be called per frame.
 *
 * A program run by systemd may hand the lines to another sink (the
 * journal, with structured fields: platform/journal_log.h) through
 * log_set_sink; the core itself never links libsystemd.
 */
#ifndef TALLY_LOG_H
#define TALLY_LOG_H

#include <stddef.h>
#include <syslog.h>

#define LOG_MAX_FIELDS 4

/* A structured field sent with every line to a sink that understands them. */
struct log_field {
	char name[32];   /* journal field name: "TALLY_KIOSK" */
	char value[128];
};

/*
 * Receives every line that passes the level: ident ("tally-kiosk"), the
 * formatted message (no newline) and the fields set with log_set_field.
 */
typedef void (*log_sink_fn)(void *arg, int priority, const char *ident, const char *message,
			    const struct log_field *fields, size_t nfields);

/* Names the program in every line ("tally-kiosk"). */
void log_init(const char *ident);
/* Lines above this priority are dropped (default LOG_INFO). */
void log_set_level(int priority);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sends lines to fn instead of stderr; NULL restores stderr. */
void log_set_sink(log_sink_fn fn, void *arg);
/* Sets (or with value NULL removes) a field; 0, or -1 when the name is bad or
 * LOG_MAX_FIELDS are in use. Values longer than the buffer are cut. */
int log_set_field(const char *name, const char *value);
/* The plain "ident: level: message" line for stderr, for sinks that fall back to it. */
void log_stderr_line(int priority, const char *ident, const char *message);

#endif
