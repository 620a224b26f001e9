/* SPDX-License-Identifier: Apache-2.0 */
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
	const char *config_path; /* --config, else /etc/tally/tally.conf if it exists; NULL: built-in defaults */
	int config_given;        /* config_path came from --config */
	int json;                /* --json: one JSON document on stdout */
	const char *prog;        /* "tallyctl", for messages */
};

/* Not exit codes: what ctl_args_* return when --help or --version was asked for. */
enum { CTL_ARGS_HELP = 100, CTL_ARGS_VERSION = 101 };

/*
 * Parses the global options before the command into c. CTL_OK with
 * *command the index of the command in argv (argc when there is none),
 * CTL_ARGS_HELP/CTL_ARGS_VERSION, or CTL_USAGE after printing why.
 */
int ctl_args_global(struct ctl *c, int argc, char **argv, int *command);

/* One option of a subcommand: value set for "--name VALUE", else flag set to 1. */
struct ctl_opt {
	const char *name;
	const char **value;
	int *flag;
};

/*
 * Parses a subcommand's argv (argv[0] its name) with getopt_long against
 * opts (ended by a NULL name), plus --json and --help. Arguments that are
 * not options go to rest, at most maxrest. CTL_OK, CTL_ARGS_HELP, or
 * CTL_USAGE after printing why.
 */
int ctl_args_parse(struct ctl *c, const char *cmd, int argc, char **argv, const struct ctl_opt *opts,
		   char **rest, int maxrest, int *nrest);

/*
 * The installed config tallyctl reads without --config:
 * /etc/tally/tally.conf, or $TALLY_DEFAULT_CONFIG when set (for tests
 * only, which must not depend on this machine's /etc).
 */
const char *ctl_default_config(void);

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

/* A size for people, in the unit that fits: "512 B", "12.0 KiB", "2.0 MiB", "3.4 GiB". Returns out. */
char *ctl_format_size(int64_t bytes, char *out, size_t outlen);

/* "1 rating", "2 ratings": n and the word that fits it, into out. Returns out. */
char *ctl_count(int64_t n, const char *one, const char *many, char *out, size_t outlen);

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
 * The path of prog installed beside this tallyctl (the programs are built
 * and installed together), or prog alone to be searched in PATH. Returns out.
 */
char *ctl_sibling(const char *prog, char *out, size_t outlen);

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
