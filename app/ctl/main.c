/*
 * tallyctl: the admin's tool over SSH. This file only wires: global
 * options (--config, --json, --help, --version, anywhere on the line),
 * the config, and the subcommand, each in its own ctl_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl.h"

#ifndef TALLY_VERSION
#define TALLY_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(struct ctl *c, int argc, char **argv);
	int needs_config; /* load --config before running (check-config reads its own) */
	const char *usage;
};

static const struct command commands[] = {
	{ "status", ctl_status, 1, "status                      kiosk, store, clock, disk; what needs attention first" },
	{ "stats", ctl_stats, 1, "stats [--day YYYY-MM-DD] [--by day|shift]\n"
	  "                              the day's figures as the staff view shows them, or per shift" },
	{ "export", ctl_export, 1,
	  "export --format csv|json [--since T] [--until T] [--include-misuse]\n"
	  "                              ratings to stdout (T: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])" },
	{ "sync", ctl_sync, 1, "sync [--timeout S]           send unsent ratings to head office now, and report" },
	{ "bundle", ctl_bundle, 1, "bundle [--output FILE]      support archive: config (tokens redacted), status, DB check, versions, journal" },
	{ "check-config", ctl_check_config, 0, "check-config [FILE]         every problem in FILE (or --config), one line each" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: tallyctl [--config FILE] [--json] COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nexit codes: 0 ok, 1 problem found or failed, 2 usage\n");
}

int main(int argc, char **argv)
{
	static struct ctl c; /* struct config is large: keep it off the stack */
	c.prog = "tallyctl";
	config_defaults(&c.cfg);

	/* Take the global options out, wherever they are; the rest is the command's. */
	char *rest[256];
	int nrest = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json")) {
			c.json = 1;
		} else if (!strcmp(a, "--config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tallyctl: --config needs a FILE\n");
				return CTL_USAGE;
			}
			c.config_path = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			c.config_path = a + 9;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return CTL_OK;
		} else if (!strcmp(a, "--version")) {
			printf("tallyctl %s\n", TALLY_VERSION);
			return CTL_OK;
		} else if (nrest < (int)(sizeof(rest) / sizeof(rest[0]))) {
			rest[nrest++] = argv[i];
		} else {
			fprintf(stderr, "tallyctl: too many arguments\n");
			return CTL_USAGE;
		}
	}
	if (nrest == 0) {
		usage(stderr);
		return CTL_USAGE;
	}
	const struct command *cmd = NULL;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(rest[0], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "tallyctl: unknown command \"%s\"\n", rest[0]);
		usage(stderr);
		return CTL_USAGE;
	}
	if (cmd->needs_config && c.config_path) {
		static char errs[8192];
		if (config_load(&c.cfg, c.config_path, errs, sizeof(errs)) != 0) {
			fputs(errs, stderr);
			fprintf(stderr, "tallyctl: %s refused (tallyctl check-config lists every problem)\n",
				c.config_path);
			return CTL_PROBLEM;
		}
	}
	return cmd->run(&c, nrest, rest);
}
