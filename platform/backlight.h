/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backlight: dims the panel outside opening hours through sysfs
 * (/sys/class/backlight/<first>/brightness), where the panel has one.
 * Without one the kiosk paints a dark screen instead.
 *
 * For tests, TALLY_SYSFS_ROOT names a directory that stands in for /sys.
 */
#ifndef TALLY_BACKLIGHT_H
#define TALLY_BACKLIGHT_H

#include <stddef.h>

struct backlight;

/* Finds the panel's backlight: 1 found, 0 none (not an error). */
int backlight_open(struct backlight **out);
void backlight_close(struct backlight *b);

/* Dims (on = 0) or restores the brightness found at open (on = 1). 0, or -1 with err. */
int backlight_set(struct backlight *b, int on, char *err, size_t errlen);

/* The sysfs directory in use, for the log. */
const char *backlight_path(const struct backlight *b);

#endif
