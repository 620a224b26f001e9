/*
 * ctl: tallyctl's subcommands and what they share: the loaded config, the
 * output mode, a read-only connection to the kiosk store, and time
 * formatting in the store's zone.
 *
 * Each subcommand is one function in its own file (ctl_export.c,
 * ctl_stats.c, ctl_check.c, ctl_status.c) taking the arguments after its
 * name, printing to stdout (results) and stderr (one line per problem), and
 * returning an exit code. main.c only parses the global options and picks
 * the subcommand.
 */
#ifndef TALLY_CTL_H
#define TALLY_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "tzday.h"

/* Exit codes, documented in README.md (tallyctl); scripts rely on them. */
enum ctl_exit {
	CTL_OK = 0,      /* done; for status and check-config: nothing wrong */
	CTL_PROBLEM = 1, /* a problem was found, or the command failed */
	CTL_USAGE = 2,   /* bad command line */
};

struct ctl {
	struct config cfg;
	const char *config_path; /* NULL: built-in defaults */
	int json;                /* --json: one JSON document on stdout */
	const char *prog;        /* "tallyctl", for messages */
};

/* Prints "tallyctl: message" to stderr. */
void ctl_error(const struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "tallyctl CMD: message" and a hint to stderr; returns CTL_USAGE. */
int ctl_usage_error(const struct ctl *c, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Opens the kiosk store cfg.database read-only: never creates, migrates or
 * writes it, waits up to 5 s for a lock the kiosk holds, and refuses a file
 * that is missing, not a Tally store, older than schema 3 or newer than this
 * build. 0, or -1 with err filled.
 */
int ctl_db_open(const struct ctl *c, sqlite3 **out, char *err, size_t errlen);

/* Wall time now, ms since the epoch. */
int64_t ctl_now_ms(void);

/*
 * ms as local ISO 8601 in the store's zone with its offset,
 * "2026-03-29T10:00:00.123+02:00". Falls back to UTC ("Z") if the zone
 * cannot be used. Returns out.
 */
char *ctl_format_time(const struct ctl *c, int64_t ms, char *out, size_t outlen);

/* A duration for people: "45 s", "12 min", "3 h 5 min", "2 d 4 h". Returns out. */
char *ctl_format_age(int64_t ms, char *out, size_t outlen);

/*
 * Parses a --since/--until value: "YYYY-MM-DD" (local midnight at the start
 * of that day in the store's zone; with end_of_day, the midnight after it)
 * or "YYYY-MM-DDTHH:MM[:SS[.mmm]]" with an optional "Z" or "+HH:MM"
 * (without one: local time in the store's zone). 0, or -1 with err filled.
 */
int ctl_parse_time(const struct ctl *c, const char *s, int end_of_day, int64_t *out_ms, char *err,
		   size_t errlen);

/* Today's date in the store's zone. 0, or -1 with err filled. */
int ctl_today(const struct ctl *c, struct tzdate *out, char *err, size_t errlen);

/* Subcommands: argc/argv start at the subcommand's name. Return an enum ctl_exit. */
int ctl_export(struct ctl *c, int argc, char **argv);
int ctl_stats(struct ctl *c, int argc, char **argv);
/* `stats --by shift` for one day (ctl_stats_shift.c). */
int ctl_stats_by_shift(struct ctl *c, struct tzdate day);
int ctl_check_config(struct ctl *c, int argc, char **argv);
int ctl_status(struct ctl *c, int argc, char **argv);
int ctl_sync(struct ctl *c, int argc, char **argv);
int ctl_bundle(struct ctl *c, int argc, char **argv);

/*
 * Runs argv (argv[0] searched in PATH) with stdout and stderr appended to
 * out_path (NULL: ours), as uid/gid unless (uid_t)-1/(gid_t)-1. Returns its
 * exit status (128 + signal when killed, 127 when it could not be run),
 * or -1 when it could not be started.
 */
int ctl_run(char *const argv[], const char *out_path, uid_t uid, gid_t gid);

/*
 * status is a list of fields and a list of things that need attention,
 * filled by probes in order (see ctl_status.c). A module that knows more
 * (tally-sync's last attempt, the buttons' states) adds a probe there and
 * reports through these two calls; the text and JSON output follow.
 */
struct ctl_status;
/*
 * Adds a field: key for JSON (json_value: a reference the report takes
 * over; NULL means null), label and printf-style text for people.
 */
void ctl_status_field(struct ctl_status *st, const char *key, const char *label, json_t *json_value,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a line that needs attention; these are printed first. */
void ctl_status_attention(struct ctl_status *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
