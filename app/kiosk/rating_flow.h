/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rating_flow: a press becomes a rating. The face lights in the next
 * presented frame, the rating is committed to SQLite (fsync), and only then
 * is the customer thanked; a failed commit shows "out of order" instead of
 * thanking anyone, and the store is tried again every STORE_RETRY_MS.
 */
#ifndef TALLY_RATING_FLOW_H
#define TALLY_RATING_FLOW_H

#include "kiosk.h"
#include "rating.h"

/* A touch or key press on face (0-based): lit, then rated. Out-of-range faces are ignored. */
void rating_flow_press(struct kiosk *k, int face, enum rating_source source);
/* The face lights and is presented at once: the customer's instant answer (a button's down edge). */
void rating_flow_face_down(struct kiosk *k, int face);
/*
 * The rating is decided: store it, then thank. Every press is stored.
 * at_ns: when it was decided on CLOCK_MONOTONIC (a button's release, on its
 * edges' time base), or 0 for now (keys, touch). Stamps and the misuse
 * filter follow it, so a recording on the simulated chip replays faithfully.
 */
void rating_flow_rate(struct kiosk *k, int face, enum rating_source source, int64_t at_ns);
/* The thank-you now (after the highlight, or after the follow-up question), then the faces again. */
void rating_flow_thank(struct kiosk *k);
/* Shows text as the current screen's notice for seconds (rating: "Please choose again"; closed: when it opens). */
void rating_flow_notice(struct kiosk *k, const char *text, double seconds);
/* Lights button i's LED (or none with -1); the previous one goes out. */
void rating_flow_led(struct kiosk *k, int i);
/* Stops the highlight/thank-you timer (the screen stays as it is). */
void rating_flow_cancel_thanks(struct kiosk *k);
/* Opens the store if it is not open, and leaves "out of order" when it works. */
void rating_flow_try_store(struct kiosk *k);

#endif
