/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_status: writes kiosk.status for `tallyctl status`: what the kiosk
 * shows (rating, out of order and why, closed, display), how its pixels
 * reach the panel, and each button's line and trouble (stuck, noise).
 * Called when one of those changes, never per press or per frame.
 */
#ifndef TALLY_KIOSK_STATUS_H
#define TALLY_KIOSK_STATUS_H

#include "buttons_input.h"
#include "config.h"

/*
 * out_of_order: the reason, or NULL; bi may be NULL (no buttons); noisy: a
 * bit per button whose line stormed and has not made a clean press since.
 */
void kiosk_status_write(const struct config *cfg, const char *screen, const char *out_of_order, const char *display,
			struct buttons_input *bi, unsigned noisy);

#endif
