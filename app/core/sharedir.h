/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sharedir: the one lookup of Tally's installed, read-only files (the
 * fonts, the customers' languages, the dashboard's pages), for every
 * program: $TALLY_DATADIR when set (tests, relocated installs), else
 * beside the running program (PREFIX/bin/../share/tally whatever PREFIX
 * it was compiled for; a development build's ../assets or ../../assets
 * from build/ or build/asan/), else the compiled-in TALLY_DATADIR.
 *
 * Not to be confused with datadir.h, which checks the writable directory
 * the ratings database lives in.
 */
#ifndef TALLY_SHAREDIR_H
#define TALLY_SHAREDIR_H

#include <stddef.h>

/*
 * out gets DIR/rel for the first of those places where rel exists
 * ("web", "fonts/DejaVuSans.ttf", "lang/de.ini"). 0 found, or -1 with out
 * holding the place it was looked for last (the compiled-in one, or
 * $TALLY_DATADIR's), for the message that says so.
 */
int sharedir_find(const char *rel, char *out, size_t len);

/*
 * The same with the running program's directory given instead of read
 * from /proc/self/exe (NULL: none), so a test can lay out an install.
 */
int sharedir_find_from(const char *progdir, const char *rel, char *out, size_t len);

#endif
