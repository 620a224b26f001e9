/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_util: what the libFuzzer targets share: silencing the log (a fuzzer
 * feeds millions of bad inputs, each of which logs a line by design; each
 * line is still checked to be one line), and
 * handing an input to code that reads a file by path without touching the
 * disk (a memfd, named by its /proc/self/fd path).
 */
#ifndef TALLY_FUZZ_UTIL_H
#define TALLY_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

static inline void fuzz_die(const char *what);

/* Drops a log line, after checking it is one line: input must not forge others in the journal. */
static void fuzz_log_drop(void *arg, int priority, const char *ident, const char *message,
			  const struct log_field *fields, size_t nfields)
{
	(void)arg, (void)priority, (void)ident, (void)fields, (void)nfields;
	if (strpbrk(message, "\r\n"))
		fuzz_die("a log line with a line break in it");
}

/* Every log line goes nowhere (set FUZZ_LOG=1 to see them while reproducing a crash). */
static inline void fuzz_quiet(void)
{
	const char *v = getenv("FUZZ_LOG");
	if (!v || strcmp(v, "1") != 0)
		log_set_sink(fuzz_log_drop, NULL);
}

/* Dies loudly: a broken harness must not pass for a clean run. */
static inline void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz harness: %s\n", what);
	abort();
}

/*
 * One memfd for the life of the process, rewritten with each input; its
 * path is /proc/self/fd/N, which opens as a plain file at offset 0.
 */
static inline const char *fuzz_memfd_path(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0)
			fuzz_die("memfd_create failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		fuzz_die("cannot write the memfd");
	return path;
}

#endif
