/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli_opts: option parsing for tally-hq's commands. Not getopt_long:
 * the commands take their options after a sub-command and its operands,
 * and a value is always the next word (never "--name=value"), as the man
 * page writes them.
 */
#include "hq_cli_opts.h"

#include <string.h>

int hq_cli_options(int argc, char **argv, const char *const *names, unsigned flags, const char **slots)
{
	for (int i = 0; i < argc; i++) {
		int k;
		for (k = 0; names[k] && strcmp(argv[i], names[k]) != 0; k++)
			;
		if (!names[k])
			return -1;
		if (flags & (1u << k)) {
			slots[k] = names[k];
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		slots[k] = argv[++i];
	}
	return 0;
}
