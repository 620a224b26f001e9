/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_config: the INI config file (config_load.c over inih), the one input a
 * store owner writes by hand, read through the real config_load from a
 * real file descriptor (a memfd: no disk writes per input).
 *
 * Checked beyond crashes: every reported problem is a complete line
 * "path:line: what is wrong", as the README promises the admin; a file
 * that loads cleanly also passes config_validate on its own, and a SIGHUP
 * reload of it agrees with the first load.
 */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "fuzz_util.h"

static struct config cfg, again;

static void check_lines(const char *errs, const char *path)
{
	size_t plen = strlen(path);
	for (const char *line = errs; *line;) {
		const char *nl = strchr(line, '\n');
		if (!nl)
			break; /* the last line may be cut at the buffer's end */
		if (strncmp(line, path, plen) != 0 || line[plen] != ':')
			fuzz_die("a config problem does not start with \"path:\"");
		line = nl + 1;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_memfd_path(data, size);
	char errs[8192];
	config_defaults(&cfg);
	int problems = config_load(&cfg, path, errs, sizeof(errs));
	if (problems < 0 || !memchr(errs, '\0', sizeof(errs)))
		fuzz_die("config_load broke its contract");
	if (problems > 0 && !errs[0])
		fuzz_die("a refused config has no message");
	check_lines(errs, path);
	if (problems == 0) {
		/*
		 * A SIGHUP reload parses the file again (config_reload is
		 * config_defaults and config_load into another struct): it must
		 * accept what the first load accepted and agree with it. Only a
		 * clean file is read twice; on a refused one the second parse
		 * repeated the first for no further check and halved the rate.
		 */
		char why[512];
		if (config_reload(&again, path, why, sizeof(why)) != 0)
			fuzz_die("config_reload refuses what config_load accepted");
		errs[0] = '\0';
		if (config_validate(&cfg, path, errs, sizeof(errs)) != 0)
			fuzz_die("a config that loaded does not validate");
		if (strcmp(cfg.kiosk_id, again.kiosk_id) || cfg.faces != again.faces ||
		    memcmp(cfg.button, again.button, sizeof(cfg.button)) || memcmp(cfg.hours, again.hours, sizeof(cfg.hours)))
			fuzz_die("two loads of one file differ");
	}
	return 0;
}
