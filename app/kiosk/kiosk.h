/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk: the rating terminal's behaviour: a press lights its face in the
 * next presented frame, is committed to the store, and only then is the
 * customer thanked. Owns the main loop of tally-kiosk.
 */
#ifndef TALLY_KIOSK_H
#define TALLY_KIOSK_H

#include <stdint.h>

#include "config.h"

struct kiosk_options {
	const char *config_path;   /* reloaded on SIGHUP; NULL: built-in defaults */
	int fullscreen;
	int width, height;         /* window size when not fullscreen */
	const char *script;        /* scripted input file, or NULL */
	const char *stats_out;     /* write timing figures here at exit, or NULL */
	int64_t started_ns;        /* CLOCK_MONOTONIC at process start */
	int64_t clock_offset_ms;   /* added to the wall clock for the staff screens (--now, tests) */
};

/* Runs until SIGTERM/SIGINT, the window closes, or a script quits. Exit status. */
int kiosk_run(const struct config *cfg, const struct kiosk_options *opt);

/*
 * Renders one screen ("rating", "thanks", "out-of-order", "staff", "pin",
 * "display") headless into a PNG of the panel size w x h (rotation from
 * cfg). The staff screens read cfg's database, read-only, for the local day
 * of the wall clock moved by clock_offset_ms. Exit status.
 */
int kiosk_screenshot(const struct config *cfg, const char *screen, int w, int h, const char *path,
		     int64_t clock_offset_ms);

#endif
