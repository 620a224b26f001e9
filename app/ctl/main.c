/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tallyctl: the admin's tool over SSH. This file only wires: global
 * options (ctl_args.c), the config (--config, else the installed one), and
 * the subcommand, each in its own ctl_*.c.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
	  "export [--format csv|json] [--since T] [--until T] [--include-misuse]\n"
	  "                              ratings to stdout (T: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])" },
	{ "sync", ctl_sync, 1, "sync [--timeout S]           send unsent ratings to head office now, and report" },
	{ "bundle", ctl_bundle, 1, "bundle [--output FILE]      support archive: config (tokens redacted), status, DB check, versions, journal" },
	{ "check-config", ctl_check_config, 0, "check-config [FILE]         every problem in FILE (or --config), one line each" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: tallyctl [--config FILE] [--json] COMMAND [OPTIONS]\n"
		   "       tallyctl --help | --version\n\n"
		   "  -c, --config FILE  settings (INI); default: %s if it exists, else built-in defaults\n"
		   "  -j, --json         one JSON document on stdout, for scripts\n"
		   "  -h, --help         this text (COMMAND --help: that command's)\n"
		   "  -V, --version      the version\n\ncommands:\n", ctl_default_config());
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nexit codes: 0 ok, 1 problem found or failed, 2 usage\n");
}

int main(int argc, char **argv)
{
	static struct ctl c; /* struct config is large: keep it off the stack */
	c.prog = "tallyctl";
	config_defaults(&c.cfg);

	int first = argc;
	int rc = ctl_args_global(&c, argc, argv, &first);
	if (rc == CTL_ARGS_HELP) {
		usage(stdout);
		return CTL_OK;
	}
	if (rc == CTL_ARGS_VERSION) {
		printf("tallyctl %s\n", TALLY_VERSION);
		return CTL_OK;
	}
	if (rc != CTL_OK)
		return rc;
	if (first >= argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	const struct command *cmd = NULL;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[first], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "tallyctl: unknown command \"%s\"\n", argv[first]);
		usage(stderr);
		return CTL_USAGE;
	}
	/* Without --config, the installed config when there is one (tally.conf(5)). */
	if (!c.config_path && access(ctl_default_config(), F_OK) == 0)
		c.config_path = ctl_default_config();
	if (cmd->needs_config && c.config_path) {
		static char errs[8192];
		if (config_load(&c.cfg, c.config_path, errs, sizeof(errs)) != 0) {
			fputs(errs, stderr);
			fprintf(stderr, "tallyctl: %s refused (tallyctl check-config lists every problem)%s\n",
				c.config_path, c.config_given ? "" : "; --config FILE reads another");
			return CTL_PROBLEM;
		}
	}
	rc = cmd->run(&c, argc - first, argv + first);
	if (rc == CTL_ARGS_HELP) {
		printf("usage: tallyctl [--config FILE] [--json] %s\n", cmd->usage);
		return CTL_OK;
	}
	return rc;
}
