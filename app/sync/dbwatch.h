/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbwatch: tells tally-sync that the kiosk wrote to the database, through
 * inotify on the database's -wal file, so it can sleep until a rating
 * arrives instead of polling. A commit in WAL mode writes the -wal file;
 * the directory is watched only for that file being (re)created.
 */
#ifndef TALLY_DBWATCH_H
#define TALLY_DBWATCH_H

#include <stddef.h>

struct dbwatch;

/* Watches db_path's WAL. 0, or -1 with err filled. */
int dbwatch_open(struct dbwatch **out, const char *db_path, char *err, size_t errlen);
void dbwatch_close(struct dbwatch *w);

/* The descriptor to poll for POLLIN. */
int dbwatch_fd(const struct dbwatch *w);

/* Reads every pending event: 1 if the WAL changed or appeared, 0 if not. */
int dbwatch_read(struct dbwatch *w);

#endif
