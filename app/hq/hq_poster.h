/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_poster: the staff-room poster, an A4 PDF of one store's week drawn
 * with cairo: the store's name, the week's Happy Index large (with its
 * change on the week before), the trend by day, the best hour, % positive
 * and the ratings counted (misuse and closed-hours presses left out).
 * Text in DejaVu Sans through cairo's font selection.
 */
#ifndef HQ_POSTER_H
#define HQ_POSTER_H

#include <stddef.h>

#include "hq_report.h"

#define HQ_POSTER_WIDTH_PT 595.276   /* A4, 210 mm */
#define HQ_POSTER_HEIGHT_PT 841.890  /* 297 mm */

/*
 * Draws store's week `week` ("YYYY-Www") with figures f (7 days from its
 * Monday). *pdf gets the file's bytes (malloc'd). 0, or -1 with err.
 */
int hq_poster_render(const char *store, const char *week, const struct hq_report_figures *f, char **pdf, size_t *len,
		     char *err, size_t errlen);

/* The figures of store's ISO week (in its zone) and the poster; the whole job of `tally-hq poster`. 0, or -1 with err. */
int hq_poster_make(struct hq_store *db, const char *store, const char *week, char **pdf, size_t *len, char *err,
		   size_t errlen);

#endif
