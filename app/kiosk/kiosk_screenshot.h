/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_screenshot: one screen drawn headless into a PNG, without the
 * kiosk's loop, window, buttons or store (tally-kiosk --screenshot).
 */
#ifndef TALLY_KIOSK_SCREENSHOT_H
#define TALLY_KIOSK_SCREENSHOT_H

#include <stdint.h>

#include "config.h"

/*
 * Renders one screen ("rating", "thanks", "out-of-order", "staff", "pin",
 * "display") headless into a PNG of the panel size w x h (rotation from
 * cfg). The staff screens read cfg's database, read-only, for the local day
 * of the wall clock moved by clock_offset_ms. Exit status.
 */
int kiosk_screenshot(const struct config *cfg, const char *config_path, const char *language, const char *screen, int w, int h, const char *path,
		     int64_t clock_offset_ms);

#endif
