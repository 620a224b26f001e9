/* SPDX-License-Identifier: Apache-2.0 */
/* snapshot: saves a surface as a PNG file (screenshots for tests and the README). */
#ifndef TALLY_SNAPSHOT_H
#define TALLY_SNAPSHOT_H

#include <SDL.h>
#include <stddef.h>

/* 0, or -1 with err filled. */
int snapshot_save_png(SDL_Surface *s, const char *path, char *err, size_t errlen);

#endif
