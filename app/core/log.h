/*
 * log: one line per event for a person on stderr. Priorities are syslog's
 * (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG); debug lines are
 * dropped unless enabled, and nothing here is meant to be called per frame.
 */
#ifndef TALLY_LOG_H
#define TALLY_LOG_H

#include <syslog.h>

/* Names the program in every line ("tally-kiosk"). */
void log_init(const char *ident);
/* Lines above this priority are dropped (default LOG_INFO). */
void log_set_level(int priority);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
