/* SPDX-License-Identifier: Apache-2.0 */
/*
 * datadir: whether the directory a database lives in can take it. SQLite
 * creates the -wal and -shm files beside the database, so the directory
 * must be writable, not only the file; when it is not, SQLite says only
 * "unable to open database file". This names the real cause: a read-only
 * file system, a missing directory, or the user, owner and mode that do
 * not fit. (Tally's installed, read-only files are found by sharedir.h.)
 */
#ifndef TALLY_DATADIR_H
#define TALLY_DATADIR_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Checks that user uid (primary group gid) can create files in the
 * directory of db_path. 0, or -1 with why filled: "/var/lib/tally is not
 * writable by user tally (uid 998): it is root:root, mode 0755; make it
 * tally's (chown tally:tally /var/lib/tally; chmod 0750 /var/lib/tally)".
 * Root passes unless the file system is read-only.
 */
int datadir_check(const char *db_path, uid_t uid, gid_t gid, char *why, size_t whylen);

#endif
