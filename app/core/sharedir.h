/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sharedir: where Tally's installed, read-only files are (the fonts, the
 * dashboard's pages): $TALLY_DATADIR when set (tests, relocated installs),
 * else beside the running program (PREFIX/bin/../share/tally whatever
 * PREFIX it was compiled for; a development build's ../assets or
 * ../../assets from build/ or build/asan/), else the compiled-in
 * TALLY_DATADIR.
 */
#ifndef TALLY_SHAREDIR_H
#define TALLY_SHAREDIR_H

#include <stddef.h>

/*
 * out gets DIR/rel for the first of those places where rel exists
 * ("web", "fonts/DejaVuSans.ttf"). 0 found, or -1 with out holding the
 * compiled-in place, for the message that says where it was looked for.
 */
int sharedir_find(const char *rel, char *out, size_t len);

#endif
