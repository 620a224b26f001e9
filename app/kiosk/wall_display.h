/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wall_display: [kiosk] mode = display. The kiosk's loop shows the store's
 * figures on a wall: no buttons, no store (the database is opened
 * read-only, so nothing here can write a rating).
 */
#ifndef TALLY_WALL_DISPLAY_H
#define TALLY_WALL_DISPLAY_H

#include "kiosk.h"

/* Reads the figures now, then every [display] refresh_s, and turns the pages every [display] page_s. */
void wall_display_start(struct kiosk *k);

#endif
