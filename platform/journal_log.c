/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal_log: sd_journal_sendv from libsystemd. A line the journal will
 * not take (journald restarting, its socket gone) goes to stderr instead:
 * a log line lost silently is worse than one without fields.
 */
#include "journal_log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

int journal_log_stream_is(const char *journal_stream, int fd)
{
	if (!journal_stream || !*journal_stream)
		return 0;
	uintmax_t dev, ino;
	char tail;
	if (sscanf(journal_stream, "%ju:%ju%c", &dev, &ino, &tail) != 2)
		return 0;
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return 0;
	return (uintmax_t)sb.st_dev == dev && (uintmax_t)sb.st_ino == ino;
}

static void add(struct journal_entry *e, const char *name, const char *value)
{
	int len = snprintf(e->item[e->n], sizeof(e->item[e->n]), "%s=%s", name, value);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(e->item[e->n]))
		len = (int)sizeof(e->item[e->n]) - 1;
	e->iov[e->n].iov_base = e->item[e->n];
	e->iov[e->n].iov_len = (size_t)len;
	e->n++;
}

void journal_log_format(struct journal_entry *e, int priority, const char *ident, const char *message,
			const struct log_field *fields, size_t nfields)
{
	char prio[8];
	e->n = 0;
	snprintf(prio, sizeof(prio), "%d", priority & LOG_PRIMASK);
	add(e, "MESSAGE", message);
	add(e, "PRIORITY", prio);
	add(e, "SYSLOG_IDENTIFIER", ident);
	for (size_t i = 0; i < nfields && i < LOG_MAX_FIELDS; i++)
		add(e, fields[i].name, fields[i].value);
}

void journal_log_sink(void *arg, int priority, const char *ident, const char *message,
		      const struct log_field *fields, size_t nfields)
{
	(void)arg;
	/* On the stack, not static: tally-hq logs from its HTTP worker threads. */
	struct journal_entry e;
	journal_log_format(&e, priority, ident, message, fields, nfields);
	/* sd_journal_sendv reports success when the socket is missing (ENOENT):
	 * look for it ourselves, a syscall per line is nothing at our rate. */
	if (access(JOURNAL_SOCKET, F_OK) != 0 || sd_journal_sendv(e.iov, (int)e.n) < 0)
		log_stderr_line(priority, ident, message);
}

int journal_log_setup(const char *kiosk_id)
{
	log_set_field("TALLY_KIOSK", kiosk_id && *kiosk_id ? kiosk_id : NULL);
	if (!journal_log_stream_is(getenv("JOURNAL_STREAM"), STDERR_FILENO)) {
		log_set_sink(NULL, NULL);
		return 0;
	}
	log_set_sink(journal_log_sink, NULL);
	return 1;
}
