/* SPDX-License-Identifier: Apache-2.0 */
/* testutil: scratch directories and files for the unit tests. */
#ifndef TALLY_TESTUTIL_H
#define TALLY_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR; removed with everything in it by tu_rmdir. */
static inline void tu_mkdtemp(char *out, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(out, len, "%s/tally-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(out));
}

static inline void tu_rmdir(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static inline void tu_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#endif
