/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sharedir: the installed files are found relative to the program first,
 * so a `make install PREFIX=/opt/x` of a plain `make` (compiled for
 * /usr/local) still finds its own files, and a build run from the source
 * tree finds assets/ without being installed.
 */
#include "sharedir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TALLY_DATADIR
#define TALLY_DATADIR "/usr/local/share/tally"
#endif

int sharedir_find_from(const char *progdir, const char *rel, char *out, size_t len)
{
	const char *env = getenv("TALLY_DATADIR");
	if (env && *env) {
		/* Set on purpose: only there, so a test never picks up an installed copy by accident. */
		snprintf(out, len, "%s/%s", env, rel);
		return access(out, R_OK) == 0 ? 0 : -1;
	}
	if (progdir) {
		/* Installed first, then a development build in build/ or build/asan/ of the tree. */
		static const char *const ups[] = { "/../share/tally/", "/../assets/", "/../../assets/" };
		for (size_t i = 0; i < sizeof(ups) / sizeof(ups[0]); i++) {
			snprintf(out, len, "%s%s%s", progdir, ups[i], rel);
			if (access(out, R_OK) == 0)
				return 0;
		}
	}
	snprintf(out, len, "%s/%s", TALLY_DATADIR, rel);
	return access(out, R_OK) == 0 ? 0 : -1;
}

int sharedir_find(const char *rel, char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return sharedir_find_from(NULL, rel, out, len);
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return sharedir_find_from(exe, rel, out, len);
}
