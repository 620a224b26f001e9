/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logo: the store's logo ([screen] logo, a PNG) read with libpng's
 * simplified API into an SDL surface, scaled once to the box it is shown
 * in, so a frame only blits it.
 */
#ifndef TALLY_LOGO_H
#define TALLY_LOGO_H

#include <SDL.h>
#include <stddef.h>

/*
 * Reads the PNG at path and scales it, keeping its proportions, to fit
 * max_w x max_h. A new surface the caller frees; NULL with err ("path:
 * reason") when it cannot be read.
 */
SDL_Surface *logo_load(const char *path, int max_w, int max_h, char *err, size_t errlen);

#endif
