/* SPDX-License-Identifier: Apache-2.0 */
/* snapshot: libpng's simplified write API over an RGBA copy of the surface. */
#include "snapshot.h"

#include <png.h>
#include <stdio.h>

int snapshot_save_png(SDL_Surface *s, const char *path, char *err, size_t errlen)
{
	SDL_Surface *rgba = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGBA32, 0);
	if (!rgba) {
		snprintf(err, errlen, "%s: cannot convert screen: %s", path, SDL_GetError());
		return -1;
	}
	png_image img = { 0 };
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)rgba->w;
	img.height = (png_uint_32)rgba->h;
	img.format = PNG_FORMAT_RGBA;
	int ok = png_image_write_to_file(&img, path, 0, rgba->pixels, rgba->pitch, NULL);
	if (!ok)
		snprintf(err, errlen, "%s: cannot write PNG: %s", path, img.message);
	png_image_free(&img);
	SDL_FreeSurface(rgba);
	return ok ? 0 : -1;
}
