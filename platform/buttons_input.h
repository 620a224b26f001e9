/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttons_input: the kiosk's physical buttons, hung off its event loop.
 * Opens the configured GPIO lines (real or simulated), registers their
 * descriptors and one deadline timer with the loop, and delivers button
 * events (see buttons.h) to a callback from inside loop_run_once. Nothing
 * wakes the loop while no edge comes and no deadline is pending; the
 * status LED's blink timer runs only while it blinks.
 *
 * Every STUCK, RECOVERED, STAFF and NOISE event is logged here, once; the
 * callback need not log them again.
 */
#ifndef TALLY_BUTTONS_INPUT_H
#define TALLY_BUTTONS_INPUT_H

#include <stddef.h>

#include "buttons.h"
#include "config.h"
#include "loop.h"

/* Half the status LED's blink period. */
#define BUTTONS_INPUT_BLINK_MS 500

struct buttons_input;

/*
 * Opens [button.1]..[button.N] of cfg and registers with loop. Returns 0;
 * *out is NULL when no button is configured (touch and keys only). On
 * failure returns -1 with a message in err and registers nothing. Event
 * times (at_ns) are CLOCK_MONOTONIC nanoseconds, like loop_now_ms * 1e6.
 */
int buttons_input_open(struct buttons_input **out, const struct config *cfg, struct loop *loop,
		       buttons_event_fn fn, void *arg, char *err, size_t errlen);

/* Unregisters from the loop, turns the LEDs off, releases the lines. NULL is fine. */
void buttons_input_close(struct buttons_input *bi);

/* Number of buttons (faces with a button). */
int buttons_input_count(const struct buttons_input *bi);

/*
 * Lights or clears button i's LED (the kiosk lights the pressed face's LED
 * through the thank-you screen). Returns 0, or -1 if i has no LED.
 */
int buttons_input_set_led(struct buttons_input *bi, int i, int on);

/*
 * Whether the kiosk has a reason for the status LED to blink (beyond stuck
 * buttons, which this module adds by itself).
 */
void buttons_input_set_status_led(struct buttons_input *bi, int blinking);

/* Whether the status LED is blinking now. */
int buttons_input_status_blinking(const struct buttons_input *bi);

/* Status of button i: raw level read now, debounced state, presses, stuck, noise, LED (-1: none). */
void buttons_input_status(struct buttons_input *bi, int i, struct button_status *st);

/* Chip name and line offset of button i, for messages and the wiring check. */
void buttons_input_line(const struct buttons_input *bi, int i, const char **chip, int *line);

/*
 * 1 when no event can come any more: a simulated chip read from a plain
 * file has ended and every deadline has passed. Never for a real chip.
 */
int buttons_input_ended(const struct buttons_input *bi);

#endif
