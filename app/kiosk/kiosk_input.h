/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_input: where each press arrives and where it goes. SDL's events
 * (touch, mouse, keys, the window) and the buttons' events are sent to the
 * staff view's access (staff_access.h) or the rating flow (rating_flow.h),
 * by what the screen shows.
 */
#ifndef TALLY_KIOSK_INPUT_H
#define TALLY_KIOSK_INPUT_H

#include "buttons.h"
#include "kiosk.h"

/* Handles every SDL event waiting (the loop calls it after each wake-up). */
void kiosk_input_pump(struct kiosk *k);
/* The buttons' events (a buttons_event_fn; arg is the kiosk). */
void kiosk_input_on_button(const struct button_event *ev, void *arg);

#endif
