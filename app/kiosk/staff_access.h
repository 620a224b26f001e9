/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_access: who gets to the staff view, and how it goes away. It opens
 * by the buttons' staff chord, a long press in a corner of a touch screen
 * (then the PIN pad, if [staff] pin is set) or at the [staff] view_at
 * times; it closes after [staff] view_s or at any press. Presses right after
 * it closed are guarded: they never become ratings.
 */
#ifndef TALLY_STAFF_ACCESS_H
#define TALLY_STAFF_ACCESS_H

#include <stdint.h>

#include "buttons.h"
#include "kiosk.h"

/* Whether the staff view or its PIN pad is on the screen. */
int staff_access_showing(const struct kiosk *k);
/* Reads today's figures and shows them for [staff] view_s; `why` goes to the log. */
void staff_access_open(struct kiosk *k, const char *why);
/* Closes the staff view or the PIN pad, back to the faces (or the dark screen), and starts the guard. */
void staff_access_close(struct kiosk *k, const char *why);
/* The same for a button's down edge at at_ns: its guard runs on the edges' time base. */
void staff_access_close_by_button(struct kiosk *k, int64_t at_ns);
/* A digit 0..9 or STAFF_PIN_CANCEL typed on the PIN pad (-1: nothing). */
void staff_access_pin_key(struct kiosk *k, int digit);
/* A pointer went down in a corner of the rating screen: the long press starts. */
void staff_access_corner_down(struct kiosk *k, int64_t pointer);
/* A pointer went up: a corner long press it started ends without opening anything. */
void staff_access_pointer_up(struct kiosk *k, int64_t pointer);
/* Arms the timer for the next scheduled opening after wall time `after` (none if there is none). */
void staff_access_schedule_arm(struct kiosk *k, int64_t after);
/* Whether a touch or key press comes right after the staff view closed (then it is ignored, and logged). */
int staff_access_guarded(struct kiosk *k);
/* The same for a button's event. */
int staff_access_guarded_button(struct kiosk *k, const struct button_event *ev);

#endif
