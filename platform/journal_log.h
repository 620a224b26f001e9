/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal_log: a log sink (app/core/log.h) that sends each line to the
 * systemd journal as a structured entry: MESSAGE, PRIORITY,
 * SYSLOG_IDENTIFIER and the fields set with log_set_field (TALLY_KIOSK), so
 * `journalctl TALLY_KIOSK=k1` finds one kiosk's lines and priorities
 * survive. Chosen only when stderr really is the journal (sd-journal's
 * rule: $JOURNAL_STREAM names stderr's device and inode); otherwise, e.g.
 * a program started from a shell by a unit's child, stderr stays plain.
 */
#ifndef TALLY_JOURNAL_LOG_H
#define TALLY_JOURNAL_LOG_H

#include <stddef.h>
#include <sys/uio.h>

#include "log.h"

/*
 * Sets the TALLY_KIOSK field to kiosk_id (NULL or "": none) and, when
 * stderr is connected to the journal, sends log lines there. Returns 1 when
 * the journal was chosen, 0 for plain stderr.
 */
int journal_log_setup(const char *kiosk_id);

/* 1 when journal_stream ("DEV:INO", as $JOURNAL_STREAM holds) names fd's file. */
int journal_log_stream_is(const char *journal_stream, int fd);

/* One journal entry as sd_journal_sendv takes it: "FIELD=value" strings. */
struct journal_entry {
	char item[3 + LOG_MAX_FIELDS][1200];
	struct iovec iov[3 + LOG_MAX_FIELDS];
	size_t n;
};

/* Fills e from a log line and its fields. */
void journal_log_format(struct journal_entry *e, int priority, const char *ident, const char *message,
			const struct log_field *fields, size_t nfields);

/* The log_sink_fn: sends the entry; if the journal refuses it, writes the plain line to stderr. */
void journal_log_sink(void *arg, int priority, const char *ident, const char *message,
		      const struct log_field *fields, size_t nfields);

#endif
