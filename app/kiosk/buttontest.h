/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttontest: the installer's wiring check (tally-kiosk --test-buttons).
 * Shows live, for each configured button, its raw level, debounced state,
 * press count and LED, as a text table that works over SSH with no
 * display. Each press toggles the button's LED, so LED wiring is checked
 * too. Runs until Ctrl-C (or until a simulated chip's recording file ends).
 */
#ifndef TALLY_BUTTONTEST_H
#define TALLY_BUTTONTEST_H

#include <stdio.h>

#include "config.h"

/*
 * Runs the check on stdout (redrawn in place on a terminal). Returns 0 on
 * Ctrl-C or end of input, 1 after printing one line on stderr if the
 * buttons cannot be opened.
 */
int buttontest_run(const struct config *cfg);

/*
 * The same, writing to out; in_place redraws the table over itself
 * (terminal), otherwise each change appends a new table (pipes, tests).
 */
int buttontest_run_to(const struct config *cfg, FILE *out, int in_place);

#endif
