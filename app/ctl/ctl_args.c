/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_args: tallyctl's command line, in the convention all four Tally
 * programs share (getopt_long: "--opt value" and "--opt=value", -h/--help,
 * -V/--version). Global options come before the command
 * (tallyctl [--config FILE] [--json] COMMAND [OPTIONS]); --json is taken
 * after it too, as scripts have written it.
 */
#include "ctl.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int ctl_args_global(struct ctl *c, int argc, char **argv, int *command)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0, 0, 0, 0 },
	};
	opterr = 0;
	optind = 1;
	int o;
	/* "+": stop at the command; its options are its own. */
	while ((o = getopt_long(argc, argv, "+:c:jhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c': c->config_path = optarg; c->config_given = 1; break;
		case 'j': c->json = 1; break;
		case 'h': return CTL_ARGS_HELP;
		case 'V': return CTL_ARGS_VERSION;
		case ':':
			ctl_error(c, "%s needs a value (tallyctl --help lists the options)", argv[optind - 1]);
			return CTL_USAGE;
		default:
			ctl_error(c, "unknown option \"%s\" (tallyctl --help lists the options)", argv[optind - 1]);
			return CTL_USAGE;
		}
	}
	*command = optind;
	return CTL_OK;
}

int ctl_args_parse(struct ctl *c, const char *cmd, int argc, char **argv, const struct ctl_opt *opts,
		   char **rest, int maxrest, int *nrest)
{
	struct option lo[24];
	int n = 0;
	for (; opts && opts[n].name && n < 20; n++)
		lo[n] = (struct option){ opts[n].name, opts[n].value ? required_argument : no_argument, NULL, 256 + n };
	lo[n++] = (struct option){ "json", no_argument, NULL, 'j' };
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ 0, 0, 0, 0 };
	*nrest = 0;
	opterr = 0;
	optind = 0; /* 0: GNU getopt starts afresh (at argv[1]; argv[0] is the command) and reads "-" anew */
	int o;
	/* "-": arguments that are not options come back in order, as 1. */
	while ((o = getopt_long(argc, argv, "-:jh", lo, NULL)) != -1) {
		if (o == 1) {
			if (*nrest >= maxrest)
				return ctl_usage_error(c, cmd, "unexpected argument \"%s\"", optarg);
			rest[(*nrest)++] = optarg;
		} else if (o == 'j') {
			c->json = 1;
		} else if (o == 'h') {
			return CTL_ARGS_HELP;
		} else if (o >= 256 && opts) {
			const struct ctl_opt *opt = &opts[o - 256];
			if (opt->value)
				*opt->value = optarg;
			if (opt->flag)
				*opt->flag = 1;
		} else if (o == ':') {
			return ctl_usage_error(c, cmd, "%s needs a value", argv[optind - 1]);
		} else {
			return ctl_usage_error(c, cmd, "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	return CTL_OK;
}
