/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_check: `tally-kiosk --check-config`: what only the kiosk can
 * check, with its fonts loaded. The config itself was read by main (its
 * problems refuse it there, as every program does); here each language's
 * texts are read and every character of every text is looked up in the
 * configured fonts ([screen] font, fallback_font). A character neither
 * has would draw as an empty box: a warning names the text and the
 * character. tallyctl check-config runs this and shows its warnings.
 */
#ifndef TALLY_KIOSK_CHECK_H
#define TALLY_KIOSK_CHECK_H

#include "config.h"

/* Prints "config: ok" or the warnings; 0 (warnings do not fail), 2 when a language cannot be read, 1 without a font. */
int kiosk_check_config(const struct config *cfg, const char *config_path);

#endif
