/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logo: libpng decodes to RGBA in memory (any PNG colour type, with
 * transparency), SDL scales it. The file is read once per layout, at
 * start and on a resize or reload, never per frame.
 */
#include "logo.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>

SDL_Surface *logo_load(const char *path, int max_w, int max_h, char *err, size_t errlen)
{
	png_image img = { 0 };
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		snprintf(err, errlen, "%s: cannot read the logo: %s", path, img.message);
		png_image_free(&img);
		return NULL;
	}
	img.format = PNG_FORMAT_RGBA;
	SDL_Surface *full = SDL_CreateRGBSurfaceWithFormat(0, (int)img.width, (int)img.height, 32, SDL_PIXELFORMAT_RGBA32);
	if (!full || !png_image_finish_read(&img, NULL, full->pixels, full->pitch, NULL)) {
		snprintf(err, errlen, "%s: cannot read the logo: %s", path, full ? img.message : "out of memory");
		png_image_free(&img);
		SDL_FreeSurface(full);
		return NULL;
	}
	png_image_free(&img);
	/* Fit the box, keeping the proportions; never enlarged past twice its size (blurred). */
	double k = (double)max_w / full->w;
	if ((double)max_h / full->h < k)
		k = (double)max_h / full->h;
	if (k > 2)
		k = 2;
	int w = (int)(full->w * k), h = (int)(full->h * k);
	SDL_Surface *out = w > 0 && h > 0 ? SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888) : NULL;
	if (!out) {
		snprintf(err, errlen, "%s: the logo does not fit a %dx%d box", path, max_w, max_h);
		SDL_FreeSurface(full);
		return NULL;
	}
	SDL_SetSurfaceBlendMode(full, SDL_BLENDMODE_NONE);
	SDL_BlitScaled(full, NULL, out, NULL);
	SDL_FreeSurface(full);
	SDL_SetSurfaceBlendMode(out, SDL_BLENDMODE_BLEND);
	return out;
}
