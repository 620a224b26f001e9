/* SPDX-License-Identifier: Apache-2.0 */
/*
 * statusfile: how a running program tells `tallyctl status` how it is.
 * A small text file of "key value" lines, replaced atomically (write a
 * temporary file, rename), written only when something in it changed:
 * never per frame or per heartbeat, because an SD card wears.
 *
 * The file lives in [kiosk] run_dir (default: the database's directory;
 * /run/tally when installed, a tmpfs), named after the program:
 * kiosk.status, sync.status.
 */
#ifndef TALLY_STATUSFILE_H
#define TALLY_STATUSFILE_H

#include <stddef.h>

#include "config.h"

#define STATUSFILE_MAX 64

struct statusfile {
	int n;
	char key[STATUSFILE_MAX][48];
	char value[STATUSFILE_MAX][256];
};

/* The path of program's status file under cfg. */
void statusfile_path(const struct config *cfg, const char *program, char *out, size_t outlen);

/* Sets key to a printf-formatted value (replacing an earlier one). */
void statusfile_set(struct statusfile *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value of key, or NULL. */
const char *statusfile_get(const struct statusfile *s, const char *key);

/* Writes s to path atomically, unless it equals what was last written there. 0, or -1 with err. */
int statusfile_write(const struct statusfile *s, const char *path, char *err, size_t errlen);
/* Reads path into s. 0, or -1 (no file: the program is not running or never wrote). */
int statusfile_read(struct statusfile *s, const char *path);

#endif
